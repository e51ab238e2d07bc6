/** The Node 22 version fetched when the running Node is older. */
export declare const NODE22_VERSION: string;
/** The path of a Node 22 binary, fetched from the npm registry the first time. */
export declare const node22: () => string;

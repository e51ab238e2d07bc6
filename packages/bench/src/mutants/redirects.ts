import { area, client, src } from "./types.js"

export const redirects = area("Redirects", [
  // Redirects
  {
    id: "redirect-keeps-post",
    promise: "301/302 after POST become a GET without a body",
    file: `${src}redirect.ts`,
    find: "const toGet = status === 303 || ((status === 301 || status === 302) && request.method === \"POST\")",
    replace: "const toGet = status === 303",
    tests: client("Behaviour", "AuthWire")
  },
  {
    id: "redirect-keeps-content-type",
    promise: "the body's headers go with the body",
    file: `${src}redirect.ts`,
    find: "    delete headers[\"content-type\"]\n",
    replace: "",
    tests: client("Behaviour", "AuthWire")
  },
  {
    id: "redirect-keeps-credentials",
    promise: "credentials never follow a redirect to another origin",
    file: `${src}redirect.ts`,
    find: "if (redact.sensitiveHeaders.has(name) || sensitiveHeaders?.has(name)) delete headers[name]",
    replace: "",
    tests: client("AuthWire")
  }
])

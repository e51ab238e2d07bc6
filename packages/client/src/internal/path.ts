/** @internal */
export const path = (strings: ReadonlyArray<string>, values: ReadonlyArray<unknown>): string => {
  let out = strings[0]
  for (let i = 0; i < values.length; i++) {
    const value = String(values[i])
    const encoded = encodeURIComponent(value)
    if (encoded === "." || encoded === ".." || encoded === "") {
      const before = out.charCodeAt(out.length - 1)
      const after = strings[i + 1].charCodeAt(0)
      const segment = (before === 47 || out.length === 0) && (after === 47 || Number.isNaN(after) || after === 63)
      if (segment) {
        throw new TypeError(
          `ApiClient.path: the value ${JSON.stringify(value)} would make a path segment that is empty, "." or ".."`
        )
      }
    }
    out += encoded + strings[i + 1]
  }
  return out
}

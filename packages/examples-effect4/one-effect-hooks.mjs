// The resolve hook of one-effect.mjs: `effect` and `effect/*` resolve as if packages/client
// imported them.
const client = new URL("../client/package.json", import.meta.url).href

export const resolve = (specifier, context, next) =>
  specifier === "effect" || specifier.startsWith("effect/")
    ? next(specifier, { ...context, parentURL: client })
    : next(specifier, context)

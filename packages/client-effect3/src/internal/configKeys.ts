import type * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"

/**
 * The provider in context, made to find a nested path under its flat name as well: when
 * `["POSTS", "BASE_URL"]` is not there, `["POSTS_BASE_URL"]` is looked up. An environment answers
 * both already; `ConfigProvider.fromMap(new Map([["POSTS_BASE_URL", …]]))`, the usual test config,
 * looks the nested path up as `POSTS.BASE_URL` (its `pathDelim` is `.`) and answers only the flat
 * one. Both work. When neither is there, the error names the flat name once, and what to pass.
 */
export const flatOrNested = (provider: ConfigProvider.ConfigProvider): ConfigProvider.ConfigProvider => {
  const flat = provider.flattened
  return ConfigProvider.fromFlat(ConfigProvider.makeFlat({
    load: (path, primitive, split) => {
      if (path.length < 2) return flat.load(path, primitive, split)
      const name = path.join("_")
      return flat.load(path, primitive, split).pipe(
        Effect.catchIf(ConfigError.isMissingDataOnly, () => flat.load([name], primitive, split)),
        Effect.catchIf(ConfigError.isMissingDataOnly, () => Effect.fail(ConfigError.MissingData([name], notSet(name))))
      )
    },
    enumerateChildren: flat.enumerateChildren,
    patch: flat.patch
  }))
}

/** Reads `config` from the provider in context, nested paths also found under their flat names. */
export const read = <A>(config: Config.Config<A>): Effect.Effect<A, ConfigError.ConfigError> =>
  Effect.configProviderWith((provider) => flatOrNested(provider).load(config))

/** What to pass when a variable is missing, on this line. */
const notSet = (name: string): string =>
  `expected an environment variable ${name}, or in a test ConfigProvider.fromMap(new Map([["${name}", …]]))`

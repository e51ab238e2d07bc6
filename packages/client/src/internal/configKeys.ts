import type * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"

/**
 * The provider in context, made to find a nested path under its flat name as well: when
 * `["POSTS", "BASE_URL"]` is not there, `["POSTS_BASE_URL"]` is looked up. An environment
 * (`ConfigProvider.fromEnv`) answers both already; `ConfigProvider.fromUnknown({ POSTS_BASE_URL })`,
 * the usual test config, answers only the flat one, and `fromUnknown({ POSTS: { BASE_URL } })`
 * only the nested one. Both work.
 */
export const flatOrNested = (provider: ConfigProvider.ConfigProvider): ConfigProvider.ConfigProvider =>
  ConfigProvider.make((path) =>
    Effect.flatMap(
      provider.load(path),
      (node) =>
        node !== undefined || path.length < 2 || !path.every((segment) => typeof segment === "string")
          ? Effect.succeed(node)
          : provider.load([path.join("_")])
    )
  )

/** Reads `config` from the provider in context, nested paths also found under their flat names. */
export const read = <A>(config: Config.Config<A>): Effect.Effect<A, Config.ConfigError> =>
  Effect.flatMap(Effect.service(ConfigProvider.ConfigProvider), (provider) => config.parse(flatOrNested(provider)))

/** What to pass when a required variable is missing, on this line: ` is not set (…)`. */
export const notSet = (name: string): string =>
  ` is not set (expected an environment variable ${name}, or in a test ConfigProvider.fromUnknown({ ${name}: … }))`

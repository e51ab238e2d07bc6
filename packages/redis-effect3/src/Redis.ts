/**
 * The Redis connection the fleet-wide stores share: one ioredis client per layer, namespaced by
 * a key prefix, that fails a command fast (a small timeout, no offline queue) so that a Redis
 * that is down or slow costs a call nothing but the fallback to local limits. It reconnects in
 * the background; a Redis that is unreachable when the layer starts is the same as one that
 * goes down later.
 *
 * @since 0.2.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Redis as IORedis } from "ioredis"
import * as fallback from "./internal/fallback.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  readonly url: Redacted.Redacted<string>
  /** Prefixes every key, e.g. the application's name. Default `"steady"`. */
  readonly prefix?: string | undefined
  /**
   * The longest a command may take before the store falls back to local limits for it.
   * Default `100 millis`: a limiter on the hot path must not wait for a slow Redis.
   */
  readonly commandTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Redis {
  readonly client: IORedis
  readonly prefix: string
  readonly commandTimeoutMillis: number
  /** The URL without its credentials, for logs. */
  readonly shownUrl: string
}

/**
 * `steady_redis_fallbacks_total` (labelled `store`): store operations answered by the local
 * policy because Redis was down, slow or unreachable.
 *
 * @since 0.2.0
 * @category metrics
 */
export const fallbacks: Metric.Metric.Counter<number> = fallback.fallbacksTotal

/**
 * @since 0.2.0
 * @category tags
 */
export const Redis: Context.Tag<Redis, Redis> = Context.GenericTag<Redis>("@steady/redis-effect3/Redis")

const shown = (url: string) => {
  try {
    const u = new URL(url)
    if (u.password !== "") u.password = "<redacted>"
    if (u.username !== "") u.username = "<redacted>"
    return u.toString()
  } catch {
    return "<an invalid Redis URL>"
  }
}

/**
 * The connection, opened in the background and closed with the layer's scope.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Redis> =>
  Layer.scoped(
    Redis,
    Effect.acquireRelease(
      Effect.sync((): Redis => {
        const commandTimeoutMillis = Duration.toMillis(options.commandTimeout ?? Duration.millis(100))
        if (!(commandTimeoutMillis > 0)) throw new RangeError("commandTimeout must be a positive duration")
        const prefix = options.prefix ?? "steady"
        if (prefix === "" || prefix.includes("{") || prefix.includes("}")) {
          throw new TypeError("prefix must be non-empty and without braces")
        }
        const client = new IORedis(Redacted.value(options.url), {
          // fail fast while disconnected (the store falls back), reconnect in the background
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: commandTimeoutMillis,
          connectTimeout: 1_000,
          retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
          lazyConnect: false
        })
        // errors surface on each command; the connection's own ones would go unhandled
        client.on("error", () => {})
        return { client, prefix, commandTimeoutMillis, shownUrl: shown(Redacted.value(options.url)) }
      }).pipe(
        // a healthy Redis is connected before the first call (bounded: one that is not up
        // within a second is down, and the stores start on their local limits)
        Effect.tap((redis) =>
          Effect.promise(() =>
            new Promise<void>((resolve) => {
              if (redis.client.status === "ready") return resolve()
              const timer = setTimeout(done, 1_000)
              function done() {
                clearTimeout(timer)
                redis.client.off("ready", done)
                resolve()
              }
              redis.client.once("ready", done)
            })
          )
        )
      ),
      (redis) => Effect.promise(() => redis.client.quit().catch(() => redis.client.disconnect()))
    )
  )

/**
 * The connection configured through `Config`: `<PREFIX>_URL` (required, read as a secret),
 * `<PREFIX>_KEY_PREFIX`, `<PREFIX>_COMMAND_TIMEOUT`. Default prefix `STEADY_REDIS`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (prefix = "STEADY_REDIS"): Layer.Layer<Redis, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.map(
      Config.all({
        url: Config.redacted("URL"),
        keyPrefix: Config.option(Config.string("KEY_PREFIX")),
        commandTimeout: Config.option(Config.duration("COMMAND_TIMEOUT"))
      }).pipe(Config.nested(prefix)),
      ({ commandTimeout, keyPrefix, url }) =>
        layer({ url, prefix: Option.getOrUndefined(keyPrefix), commandTimeout: Option.getOrUndefined(commandTimeout) })
    )
  )

/**
 * Helpers of the Redis tests: a process's own connection, its Redis commands counted, and the
 * log lines it writes.
 */
import { Redis } from "@steady/redis"
import type { Duration } from "effect"
import { Context, Effect, Layer, Logger, Metric, Redacted, References, type Scope } from "effect"
import type * as EffectRedis from "effect/persistence/Redis"

/** A connection of its own (a process, as far as Redis can tell), under the key prefix `t`. */
export const connect = (url: string, commandTimeout: Duration.Input = "5 seconds") =>
  Layer.fresh(Redis.layer({ url: Redacted.make(url), prefix: "t", commandTimeout }))

/**
 * A connection whose scripts and commands are counted (`calls`): what reaches Redis, or tries
 * to (a Redis that is down fails each one).
 */
export const counted = (
  url: string,
  commandTimeout: Duration.Input = "5 seconds"
): Effect.Effect<
  { readonly context: Context.Context<Redis.Redis>; readonly calls: () => number },
  never,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const real = Context.get(yield* Layer.build(connect(url, commandTimeout)), Redis.Redis)
    let calls = 0
    const redis: EffectRedis.Redis["Service"] = {
      ...real.redis,
      send: (command, ...args) => Effect.suspend(() => (calls++, real.redis.send(command, ...args))),
      eval: (script) => {
        const run = real.redis.eval(script)
        return (...params) => Effect.suspend(() => (calls++, run(...params)))
      }
    }
    return { context: Context.make(Redis.Redis, { ...real, redis }), calls: () => calls }
  })

/** The messages logged while `effect` runs (every level). */
export const logged = <A, E, R>(effect: Effect.Effect<A, E, R>, lines: Array<string>) =>
  effect.pipe(
    Effect.provide(Logger.layer([Logger.make(({ message }) => lines.push(String(message)))])),
    Effect.provideService(References.MinimumLogLevel, "All")
  )

/** `steady_redis_fallbacks_total` of one store. */
export const fallbacksOf = (store: string) =>
  Effect.map(Metric.value(Metric.withAttributes(Redis.fallbacks, { store })), (state) => state.count)

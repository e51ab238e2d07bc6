/**
 * A retry budget shared by every process of a fleet, through Redis: when an upstream fails,
 * the fleet's retries together are bounded, not each process's on its own.
 *
 * Each process keeps a local balance and pays its retries from it without a round-trip. Every
 * `syncInterval` (default 100 ms) it sends what it spent and was refunded since the last sync
 * (one script: the balance in Redis, kept within `[0, capacity]`) and takes the fleet's balance
 * back. A budget the fleet has spent is spent here by the next sync; until then a process can
 * spend at most what it held locally.
 *
 * When Redis is down, slow or unreachable, the local balance goes on as a budget of this
 * process only, until Redis answers again (what was spent meanwhile is not sent): no call fails
 * because of Redis.
 *
 * @example
 * ```ts
 * import { ApiClient, ConnectionPool, Retry, RetryBudget } from "@steady/client-effect3"
 * import { Redis, RedisRetryBudget } from "@steady/redis-effect3"
 * import { Effect, Layer } from "effect"
 *
 * const Budget = RedisRetryBudget.layer({ name: "payments", capacity: 200 }).pipe(
 *   Layer.provide(Redis.layerConfig()) // STEADY_REDIS_URL
 * )
 *
 * const program = Effect.gen(function*() {
 *   const budget = yield* RetryBudget.RetryBudget
 *   const client = yield* ApiClient.make({ baseUrl: "https://pay.example", retry: Retry.standard({ budget }) })
 *   return yield* client.get("/health")
 * }).pipe(Effect.provide(Layer.merge(Budget, ConnectionPool.layer())))
 * ```
 *
 * @since 0.2.0
 */
import * as RetryBudget from "@steady/client-effect3/RetryBudget"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as MetricLabel from "effect/MetricLabel"
import type * as Scope from "effect/Scope"
import { Fallback } from "./internal/fallback.js"
import * as names from "./internal/names.js"
import * as scripts from "./internal/scripts.js"
import { Redis } from "./Redis.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends RetryBudget.Options {
  /** The budget's name: its key in Redis, and the `budget` label of its gauge. Required. */
  readonly name: string
  /** How often this process sends what it spent and reads the fleet's balance. Default `100 millis`. */
  readonly syncInterval?: Duration.DurationInput | undefined
  /** How long to stay local after Redis failed before asking it again. Default `1 second`. */
  readonly retryAfter?: Duration.DurationInput | undefined
}

/**
 * A retry budget whose balance is the fleet's.
 *
 * @since 0.2.0
 * @category models
 */
export interface SharedRetryBudget extends RetryBudget.RetryBudget {
  /** Syncs with Redis that completed since the budget was made. */
  readonly syncs: number
}

/** A budget no process uses for an hour is gone: the next one starts full. */
const KEY_TTL_MILLIS = 3_600_000

type Client = Redis["client"] & {
  steadyBudgetSync(key: string, delta: number, capacity: number, ttl: number): Promise<string>
}

class Shared implements SharedRetryBudget {
  readonly [RetryBudget.TypeId]: RetryBudget.TypeId = RetryBudget.TypeId
  refusals = 0
  syncs = 0
  private current: number
  /** The change since the last sync was sent: what it still has to tell Redis. */
  private pending = 0
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
  constructor(readonly name: string, readonly options: RetryBudget.Settings) {
    this.current = options.capacity
    this.labels = [MetricLabel.make("budget", name)]
    RetryBudget.metrics.tokens.unsafeUpdate(this.current, this.labels)
  }
  get tokens(): number {
    return this.current
  }
  private set(tokens: number) {
    if (tokens === this.current) return
    this.pending += tokens - this.current
    this.current = tokens
    RetryBudget.metrics.tokens.unsafeUpdate(tokens, this.labels)
  }
  acquire(afterTimeout: boolean): number | undefined {
    const cost = afterTimeout ? this.options.timeoutRetryCost : this.options.retryCost
    if (cost > this.current) {
      this.refusals++
      RetryBudget.metrics.refusals.unsafeUpdate(1, [])
      return undefined
    }
    this.set(this.current - cost)
    return cost
  }
  release(spent: number): void {
    if (this.current === this.options.capacity) return
    this.set(Math.min(this.options.capacity, this.current + (spent > 0 ? spent : this.options.successRefund)))
  }
  /** The change to send now; what was sent is no longer pending. */
  take(): number {
    const delta = this.pending
    this.pending = 0
    return delta
  }
  /** The fleet's balance, plus what changed here while the sync was out. */
  synced(balance: number) {
    const local = Math.min(this.options.capacity, Math.max(0, balance + this.pending))
    const pending = this.pending
    this.set(local)
    this.pending = pending
    this.syncs++
  }
  toJSON() {
    return { _id: "RetryBudget", name: this.name, shared: true, tokens: this.current, ...this.options }
  }
}

/**
 * A shared budget that syncs in the background while its scope is open. Its key is
 * `<prefix>:retry-budget:<name>`. Invalid numbers are defects that name the option.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<SharedRetryBudget, never, Redis | Scope.Scope> =>
  Effect.gen(function*() {
    const redis = yield* Redis
    const name = names.check("RedisRetryBudget", options.name)
    const interval = names.positive("RedisRetryBudget", "syncInterval", options.syncInterval, 100)
    // the local budget checks the numbers (and names a bad one)
    const settings = RetryBudget.unsafeMake(options).options
    const budget = new Shared(name, settings)
    const client = scripts.define<Client>(redis.client, { steadyBudgetSync: { keys: 1, lua: scripts.budgetSync } })
    const key = `${redis.prefix}:retry-budget:${name}`
    const fallback = new Fallback(
      `retry budget ${name}`,
      redis.shownUrl,
      Duration.toMillis(options.retryAfter ?? Duration.seconds(1))
    )
    const sync = Effect.suspend(() => {
      const now = Date.now()
      if (!fallback.available(now)) return Effect.void
      const delta = budget.take()
      return fallback.promise(
        now,
        () =>
          client.steadyBudgetSync(key, delta, settings.capacity, KEY_TTL_MILLIS).then((balance) =>
            budget.synced(Number(balance))
          ),
        Effect.void
      )
    })
    yield* fallback.every(interval, sync)
    return budget
  })

/**
 * Provides a shared budget under the `RetryBudget` tag: every client made in its scope pays
 * its retries from the fleet's balance.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<RetryBudget.RetryBudget, never, Redis> =>
  Layer.scoped(RetryBudget.RetryBudget, make(options))

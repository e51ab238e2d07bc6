/**
 * What a fleet-wide store does when Redis is down, slow or unreachable: it answers from its
 * local policy instead, logs once per interval, counts each fallback, and tries Redis again
 * after a short wait (not on every call: a Redis that is down must not add its timeout to
 * each one). The first success after a failure says so in the log.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"

/** Calls answered locally because Redis failed or was skipped while down. @internal */
export const fallbacksTotal = Metric.counter("steady_redis_fallbacks_total", {
  description: "Store operations answered by the local policy because Redis was down, slow or unreachable",
  incremental: true
})

/** @internal */
export class Fallback {
  /** Redis is not asked again before this instant (epoch ms). */
  private downUntil = 0
  private down = false
  private lastWarning = -Infinity
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
  constructor(
    readonly store: string,
    readonly shownUrl: string,
    /** How long to answer locally after a failure before Redis is tried again. */
    readonly retryMillis = 1_000,
    /** At most one warning per interval. */
    readonly logIntervalMillis = 60_000
  ) {
    this.labels = [MetricLabel.make("store", store)]
  }

  /** Whether Redis may be asked now. */
  available(now: number): boolean {
    return now >= this.downUntil
  }

  /** Runs `shared` unless Redis is known down; on its failure, `local`. Never fails. */
  run<A>(now: number, shared: Effect.Effect<A, unknown>, local: Effect.Effect<A>): Effect.Effect<A> {
    if (!this.available(now)) {
      fallbacksTotal.unsafeUpdate(1, this.labels)
      return local
    }
    return Effect.matchEffect(shared, {
      onFailure: (cause) => Effect.zipRight(this.failed(now, cause), local),
      onSuccess: (a) => (this.down ? Effect.as(this.recovered(), a) : Effect.succeed(a))
    })
  }

  /** `run` for Redis commands: the promise's rejection is the failure that falls back. */
  promise<A>(now: number, ask: () => Promise<A>, local: Effect.Effect<A>): Effect.Effect<A> {
    return this.run(now, Effect.tryPromise({ try: ask, catch: (cause) => cause }), local)
  }

  /**
   * Runs `sync` every `millis` in the background while the scope is open. It never fails (it
   * falls back); a defect would be a bug of the store: logged, and the syncs go on.
   */
  every(millis: number, sync: Effect.Effect<void>): Effect.Effect<void, never, Scope.Scope> {
    const guarded = Effect.catchAllDefect(
      sync,
      (defect) => Effect.logError(`steady: a ${this.store} sync failed`, defect)
    )
    return Effect.asVoid(Effect.forkScoped(Effect.repeat(guarded, Schedule.spaced(Duration.millis(millis)))))
  }

  private failed(now: number, cause: unknown): Effect.Effect<void> {
    fallbacksTotal.unsafeUpdate(1, this.labels)
    this.down = true
    this.downUntil = now + this.retryMillis
    if (now - this.lastWarning < this.logIntervalMillis) return Effect.void
    this.lastWarning = now
    return Effect.logWarning(
      `steady: Redis at ${this.shownUrl} failed; ${this.store} is local until it answers`
    )
      .pipe(Effect.annotateLogs({ cause: cause instanceof Error ? cause.message : String(cause) }))
  }

  private recovered(): Effect.Effect<void> {
    this.down = false
    return Effect.logInfo(`steady: Redis at ${this.shownUrl} answers again; ${this.store} is shared again`)
  }
}

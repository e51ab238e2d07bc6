/**
 * What a fleet-wide store does when Redis is down, slow or unreachable: it answers from its
 * local policy instead, logs once per interval, counts each fallback, and tries Redis again
 * after a short wait (not on every call: a Redis that is down must not add its timeout to
 * each one). The first success after a failure says so in the log. (The Effect 3 line's
 * `internal/fallback.ts`, on Effect 4.)
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"

/** Calls answered locally because Redis failed or was skipped while down. @internal */
export const fallbacksTotal = Metric.counter("steady_redis_fallbacks_total", {
  description: "Store operations answered by the local policy because Redis was down, slow or unreachable",
  incremental: true
})

const none = Context.empty()

/** @internal */
export class Fallback {
  /** Redis is not asked again before this instant (epoch ms). */
  private downUntil = 0
  private down = false
  private lastWarning = -Infinity
  private readonly counter: Metric.Metric<number, unknown>
  constructor(
    readonly store: string,
    readonly shownUrl: string,
    /** How long to answer locally after a failure before Redis is tried again. */
    readonly retryMillis = 1_000,
    /** At most one warning per interval. */
    readonly logIntervalMillis = 60_000
  ) {
    this.counter = Metric.withAttributes(fallbacksTotal, { store })
  }

  /** Whether Redis may be asked now. */
  available(now: number): boolean {
    return now >= this.downUntil
  }

  /**
   * Runs `shared` unless Redis is known down; on its failure, `local`. Never fails. (Each
   * command is bounded by the connection's `commandTimeout`: a slow Redis fails it.)
   */
  run<A, R>(
    now: number,
    shared: Effect.Effect<A, unknown, R>,
    local: Effect.Effect<A, never, R>
  ): Effect.Effect<A, never, R> {
    if (!this.available(now)) {
      this.counter.updateUnsafe(1, none)
      return local
    }
    return Effect.matchEffect(shared, {
      onFailure: (cause) => Effect.andThen(this.failed(now, cause), local),
      onSuccess: (a) => (this.down ? Effect.as(this.recovered(), a) : Effect.succeed(a))
    })
  }

  /**
   * Runs `sync` every `millis` in the background while the scope is open. It never fails (it
   * falls back); a defect would be a bug of the store: logged, and the syncs go on.
   */
  every(millis: number, sync: Effect.Effect<void>): Effect.Effect<void, never, Scope.Scope> {
    const guarded = Effect.catchDefect(
      sync,
      (defect) => Effect.logError(`steady: a ${this.store} sync failed`, defect)
    )
    return Effect.asVoid(Effect.forkScoped(Effect.repeat(guarded, Schedule.spaced(Duration.millis(millis)))))
  }

  private failed(now: number, cause: unknown): Effect.Effect<void> {
    this.counter.updateUnsafe(1, none)
    this.down = true
    this.downUntil = now + this.retryMillis
    if (now - this.lastWarning < this.logIntervalMillis) return Effect.void
    this.lastWarning = now
    return Effect.logWarning(
      `steady: Redis at ${this.shownUrl} failed; ${this.store} is local until it answers`
    ).pipe(Effect.annotateLogs({ cause: messageOf(cause) }))
  }

  private recovered(): Effect.Effect<void> {
    this.down = false
    return Effect.logInfo(`steady: Redis at ${this.shownUrl} answers again; ${this.store} is shared again`)
  }
}

/** A failure's message for the log: the innermost `cause` of Effect's store errors, as text. */
const messageOf = (cause: unknown): string => {
  let current = cause
  for (let depth = 0; depth < 4; depth++) {
    if (typeof current !== "object" || current === null) break
    const inner = "reason" in current ? current.reason : "cause" in current ? current.cause : undefined
    if (inner === undefined || inner === null) break
    current = inner
  }
  return current instanceof Error ? current.message : String(current)
}

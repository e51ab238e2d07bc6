/**
 * The bulkhead: at most `maxConcurrent` calls in flight, at most `maxQueue` waiting for a
 * slot (first come, first served), each for at most `queueTimeout`. A finished call hands its
 * slot straight to the next waiter, so a waiter never loses its turn to a newcomer. A waiter
 * that will not run (interrupted, timed out) leaves the queue, or passes on a slot it was handed.
 *
 * JavaScript runs one fiber step at a time, so plain fields are safe here.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as ApiError from "../ApiError.js"
import type * as Bulkhead from "../Bulkhead.js"
import type * as Policy from "../Policy.js"
import * as metrics from "./metrics.js"
import * as policyInternal from "./policy.js"
import * as retry from "./retry.js"
import * as trace from "./trace.js"

/** @internal */
export const TypeId: typeof Bulkhead.TypeId = Symbol.for("@steady/client/Bulkhead") as typeof Bulkhead.TypeId

/** @internal */
export const defaults = { maxQueue: 0, queueTimeout: Duration.seconds(1) } as const

/** Calls waiting for a slot, by bulkhead. @internal */
export const queueGauge = Metric.gauge("steady_bulkhead_queue_length", {
  description: "Calls waiting for a slot in a steady bulkhead"
})

/** Calls refused, by bulkhead and reason. @internal */
export const rejectionsTotal = Metric.counter("steady_bulkhead_rejections_total", {
  description: "Calls refused by a steady bulkhead",
  incremental: true
})

/**
 * A call waiting for a slot. `queued`: in the queue; `granted`: a finished call handed it its
 * slot (out of the queue), not yet used; `done`: it left, or its slot is the caller's to give back.
 */
interface Waiter {
  state: "queued" | "granted" | "done"
  resume: ((effect: Effect.Effect<void>) => void) | undefined
}

class Impl implements Bulkhead.Bulkhead {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly [policyInternal.TypeId]: typeof policyInternal.TypeId = policyInternal.TypeId
  readonly stage = "call" as const
  readonly name: string
  private running = 0
  private readonly queue: Array<Waiter> = []
  private readonly labels: metrics.Labels
  private readonly release: Effect.Effect<void>
  constructor(readonly options: Bulkhead.Settings) {
    this.name = options.name
    this.labels = { bulkhead: options.name }
    this.release = Effect.sync(() => this.unsafeRelease())
  }

  get inFlight(): number {
    return this.running
  }
  get queued(): number {
    return this.queue.length
  }

  /** A slot is free: it goes to the first waiter, or back to the pool. */
  private unsafeRelease() {
    const waiter = this.queue.shift()
    if (waiter === undefined) {
      this.running--
      return
    }
    metrics.update(queueGauge, this.queue.length, this.labels)
    waiter.state = "granted"
    waiter.resume!(Effect.void)
  }

  /**
   * A waiter that will not run its call (interrupted, timed out): it leaves the queue, or, if
   * it was handed a slot meanwhile, passes the slot on. Once only, whoever calls it first.
   */
  private abandon(waiter: Waiter) {
    if (waiter.state === "queued") {
      const i = this.queue.indexOf(waiter)
      if (i >= 0) this.queue.splice(i, 1)
      metrics.update(queueGauge, this.queue.length, this.labels)
    } else if (waiter.state === "granted") {
      this.unsafeRelease()
    }
    waiter.state = "done"
  }

  private rejected(request: Policy.Request, reason: "QueueFull" | "QueueTimeout") {
    metrics.update(rejectionsTotal, 1, { ...this.labels, reason })
    return new ApiError.BulkheadRejectedError({
      request: policyInternal.requestInfo(request),
      attempts: 1,
      bulkhead: this.name,
      reason,
      maxConcurrent: this.options.maxConcurrent,
      maxQueue: this.options.maxQueue
    })
  }

  /** Waits in the queue for a slot, at most `queueTimeout`; interrupted, it abandons its place. */
  private wait(request: Policy.Request, waiter: Waiter): Effect.Effect<void, ApiError.BulkheadRejectedError> {
    const waiting = Effect.callback<void>((resume) => {
      waiter.resume = resume
      this.queue.push(waiter)
      metrics.update(queueGauge, this.queue.length, this.labels)
      return Effect.sync(() => this.abandon(waiter))
    })
    return Effect.timeoutOrElse(waiting, {
      duration: this.options.queueTimeout,
      orElse: () => Effect.fail(this.rejected(request, "QueueTimeout"))
    })
  }

  readonly wrap = (next: Policy.Handler): Policy.Handler => (request) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        if (this.running < this.options.maxConcurrent) {
          this.running++
          return Effect.ensuring(restore(next(request)), this.release)
        }
        if (this.queue.length >= this.options.maxQueue) {
          return Effect.andThen(
            trace.event("steady.bulkhead.rejected", {
              "steady.bulkhead": this.name,
              "steady.bulkhead.reason": "QueueFull"
            }),
            Effect.fail(this.rejected(request, "QueueFull"))
          )
        }
        // `next` is called once the slot is ours: the total deadline starts then, not in the queue
        const waiter: Waiter = { state: "queued", resume: undefined }
        const waited = restore(Effect.andThen(
          trace.event("steady.bulkhead.queued", {
            "steady.bulkhead": this.name,
            "steady.bulkhead.queued": this.queued
          }),
          this.wait(request, waiter)
        ))
        return Effect.andThen(
          // a slot handed over just as the wait was interrupted (or timed out) is passed on
          Effect.onExit(waited, (exit) => Exit.isSuccess(exit) ? Effect.void : Effect.sync(() => this.abandon(waiter))),
          Effect.ensuring(restore(Effect.suspend(() => next(request))), this.release)
        )
      })
    )

  toJSON() {
    return { _id: "Bulkhead", name: this.name, inFlight: this.running, queued: this.queue.length }
  }
}

let anonymous = 0

/** @internal */
export const unsafeMake = (options: Bulkhead.Options): Bulkhead.Bulkhead => {
  const o = "Bulkhead"
  if (typeof options !== "object" || options === null || options.maxConcurrent === undefined) {
    throw new TypeError(`${o}: maxConcurrent is required`)
  }
  return new Impl({
    name: options.name ?? `bulkhead-${++anonymous}`,
    maxConcurrent: retry.number(`${o}: maxConcurrent`, options.maxConcurrent, NaN, { min: 1, whole: true }),
    maxQueue: retry.number(`${o}: maxQueue`, options.maxQueue, defaults.maxQueue, { min: 0, whole: true }),
    queueTimeout: retry.duration(`${o}: queueTimeout`, options.queueTimeout ?? defaults.queueTimeout, true)
  })
}

/** @internal */
export const isBulkhead = (u: unknown): u is Bulkhead.Bulkhead => typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const tag = Context.Service<Bulkhead.Bulkhead>("@steady/client/Bulkhead")

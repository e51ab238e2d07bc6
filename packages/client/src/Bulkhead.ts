/**
 * A bulkhead: bounds how many calls a client (or every client sharing the value) has in
 * flight, so a slow upstream cannot take every socket, fiber and byte of memory with it.
 *
 * A bulkhead is a per-call `Policy`: a call holds its slot through every retry and delay.
 * Beyond `maxConcurrent`, calls wait in a first-come, first-served queue of at most
 * `maxQueue`, each for at most `queueTimeout`; past either bound the call fails at once with
 * `BulkheadRejectedError` (`reason: "QueueFull"` or `"QueueTimeout"`), and nothing is sent.
 * An interrupted waiter leaves the queue. The queue length is the gauge
 * `steady_bulkhead_queue_length` and refusals are counted in
 * `steady_bulkhead_rejections_total` (labels `bulkhead`, `reason`).
 *
 * @example
 * ```ts
 * import { ApiClient, Bulkhead } from "@steady/client"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const bulkhead = yield* Bulkhead.make({ maxConcurrent: 16, maxQueue: 64, queueTimeout: "2 seconds" })
 *   const client = yield* ApiClient.make({ baseUrl: "https://api.example", policies: [bulkhead] })
 *   return yield* client.get("/pets").pipe(
 *     Effect.catchTag("BulkheadRejectedError", (e) => Effect.succeed(`shed: ${e.reason}`))
 *   )
 * })
 * ```
 *
 * @since 0.2.0
 */
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as internal from "./internal/bulkhead.js"
import type * as Policy from "./Policy.js"

/**
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** Shown in errors and metric labels. Default: `bulkhead-<n>`. */
  readonly name?: string | undefined
  /** Calls in flight at most (a whole number ≥ 1). Required. */
  readonly maxConcurrent: number
  /** Calls waiting for a slot at most (≥ 0). Default: 0 (refuse at once when full). */
  readonly maxQueue?: number | undefined
  /** How long a call may wait in the queue (positive). Default: 1 second. */
  readonly queueTimeout?: Duration.Input | undefined
}

/**
 * The options with their defaults applied.
 *
 * @since 0.2.0
 * @category models
 */
export interface Settings {
  readonly name: string
  readonly maxConcurrent: number
  readonly maxQueue: number
  readonly queueTimeout: Duration.Duration
}

/**
 * A bulkhead. It is a per-call `Policy`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Bulkhead extends Policy.Policy {
  readonly [TypeId]: TypeId
  readonly stage: "call"
  readonly options: Settings
  /** Calls holding a slot now. */
  readonly inFlight: number
  /** Calls waiting for a slot now. */
  readonly queued: number
}

/**
 * The bulkhead that `layer` provides, for clients to share.
 *
 * @since 0.2.0
 * @category tags
 */
export const Bulkhead: Context.Service<Bulkhead, Bulkhead> = internal.tag

/**
 * Makes a bulkhead. Options out of range are defects whose message names the option.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Bulkhead> => Effect.sync(() => internal.unsafeMake(options))

/**
 * Makes a bulkhead outside of Effect (throws on bad options).
 *
 * @since 0.2.0
 * @category constructors
 */
export const unsafeMake = (options: Options): Bulkhead => internal.unsafeMake(options)

/**
 * Provides one bulkhead under the `Bulkhead` tag.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<Bulkhead> =>
  Layer.sync(internal.tag, () => internal.unsafeMake(options))

/**
 * @since 0.2.0
 * @category guards
 */
export const isBulkhead = (u: unknown): u is Bulkhead => internal.isBulkhead(u)

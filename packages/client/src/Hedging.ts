/**
 * Hedging: cuts the tail latency of idempotent requests by sending a second copy when the
 * first is slow.
 *
 * A per-attempt `Policy`. When an attempt of an idempotent request (GET, HEAD, OPTIONS, PUT,
 * DELETE, TRACE) has not answered after `delay`, a copy is sent beside it, then another after
 * each further `delay`, up to `maxHedges` copies. The first success wins; the others are
 * interrupted, which aborts them and closes their sockets. A failed copy does not end the
 * race while another is in flight; when every copy sent has failed, the attempt fails with
 * the first copy's failure and the retry stage decides what comes next. A request with a body
 * readable only once (a stream) is never hedged.
 *
 * POST and PATCH are not hedged, even with an `Idempotency-Key`, unless `unsafeMethods: true`:
 * servers that keep idempotency keys (Stripe and those that follow the IETF draft) answer a
 * second request with the same key, while the first is still running, with 409 "key in use",
 * so a hedge adds load and saves no time. With `unsafeMethods: true`, such a 409 from a copy is
 * that copy losing, never the answer.
 *
 * Hedges are extra load on a slow upstream, so each copy takes a retry's cost from the
 * client's `RetryBudget`; when the budget cannot pay, no copy is sent. Copies share the
 * attempt's timeout. Copies sent are counted in `steady_hedges_total`.
 *
 * @example
 * ```ts
 * import { ApiClient, Hedging } from "@steady/client"
 *
 * // a second copy after 200 ms, a third after 400 ms
 * const client = ApiClient.make({
 *   baseUrl: "https://api.example",
 *   policies: [Hedging.make({ delay: "200 millis", maxHedges: 2 })]
 * })
 * ```
 *
 * @since 0.2.0
 */
import type * as Duration from "effect/Duration"
import * as internal from "./internal/hedging.js"
import type * as Policy from "./Policy.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** How long an attempt runs before a copy is sent (positive). Required. */
  readonly delay: Duration.Input
  /** Copies per attempt at most (1 to 10). Default: 1. */
  readonly maxHedges?: number | undefined
  /**
   * Hedge POST and PATCH requests that carry an `Idempotency-Key` too (never one without).
   * Default: `false`. Turn it on only for a server that answers a duplicate in flight with the
   * first request's outcome rather than a 409.
   *
   * @since 0.3.0
   */
  readonly unsafeMethods?: boolean | undefined
}

/**
 * Makes the hedging policy. Options out of range are defects whose message names the option.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options): Policy.Policy => internal.make(options)

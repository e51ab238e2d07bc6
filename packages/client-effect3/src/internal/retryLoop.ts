/**
 * The retry stage. `Retry.standard` runs on a fused loop (no schedule driver, no allocation
 * when the first attempt succeeds); `Retry.fromSchedule` runs the user's schedule through
 * `Effect.retry`. Both pass every failure through `gate`, which holds steady's safety rules:
 * transient failures only, no replay of an unsafe method that may have reached the server,
 * `Retry-After` over the schedule's delay (and above `maxRetryAfter`, no retry), no retry past
 * the total deadline, and the retry budget.
 *
 * @internal
 */
import * as Backoff from "@steady/core/Backoff"
import * as classify from "@steady/core/Classification"
import * as redact from "@steady/core/Redaction"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Interval from "effect/ScheduleInterval"
import * as Intervals from "effect/ScheduleIntervals"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import type * as Retry from "../Retry.js"
import type * as RetryBudget from "../RetryBudget.js"
import * as body from "./body.js"
import * as policy from "./policy.js"
import * as trace from "./trace.js"

/** Retries started, by every steady client of the process. @internal */
export const retriesTotal = Metric.counter("steady_retries_total", {
  description: "Retries started by steady clients",
  incremental: true
})

/** What one call's loop carries between attempts. */
interface Call {
  readonly request: Policy.Request
  readonly budget: RetryBudget.RetryBudget | undefined
  readonly maxRetryAfterMillis: number
  /** What the policy retries: the defaults, plus its `retryOn`. */
  readonly rules: classify.Rules
  /** Tokens this call's retries took from the budget. */
  spent: number
  /** Why a retryable failure was not retried, when the error itself should say (a one-shot body). */
  note?: string | undefined
}

const oneShotNote = "not retried: the body is a stream that may be readable only once"

/** The failure the call ends with: its attempts counted, and a connection error saying why it was not retried. */
const final = (call: Call, error: ApiError.ApiError, attempts: number): ApiError.ApiError => {
  const counted = ApiError.withAttempts(error, attempts)
  if (call.note === undefined || counted._tag !== "ConnectionError") return counted
  return new ApiError.ConnectionError({
    ...counted,
    detail: counted.detail === "" ? call.note : `${counted.detail}; ${call.note}`
  })
}

const shown = (call: Call) => redact.redactUrl(call.request.url, call.request.redactQuery, call.request.redactValues)

const stop = (message: string, call: Call, annotations: Record<string, unknown>) =>
  Effect.as(
    Effect.zipRight(
      Effect.annotateLogs(Effect.logDebug(message), { url: shown(call), ...annotations }),
      trace.event("steady.retry.refused", { "steady.retry.reason": message.replace(/^steady: not retrying, /, "") })
    ),
    undefined
  )

/**
 * Whether the failure of attempt `n` is retried, and after how long: the delay in
 * milliseconds, or `undefined` to stop. `delay` is the policy's own delay (`undefined` when
 * the policy has had enough); it is asked for only when the failure may be retried at all.
 *
 * @internal
 */
export const gate = (
  call: Call,
  error: ApiError.ApiError,
  n: number,
  delay: () => Effect.Effect<number | undefined>
): Effect.Effect<number | undefined> => {
  const request = call.request
  const verdict = classify.classify(
    error,
    request.method,
    request.headers["idempotency-key"] !== undefined,
    call.rules
  )
  if (!verdict.retry) return Effect.succeed(undefined)
  if (body.isOneShot(request.body) && !classify.provedNotSent(error)) {
    // a stream may be readable only once: sending it again could send an empty or partial body
    call.note = oneShotNote
    return stop("steady: not retrying, the body is a stream that may be readable only once", call, {
      error: classify.describe(error)
    })
  }
  return Effect.flatMap(delay(), (scheduled) => {
    if (scheduled === undefined) return Effect.succeed(undefined)
    const hint = ApiError.isStatusError(error) ? error.retryAfter : Option.none()
    const wait = Option.isSome(hint) ? Duration.toMillis(hint.value) : scheduled
    if (Option.isSome(hint) && wait > call.maxRetryAfterMillis) {
      return stop("steady: not retrying, Retry-After above maxRetryAfter", call, { retryAfterMillis: wait })
    }
    const left = request.deadline - request.clock.unsafeCurrentTimeMillis()
    if (wait >= left) {
      return stop("steady: not retrying, the delay would pass the total deadline", call, {
        delayMillis: wait,
        leftMillis: left
      })
    }
    if (call.budget !== undefined) {
      const cost = call.budget.acquire(error._tag === "TimeoutError")
      if (cost === undefined) {
        return stop("steady: not retrying, the retry budget is spent", call, { error: classify.describe(error) })
      }
      call.spent += cost
    }
    const level = request.settings.logLevel
    const log = level._tag === "None" ? Effect.void : Effect.logWithLevel(level, "steady: retrying").pipe(
      Effect.annotateLogs({
        method: request.method,
        url: shown(call),
        attempt: n,
        reason: verdict.reason,
        delayMillis: Math.round(wait)
      })
    )
    return log.pipe(
      Effect.zipRight(trace.event("steady.retry", {
        "steady.attempt": n,
        "steady.retry.reason": verdict.reason,
        "steady.retry.delay_ms": Math.round(wait),
        ...(Option.isSome(hint) ? { "steady.retry.retry_after_ms": Duration.toMillis(hint.value) } : {}),
        ...(call.budget !== undefined ? { "steady.retry_budget.tokens": call.budget.tokens } : {})
      })),
      Effect.zipRight(Metric.increment(retriesTotal)),
      Effect.as(wait)
    )
  })
}

const totalTimeout = (request: Policy.Request, attempts: number) =>
  new ApiError.TimeoutError({
    request: policy.requestInfo(request),
    attempts,
    scope: "total",
    duration: request.settings.totalTimeout
  })

const succeeded = (call: Call, response: Policy.Response, n: number): Policy.Response => {
  call.budget?.release(call.spent)
  return n === 1 ? response : { ...response, attempts: n }
}

/** `Retry.none`: one attempt. */
const once = (attempt: Policy.Handler, request: Policy.Request) =>
  request.clock.unsafeCurrentTimeMillis() >= request.deadline
    ? Effect.fail(totalTimeout(request, 0))
    : attempt({ ...request, attempt: 1 })

/** Full jitter over the capped exponential (the core's arithmetic), drawn from Effect's `Random`. */
const backoff = (retry: Retry.Standard, n: number): Effect.Effect<number | undefined> =>
  n > retry.times
    ? Effect.succeed(undefined)
    : Effect.map(Random.next, (r) => Backoff.fullJitter(n, retry.baseMillis, retry.capMillis, r))

/** `Retry.standard`: the fused loop. */
const standard = (
  attempt: Policy.Handler,
  call: Call,
  retry: Retry.Standard
): Effect.Effect<Policy.Response, ApiError.ApiError> => {
  const request = call.request
  const loop = (n: number): Effect.Effect<Policy.Response, ApiError.ApiError> => {
    if (request.clock.unsafeCurrentTimeMillis() >= request.deadline) {
      return Effect.fail(totalTimeout(request, n - 1))
    }
    return Effect.matchEffect(attempt({ ...request, attempt: n }), {
      onSuccess: (response) => Effect.succeed(succeeded(call, response, n)),
      onFailure: (error) =>
        Effect.flatMap(
          gate(call, error, n, () => backoff(retry, n)),
          (delay) =>
            delay === undefined
              ? Effect.fail(final(call, error, n))
              : Effect.zipRight(Effect.sleep(Duration.millis(delay)), Effect.suspend(() => loop(n + 1)))
        )
    })
  }
  return loop(1)
}

/** `Retry.fromSchedule`: the user's schedule, wrapped in the gate, through `Effect.retry`. */
const scheduled = (
  attempt: Policy.Handler,
  call: Call,
  retry: Retry.FromSchedule
): Effect.Effect<Policy.Response, ApiError.ApiError> =>
  Effect.suspend(() => {
    const request = call.request
    const user = retry.schedule
    // the attempts made: one the total deadline stops before it starts is not one
    let n = 0
    const one = Effect.suspend(() => {
      if (request.clock.unsafeCurrentTimeMillis() >= request.deadline) return Effect.fail(totalTimeout(request, n))
      n++
      return attempt({ ...request, attempt: n })
    })
    const guarded = Schedule.makeWithState(
      user.initial,
      (now, error: ApiError.ApiError, state) =>
        Effect.flatMap(user.step(now, error, state), ([next, out, decision]) =>
          Effect.map(
            gate(call, error, n, () =>
              Effect.succeed(
                ScheduleDecision.isDone(decision)
                  ? undefined
                  : Math.max(0, Intervals.start(decision.intervals) - now)
              )),
            (delay) =>
              [
                next,
                out,
                delay === undefined ? ScheduleDecision.done : ScheduleDecision.continueWith(Interval.after(now + delay))
              ] as const
          ))
    )
    return Effect.retry(one, guarded).pipe(
      Effect.mapBoth({
        onFailure: (error) => final(call, error, n),
        onSuccess: (response) => succeeded(call, response, n)
      })
    )
  })

/**
 * The retry stage in front of `attempt`, paying retries from `budget`.
 *
 * @internal
 */
export const make = (
  attempt: Policy.Handler,
  budget: RetryBudget.RetryBudget | undefined
): Policy.Handler =>
(request) => {
  const retry = request.settings.retry
  if (retry._tag === "None") return once(attempt, request)
  const call: Call = {
    request,
    budget,
    maxRetryAfterMillis: Duration.toMillis(retry.maxRetryAfter),
    rules: retry.retryOn,
    spent: 0
  }
  return retry._tag === "Standard" ? standard(attempt, call, retry) : scheduled(attempt, call, retry)
}

/**
 * The total deadline: starts when the call reaches the retry stage (after the per-call
 * policies), and bounds every attempt and every delay.
 *
 * @internal
 */
export const totalDeadline: Policy.Policy = policy.make({
  name: "total-deadline",
  stage: "call",
  wrap: (next) => (request) => {
    const limit = request.settings.totalTimeout
    const deadline = request.clock.unsafeCurrentTimeMillis() + Duration.toMillis(limit)
    return next({ ...request, deadline, timeout: { deadline, scope: "total", limit } })
  }
})

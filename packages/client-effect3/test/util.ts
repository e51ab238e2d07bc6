import { MockHttpClient } from "@steady/testing-effect3"
import { Clock, Effect, Fiber, Logger, TestClock } from "effect"

/**
 * Runs `effect` on the TestClock, jumping to each scheduled wake-up until it completes. A
 * run that does not complete (a planted bug that never wakes up) fails at once with a
 * message instead of hanging until vitest's timeout.
 */
export const clocked = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 10_000 && fiber.unsafePoll() === null; i++) {
      const sleeps = yield* TestClock.sleeps()
      if (sleeps.length === 0) {
        yield* Effect.yieldNow()
        continue
      }
      yield* TestClock.setTime(Math.min(...sleeps))
    }
    return yield* joinNow(fiber, "clocked: the effect did not complete, and nothing was left to wake it up")
  })

/**
 * Joins a fiber that must have completed by now (the TestClock has passed its deadline):
 * if it is still running after a few turns of the scheduler, fails with `what` instead of
 * waiting forever.
 */
export const joinNow = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, what = "the fiber did not complete in time") =>
  Effect.gen(function*() {
    for (let i = 0; i < 100 && fiber.unsafePoll() === null; i++) yield* Effect.yieldNow()
    if (fiber.unsafePoll() === null) {
      yield* Fiber.interrupt(fiber)
      return yield* Effect.dieMessage(what)
    }
    return yield* Fiber.join(fiber)
  })

/** A request the mock received, and when (on the TestClock). */
export interface Seen {
  readonly at: number
  readonly request: MockHttpClient.RecordedRequest
}

/** A mock whose handler also records the TestClock time of every request. */
export const timed = (handler: MockHttpClient.Handler) => {
  const seen: Array<Seen> = []
  const wrapped: MockHttpClient.Handler = (request) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => {
      seen.push({ at, request })
      const reply = handler(request)
      return Effect.isEffect(reply) ? reply : Effect.succeed(reply)
    })
  return { seen, layer: MockHttpClient.layer(wrapped) }
}

/** A logger that keeps each line as `LEVEL message key=value …`, in place of the default one. */
export const collectLogs = (lines: Array<string>) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, logLevel, message }) => {
      const fields = [...annotations].map(([k, v]) => `${k}=${String(v)}`).join(" ")
      lines.push(`${logLevel.label} ${String(message)} ${fields}`)
    })
  )

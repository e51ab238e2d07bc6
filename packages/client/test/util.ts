import { MockHttpClient } from "@steady/testing"
import { Clock, ConfigProvider, Effect, Fiber, Logger, References } from "effect"
import { TestClock } from "effect/testing"

/**
 * Runs `effect` on the TestClock, jumping to each scheduled wake-up until it completes. A
 * run that does not complete (a planted bug that never wakes up) fails at once with a
 * message instead of hanging until vitest's timeout.
 */
/**
 * When the TestClock's pending sleeps wake up. Effect 4's TestClock has no `sleeps()`: this
 * reads the list its implementation keeps (a test helper, not an API).
 */
export const pendingSleeps = TestClock.testClockWith((clock) =>
  Effect.sync(() =>
    ((clock as unknown as { readonly sleeps?: ReadonlyArray<{ readonly timestamp: number }> }).sleeps ?? []).map(
      (entry) => entry.timestamp
    )
  )
)

export const clocked = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(effect)
    for (let i = 0; i < 10_000 && fiber.pollUnsafe() === undefined; i++) {
      const sleeps = yield* pendingSleeps
      if (sleeps.length === 0) {
        yield* Effect.yieldNow
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
export const joinNow = <A, E>(fiber: Fiber.Fiber<A, E>, what = "the fiber did not complete in time") =>
  Effect.gen(function*() {
    for (let i = 0; i < 100 && fiber.pollUnsafe() === undefined; i++) yield* Effect.yieldNow
    if (fiber.pollUnsafe() === undefined) {
      yield* Fiber.interrupt(fiber)
      return yield* Effect.die(what)
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
  Logger.layer([
    Logger.make(({ fiber, logLevel, message }) => {
      const annotations = fiber.getRef(References.CurrentLogAnnotations)
      const fields = Object.entries(annotations).map(([k, v]) => `${k}=${String(v)}`).join(" ")
      const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
      lines.push(`${logLevel.toUpperCase()} ${text} ${fields}`)
    })
  ])

/** A config provider over environment variables (0.2's tests used `ConfigProvider.fromMap`). */
export const envProvider = (
  entries: Iterable<readonly [string, string]>,
  _options?: { readonly pathDelim?: string }
): ConfigProvider.ConfigProvider => ConfigProvider.fromEnv({ env: Object.fromEntries(entries) })

/** Runs an effect with `provider` as its config provider (Effect 3's `Effect.withConfigProvider`). */
export const withEnv: {
  (provider: ConfigProvider.ConfigProvider): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, provider: ConfigProvider.ConfigProvider): Effect.Effect<A, E, R>
} = ((...args: ReadonlyArray<any>) =>
  args.length === 1
    ? (effect: Effect.Effect<any, any, any>) => Effect.provide(effect, ConfigProvider.layer(args[0]))
    : Effect.provide(args[0], ConfigProvider.layer(args[1]))) as any

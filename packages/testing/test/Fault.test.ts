import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { ChaosServer, Fault, MockHttpClient } from "@steady/testing"
import { Effect, Fiber, Schema } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"

const Ok = Schema.Struct({ ok: Schema.Boolean })

/** Each fault of the shared vocabulary, on a route of its own, and what the client makes of it. */
const table: ReadonlyArray<readonly [path: string, fault: Fault.Fault, outcome: string]> = [
  ["/status", Fault.status(503), "ServerError 503"],
  ["/delay", Fault.delay(10_000), "TimeoutError"],
  ["/slow", Fault.slowBody(4, 20), "ok"],
  ["/stall", Fault.stallBody, "TimeoutError"],
  ["/truncate", Fault.truncate, "ConnectionError"],
  ["/before", Fault.resetBeforeHeaders, "ConnectionError"],
  ["/after", Fault.resetAfterHeaders, "ConnectionError"],
  ["/bad", Fault.malformedJson, "DecodeError InvalidJson"],
  ["/huge", Fault.oversized(8 * 1024 * 1024), "DecodeError TooLarge"],
  ["/drop", Fault.dropStream(0), "ConnectionError"],
  ["/hang", Fault.hang, "TimeoutError"]
]

const options = {
  retry: false,
  timeout: { attempt: "300 millis", total: "10 seconds" },
  maxResponseBytes: 1024 * 1024
} as const

/** What a call met, in a word or two: "ok", or the error's tag (and its status or reason). */
const outcome = (client: ApiClient.Client, path: string) =>
  Effect.map(Effect.result(client.get(path).pipe(ApiClient.json(Ok))), (result) => {
    if (result._tag === "Success") return "ok"
    const error = result.failure as { _tag: string; status?: number; reason?: unknown }
    const detail = error._tag === "DecodeError"
      ? ` ${String(error.reason)}`
      : typeof error.status === "number"
      ? ` ${error.status}`
      : ""
    return `${error._tag}${detail}`
  })

describe("Fault: one vocabulary, the same outcome on the mock and on ChaosServer", () => {
  it.effect("MockHttpClient does each fault in memory, on the TestClock", () =>
    Effect.gen(function*() {
      const client = yield* ApiClient.make({ baseUrl: "https://x.example", ...options })
      const seen: Array<string> = []
      for (const [path] of table) {
        const fiber = yield* Effect.forkChild(outcome(client, path))
        // past the attempt timeout, and past the slow body's four 20 ms chunks
        yield* TestClock.adjust("1 second")
        seen.push(yield* Fiber.join(fiber))
      }
      expect(seen).toEqual(table.map(([, , want]) => want))
      const requests = yield* MockHttpClient.requests
      expect(requests.map((r) => r.path)).toEqual(table.map(([path]) => path))
    }).pipe(
      Effect.provide(MockHttpClient.layer((request) => table.find(([path]) => path === request.path)?.[1] ?? 404))
    ))

  it.live("ChaosServer does each fault on a real socket", () =>
    Effect.gen(function*() {
      const server = yield* ChaosServer.make({
        routes: Object.fromEntries(table.map(([path, fault]) => [`GET ${path}`, { sequence: [fault] }]))
      })
      const client = yield* ApiClient.make({ baseUrl: server.url, ...options })
      const seen: Array<string> = []
      for (const [path] of table) seen.push(yield* outcome(client, path))
      expect(seen).toEqual(table.map(([, , want]) => want))
      expect(server.requests.map((r) => r.fault)).toEqual(table.map(([, fault]) => fault._tag))
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.effect("the old spellings keep working: MockHttpClient.reset and .hang, ChaosServer's constructors", () =>
    Effect.gen(function*() {
      expect(ChaosServer.status(503, { "retry-after": "1" })).toEqual(Fault.status(503, { "retry-after": "1" }))
      expect(ChaosServer.resetBeforeHeaders).toBe(Fault.resetBeforeHeaders)
      expect(ChaosServer.hang).toBe(Fault.hang)
      const client = yield* ApiClient.make({ baseUrl: "https://x.example", ...options })
      expect(yield* outcome(client, "/reset")).toBe("ConnectionError")
      const fiber = yield* Effect.forkChild(outcome(client, "/hang"))
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe("TimeoutError")
    }).pipe(
      Effect.provide(
        MockHttpClient.layer(
          MockHttpClient.routes({ "/reset": () => MockHttpClient.reset, "/hang": () => MockHttpClient.hang })
        )
      )
    ))
})

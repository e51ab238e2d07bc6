import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool, Hedging, RetryBudget } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Effect, Stream } from "effect"
import { HttpBody } from "effect/http"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { clocked, joinNow, type Seen, timed } from "./util.js"

const base = "https://api.example"
const times = (seen: ReadonlyArray<Seen>) => seen.map((s) => s.at)

describe("Hedging", () => {
  it.effect("a slow attempt gets a copy after the delay; the first success wins", () =>
    Effect.gen(function*() {
      let n = 0
      const { layer, seen } = timed(() =>
        n++ === 0
          ? { status: 200, body: "slow", delay: "5 seconds" }
          : { status: 200, body: "fast", delay: "100 millis" }
      )
      const client = yield* Effect.provide(
        ApiClient.make({ baseUrl: base, policies: [Hedging.make({ delay: "300 millis", maxHedges: 2 })] }),
        layer
      )
      const fiber = yield* Effect.forkChild(Effect.flatMap(client.get("/x"), (r) => r.text))
      yield* TestClock.adjust("400 millis")
      expect(yield* joinNow(fiber)).toBe("fast")
      // one copy only: the first one answered before a second hedge was due
      expect(times(seen)).toEqual([0, 300])
    }))

  it.effect("a failed copy does not end the race while another copy is in flight and may succeed", () =>
    Effect.gen(function*() {
      let n = 0
      // the first copy is slow and succeeds; the hedge fails at once
      const { layer, seen } = timed(() =>
        n++ === 0 ? { status: 200, body: "first", delay: "1 second" } : { status: 500, body: "hedge failed" }
      )
      const client = yield* Effect.provide(
        ApiClient.make({ baseUrl: base, retry: false, policies: [Hedging.make({ delay: "100 millis" })] }),
        layer
      )
      const text = yield* clocked(Effect.flatMap(client.get("/x"), (r) => r.text))
      expect(text).toBe("first")
      expect(times(seen)).toEqual([0, 100])
    }))

  it.effect("POST and PATCH are not hedged, even with an Idempotency-Key, unless unsafeMethods is set", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => ({ status: 200, delay: "1 second" }))
      const make = (unsafeMethods: boolean | undefined) =>
        Effect.provide(
          ApiClient.make({ baseUrl: base, policies: [Hedging.make({ delay: "100 millis", unsafeMethods })] }),
          layer
        )
      const client = yield* make(undefined)
      yield* clocked(client.post("/orders"))
      yield* clocked(client.post("/orders", { headers: { "idempotency-key": "k1" } }))
      yield* clocked(client.patch("/orders/1", { headers: { "idempotency-key": "k2" } }))
      expect(seen).toHaveLength(3)
      const opted = yield* make(true)
      yield* clocked(opted.post("/orders"))
      expect(seen).toHaveLength(4)
      yield* clocked(opted.post("/orders", { headers: { "idempotency-key": "k3" } }))
      expect(seen.slice(4).map((s) => [s.at, s.request.headers["idempotency-key"]])).toEqual([
        [seen[4].at, "k3"],
        [seen[4].at + 100, "k3"]
      ])
    }))

  it.effect("with unsafeMethods, a copy's 409 (key in use) is that copy losing, never the outcome", () =>
    Effect.gen(function*() {
      let n = 0
      // Stripe-style: the first request with the key is running; a duplicate gets 409 at once;
      // then the first fails with a 503, which is the attempt's real outcome (and retryable)
      const { layer } = timed(() =>
        n++ % 2 === 0 ? { status: 503, delay: "1 second" } : { status: 409, body: "{\"error\":\"key in use\"}" }
      )
      const client = yield* Effect.provide(
        ApiClient.make({
          baseUrl: base,
          retry: false,
          policies: [Hedging.make({ delay: "100 millis", unsafeMethods: true })]
        }),
        layer
      )
      const error = yield* clocked(Effect.flip(client.post("/charges", { headers: { "idempotency-key": "k" } })))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503 })
    }))

  it.effect("a body readable only once (a stream) is never hedged", () =>
    Effect.gen(function*() {
      const { layer, seen } = timed(() => ({ status: 200, delay: "1 second" }))
      const client = yield* Effect.provide(
        ApiClient.make({ baseUrl: base, policies: [Hedging.make({ delay: "100 millis", maxHedges: 3 })] }),
        layer
      )
      const bytes = new TextEncoder().encode("payload")
      yield* clocked(client.put("/blob", { body: HttpBody.stream(Stream.make(bytes)) }))
      const readable = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes)
          controller.close()
        }
      })
      yield* clocked(client.put("/blob", { body: HttpBody.raw(readable) }))
      expect(seen).toHaveLength(2)
      // a replayable body is hedged
      yield* clocked(client.put("/blob", { body: HttpBody.uint8Array(bytes) }))
      expect(seen).toHaveLength(6)
    }))

  it.effect("each copy costs a retry from the budget; when it cannot pay, no copy is sent", () =>
    Effect.gen(function*() {
      const budget = RetryBudget.unsafeMake({ capacity: 12, retryCost: 5, successRefund: 0 })
      const { layer, seen } = timed(() => ({ status: 200, delay: "1 second" }))
      const client = yield* Effect.provide(
        ApiClient.make({
          baseUrl: base,
          retry: { budget },
          policies: [Hedging.make({ delay: "100 millis", maxHedges: 5 })]
        }),
        layer
      )
      yield* clocked(client.get("/x"))
      // two copies paid 5 each; the third could not be paid for
      expect(times(seen)).toEqual([0, 100, 200])
      expect(budget.tokens).toBe(2)
    }))

  it.live("the loser is aborted: the server sees its request closed", () =>
    Effect.gen(function*() {
      let n = 0
      const server = yield* TestServer.make((_, res) => {
        if (n++ === 0) return // never answers: only the client's abort ends it
        TestServer.json(res, 200, { copy: n })
      })
      const client = yield* ApiClient.make({
        baseUrl: server.url,
        policies: [Hedging.make({ delay: "50 millis" })]
      })
      const body = yield* Effect.flatMap(client.get("/x"), (r) => r.json)
      expect(body).toEqual({ copy: 2 })
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.abortedRequests === 1, 5000))).toBe(true)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it("options out of range are defects that name the option", () => {
    expect(() => Hedging.make({ delay: 0 })).toThrow(/delay/)
    expect(() => Hedging.make({ delay: "1 second", maxHedges: 0 })).toThrow(/maxHedges/)
    expect(() => Hedging.make({ delay: "1 second", unsafeMethods: "yes" as never })).toThrow(/unsafeMethods/)
  })
})

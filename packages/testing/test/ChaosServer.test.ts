import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { ChaosServer } from "@steady/testing"
import { Effect, Schema } from "effect"
import { describe, expect } from "vitest"

const Ok = Schema.Struct({ ok: Schema.Boolean })

const against = (routes: ChaosServer.Options["routes"], options: ApiClient.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* ChaosServer.make({ routes, seed: 3 })
    const client = yield* ApiClient.make({
      baseUrl: server.url,
      // generous, so calls meant to succeed do on a loaded machine; calls meant to time out
      // get a short limit of their own (`quick`)
      timeout: { attempt: "5 seconds", total: "10 seconds" },
      retry: { base: "5 millis", cap: "10 millis" },
      ...options
    })
    return { server, client }
  })

/** The same client with a short attempt timeout, for calls that are meant to time out. */
const quick = (client: ApiClient.Client) => ApiClient.withOptions(client, { timeout: { attempt: "300 millis" } })

describe("ChaosServer", () => {
  it.live("status sequences, with Retry-After, are served in order", () =>
    Effect.gen(function*() {
      const { client, server } = yield* against({
        "GET /x": { sequence: [ChaosServer.status(503), ChaosServer.status(429, { "retry-after": "0" }), "ok"] }
      })
      const body = yield* client.get("/x").pipe(ApiClient.json(Ok))
      expect(body.ok).toBe(true)
      expect(server.requests.map((r) => r.fault)).toEqual(["Status", "Status", "ok"])
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a delay before the headers past the attempt timeout is a TimeoutError; a short one is fine", () =>
    Effect.gen(function*() {
      const { client } = yield* against(
        { "GET /slow": { sequence: [ChaosServer.delay(10_000)] }, "GET /quick": { sequence: [ChaosServer.delay(20)] } },
        { retry: false }
      )
      expect(yield* Effect.flip(quick(client).get("/slow"))).toMatchObject({ _tag: "TimeoutError", scope: "attempt" })
      expect((yield* client.get("/quick")).status).toBe(200)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a slow body inside the timeout succeeds; a stalled one is cut and its socket closed", () =>
    Effect.gen(function*() {
      const { client, server } = yield* against(
        {
          "GET /dribble": { sequence: [ChaosServer.slowBody(4, 20)] },
          "GET /stall": { sequence: [ChaosServer.stallBody] }
        },
        { retry: false }
      )
      expect((yield* client.get("/dribble").pipe(ApiClient.json(Schema.Struct({ path: Schema.String })))).path).toBe(
        "/dribble"
      )
      expect(yield* Effect.flip(quick(client).get("/stall"))).toMatchObject({ _tag: "TimeoutError" })
      const closed = yield* Effect.promise(() => server.waitUntil((s) => s.abortedRequests === 1))
      expect(closed).toBe(true)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a truncated body and resets are ConnectionErrors that may have been sent", () =>
    Effect.gen(function*() {
      const { client } = yield* against({
        "/truncate": { sequence: [ChaosServer.truncate] },
        "/before": { sequence: [ChaosServer.resetBeforeHeaders] },
        "/after": { sequence: [ChaosServer.resetAfterHeaders] }
      }, { retry: false })
      for (const path of ["/truncate", "/before", "/after"]) {
        const error = yield* Effect.flip(client.post(path))
        expect(error).toMatchObject({ _tag: "ConnectionError", sent: true })
      }
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a GET is retried past a reset; a POST without a key is not", () =>
    Effect.gen(function*() {
      const { client, server } = yield* against({
        "GET /r": { sequence: [ChaosServer.resetBeforeHeaders, "ok"] },
        "POST /r": { sequence: [ChaosServer.resetBeforeHeaders, "ok"] }
      })
      expect((yield* client.get("/r")).status).toBe(200)
      expect((yield* Effect.flip(client.post("/r")))._tag).toBe("ConnectionError")
      expect(server.requests.map((r) => `${r.method} ${r.fault}`)).toEqual([
        "GET ResetBeforeHeaders",
        "GET ok",
        "POST ResetBeforeHeaders"
      ])
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("malformed JSON and an oversized body are DecodeErrors", () =>
    Effect.gen(function*() {
      const { client } = yield* against({
        "/bad": { sequence: [ChaosServer.malformedJson] },
        "/huge": { sequence: [ChaosServer.oversized(8 * 1024 * 1024)] }
      }, { maxResponseBytes: 1024 * 1024 })
      expect(yield* Effect.flip(client.get("/bad").pipe(ApiClient.json(Ok)))).toMatchObject({
        _tag: "DecodeError",
        reason: "InvalidJson"
      })
      expect(yield* Effect.flip(client.get("/huge"))).toMatchObject({ _tag: "DecodeError", reason: "TooLarge" })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("records idempotency keys; the same seed injects the same faults", () =>
    Effect.gen(function*() {
      const run = (seed: number) =>
        Effect.gen(function*() {
          const server = yield* ChaosServer.make({
            seed,
            routes: { "/x": { faults: [[ChaosServer.status(503), 0.3], [ChaosServer.status(500), 0.2]] } }
          })
          const client = yield* ApiClient.make({ baseUrl: server.url, retry: false, idempotencyKey: "auto" })
          for (let i = 0; i < 40; i++) yield* Effect.result(client.post("/x"))
          return server.requests
        })
      const a = yield* run(11)
      const b = yield* run(11)
      const c = yield* run(12)
      expect(a.map((r) => r.fault)).toEqual(b.map((r) => r.fault))
      expect(a.map((r) => r.fault)).not.toEqual(c.map((r) => r.fault))
      expect(a.every((r) => r.idempotencyKey !== undefined)).toBe(true)
      expect(new Set(a.map((r) => r.idempotencyKey)).size).toBe(40)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Effect } from "effect"
import { describe, expect } from "vitest"

// Real sockets and real time: backoff is shrunk to a few milliseconds so the tests stay fast.
const fast = { base: "2 millis", cap: "5 millis" } as const

const scripted = (statuses: ReadonlyArray<number>) => {
  let i = 0
  return TestServer.make((_, res) => {
    const status = statuses[Math.min(i++, statuses.length - 1)]
    TestServer.json(res, status, { status })
  })
}

describe("retries against a real 127.0.0.1 server", () => {
  it.live("503, 503, 200 succeeds with 3 requests", () =>
    Effect.gen(function*() {
      const server = yield* scripted([503, 503, 200])
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: fast })
      const response = yield* client.get("/pets")
      expect(response.status).toBe(200)
      expect(server.requests).toHaveLength(3)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a POST without a key facing 503 is sent exactly once", () =>
    Effect.gen(function*() {
      const server = yield* scripted([503])
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: fast })
      const error = yield* Effect.flip(client.post("/orders"))
      expect(error).toMatchObject({ _tag: "ServerError", attempts: 1 })
      expect(server.requests).toHaveLength(1)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("with idempotencyKey: auto every attempt carries the same key", () =>
    Effect.gen(function*() {
      const server = yield* scripted([503, 502, 201])
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: fast, idempotencyKey: "auto" })
      const response = yield* client.post("/orders")
      expect(response.status).toBe(201)
      const keys = server.requests.map((r) => r.headers["idempotency-key"])
      expect(keys).toHaveLength(3)
      expect(new Set(keys).size).toBe(1)
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("404 is sent once", () =>
    Effect.gen(function*() {
      const server = yield* scripted([404])
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: fast })
      const error = yield* Effect.flip(client.get("/pets/9"))
      expect(error._tag).toBe("NotFoundError")
      expect(server.requests).toHaveLength(1)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a server down for good sees bounded retries once the budget is spent", () =>
    Effect.gen(function*() {
      const server = yield* scripted([503])
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: fast })
      const calls = 1_000
      const errors = yield* Effect.all(
        Array.from({ length: calls }, () => Effect.flip(client.get("/down"))),
        { concurrency: 32 }
      )
      expect(errors.every((e) => e._tag === "ServerError")).toBe(true)
      // capacity 500 / cost 5 = 100 retries in all, whatever the number of calls (amplification 1.1)
      expect(server.requests.length).toBe(calls + 100)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

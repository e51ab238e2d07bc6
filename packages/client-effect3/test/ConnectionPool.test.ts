import { HttpBody } from "@effect/platform"
import { it } from "@effect/vitest"
import { ApiClient, ApiError, ConnectionPool } from "@steady/client-effect3"
import { MockHttpClient, TestServer } from "@steady/testing-effect3"
import { Config, ConfigProvider, Duration, Effect, Layer, Stream } from "effect"
import * as Undici from "undici"
import { describe, expect } from "vitest"
import * as undiciTransport from "../src/internal/undiciTransport.js"
import { collectLogs } from "./util.js"

const clientOn = (server: TestServer.TestServer, options: ApiClient.Options = {}) =>
  ApiClient.make({ baseUrl: server.url, ...options })

describe("ConnectionPool against a real loopback server", () => {
  it.scopedLive("200 sequential requests reuse keep-alive connections (at most 2)", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => TestServer.json(res, 200, { ok: true }))
      const client = yield* clientOn(server)
      for (let i = 0; i < 200; i++) yield* client.get("/ping")
      expect(server.requests).toHaveLength(200)
      expect(server.connectionsOpened).toBeLessThanOrEqual(2)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("64 concurrent requests with connections: 8 use at most 8", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        setTimeout(() => TestServer.json(res, 200, { ok: true }), 10)
      })
      const client = yield* clientOn(server)
      yield* Effect.all(Array.from({ length: 64 }, () => client.get("/slow")), { concurrency: "unbounded" })
      expect(server.requests).toHaveLength(64)
      expect(server.connectionsOpened).toBeLessThanOrEqual(8)
      expect(server.peakConnectionsOpen).toBeLessThanOrEqual(8)
      // they did run side by side
      expect(server.connectionsOpened).toBeGreaterThan(1)
    }).pipe(Effect.provide(ConnectionPool.layer({ connections: 8 }))))

  it.live("closing the layer's scope closes every connection", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      yield* Effect.gen(function*() {
        const client = yield* clientOn(server)
        yield* Effect.all(Array.from({ length: 8 }, () => client.get("/x")), { concurrency: 8 })
        expect(server.connectionsOpen).toBeGreaterThan(0)
      }).pipe(Effect.provide(ConnectionPool.layer({ connections: 4 })))
      const closed = yield* Effect.promise(() => server.waitUntil((s) => s.connectionsOpen === 0))
      expect(closed).toBe(true)
    }).pipe(Effect.scoped))

  it.scopedLive("the attempt timeout aborts the request: the server sees it closed", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make(() => {
        // never answers
      })
      const client = yield* clientOn(server, { retry: false, timeout: { attempt: "200 millis" } })
      const error = yield* Effect.flip(client.get("/hang"))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "attempt", attempts: 1 })
      const aborted = yield* Effect.promise(() =>
        server.waitUntil((s) => s.abortedRequests === 1 && s.connectionsOpen === 0)
      )
      expect(aborted).toBe(true)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("a stalled body is ended by the attempt timeout and its socket closed", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        res.write("{\"partial\":")
      })
      const client = yield* clientOn(server, { retry: false, timeout: { attempt: "200 millis" } })
      const error = yield* Effect.flip(client.get("/stall"))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "attempt" })
      const closed = yield* Effect.promise(() => server.waitUntil((s) => s.connectionsOpen === 0))
      expect(closed).toBe(true)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("the total deadline is enforced across retries", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make(() => {
        // never answers
      })
      const client = yield* clientOn(server, {
        timeout: { attempt: "150 millis", total: "400 millis" },
        retry: { base: "1 millis", cap: "1 millis", times: 10 }
      })
      const error = yield* Effect.flip(client.get("/hang"))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "total" })
      if (error._tag === "TimeoutError") expect(Duration.toMillis(error.duration)).toBe(400)
      // bounded by the deadline, not by 10 retries: an attempt lasts at least its 150 ms (a
      // timer never fires early), so at most 3 start before 400 ms, however slow the machine
      expect(error.attempts).toBeLessThanOrEqual(3)
      expect(server.requests.length).toBe(error.attempts)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("interrupting a fiber mid-request closes its socket", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make(() => {})
      const client = yield* clientOn(server)
      const fiber = yield* Effect.fork(client.get("/hang"))
      yield* Effect.promise(() => server.waitUntil((s) => s.requests.length === 1))
      yield* fiber.interruptAsFork(fiber.id())
      yield* Effect.promise(() => server.waitUntil((s) => s.connectionsOpen === 0))
      expect(server.abortedRequests).toBe(1)
      expect(server.connectionsOpen).toBe(0)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("a body above maxResponseBytes fails with DecodeError(TooLarge), declared or chunked", () =>
    Effect.gen(function*() {
      const big = Buffer.alloc(1024 * 1024, "a")
      const server = yield* TestServer.make((req, res) => {
        if (req.path === "/declared") {
          res.writeHead(200, { "content-length": big.length })
          res.end(big)
        } else {
          res.writeHead(200) // chunked, no length
          res.write(big.subarray(0, 512 * 1024))
          res.end(big.subarray(512 * 1024))
        }
      })
      const client = yield* clientOn(server, { maxResponseBytes: 64 * 1024 })
      const declared = yield* Effect.flip(client.get("/declared"))
      expect(declared).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", attempts: 1 })
      const chunked = yield* Effect.flip(client.get("/chunked"))
      expect(chunked).toMatchObject({ _tag: "DecodeError", reason: "TooLarge" })
      expect(server.requests).toHaveLength(2)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("a refused connection is a ConnectionError that was not sent", () =>
    Effect.gen(function*() {
      const port = yield* TestServer.closedPort
      const client = yield* ApiClient.make({ baseUrl: `http://127.0.0.1:${port}`, retry: false })
      const error = yield* Effect.flip(client.post("/orders"))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Refused", sent: false })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("layerConfig reads the pool options through Config", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        setTimeout(() => TestServer.json(res, 200, {}), 10)
      })
      yield* Effect.gen(function*() {
        const client = yield* clientOn(server)
        yield* Effect.all(Array.from({ length: 16 }, () => client.get("/x")), { concurrency: "unbounded" })
      }).pipe(
        Effect.provide(ConnectionPool.layerConfig({ connections: Config.integer("HTTP_CONNECTIONS") })),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["HTTP_CONNECTIONS", "3"]])))
      )
      expect(server.requests).toHaveLength(16)
      expect(server.connectionsOpened).toBeLessThanOrEqual(3)
      const missing = yield* Effect.flip(
        Layer.launch(ConnectionPool.layerConfig({ connections: Config.integer("HTTP_CONNECTIONS") })).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(String(missing)).toContain("HTTP_CONNECTIONS")
    }).pipe(Effect.scoped))
})

describe("stream bodies", () => {
  it.scopedLive("a body that can be read once is never sent again: no second, empty upload", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((req, res) => TestServer.json(res, 503, { size: req.body.length }))
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: { base: "1 millis", cap: "1 millis" } })
      // an async iterator is consumed by the first attempt: a second one would read nothing
      const once = (async function*() {
        yield new Uint8Array(2000).fill(97)
      })()
      const body = HttpBody.stream(Stream.fromAsyncIterable(once, (e) => e), "application/octet-stream", 2000)
      const error = yield* Effect.flip(client.put("/upload", { body }))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, attempts: 1 })
      expect(server.requests.map((r) => r.body.length)).toEqual([2000])
      // bytes can be sent again: a PUT of bytes is retried as before
      const bytes = yield* Effect.flip(client.put("/upload", { body: HttpBody.uint8Array(new Uint8Array(10)) }))
      expect(bytes.attempts).toBe(3)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("a pool provided around ApiClient.make alone (closed as make returns)", () => {
  it.scopedLive("reopens: the calls are sent, with one warning that says how to wire the pool", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const lines: Array<string> = []
      yield* Effect.gen(function*() {
        // the common mistake: Effect.provide closes the pool as soon as make returns
        const client = yield* ApiClient.make({ baseUrl: server.url }).pipe(
          Effect.provide(ConnectionPool.layer({ name: "posts" }))
        )
        expect((yield* client.get("/a")).status).toBe(200)
        expect((yield* client.get("/b")).status).toBe(200)
      }).pipe(Effect.provide(collectLogs(lines)))
      expect(server.requests.map((r) => r.path)).toEqual(["/a", "/b"])
      const warnings = lines.filter((l) => l.startsWith("WARN"))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain("connection pool posts was used after the scope that provided it had closed")
      expect(warnings[0]).toContain("Layer.provide(ConnectionPool.layer())")
      expect(warnings[0]).toContain("pool=posts")
    }))

  it.scopedLive("a service whose constructor had the pool provided around it works too", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((req, res) => TestServer.json(res, 200, { path: req.path }))
      const makePosts = Effect.map(ApiClient.make({ baseUrl: server.url }), (client) => ({
        get: (id: number) => Effect.map(client.get(`/posts/${id}`), (r) => r.status)
      }))
      const posts = yield* makePosts.pipe(Effect.provide(ConnectionPool.layer()))
      expect(yield* posts.get(1)).toBe(200)
      expect(server.requests.map((r) => r.path)).toEqual(["/posts/1"])
    }))

  it.scopedLive("wired right, the pool never reopens: its connections close with its scope, and no warning", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const lines: Array<string> = []
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: server.url })
        yield* client.get("/a")
        expect(server.connectionsOpen).toBe(1)
      }).pipe(Effect.provide(Layer.merge(ConnectionPool.layer({ keepAliveTimeout: "10 minutes" }), collectLogs(lines))))
      // the scope closed: the pool's sockets are closed (the server sees them go), long before
      // the keep-alive timeout would close them
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.connectionsOpen === 0, 20_000))).toBe(true)
      expect(lines.filter((l) => l.startsWith("WARN"))).toEqual([])
    }))
})

describe("a destroyed dispatcher under the fast transport", () => {
  it.scopedLive("fails at once with PoolClosed, not sent, not retried, saying how to wire the pool", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const agent = new Undici.Agent()
      yield* Effect.promise(() => agent.destroy())
      const { client: http } = yield* MockHttpClient.make(() => 200)
      const client = ApiClient.makeWith(http, { baseUrl: server.url, transport: undiciTransport.make(agent, http) })
      const error = yield* Effect.flip(client.get("/x"))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "PoolClosed", sent: false, attempts: 1 })
      expect(ApiError.isRetryable(error)).toBe(false)
      expect(error.message).toContain("connection pool is closed")
      expect(error.message).toContain("Provide ConnectionPool.layer")
      expect(server.requests).toHaveLength(0)
    }))
})

describe("malformed requests", () => {
  it.scopedLive("a header value with a line break is a typed error, not a defect, and is not sent", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const error = yield* Effect.flip(client.get("/x", { headers: { "x-note": "a\r\nInjected: yes" } }))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "InvalidRequest", sent: false, attempts: 1 })
      expect(server.requests).toHaveLength(0)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("bodies", () => {
  it.scopedLive("a HEAD answer declaring a large length is not too large: it has no body", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-length": String(64 * 1024 * 1024) })
        res.end()
      })
      const client = yield* ApiClient.make({ baseUrl: server.url, maxResponseBytes: 1024 })
      const response = yield* client.head("/big-file")
      expect(response.status).toBe(200)
      expect(response.headers["content-length"]).toBe(String(64 * 1024 * 1024))
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

import { it } from "@effect/vitest"
import {
  ApiClient,
  Auth,
  CircuitBreaker,
  ConnectionPool,
  HttpCache,
  type Policy,
  RateLimiter,
  Resilience
} from "@steady/client-effect3"
import { TestServer } from "@steady/testing-effect3"
import { Duration, Effect, Fiber, Metric, Redacted, TestClock } from "effect"
import { describe, expect } from "vitest"
import { capturingTracer } from "./spans.js"
import { collectLogs } from "./util.js"

type Events = Array<[string, bigint, Record<string, unknown>]>
const eventsOf = (span: unknown): Events => (span as { events: Events }).events

/** What the scripted server answers: status, headers, body. */
interface Answer {
  readonly status?: number
  readonly headers?: Record<string, string>
  readonly body?: string
}

/**
 * A real server whose handler answers from a script; no `Date` header unless the script
 * gives one (the client's clock is the TestClock, the server's would be the wall clock).
 */
const scripted = (answer: (request: TestServer.ReceivedRequest, n: number) => Answer) => {
  let n = 0
  return TestServer.make((request, res) => {
    const a = answer(request, ++n)
    res.sendDate = false
    res.writeHead(a.status ?? 200, { "content-type": "text/plain", ...a.headers })
    res.end(request.method === "HEAD" ? undefined : (a.body ?? `answer ${n}`))
  })
}

const pool = ConnectionPool.layer()
const hour = Duration.hours(1)

/** A client with the cache first, and the given policies after it. */
const clientWith = (
  url: string,
  cache: HttpCache.HttpCache,
  more: ReadonlyArray<Policy.Policy> = [],
  retry: ApiClient.Options["retry"] = false
) => ApiClient.make({ baseUrl: url, retry, policies: [cache, ...more] })

const get = (client: ApiClient.Client, path: string, headers: Record<string, string> = {}) =>
  Effect.flatMap(
    client.get(path, { headers }),
    (r) =>
      Effect.map(
        r.text,
        (text) => ({ text, state: r.headers[HttpCache.header], age: r.headers["age"], status: r.status })
      )
  )

describe("HttpCache against a real server (RFC 9111)", () => {
  it.scoped("§4.2: a fresh response is served from the cache, with its age", () =>
    Effect.gen(function*() {
      const server = yield* scripted(() => ({ headers: { "cache-control": "max-age=60" } }))
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      expect(yield* get(client, "/pets")).toMatchObject({ text: "answer 1", state: "miss" })
      yield* TestClock.adjust("30 seconds")
      expect(yield* get(client, "/pets")).toMatchObject({ text: "answer 1", state: "hit", age: "30" })
      expect(server.requests).toHaveLength(1)
    }).pipe(Effect.provide(pool)))

  it.scoped("§4.2.3: the Age the origin sent counts toward freshness", () =>
    Effect.gen(function*() {
      const server = yield* scripted(() => ({ headers: { "cache-control": "max-age=60", age: "50" } }))
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      yield* TestClock.adjust("11 seconds")
      expect((yield* get(client, "/pets")).state).toBe("miss")
      expect(server.requests).toHaveLength(2)
    }).pipe(Effect.provide(pool)))

  it.scoped("§4.3.1, §4.3.4: a stale entry is revalidated with If-None-Match; a 304 freshens it", () =>
    Effect.gen(function*() {
      const server = yield* scripted((request) =>
        request.headers["if-none-match"] === "\"v1\""
          ? { status: 304, headers: { etag: "\"v1\"", "cache-control": "max-age=120" } }
          : { headers: { etag: "\"v1\"", "cache-control": "max-age=60" }, body: "the pets" }
      )
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      yield* TestClock.adjust("61 seconds")
      expect(yield* get(client, "/pets")).toMatchObject({ text: "the pets", state: "revalidated", status: 200 })
      expect(server.requests[1].headers["if-none-match"]).toBe("\"v1\"")
      // freshened with the 304's max-age=120: a hit for two more minutes
      yield* TestClock.adjust("100 seconds")
      expect(yield* get(client, "/pets")).toMatchObject({ text: "the pets", state: "hit" })
      expect(server.requests).toHaveLength(2)
    }).pipe(Effect.provide(pool)))

  it.scoped("§4.3.1: Last-Modified is revalidated with If-Modified-Since", () =>
    Effect.gen(function*() {
      const modified = "Thu, 01 Jan 1970 00:00:00 GMT"
      const server = yield* scripted((request) =>
        request.headers["if-modified-since"] === modified
          ? { status: 304, headers: {} }
          : { headers: { "last-modified": modified, "cache-control": "max-age=0" }, body: "v1" }
      )
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      yield* TestClock.adjust("1 second")
      expect(yield* get(client, "/pets")).toMatchObject({ text: "v1", state: "revalidated" })
      expect(server.requests[1].headers["if-modified-since"]).toBe(modified)
    }).pipe(Effect.provide(pool)))

  it.scoped("§5.2.2.5: a no-store response is never stored", () =>
    Effect.gen(function*() {
      const server = yield* scripted(() => ({ headers: { "cache-control": "no-store, max-age=60" } }))
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      expect((yield* get(client, "/pets")).state).toBe("miss")
      expect(server.requests).toHaveLength(2)
    }).pipe(Effect.provide(pool)))

  it.scoped("§5.2.2.4: a no-cache response is revalidated on every use", () =>
    Effect.gen(function*() {
      const server = yield* scripted((request) =>
        request.headers["if-none-match"] !== undefined
          ? { status: 304, headers: { etag: "\"a\"" } }
          : { headers: { etag: "\"a\"", "cache-control": "no-cache, max-age=60" } }
      )
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      expect((yield* get(client, "/pets")).state).toBe("revalidated")
      expect(server.requests).toHaveLength(2)
    }).pipe(Effect.provide(pool)))

  it.scoped("§4.1: Vary'd request headers must match; Vary: * never matches", () =>
    Effect.gen(function*() {
      const server = yield* scripted((request) => ({
        headers: { "cache-control": "max-age=60", vary: request.path === "/star" ? "*" : "Accept-Language" },
        body: request.headers["accept-language"] ?? "none"
      }))
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      expect((yield* get(client, "/pets", { "accept-language": "en" })).text).toBe("en")
      expect(yield* get(client, "/pets", { "accept-language": "fr" })).toMatchObject({ text: "fr", state: "miss" })
      expect(yield* get(client, "/pets", { "accept-language": "fr" })).toMatchObject({ text: "fr", state: "hit" })
      yield* get(client, "/star")
      expect((yield* get(client, "/star")).state).toBe("miss")
      expect(server.requests).toHaveLength(4)
    }).pipe(Effect.provide(pool)))

  it.scoped("§3.5: an answer to a request with credentials is stored only when public, and keyed by them", () =>
    Effect.gen(function*() {
      const server = yield* scripted((request) => ({
        headers: { "cache-control": request.path === "/public" ? "public, max-age=60" : "max-age=60" },
        body: request.headers["authorization"] ?? "anonymous"
      }))
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      const alice = { authorization: "Bearer alice" }
      yield* get(client, "/private", alice)
      expect((yield* get(client, "/private", alice)).state).toBe("miss")
      yield* get(client, "/public", alice)
      expect(yield* get(client, "/public", alice)).toMatchObject({ state: "hit", text: "Bearer alice" })
      expect(yield* get(client, "/public", { authorization: "Bearer bob" })).toMatchObject({
        state: "miss",
        text: "Bearer bob"
      })
      // the owner's opt-in stores it, still per credential
      const optedIn = yield* clientWith(server.url, HttpCache.unsafeMake({ storeAuthenticated: true }))
      yield* get(optedIn, "/private", alice)
      expect((yield* get(optedIn, "/private", alice)).state).toBe("hit")
    }).pipe(Effect.provide(pool)))

  it.scoped("§3.5: a client with an Auth layer stores only public answers, per client; §4.4 invalidation finds them", () =>
    Effect.gen(function*() {
      const server = yield* scripted((request) =>
        request.method === "POST"
          ? { status: 204 }
          : { headers: { "cache-control": request.path === "/public" ? "public, max-age=60" : "max-age=60" } }
      )
      const cache = HttpCache.unsafeMake()
      const client = yield* clientWith(server.url, cache)
      yield* get(client, "/private")
      expect((yield* get(client, "/private")).state).toBe("miss")
      yield* get(client, "/public")
      expect((yield* get(client, "/public")).state).toBe("hit")
      expect(server.requests[0].headers["authorization"]).toBe("Bearer t0k3n")
      // another client with the same cache: its credentials may differ, it does not see the entry
      const other = yield* clientWith(server.url, cache)
      expect((yield* get(other, "/public")).state).toBe("miss")
      yield* client.post("/public")
      expect((yield* get(client, "/public")).state).toBe("miss")
    }).pipe(Effect.provide(Auth.layerBearer(Redacted.make("t0k3n"))), Effect.provide(pool)))

  it.scoped("§4.4: a POST that succeeds invalidates the URL and its same-origin Location", () =>
    Effect.gen(function*() {
      const server = yield* scripted((request) =>
        request.method === "POST"
          ? { status: 201, headers: { location: "/pets/1" } }
          : { headers: { "cache-control": "max-age=60" } }
      )
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      yield* get(client, "/pets/1")
      yield* client.post("/pets")
      expect((yield* get(client, "/pets")).state).toBe("miss")
      expect((yield* get(client, "/pets/1")).state).toBe("miss")
    }).pipe(Effect.provide(pool)))
})

describe("HttpCache: stale-if-error and stale-while-revalidate (RFC 5861)", () => {
  const staleThenDown = (down: () => boolean) =>
    scripted(() =>
      down()
        ? { status: 503, body: "down" }
        // with a validator, the entry is kept past its allowance (for a 304): the allowance alone must refuse it
        : { headers: { "cache-control": "max-age=10, stale-if-error=600", etag: "\"good\"" }, body: "last good" }
    )

  it.scoped("RFC 5861 §4: a 5xx is answered with the stale entry, which says so; past the allowance, the error", () =>
    Effect.gen(function*() {
      let down = false
      const server = yield* staleThenDown(() => down)
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      down = true
      yield* TestClock.adjust("20 seconds")
      expect(yield* get(client, "/pets")).toMatchObject({
        text: "last good",
        status: 200,
        age: "20",
        state: "stale; reason=stale-if-error; error=ServerError"
      })
      yield* TestClock.adjust("600 seconds")
      expect((yield* Effect.flip(get(client, "/pets")))._tag).toBe("ServerError")
    }).pipe(Effect.provide(pool)))

  it.scoped("the cache's staleIfError allowance stands in when the response names none", () =>
    Effect.gen(function*() {
      let down = false
      const server = yield* scripted(() => (down ? { status: 500 } : { headers: { "cache-control": "max-age=1" } }))
      const client = yield* clientWith(server.url, HttpCache.unsafeMake({ staleIfError: "1 hour" }))
      const plain = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      yield* get(plain, "/pets")
      down = true
      yield* TestClock.adjust("30 minutes")
      expect((yield* get(client, "/pets")).state).toBe("stale; reason=stale-if-error; error=ServerError")
      expect((yield* Effect.flip(get(plain, "/pets")))._tag).toBe("ServerError")
    }).pipe(Effect.provide(pool)))

  it.scoped("an open circuit is answered with the stale entry (the cache sits outside the breaker)", () =>
    Effect.gen(function*() {
      let down = false
      const server = yield* staleThenDown(() => down)
      const breaker = CircuitBreaker.unsafeMake({ consecutiveFailures: 1, openDuration: "1 hour" })
      const client = yield* clientWith(server.url, HttpCache.unsafeMake(), [breaker])
      yield* get(client, "/pets")
      down = true
      yield* TestClock.adjust("20 seconds")
      // a request that bypasses the cache (no-store) fails, and opens the circuit
      expect((yield* Effect.flip(get(client, "/pets", { "cache-control": "no-store" })))._tag).toBe("ServerError")
      const before = server.requests.length
      expect((yield* get(client, "/pets")).state).toBe("stale; reason=stale-if-error; error=CircuitOpenError")
      expect(server.requests.length).toBe(before)
    }).pipe(Effect.provide(pool)))

  it.scoped("a rate limiter's refusal is answered with the stale entry", () =>
    Effect.gen(function*() {
      const server = yield* staleThenDown(() => false)
      const limiter = RateLimiter.unsafeMake({ limit: 1, interval: "1 hour", maxWait: "0 millis" })
      const client = yield* clientWith(server.url, HttpCache.unsafeMake(), [limiter])
      yield* get(client, "/pets")
      yield* TestClock.adjust("20 seconds")
      expect((yield* get(client, "/pets")).state).toBe("stale; reason=stale-if-error; error=RateLimiterRejectedError")
      expect(server.requests).toHaveLength(1)
    }).pipe(Effect.provide(pool)))

  it.scoped("a spent retry budget's last error is answered with the stale entry", () =>
    Effect.gen(function*() {
      let down = false
      const server = yield* staleThenDown(() => down)
      const client = yield* clientWith(server.url, HttpCache.unsafeMake(), [], {
        times: 3,
        base: "1 millis",
        cap: "1 millis",
        budget: { capacity: 0 }
      })
      yield* get(client, "/pets")
      down = true
      yield* TestClock.adjust("20 seconds")
      expect((yield* get(client, "/pets")).state).toBe("stale; reason=stale-if-error; error=ServerError")
      expect(server.requests).toHaveLength(2) // the budget let no retry through
    }).pipe(Effect.provide(pool)))

  it.scoped("Resilience.standard puts the cache first", () =>
    Effect.gen(function*() {
      const policies = yield* Resilience.standard({ cache: {}, rateLimiter: { limit: 1, interval: "1 second" } })
      expect(policies.map((p) => p.name)[0]).toMatch(/^cache-/)
      expect(HttpCache.isHttpCache(policies[0])).toBe(true)
    }))

  it.scoped("RFC 5861 §3: a stale entry is served while one background request refreshes it", () =>
    Effect.gen(function*() {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const server = yield* TestServer.make(async (_, res) => {
        res.sendDate = false
        if (server.requests.length > 1) await gate
        res.writeHead(200, { "cache-control": "max-age=10, stale-while-revalidate=60" })
        res.end(`v${server.requests.length}`)
      })
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* get(client, "/pets")
      yield* TestClock.adjust("15 seconds")
      for (let i = 0; i < 5; i++) {
        expect(yield* get(client, "/pets")).toMatchObject({ text: "v1", state: "stale; reason=stale-while-revalidate" })
      }
      const seen = yield* Effect.promise(() => server.waitUntil((s) => s.requests.length === 2, 5000))
      expect(seen).toBe(true)
      release()
      // the refresh lands: the next call is a hit on the new answer; still one background request
      let state: string | undefined
      for (let i = 0; i < 200 && state !== "hit"; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
        state = (yield* get(client, "/pets")).state
      }
      expect(yield* get(client, "/pets")).toMatchObject({ state: "hit", text: "v2" })
      expect(server.requests).toHaveLength(2)
    }).pipe(Effect.provide(pool)))

  it.scoped("background refreshes are bounded by maxInFlight: past it, a stale entry is served and not refreshed", () =>
    Effect.gen(function*() {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const server = yield* TestServer.make(async (_, res) => {
        res.sendDate = false
        if (server.requests.length > 2) await gate
        res.writeHead(200, { "cache-control": "max-age=10, stale-while-revalidate=60" })
        res.end(`v${server.requests.length}`)
      })
      const paths = () => server.requests.map((r) => r.url)
      const client = yield* clientWith(server.url, HttpCache.unsafeMake({ maxInFlight: 1 }))
      yield* get(client, "/a")
      yield* get(client, "/b")
      yield* TestClock.adjust("15 seconds")
      expect(yield* get(client, "/a")).toMatchObject({ state: "stale; reason=stale-while-revalidate" })
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.requests.length === 3, 5000))).toBe(true)
      // /a's refresh holds the one place: /b is served stale and not refreshed
      expect(yield* get(client, "/b")).toMatchObject({ text: "v2", state: "stale; reason=stale-while-revalidate" })
      release()
      let state: string | undefined
      for (let i = 0; i < 200 && state !== "hit"; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
        state = (yield* get(client, "/a")).state
      }
      expect(state).toBe("hit")
      expect(paths()).toEqual(["/a", "/b", "/a"])
    }).pipe(Effect.provide(pool)))
})

describe("HttpCache: coalescing", () => {
  it.scopedLive("100 identical concurrent GETs: the server sees 1 request; an interrupted caller does not cancel the rest", () =>
    Effect.gen(function*() {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const server = yield* TestServer.make(async (_, res) => {
        await gate
        res.writeHead(200, { "cache-control": "no-cache" })
        res.end("shared")
      })
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      const fibers = yield* Effect.forEach(
        Array.from({ length: 100 }, () => get(client, "/pets")),
        (call) => Effect.fork(call)
      )
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.requests.length === 1, 5000))).toBe(true)
      yield* Fiber.interrupt(fibers[0]) // the caller that started the request
      release()
      const results = yield* Effect.forEach(fibers.slice(1), Fiber.join).pipe(
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("the coalesced callers hung") })
      )
      expect(results.every((r) => r.text === "shared")).toBe(true)
      expect(server.requests).toHaveLength(1)
    }).pipe(Effect.provide(pool)))

  it.scopedLive("requests that differ in a header are not coalesced", () =>
    Effect.gen(function*() {
      const server = yield* scripted(() => ({ headers: { "cache-control": "no-cache" } }))
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      yield* Effect.all([
        get(client, "/p", { "accept-language": "en" }),
        get(client, "/p", { "accept-language": "fr" })
      ], {
        concurrency: 2
      })
      expect(server.requests).toHaveLength(2)
    }).pipe(Effect.provide(pool)))
})

describe("HttpCache: stores", () => {
  it.scoped("a store that fails is a miss, never a failed call: warned once, counted", () =>
    Effect.gen(function*() {
      const server = yield* scripted(() => ({ headers: { "cache-control": "max-age=60" } }))
      const failing: HttpCache.Store = {
        get: () => Effect.fail(new HttpCache.StoreError({ operation: "get" })),
        set: () => Effect.fail(new HttpCache.StoreError({ operation: "set" })),
        delete: () => Effect.fail(new HttpCache.StoreError({ operation: "delete" }))
      }
      const lines: Array<string> = []
      const before = yield* Metric.value(
        HttpCache.metrics.storeFailures.pipe(Metric.tagged("cache", "broken"), Metric.tagged("operation", "get"))
      )
      yield* Effect.gen(function*() {
        const client = yield* clientWith(server.url, HttpCache.unsafeMake({ name: "broken", store: failing }))
        expect((yield* get(client, "/pets")).text).toBe("answer 1")
        expect((yield* get(client, "/pets")).text).toBe("answer 2")
      }).pipe(Effect.provide(collectLogs(lines)))
      expect(lines.filter((l) => l.includes("store failed"))).toHaveLength(1)
      const after = yield* Metric.value(
        HttpCache.metrics.storeFailures.pipe(Metric.tagged("cache", "broken"), Metric.tagged("operation", "get"))
      )
      expect(after.count - before.count).toBe(2)
    }).pipe(Effect.provide(pool)))

  it.scoped("the memory store is bounded by entries, least recently used out first", () =>
    Effect.gen(function*() {
      const store = HttpCache.memoryStore({ maxEntries: 2 })
      const entry = (body: string): HttpCache.Entry => ({
        status: 200,
        headers: {},
        body: new TextEncoder().encode(body),
        requestTime: 0,
        responseTime: 0,
        vary: {}
      })
      yield* store.set("a", entry("a"), hour)
      yield* store.set("b", entry("b"), hour)
      yield* store.get("a") // a is now the most recently used
      yield* store.set("c", entry("c"), hour)
      expect(yield* store.get("b")).toBeUndefined()
      expect(yield* store.get("a")).toBeDefined()
      expect(yield* store.get("c")).toBeDefined()
      yield* TestClock.adjust("1 hour")
      expect(yield* store.get("a")).toBeUndefined()
    }))

  it.scoped("the memory store: setting a key again makes it the most recently used, and counts its bytes once", () =>
    Effect.gen(function*() {
      const store = HttpCache.memoryStore({ maxEntries: 2, maxBytes: 1000 })
      const entry = (size: number): HttpCache.Entry => ({
        status: 200,
        headers: {},
        body: new Uint8Array(size),
        requestTime: 0,
        responseTime: 0,
        vary: {}
      })
      yield* store.set("a", entry(300), hour)
      yield* store.set("b", entry(300), hour)
      yield* store.set("a", entry(300), hour) // a again: now the most recently used, still 300 bytes
      yield* store.set("a", entry(300), hour)
      yield* store.set("c", entry(300), hour)
      expect(yield* store.get("b")).toBeUndefined()
      expect(yield* store.get("a")).toBeDefined()
      expect(yield* store.get("c")).toBeDefined()
    }))

  it.scoped("the memory store is bounded by bytes; an entry larger than the bound is not kept", () =>
    Effect.gen(function*() {
      const store = HttpCache.memoryStore({ maxBytes: 1000 })
      const entry = (size: number): HttpCache.Entry => ({
        status: 200,
        headers: {},
        body: new Uint8Array(size),
        requestTime: 0,
        responseTime: 0,
        vary: {}
      })
      yield* store.set("a", entry(500), hour)
      yield* store.set("b", entry(500), hour)
      expect(yield* store.get("a")).toBeUndefined()
      expect(yield* store.get("b")).toBeDefined()
      yield* store.set("huge", entry(2000), hour)
      expect(yield* store.get("huge")).toBeUndefined()
    }))

  it.scoped("maxEntryBytes: a larger body is served but not stored", () =>
    Effect.gen(function*() {
      const server = yield* scripted(() => ({ headers: { "cache-control": "max-age=60" }, body: "x".repeat(100) }))
      const client = yield* clientWith(server.url, HttpCache.unsafeMake({ maxEntryBytes: 99 }))
      yield* get(client, "/pets")
      expect((yield* get(client, "/pets")).state).toBe("miss")
    }).pipe(Effect.provide(pool)))

  it.scoped("options out of range are refused by name", () =>
    Effect.sync(() => {
      expect(() => HttpCache.unsafeMake({ maxEntries: 0 })).toThrow(/maxEntries/)
      expect(() => HttpCache.unsafeMake({ staleIfError: -1 })).toThrow(/staleIfError/)
      expect(() => HttpCache.unsafeMake({ maxInFlight: 1.5 })).toThrow(/maxInFlight/)
    }))
})

describe("HttpCache: observability", () => {
  it.scoped("hits, misses, revalidations and stale answers are span events on the call span, and counted", () =>
    Effect.gen(function*() {
      let down = false
      const server = yield* scripted((request) =>
        down
          ? { status: 503 }
          : request.headers["if-none-match"] !== undefined
          ? { status: 304, headers: { etag: "\"e\"" } }
          : { headers: { etag: "\"e\"", "cache-control": "max-age=10, stale-if-error=600" } }
      )
      const { spans, tracer } = yield* capturingTracer
      const client = yield* clientWith(server.url, HttpCache.unsafeMake({ name: "observed" }))
      const lookups = (result: string) =>
        Metric.value(
          HttpCache.metrics.lookups.pipe(Metric.tagged("cache", "observed"), Metric.tagged("result", result))
        )
      const call = get(client, "/pets").pipe(Effect.withTracer(tracer))
      yield* call // miss
      yield* call // hit
      yield* TestClock.adjust("11 seconds")
      yield* call // revalidated
      yield* TestClock.adjust("11 seconds")
      down = true
      yield* call // stale
      const names = spans.filter((s) => s.name === "http.client GET").flatMap((s) =>
        eventsOf(s).map(([n]) => n).filter((n) => n.startsWith("steady.http_cache"))
      )
      expect(names).toEqual([
        "steady.http_cache.miss",
        "steady.http_cache.hit",
        "steady.http_cache.revalidated",
        "steady.http_cache.stale"
      ])
      for (const result of ["miss", "hit", "revalidated", "stale"]) expect((yield* lookups(result)).count).toBe(1)
    }).pipe(Effect.provide(pool)))
})

describe("HttpCache: bounds", () => {
  it.scopedLive("maxInFlight bounds the requests coalesced at once: past it, calls go on their own", () =>
    Effect.gen(function*() {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const server = yield* TestServer.make(async (_, res) => {
        await gate
        res.writeHead(200, { "cache-control": "no-cache" })
        res.end("late")
      })
      const client = yield* clientWith(server.url, HttpCache.unsafeMake({ maxInFlight: 1 }))
      const a = yield* Effect.fork(get(client, "/a"))
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.requests.length === 1, 5000))).toBe(true)
      // the one slot is /a's: two identical calls to /b are not coalesced
      const b = yield* Effect.fork(Effect.all([get(client, "/b"), get(client, "/b")], { concurrency: 2 }))
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.requests.length === 3, 5000))).toBe(true)
      release()
      yield* Fiber.join(a)
      yield* Fiber.join(b)
      // the slot is free again: two identical calls share one request
      yield* Effect.all([get(client, "/c"), get(client, "/c")], { concurrency: 2 })
      expect(server.requests.filter((r) => r.path === "/c")).toHaveLength(1)
    }).pipe(Effect.provide(pool)))

  it.scopedLive("a request whose headers are longer than the coalescing bound is not coalesced", () =>
    Effect.gen(function*() {
      let release: () => void = () => {}
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const server = yield* TestServer.make(async (_, res) => {
        await gate
        res.writeHead(200, { "cache-control": "no-cache" })
        res.end("late")
      })
      const client = yield* clientWith(server.url, HttpCache.unsafeMake())
      const long = { "x-long": "a".repeat(9 * 1024) }
      const both = yield* Effect.fork(
        Effect.all([get(client, "/p", long), get(client, "/p", long)], { concurrency: 2 })
      )
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.requests.length === 2, 5000))).toBe(true)
      release()
      yield* Fiber.join(both)
    }).pipe(Effect.provide(pool)))
})

/**
 * One behaviour suite, three backends: the mock (generic transport, TestClock), a loopback
 * server through the pool (undici transport, the fast path), and the same server through
 * Effect's fetch client on undici's fetch (generic transport on real sockets). Every test runs
 * the production code of the transport it names.
 */
import { it, layer, type Vitest } from "@effect/vitest"
import { ApiClient, ApiError, type Auth, ConnectionPool, Retry, Transport } from "@steady/client"
import { MockHttpClient, TestServer } from "@steady/testing"
import { Cause, Clock, Context, Effect, Layer, Option, type Scope } from "effect"
import { FetchHttpClient, HttpClient as PlatformHttpClient } from "effect/http"
import type { HttpClient } from "effect/http"
import { HttpBody } from "effect/http"
import type * as Http from "node:http"
import * as Undici from "undici"
import { describe, expect } from "vitest"
import { clocked } from "./util.js"

/** What the server answers. `delayMillis` waits before the headers. */
type Reply =
  | {
    readonly status: number
    readonly headers?: Readonly<Record<string, string>>
    readonly json?: unknown
    /** A raw body instead of `json`; a server sends it in chunks, without Content-Length. */
    readonly body?: string
    /** Send the headers and `body`, then stall: the response never completes. */
    readonly stall?: boolean
    readonly delayMillis?: number
  }
  | "reset"

interface Seen {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Milliseconds on the backend's clock (TestClock for the mock, real time for a server). */
  readonly at: number
}

type Script = (request: Seen, index: number) => Reply

interface Served {
  readonly client: ApiClient.Client
  readonly seen: () => ReadonlyArray<Seen>
}

interface Backend {
  readonly name: string
  readonly live: boolean
  readonly serve: (
    script: Script,
    options?: ApiClient.Options,
    auth?: Auth.Service
  ) => Effect.Effect<Served, never, Scope.Scope>
  /** Runs an effect to its end: on the TestClock, jumping to each wake-up. */
  readonly run: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
}

class BackendTag extends Context.Service<BackendTag, Backend>()("Backend") {}

const made = (
  http: HttpClient.HttpClient,
  options: ApiClient.Options,
  auth: Auth.Service | undefined,
  transport: Transport.Transport | undefined
) => ({ client: ApiClient.makeWith(http, { ...options, transport }, auth) })

const mockBackend: Backend = {
  name: "mock (generic transport, TestClock)",
  live: false,
  serve: (script, options = {}, auth) =>
    Effect.gen(function*() {
      const seen: Array<Seen> = []
      const mock = yield* MockHttpClient.make((request) =>
        Effect.flatMap(Clock.currentTimeMillis, (at): Effect.Effect<MockHttpClient.Reply> => {
          const entry: Seen = {
            method: request.method,
            path: request.path,
            headers: request.headers,
            body: request.body,
            at
          }
          seen.push(entry)
          const reply = script(entry, seen.length - 1)
          if (reply === "reset") return Effect.succeed(MockHttpClient.reset)
          return Effect.succeed({
            status: reply.status,
            headers: reply.headers,
            json: reply.json,
            body: reply.body,
            delay: reply.delayMillis === undefined ? undefined : `${reply.delayMillis} millis`
          })
        })
      )
      return { ...made(mock.client, options, auth, undefined), seen: () => seen }
    }),
  run: clocked
}

/** A loopback server that plays `script`; delayed answers are dropped if the client left. */
const scriptedServer = (script: Script) =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    const server = yield* TestServer.make((request, res: Http.ServerResponse) => {
      const entry: Seen = {
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        at: request.at
      }
      seen.push(entry)
      const reply = script(entry, seen.length - 1)
      if (reply === "reset") {
        res.socket?.destroy()
        return
      }
      const answer = () => {
        if (res.destroyed) return
        if (reply.status === 204) res.writeHead(204, reply.headers).end()
        else if (reply.body === undefined) TestServer.json(res, reply.status, reply.json ?? {}, reply.headers)
        else if (reply.stall === true) {
          res.writeHead(reply.status, reply.headers)
          res.write(reply.body)
        } else {
          // chunked: no Content-Length, the body in two writes
          res.writeHead(reply.status, reply.headers)
          res.write(reply.body.slice(0, 1))
          res.end(reply.body.slice(1))
        }
      }
      if (reply.delayMillis === undefined) answer()
      else setTimeout(answer, reply.delayMillis)
    })
    return { server, seen: () => seen }
  })

const poolBackend: Backend = {
  name: "loopback server (undici transport)",
  live: true,
  serve: (script, options = {}, auth) =>
    Effect.gen(function*() {
      const { seen, server } = yield* scriptedServer(script)
      const transport = yield* ConnectionPool.makeTransport({ connections: 8 })
      return {
        ...made(transport.httpClient!, { baseUrl: server.url, ...options }, auth, transport),
        seen
      }
    }),
  run: (effect) => effect
}

const platformBackend: Backend = {
  name: "loopback server (generic transport over Effect's fetch client on undici)",
  live: true,
  serve: (script, options = {}, auth) =>
    Effect.gen(function*() {
      const { seen, server } = yield* scriptedServer(script)
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent({ connections: 8 })),
        (a) => Effect.promise(() => a.destroy())
      )
      // Effect 4's fetch client on undici's fetch over this Agent (0.2 used @effect/platform-node's
      // undici client; its Effect 4 line needs undici 8): the generic transport on real sockets
      const fetch = ((input: string | URL, init?: Undici.RequestInit) =>
        Undici.fetch(input, { ...init, dispatcher: agent })) as unknown as typeof globalThis.fetch
      const http = PlatformHttpClient.transform(
        yield* Effect.provide(PlatformHttpClient.HttpClient, FetchHttpClient.layer),
        (effect) =>
          Effect.provideService(effect, FetchHttpClient.Fetch, fetch)
      )
      return { ...made(http, { baseUrl: server.url, ...options }, auth, undefined), seen }
    }),
  run: (effect) => effect
}

const base = { baseUrl: "http://127.0.0.1:1" } // the mock's origin; servers pass their own
// Real time for the servers, so backoff is short; the TestClock does not care.
const fast = { base: "5 millis", cap: "20 millis" } as const

const suite = (test: Vitest.Tester<Scope.Scope | BackendTag>) => {
  const serve = (script: Script, options: ApiClient.Options = {}, auth?: Auth.Service) =>
    Effect.flatMap(BackendTag, (b) => b.serve(script, { ...(b.live ? {} : base), ...options }, auth))
  const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.flatMap(BackendTag, (b) => b.run(effect))

  test("every status becomes its tagged error; 2xx is the response", () =>
    Effect.gen(function*() {
      const statuses = [200, 201, 204, 400, 401, 403, 404, 409, 418, 422, 429, 500, 503, 302]
      const { client } = yield* serve((r) => ({ status: Number(r.path.slice(1)) }), { retry: Retry.none })
      const tags: Array<string> = []
      for (const status of statuses) {
        const exit = yield* Effect.exit(client.get(`/${status}`))
        tags.push(
          exit._tag === "Success"
            ? `ok ${exit.value.status}`
            : Option.isSome(Cause.findErrorOption(exit.cause))
            ? Option.getOrThrow(Cause.findErrorOption(exit.cause))._tag
            : "defect"
        )
      }
      expect(tags).toEqual([
        "ok 200",
        "ok 201",
        "ok 204",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "ClientError",
        "UnprocessableEntityError",
        "RateLimitError",
        "ServerError",
        "ServerError",
        "UnexpectedStatusError"
      ])
    }))

  test("503, 503, 200: three requests, the response says 3 attempts", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* serve((_, i) => ({ status: i < 2 ? 503 : 200 }), { retry: fast })
      const response = yield* run(client.get("/pets"))
      expect(response.status).toBe(200)
      expect(ApiClient.attempts(response)).toBe(3)
      expect(seen()).toHaveLength(3)
    }))

  test("a 404 is sent once; a 503 that persists gives up after times + 1 with the last error", () =>
    Effect.gen(function*() {
      const notFound = yield* serve(() => ({ status: 404 }), { retry: fast })
      const error = yield* run(Effect.flip(notFound.client.get("/x")))
      expect(error).toMatchObject({ _tag: "NotFoundError", attempts: 1 })
      expect(notFound.seen()).toHaveLength(1)
      const down = yield* serve(() => ({ status: 503 }), { retry: { ...fast, times: 3 } })
      const last = yield* run(Effect.flip(down.client.get("/x")))
      expect(last).toMatchObject({ _tag: "ServerError", status: 503, attempts: 4 })
      expect(down.seen()).toHaveLength(4)
    }))

  test("a POST without an Idempotency-Key is never replayed; with idempotencyKey: auto it is, with one key", () =>
    Effect.gen(function*() {
      const unkeyed = yield* serve(() => ({ status: 503 }), { retry: fast })
      expect(yield* run(Effect.flip(unkeyed.client.post("/orders")))).toMatchObject({ attempts: 1 })
      expect(unkeyed.seen()).toHaveLength(1)
      const reset = yield* serve(() => "reset", { retry: fast })
      const resetError = yield* run(Effect.flip(reset.client.post("/orders")))
      expect(resetError).toMatchObject({ _tag: "ConnectionError", sent: true })
      expect(reset.seen()).toHaveLength(1)
      const keyed = yield* serve((_, i) => ({ status: i === 0 ? 503 : 201 }), { retry: fast, idempotencyKey: "auto" })
      yield* run(keyed.client.post("/orders"))
      const keys = keyed.seen().map((s) => s.headers["idempotency-key"])
      expect(keys).toHaveLength(2)
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
      expect(keys[1]).toBe(keys[0])
    }))

  test("Retry-After is waited for; one above maxRetryAfter fails at once with retryAfter", () =>
    Effect.gen(function*() {
      const hinted = yield* serve(
        (_, i) => (i === 0 ? { status: 429, headers: { "retry-after-ms": "150" } } : { status: 200 }),
        { retry: fast }
      )
      yield* run(hinted.client.get("/x"))
      const [first, second] = hinted.seen()
      expect(second.at - first.at).toBeGreaterThanOrEqual(150)

      const tooLong = yield* serve(() => ({ status: 503, headers: { "retry-after": "120" } }), { retry: fast })
      const error = yield* run(Effect.flip(tooLong.client.get("/x")))
      expect(error).toMatchObject({ _tag: "ServerError", attempts: 1 })
      expect(Option.map(ApiError.retryAfterMillis(error), Math.round)).toEqual(Option.some(120_000))
      expect(tooLong.seen()).toHaveLength(1)
    }))

  test("an attempt past the attempt timeout is a TimeoutError(attempt), retried; the total deadline ends the call", () =>
    Effect.gen(function*() {
      const slow = yield* serve(
        (_, i) => (i === 0 ? { status: 200, delayMillis: 5_000 } : { status: 200 }),
        { retry: fast, timeout: { attempt: "300 millis" } }
      )
      const response = yield* run(slow.client.get("/x"))
      expect(ApiClient.attempts(response)).toBe(2)

      const hanging = yield* serve(() => ({ status: 200, delayMillis: 5_000 }), {
        retry: fast,
        timeout: { attempt: "10 seconds", total: "400 millis" }
      })
      const error = yield* run(Effect.flip(hanging.client.get("/x")))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "total", attempts: 1 })
      expect(hanging.seen()).toHaveLength(1)
    }))

  test("a 401 triggers one credential refresh and one replay; a 401 that persists is returned", () =>
    Effect.gen(function*() {
      let generation = 1
      // one service per API: credentials serve one origin, and each server here is one
      const refreshing = (): Auth.Service => ({
        credentials: Effect.sync(() => ({
          headers: { authorization: `Bearer t${generation}` },
          query: {},
          generation
        })),
        unauthorized: (used) =>
          Effect.sync(() => {
            if (used === generation) generation++
            return true
          }),
        sensitiveHeaders: ["authorization"],
        sensitiveQueryParams: []
      })
      const accepting = yield* serve(
        (r) => ({ status: r.headers.authorization === "Bearer t2" ? 200 : 401 }),
        { retry: fast },
        refreshing()
      )
      yield* run(accepting.client.get("/me"))
      expect(accepting.seen().map((s) => s.headers.authorization)).toEqual(["Bearer t1", "Bearer t2"])

      const refusing = yield* serve(() => ({ status: 401 }), { retry: fast }, refreshing())
      const error = yield* run(Effect.flip(refusing.client.get("/me")))
      expect(error).toMatchObject({ _tag: "AuthenticationError", source: "api" })
      expect(refusing.seen()).toHaveLength(2)
      expect(error.message).not.toContain("Bearer")
    }))

  test("response headers that carry credentials are redacted in errors, the Auth layer's own names too", () =>
    Effect.gen(function*() {
      const keyed: Auth.Service = {
        credentials: Effect.succeed({ headers: { "x-custom-key": "key-s3cret" }, query: {}, generation: 0 }),
        unauthorized: () => Effect.succeed(false),
        sensitiveHeaders: ["x-custom-key"],
        sensitiveQueryParams: []
      }
      // a server that echoes credentials back in its response headers
      const { client } = yield* serve(
        () => ({
          status: 500,
          // values the client never sent: only the header names can hide them
          headers: { authorization: "Bearer token-s3cret", "x-custom-key": "other-s3cret", "x-request-id": "req-1" }
        }),
        { retry: Retry.none },
        keyed
      )
      const error = yield* run(Effect.flip(client.get("/x")))
      expect(error._tag).toBe("ServerError")
      if (error._tag !== "ServerError") return
      expect(error.headers.authorization).toBe("<redacted>")
      expect(error.headers["x-custom-key"]).toBe("<redacted>")
      expect(error.headers["x-request-id"]).toBe("req-1")
      expect(JSON.stringify(error)).not.toContain("s3cret")
    }))

  test("a body over maxResponseBytes is a DecodeError (TooLarge), declared or chunked; one at the limit is read", () =>
    Effect.gen(function*() {
      const limit = { maxResponseBytes: 16, retry: Retry.none }
      const declared = yield* serve(() => ({ status: 200, json: { filler: "x".repeat(20) } }), limit)
      expect(yield* run(Effect.flip(declared.client.get("/x")))).toMatchObject({
        _tag: "DecodeError",
        reason: "TooLarge"
      })
      const chunked = yield* serve(() => ({ status: 200, body: "y".repeat(17) }), limit)
      expect(yield* run(Effect.flip(chunked.client.get("/x")))).toMatchObject({
        _tag: "DecodeError",
        reason: "TooLarge"
      })
      const fits = yield* serve(() => ({ status: 200, body: "z".repeat(16) }), limit)
      const response = yield* run(fits.client.get("/x"))
      expect(yield* response.text).toBe("z".repeat(16))
    }))

  test("credentials a server echoes back, in any header or in the body, are masked by value", () =>
    Effect.gen(function*() {
      const token = "tok-3f9a7c21"
      const key = "key-88d2e1b4"
      const both: Auth.Service = {
        credentials: Effect.succeed({
          headers: { authorization: `Bearer ${token}` },
          query: { sig: key },
          generation: 0
        }),
        unauthorized: () => Effect.succeed(false),
        sensitiveHeaders: ["authorization"],
        sensitiveQueryParams: ["sig"],
        secretValues: ["pa55w0rd-xyz"]
      }
      const { client, seen } = yield* serve(
        (r) => ({
          status: 400,
          headers: {
            "x-echo": r.headers.authorization ?? "",
            location: `/retry?sig=${key}&page=2`,
            "x-debug": "password was pa55w0rd-xyz"
          },
          json: { error: `bad token ${token}`, got: r.headers.authorization, key }
        }),
        { retry: Retry.none },
        both
      )
      const error = yield* run(Effect.flip(client.get("/x")))
      expect(seen()[0].headers.authorization).toBe(`Bearer ${token}`)
      expect(error._tag).toBe("BadRequestError")
      if (error._tag !== "BadRequestError") return
      const shown = JSON.stringify(error) + error.message
      for (const secret of [token, key, "pa55w0rd-xyz"]) expect(shown).not.toContain(secret)
      expect(error.headers.location).toBe("/retry?sig=<redacted>&page=2")
      expect(error.body).toContain("bad token <redacted>")
    }))

  test("a 5xx whose body is over maxResponseBytes stays a retryable ServerError, its body cut", () =>
    Effect.gen(function*() {
      const limit = { maxResponseBytes: 16 }
      for (const big of [{ json: { filler: "e".repeat(64) } }, { body: "e".repeat(64) }]) {
        const flaky = yield* serve((_, i) => (i === 0 ? { status: 503, ...big } : { status: 200 }), {
          ...limit,
          retry: fast
        })
        const response = yield* run(flaky.client.get("/x"))
        expect(ApiClient.attempts(response)).toBe(2)
        const down = yield* serve(() => ({ status: 500, ...big }), { ...limit, retry: Retry.none })
        const error = yield* run(Effect.flip(down.client.get("/x")))
        expect(error).toMatchObject({ _tag: "ServerError", status: 500 })
        expect(ApiError.isRetryable(error)).toBe(true)
        if (error._tag === "ServerError") expect(error.body.length).toBe(16)
      }
    }))

  test("a body declared larger than maxResponseBytes fails at the headers, before it is read", () =>
    Effect.gen(function*() {
      // the server declares a megabyte, sends ten bytes and stalls: only the declared length
      // can end this call before the attempt timeout
      const { client } = yield* serve(
        () => ({ status: 200, headers: { "content-length": "1000000" }, body: "0123456789", stall: true }),
        { maxResponseBytes: 1024, retry: Retry.none, timeout: { attempt: "5 seconds" } }
      )
      const error = yield* run(Effect.flip(client.get("/x")))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "TooLarge" })
      expect(error.message).toContain("Content-Length is 1000000")
    }))

  test("301 and 302 after a POST become a GET without the body and its headers; 307 keeps both", () =>
    Effect.gen(function*() {
      for (const status of [301, 302, 307]) {
        const { client, seen } = yield* serve(
          (r) => (r.path === "/old" ? { status, headers: { location: "/new" } } : { status: 200 }),
          { followRedirects: 1, retry: Retry.none }
        )
        yield* run(client.post("/old", { body: HttpBody.text("payload", "text/plain") }))
        const [first, second] = seen()
        expect(first).toMatchObject({ method: "POST", body: "payload" })
        expect(first.headers["content-type"]).toBe("text/plain")
        if (status === 307) {
          expect(second).toMatchObject({ method: "POST", path: "/new", body: "payload" })
          expect(second.headers["content-type"]).toBe("text/plain")
        } else {
          expect(second).toMatchObject({ method: "GET", path: "/new", body: "" })
          expect(second.headers["content-type"]).toBeUndefined()
        }
      }
    }))

  test("user info in a URL never shows in an error", () =>
    Effect.gen(function*() {
      const { client } = yield* serve(() => ({ status: 404 }), { retry: Retry.none, allowOtherOrigins: true })
      const url = new URL("http://127.0.0.1:1/x?page=1")
      url.username = "alice"
      url.password = "pa55word"
      const error = yield* run(Effect.flip(client.get(url.href)))
      expect(error.request.url).toBe("http://127.0.0.1:1/x?page=1")
      expect(error.message).not.toContain("pa55word")
      expect(JSON.stringify(error)).not.toContain("pa55word")
    }))
}

for (const backend of [mockBackend, poolBackend, platformBackend]) {
  const backendLayer = Layer.succeed(BackendTag, backend)
  // live backends run without the test services: real sockets need the real clock
  if (backend.live) layer(backendLayer, { excludeTestServices: true })(backend.name, (it) => suite(it.effect))
  else layer(backendLayer)(backend.name, (it) => suite(it.effect))
}

describe("Transport in context", () => {
  it.live("ConnectionPool.layer provides the undici transport for its own HttpClient", () =>
    Effect.gen(function*() {
      const transport = yield* Transport.Transport
      expect(transport.name).toBe("undici")
      expect(transport.httpClient).toBe(yield* PlatformHttpClient.HttpClient)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

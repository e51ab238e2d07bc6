/**
 * Trust II: behaviours of redaction and credentials that no test pinned down in 0.2. Each test
 * fails on the bug its name rules out (`npm run mutate` plants each one).
 */
import { it } from "@effect/vitest"
import { ApiClient, type ApiError, Auth, ConnectionPool, Pagination, type Policy } from "@steady/client"
import { MockHttpClient, TestServer } from "@steady/testing"
import { Effect, Formatter, Layer, Redacted, Schema, Stream } from "effect"
import { FetchHttpClient, HttpBody, HttpClient, HttpClientRequest } from "effect/http"
import { describe, expect } from "vitest"
import * as redirect from "../src/internal/redirect.js"

const base = "https://api.example"

/** The hop a redirect asks for; a test of a redirect that cannot be followed fails here, naming why. */
const next = (...args: Parameters<typeof redirect.step>) => {
  const hop = redirect.step(...args)
  if (typeof hop === "string") throw new Error(`not followed: ${hop}`)
  return hop
}

/** Everything an error shows: its message, its JSON and its inspection. */
const shown = (error: ApiError.ApiError) => [error.message, JSON.stringify(error), Formatter.format(error)].join("\n")

describe("redaction by value", () => {
  it.effect("a short secret (5 to 8 characters) is masked as surely as a long one, and so is its URL-encoded form", () =>
    Effect.gen(function*() {
      for (const key of ["k3y/x", "k3y/x+8c"]) {
        const error = yield* Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: base, retry: false })
          return yield* Effect.flip(client.get("/pets"))
        }).pipe(
          Effect.provide(
            Layer.merge(
              Auth.layerApiKey({ header: "x-api-key" }, Redacted.make(key)),
              // a server that echoes the key, as sent and percent-encoded, in a header and the body
              MockHttpClient.layer((req) => ({
                status: 500,
                headers: { "x-echo": req.headers["x-api-key"] ?? "", location: `/retry?k=${encodeURIComponent(key)}` },
                body: `bad key ${req.headers["x-api-key"]} (${encodeURIComponent(key)})`
              }))
            )
          )
        )
        expect(error._tag).toBe("ServerError")
        expect(shown(error)).toContain("bad key <redacted>")
        expect(shown(error)).not.toContain(key)
        expect(shown(error)).not.toContain(encodeURIComponent(key))
      }
    }))

  it.effect("query parameter names are matched case-insensitively (API_KEY, Token, X-Amz-Signature, your own)", () =>
    Effect.gen(function*() {
      const client = yield* ApiClient.make({ baseUrl: base, retry: false, redactQueryParams: ["Session_ID"] })
      const error = yield* Effect.flip(
        client.get("/x?API_KEY=aaa111&Token=bbb222&X-Amz-Signature=ccc333&SESSION_id=ddd444&page=2")
      )
      expect(shown(error)).toContain("page=2")
      for (const secret of ["aaa111", "bbb222", "ccc333", "ddd444"]) expect(shown(error)).not.toContain(secret)
    }).pipe(Effect.provide(MockHttpClient.layer(() => 404))))
  // fetch refuses a URL with user info, and its message quotes the URL whole
  it.live("user info in a URL never shows in a transport's message: fetch's quotes the URL (generic transport)", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const client = ApiClient.makeWith(yield* HttpClient.HttpClient, {
        baseUrl: server.url,
        retry: false,
        allowOtherOrigins: true
      })
      // a long password, a short one, and one that is not valid percent-encoding
      for (const password of ["pa55word-9f2c", "pw", "100%"]) {
        const url = new URL(`${server.url}/x`)
        url.username = "alice"
        url.password = password
        const error = yield* Effect.flip(client.get(url.href))
        expect(error).toMatchObject({ _tag: "ConnectionError", request: { url: `${server.url}/x` } })
        const text = shown(error) + String((error as { cause?: unknown }).cause)
        expect(text).not.toContain(`alice:${url.password}@`)
        if (password.length >= 4) expect(text).not.toContain(password)
      }
      expect(server.requests).toHaveLength(0)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("origins", () => {
  const request = (url: string, headers: Record<string, string>): Policy.Request => ({
    method: "GET",
    url: new URL(url),
    headers,
    body: HttpBody.empty,
    source: HttpClientRequest.get(url),
    attempt: 1,
    hop: 0,
    credentials: true,
    deadline: Infinity,
    timeout: { deadline: Infinity, scope: "total", limit: Infinity as never },
    clock: undefined as never,
    settings: undefined as never,
    redactQuery: undefined
  })

  it("an https→http redirect on the same host is another origin: Authorization and Cookie are dropped", () => {
    const headers = { authorization: "Bearer t0ken", cookie: "s=1", "x-trace": "t" }
    const down = next(request("https://api.example/a", headers), 302, "http://api.example/b", undefined)
    expect(down.url.href).toBe("http://api.example/b")
    expect(down.headers).toEqual({ "x-trace": "t" })
    expect(down.credentials).toBe(false)
    // the same origin keeps them, and so may the Auth layer
    const same = next(request("https://api.example/a", headers), 302, "/b", undefined)
    expect(same.headers).toEqual(headers)
    expect(same.credentials).toBe(true)
    // another port of the same host is another origin too
    const port = next(request("https://api.example/a", headers), 302, "https://api.example:8443/b", undefined)
    expect(port.headers).toEqual({ "x-trace": "t" })
  })

  it.live("a next-page link to another port or scheme of the base host is another origin: refused, never sent", () =>
    Effect.gen(function*() {
      const other = yield* TestServer.make((_, res) => TestServer.json(res, 200, []))
      let next = ""
      const api = yield* TestServer.make((_, res) => TestServer.json(res, 200, [1], { link: `<${next}>; rel="next"` }))
      const client = yield* ApiClient.make({ baseUrl: api.url })
      for (
        const target of [`http://127.0.0.1:${other.port}/items?page=2`, `https://127.0.0.1:${api.port}/items?page=2`]
      ) {
        next = target
        const error = yield* ApiClient.paginate(client, HttpClientRequest.get("/items"), Schema.Array(Schema.Number), {
          next: Pagination.link(),
          maxPages: 5
        }).pipe(Stream.runDrain, Effect.flip)
        expect(error).toMatchObject({ _tag: "ConnectionError", reason: "OriginNotAllowed", sent: false })
      }
      expect(other.requests).toHaveLength(0)
      expect(api.requests).toHaveLength(2)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("bodies readable once are never sent twice", () => {
  const oneShot = () => HttpBody.stream(Stream.make(new TextEncoder().encode("{\"n\":1}")), "application/json")
  const replayable = () => HttpBody.text("{\"n\":1}", "application/json")

  it.effect("a 401 replay never resends a stream body", () =>
    Effect.gen(function*() {
      let generation = 1
      const refreshing: Auth.Service = {
        credentials: Effect.sync(() => ({
          headers: { authorization: `Bearer t${generation}` },
          query: {},
          generation
        })),
        unauthorized: () => Effect.sync(() => ++generation > 0),
        sensitiveHeaders: ["authorization"],
        sensitiveQueryParams: []
      }
      const client = yield* ApiClient.make({ baseUrl: base, retry: false }).pipe(
        Effect.provideService(Auth.Auth, refreshing)
      )
      const error = yield* Effect.flip(client.post("/orders", { body: oneShot() }))
      expect(error).toMatchObject({ _tag: "AuthenticationError", status: 401 })
      expect(yield* MockHttpClient.requests).toHaveLength(1)
      // a body that can be sent again is replayed once, with the new credentials
      yield* Effect.flip(client.post("/orders", { body: replayable() }))
      expect((yield* MockHttpClient.requests).slice(1).map((r) => r.headers.authorization)).toEqual([
        "Bearer t2",
        "Bearer t3"
      ])
    }).pipe(Effect.provide(MockHttpClient.layer(() => 401))))

  it.effect("neither does a 307 or 308 redirect: the 3xx is the answer", () =>
    Effect.gen(function*() {
      for (const status of [307, 308]) {
        const client = yield* ApiClient.make({ baseUrl: base, retry: false, followRedirects: 3 })
        const before = (yield* MockHttpClient.requests).length
        const error = yield* Effect.flip(client.post(`/upload?status=${status}`, { body: oneShot() }))
        expect(error).toMatchObject({ _tag: "UnexpectedStatusError", status })
        expect((yield* MockHttpClient.requests).length - before).toBe(1)
      }
      const client = yield* ApiClient.make({ baseUrl: base, retry: false, followRedirects: 3 })
      yield* client.post("/upload?status=307", { body: replayable() })
      const last = (yield* MockHttpClient.requests).slice(-2)
      expect(last.map((r) => [r.path, r.body])).toEqual([["/upload", "{\"n\":1}"], ["/final", "{\"n\":1}"]])
    }).pipe(
      Effect.provide(MockHttpClient.layer((req) =>
        req.path === "/final" ? 200 : { status: Number(req.query.get("status")), headers: { location: "/final" } }
      ))
    ))
})

/**
 * Hardening II: what a hostile server could still do to 0.2, each case against a real
 * 127.0.0.1 server (or on the TestClock where time is the point). Each test failed on 0.2
 * for the reason its name gives.
 */
import { FetchHttpClient, HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { it } from "@effect/vitest"
import { ApiClient, Auth, ConnectionPool, Pagination } from "@steady/client-effect3"
import { TestServer } from "@steady/testing-effect3"
import { ConfigProvider, Effect, Exit, Inspectable, Layer, Redacted, Schema, Stream } from "effect"
import { describe, expect } from "vitest"
import { capturingTracer } from "./spans.js"
import { collectLogs } from "./util.js"

const ok = (_: TestServer.ReceivedRequest, res: Parameters<TestServer.Handler>[1]) => TestServer.json(res, 200, {})

describe("credentials reach one API only (item 0)", () => {
  it.scopedLive("two clients, two hosts, one scope: the second client's host never sees the first's token", () =>
    Effect.gen(function*() {
      const github = yield* TestServer.make(ok)
      const weather = yield* TestServer.make(ok)
      const logs: Array<string> = []
      yield* Effect.gen(function*() {
        const gh = yield* ApiClient.make({ baseUrl: github.url })
        const wx = yield* ApiClient.make({ baseUrl: weather.url })
        // the weather client calls first: the credentials still serve the first client made
        yield* wx.get("/forecast")
        yield* wx.get("/forecast")
        yield* gh.get("/user")
      }).pipe(
        Effect.provide(Layer.merge(Auth.layerBearer(Redacted.make("ghp_s3cret")), ConnectionPool.layer())),
        Effect.provide(collectLogs(logs))
      )
      expect(github.requests.map((r) => r.headers.authorization)).toEqual(["Bearer ghp_s3cret"])
      expect(weather.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined])
      // one loud warning, naming both hosts, and never the secret
      const warnings = logs.filter((l) => l.startsWith("WARN"))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(github.url)
      expect(warnings[0]).toContain(weather.url)
      expect(warnings[0]).toContain("origins")
      expect(logs.join("\n")).not.toContain("ghp_s3cret")
    }))

  it.scopedLive("named origins: credentials go to those origins only, from any client", () =>
    Effect.gen(function*() {
      const api = yield* TestServer.make(ok)
      const uploads = yield* TestServer.make(ok)
      const other = yield* TestServer.make(ok)
      const logs: Array<string> = []
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: api.url, allowOtherOrigins: true })
        yield* client.get("/user")
        yield* client.get(`${uploads.url}/assets`)
        yield* client.get(`${other.url}/presigned`)
      }).pipe(
        Effect.provide(
          Layer.merge(
            Auth.layerApiKey({ header: "x-api-key" }, Redacted.make("key-123456"), {
              origins: [api.url, `${uploads.url}/ignored/path`]
            }),
            ConnectionPool.layer()
          )
        ),
        Effect.provide(collectLogs(logs))
      )
      expect(api.requests[0].headers["x-api-key"]).toBe("key-123456")
      expect(uploads.requests[0].headers["x-api-key"]).toBe("key-123456")
      expect(other.requests[0].headers["x-api-key"]).toBeUndefined()
      // named on purpose: no warning
      expect(logs.filter((l) => l.startsWith("WARN"))).toEqual([])
    }))

  it("origins that are not http(s) URLs are refused when the layer is made", () => {
    expect(() => Auth.layerBearer(Redacted.make("t"), { origins: ["api.example"] })).toThrow(/origins/)
    expect(() => Auth.layerBearer(Redacted.make("t"), { origins: [] })).toThrow(/origins/)
    expect(() => Auth.layerBasic("u", Redacted.make("p"), { origins: ["ftp://x.example"] })).toThrow(/http/)
  })
})

describe("redirects", () => {
  it.scopedLive("7b: a redirect is followed to the Location the server sent, not to its masked copy", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((req, res) => {
        if (req.path === "/download") {
          res.writeHead(307, { location: `/v2/download?sig=${req.query.get("sig")}` })
          res.end()
          return
        }
        TestServer.json(res, 200, { sig: req.query.get("sig") })
      })
      const client = yield* ApiClient.make({ baseUrl: server.url, followRedirects: 2 })
      const body = yield* client.get("/download?sig=abc123").pipe(ApiClient.json(Schema.Struct({ sig: Schema.String })))
      expect(body.sig).toBe("abc123")
      expect(server.requests.map((r) => r.url)).toEqual(["/download?sig=abc123", "/v2/download?sig=abc123"])
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("13: a redirect to another origin is refused unless allowOtherOrigins; no body travels there", () =>
    Effect.gen(function*() {
      const elsewhere = yield* TestServer.make(ok)
      const api = yield* TestServer.make((_, res) => {
        res.writeHead(307, { location: `${elsewhere.url}/collect?token=leaked-t0ken` })
        res.end()
      })
      const client = yield* ApiClient.make({ baseUrl: api.url, followRedirects: 3, retry: false })
      const error = yield* Effect.flip(
        client.post("/orders", { body: HttpBody.text("{\"card\":\"4242\"}", "application/json") })
      )
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "OriginNotAllowed" })
      expect(error.message).toContain(elsewhere.url)
      expect(error.message).toContain("allowOtherOrigins")
      expect(error.message).not.toContain("leaked-t0ken")
      expect(elsewhere.requests).toHaveLength(0)
      expect(api.requests).toHaveLength(1)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("9: a credential echoed into a redirect's Location is masked wherever the next hop is shown", () =>
    Effect.gen(function*() {
      const api = yield* TestServer.make((req, res) => {
        if (req.path === "/start") {
          // echoes the request's Authorization into the next URL, then that URL fails
          const token = (req.headers.authorization ?? "").slice("Bearer ".length)
          res.writeHead(302, { location: `/next?echo=${encodeURIComponent(token)}` })
          res.end()
          return
        }
        TestServer.json(res, 404, { missing: req.url })
      })
      const logs: Array<string> = []
      const error = yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: api.url, followRedirects: 1, logLevel: "Warning" })
        return yield* Effect.flip(client.get("/start"))
      }).pipe(
        Effect.provide(Layer.merge(Auth.layerBearer(Redacted.make("tok/en+1")), ConnectionPool.layer())),
        Effect.provide(collectLogs(logs))
      )
      expect(api.requests[1].url).toBe(`/next?echo=${encodeURIComponent("tok/en+1")}`)
      expect(error).toMatchObject({ _tag: "NotFoundError" })
      const shown = [error.message, JSON.stringify(error), Inspectable.format(error), logs.join("\n")].join("\n")
      expect(shown).toContain("/next?echo=")
      expect(shown).not.toContain("tok/en+1")
      expect(shown).not.toContain(encodeURIComponent("tok/en+1"))
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("pagination", () => {
  const Page = Schema.Array(Schema.Number)

  it.scopedLive("9: a secret echoed into the next-page link is masked in PageLimitError, logs and spans", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((req, res) => {
        const key = req.headers["x-api-key"] ?? ""
        const page = Number(req.query.get("page") ?? "1")
        if (page === 2) return TestServer.json(res, 500, {})
        TestServer.json(res, 200, [page], { link: `</items?page=${page + 1}&echo=${key}>; rel="next"` })
      })
      const logs: Array<string> = []
      const { spans, tracer } = yield* capturingTracer
      const run = (maxPages: number) =>
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: server.url, retry: false, logLevel: "Warning" })
          return yield* ApiClient.paginate(client, HttpClientRequest.get("/items"), Page, {
            next: Pagination.link(),
            maxPages
          }).pipe(Stream.runDrain, Effect.flip)
        }).pipe(
          Effect.provide(Auth.layerApiKey({ header: "x-api-key" }, Redacted.make("k3y-s3cret"))),
          Effect.withTracer(tracer)
        )
      const limit = yield* run(1)
      expect(limit).toMatchObject({ _tag: "PageLimitError" })
      const failed = yield* run(5).pipe(Effect.provide(collectLogs(logs)))
      expect(failed).toMatchObject({ _tag: "ServerError" })
      expect(server.requests.filter((r) => r.query.get("echo") === "k3y-s3cret")).toHaveLength(1)
      const attributes = spans.map((s) => JSON.stringify([...s.attributes]))
      expect(attributes.join("\n")).toContain("echo=")
      const shown = [
        limit.message,
        JSON.stringify(limit),
        Inspectable.format(limit),
        failed.message,
        JSON.stringify(failed),
        logs.join("\n"),
        ...attributes
      ].join("\n")
      expect(shown).toContain("page=2")
      expect(shown).not.toContain("k3y-s3cret")
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("14: a next link to the same page, or a two-page cycle, fails at once with a PageLimitError that says cycle", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((req, res) => {
        if (req.path === "/same") return TestServer.json(res, 200, [1], { link: `</same>; rel="next"` })
        const page = req.query.get("p") === "b" ? "a" : "b"
        TestServer.json(res, 200, [1], { link: `</two?p=${page}>; rel="next"` })
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const read = (path: string) =>
        ApiClient.paginate(client, HttpClientRequest.get(path), Page, { next: Pagination.link(), maxPages: 1000 }).pipe(
          Stream.runDrain,
          Effect.flip
        )
      const same = yield* read("/same")
      expect(same).toMatchObject({ _tag: "PageLimitError", cycle: 1 })
      expect(same.message).toContain("cycle")
      expect(server.requests).toHaveLength(1)
      const two = yield* read("/two?p=a")
      expect(two).toMatchObject({ _tag: "PageLimitError", cycle: 1 })
      expect(server.requests).toHaveLength(3)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("14: a cursor in the body is no cycle: the same URL with another body is another page", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((req, res) => {
        const at = Number(JSON.parse(req.body || "{}").after ?? 0)
        TestServer.json(res, 200, { items: [at + 1], next: at < 2 ? String(at + 1) : null })
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const Body = Schema.Struct({ items: Schema.Array(Schema.Number), next: Schema.NullOr(Schema.String) })
      const items = yield* ApiClient.paginate(
        client,
        HttpClientRequest.post("/search").pipe(HttpClientRequest.bodyUnsafeJson({})),
        Body,
        {
          items: (p) => p.items,
          next: Pagination.cursor({
            param: "after",
            next: (p) => p.next,
            apply: (request, after) => HttpClientRequest.bodyUnsafeJson(request, { after })
          }),
          maxPages: 10
        }
      ).pipe(Stream.runCollect)
      expect([...items]).toEqual([1, 2, 3])
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("OAuth answers (11b)", () => {
  it.scopedLive("a 200 text/plain answer holding the token never puts it in the AuthenticationError", () =>
    Effect.gen(function*() {
      const answers = [
        "token=tkn-0123456789abcdef",
        "access=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
        "{\"accessToken\":\"tkn-0123456789abcdef\"}",
        "session_key: tkn-0123456789abcdef"
      ]
      let n = 0
      const tokens = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "text/plain" })
        res.end(answers[n++ % answers.length])
      })
      const api = yield* TestServer.make(ok)
      for (const _ of answers) {
        const error = yield* Effect.flip(
          Effect.flatMap(ApiClient.make({ baseUrl: api.url }), (c) => c.get("/me")).pipe(
            Effect.provide(
              Layer.provideMerge(
                Auth.layerOAuth2ClientCredentials({
                  tokenUrl: `${tokens.url}/token`,
                  clientId: "app",
                  clientSecret: Redacted.make("client-s3cret")
                }),
                ConnectionPool.layer()
              )
            )
          )
        )
        expect(error).toMatchObject({ _tag: "AuthenticationError", source: "token-endpoint" })
        const shown = [error.message, JSON.stringify(error), Inspectable.format(error)].join("\n")
        expect(shown).not.toContain("tkn-0123456789abcdef")
        expect(shown).not.toContain("eyJhbGciOiJIUzI1NiJ9")
      }
      expect(api.requests).toHaveLength(0)
    }))
})

describe("configuration bounds (15)", () => {
  const read = (env: ReadonlyArray<readonly [string, string]>) =>
    ApiClient.config("PET").pipe(
      Effect.withConfigProvider(
        ConfigProvider.fromMap(new Map([["PET_BASE_URL", "https://pets.example"], ...env]), { pathDelim: "_" })
      ),
      Effect.exit
    )

  it.effect("numbers out of their documented range are ConfigErrors that name the variable and the range", () =>
    Effect.gen(function*() {
      for (
        const [name, value, range] of [
          ["MAX_RESPONSE_BYTES", "99999999999999999999", "1 GiB"],
          ["MAX_RESPONSE_BYTES", "1073741825", "1 GiB"],
          ["MAX_RESPONSE_BYTES", "0", "1 GiB"],
          ["MAX_RESPONSE_BYTES", "1e3", "1 GiB"],
          ["MAX_RETRIES", "101", "0 to 100"],
          ["MAX_RETRIES", "2.5", "0 to 100"],
          ["TIMEOUT", "100 days", "24 hours"],
          ["ATTEMPT_TIMEOUT", "25 hours", "24 hours"]
        ] as const
      ) {
        const exit = yield* ApiClient.makeConfig("PET").pipe(
          Effect.provide(ConnectionPool.layer()),
          Effect.withConfigProvider(
            ConfigProvider.fromMap(new Map([["PET_BASE_URL", "https://pets.example"], [`PET_${name}`, value]]), {
              pathDelim: "_"
            })
          ),
          Effect.scoped,
          Effect.exit
        )
        expect(Exit.isFailure(exit), `${name}=${value}`).toBe(true)
        const text = String(Exit.isFailure(exit) ? exit.cause : "")
        expect(text, `${name}=${value}`).toContain(`PET_${name}`)
        expect(text, `${name}=${value}`).toContain(range)
      }
      // the bounds themselves are accepted
      const edges = yield* read([["PET_MAX_RESPONSE_BYTES", "1073741824"], ["PET_MAX_RETRIES", "100"], [
        "PET_TIMEOUT",
        "24 hours"
      ]])
      expect(Exit.isSuccess(edges)).toBe(true)
    }))

  it("in code, maxResponseBytes and retry.times out of range are defects that name the option", () => {
    expect(() => ApiClient.makeWith(undefined as never, { maxResponseBytes: 2 * 1024 ** 3 })).toThrow(
      /maxResponseBytes.*1 GiB/
    )
    expect(() => ApiClient.makeWith(undefined as never, { maxResponseBytes: 1.5 })).toThrow(/maxResponseBytes/)
    expect(() => ApiClient.makeWith(undefined as never, { retry: { times: 1000 } })).toThrow(/retry\.times.*0 to 100/)
  })
})

describe("redirects on a fetch-based client", () => {
  const hostile = Effect.gen(function*() {
    const elsewhere = yield* TestServer.make(ok)
    const api = yield* TestServer.make((_, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/collect` })
      res.end()
    })
    return { api, elsewhere }
  })

  it.scopedLive("fetch never follows a redirect itself: steady's stage decides, with its origin lock", () =>
    Effect.gen(function*() {
      const { api, elsewhere } = yield* hostile
      const fetchClient = yield* Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)
      const pool = (yield* ConnectionPool.makeTransport()).httpClient!
      const clients = [
        // the runtime's fetch (Node's): FetchHttpClient
        fetchClient,
        // the pool's own HttpClient, transformed: the generic transport over the pool's fetch
        pool.pipe(HttpClient.mapRequest(HttpClientRequest.setHeader("x-trace", "t")))
      ]
      for (const http of clients) {
        const unfollowed = ApiClient.makeWith(http, {
          baseUrl: api.url,
          retry: false,
          headers: { "x-api-key": "k3y-never-elsewhere" }
        })
        expect(yield* Effect.flip(unfollowed.get("/start"))).toMatchObject({
          _tag: "UnexpectedStatusError",
          status: 302
        })
        const following = ApiClient.makeWith(http, {
          baseUrl: api.url,
          retry: false,
          followRedirects: 3,
          headers: { "x-api-key": "k3y-never-elsewhere" }
        })
        expect(yield* Effect.flip(following.get("/start"))).toMatchObject({
          _tag: "ConnectionError",
          reason: "OriginNotAllowed"
        })
      }
      expect(elsewhere.requests).toHaveLength(0)
      expect(api.requests).toHaveLength(4)
    }))
})

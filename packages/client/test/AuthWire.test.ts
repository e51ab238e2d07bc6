import { it } from "@effect/vitest"
import { ApiClient, Auth, ConnectionPool } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Effect, Layer, Redacted, Schema, Stream } from "effect"
import { HttpBody } from "effect/http"
import { describe, expect } from "vitest"

describe("OAuth2 against a real 127.0.0.1 token endpoint and API", () => {
  it.live("fetches a token once, uses it, and refreshes after the API revokes it", () =>
    Effect.gen(function*() {
      let issued = 0
      let valid = ""
      const auth = yield* TestServer.make((req, res) => {
        const expected = `Basic ${Buffer.from("app:s3cret").toString("base64")}`
        if (req.headers.authorization !== expected) {
          return TestServer.json(res, 401, { error: "invalid_client", error_description: "bad credentials" })
        }
        valid = `tok-${++issued}`
        TestServer.json(res, 200, { access_token: valid, token_type: "bearer", expires_in: 3600 })
      })
      const api = yield* TestServer.make((req, res) => {
        if (req.headers.authorization === `Bearer ${valid}`) return TestServer.json(res, 200, { pets: [] })
        TestServer.json(res, 401, { error: "unauthorized" })
      })
      const AuthLive = Auth.layerOAuth2ClientCredentials({
        tokenUrl: `${auth.url}/oauth/token`,
        clientId: "app",
        clientSecret: Redacted.make("s3cret")
      })
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: api.url })
        yield* Effect.all(Array.from({ length: 20 }, () => client.get("/pets")), { concurrency: 20 })
        expect(auth.requests).toHaveLength(1)
        expect(api.requests).toHaveLength(20)
        valid = "revoked"
        const response = yield* client.get("/pets")
        expect(response.status).toBe(200)
        expect(auth.requests).toHaveLength(2)
        expect(api.requests.slice(-2).map((r) => r.headers.authorization)).toEqual(["Bearer tok-1", "Bearer tok-2"])
      }).pipe(Effect.provide(Layer.provideMerge(AuthLive, ConnectionPool.layer())))

      const BadAuth = Auth.layerOAuth2ClientCredentials({
        tokenUrl: `${auth.url}/oauth/token`,
        clientId: "app",
        clientSecret: Redacted.make("wrong")
      })
      const error = yield* Effect.flip(
        Effect.flatMap(ApiClient.make({ baseUrl: api.url }), (c) => c.get("/pets")).pipe(
          Effect.provide(Layer.provideMerge(BadAuth, ConnectionPool.layer()))
        )
      )
      expect(error).toMatchObject({
        _tag: "AuthenticationError",
        source: "token-endpoint",
        status: 401,
        oauthError: { error: "invalid_client", description: "bad credentials" }
      })
    }))
})

describe("redirects", () => {
  it.live("are not followed, so credentials never travel to the redirect's origin", () =>
    Effect.gen(function*() {
      const elsewhere = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const api = yield* TestServer.make((_, res) => {
        res.writeHead(302, { location: `${elsewhere.url}/steal` })
        res.end()
      })
      const error = yield* Effect.flip(
        Effect.flatMap(ApiClient.make({ baseUrl: api.url }), (c) => c.get("/pets")).pipe(
          Effect.provide(Layer.merge(Auth.layerBearer(Redacted.make("tok")), ConnectionPool.layer()))
        )
      )
      expect(error).toMatchObject({ _tag: "UnexpectedStatusError", status: 302 })
      if (error._tag === "UnexpectedStatusError") expect(error.headers.location).toBe(`${elsewhere.url}/steal`)
      expect(api.requests[0].headers.authorization).toBe("Bearer tok")
      expect(elsewhere.requests).toHaveLength(0)
    }))
})

describe("followRedirects", () => {
  const redirecting = (status: number, to: (req: TestServer.ReceivedRequest) => string) =>
    TestServer.make((req, res) => {
      if (req.path === "/final") return TestServer.json(res, 200, { method: req.method, body: req.body })
      res.writeHead(status, { location: to(req) })
      res.end()
    })

  it.live("a same-origin redirect keeps the credentials; leaving the origin drops every one", () =>
    Effect.gen(function*() {
      const elsewhere = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const api = yield* redirecting(302, (req) => (req.path === "/here" ? "/final" : `${elsewhere.url}/final`))
      const layer = Layer.merge(Auth.layerBearer(Redacted.make("tok")), ConnectionPool.layer())
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: api.url, followRedirects: 3, allowOtherOrigins: true })
        const headers = { cookie: "session=abc", "x-api-key": "k", "x-trace": "t1" }
        expect((yield* client.get("/here", { headers })).status).toBe(200)
        const final = api.requests.find((r) => r.path === "/final")!
        expect(final.headers.authorization).toBe("Bearer tok")
        expect(final.headers.cookie).toBe("session=abc")
        expect((yield* client.get("/away", { headers })).status).toBe(200)
        const away = elsewhere.requests[0]
        expect(away.headers.authorization).toBeUndefined()
        expect(away.headers.cookie).toBeUndefined()
        expect(away.headers["x-api-key"]).toBeUndefined()
        expect(away.headers["x-trace"]).toBe("t1")
      }).pipe(Effect.provide(layer))
    }))

  it.live("a query API key is applied again on every same-origin hop, and never sent to another origin", () =>
    Effect.gen(function*() {
      const elsewhere = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const api = yield* redirecting(302, (req) => (req.path === "/here" ? "/final" : `${elsewhere.url}/final`))
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: api.url, followRedirects: 3, allowOtherOrigins: true })
        yield* client.get("/here")
        expect(api.requests.map((r) => [r.path, r.query.get("api_key")])).toEqual([["/here", "k-1"], ["/final", "k-1"]])
        yield* client.get("/away")
        expect(elsewhere.requests[0].query.get("api_key")).toBeNull()
      }).pipe(
        Effect.provide(
          Layer.merge(Auth.layerApiKey({ query: "api_key" }, Redacted.make("k-1")), ConnectionPool.layer())
        )
      )
    }))

  it.live("sensitiveHeaders: a credential under a name of your own never leaves the origin and never shows", () =>
    Effect.gen(function*() {
      const elsewhere = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const api = yield* TestServer.make((req, res) => {
        if (req.path === "/away") {
          res.writeHead(302, { location: `${elsewhere.url}/final` })
          res.end()
        } else {
          // an error that echoes the credential back in a header
          TestServer.json(res, 500, {}, { "x-session-token": req.headers["x-session-token"] ?? "" })
        }
      })
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({
          baseUrl: api.url,
          followRedirects: 1,
          allowOtherOrigins: true,
          retry: false,
          headers: { "X-Session-Token": "sess-s3cret" },
          sensitiveHeaders: ["X-Session-Token"]
        })
        yield* client.get("/away")
        expect(elsewhere.requests[0].headers["x-session-token"]).toBeUndefined()
        const error = yield* Effect.flip(client.get("/fail"))
        expect(error._tag).toBe("ServerError")
        if (error._tag === "ServerError") expect(error.headers["x-session-token"]).toBe("<redacted>")
        expect(JSON.stringify(error)).not.toContain("sess-s3cret")
      }).pipe(Effect.provide(ConnectionPool.layer()))
    }))

  it.live("303 turns a POST into a GET without a body; 307 keeps both", () =>
    Effect.gen(function*() {
      const see = yield* redirecting(303, () => "/final")
      const keep = yield* redirecting(307, () => "/final")
      const answer = (url: string) =>
        Effect.flatMap(
          ApiClient.make({ baseUrl: url, followRedirects: 1 }),
          (c) =>
            c.post("/orders", { body: HttpBody.text("{\"n\":1}", "application/json") }).pipe(
              ApiClient.json(Schema.Struct({ method: Schema.String, body: Schema.String }))
            )
        )
      expect(yield* answer(see.url)).toEqual({ method: "GET", body: "" })
      expect(yield* answer(keep.url)).toEqual({ method: "POST", body: "{\"n\":1}" })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a redirect loop stops after followRedirects hops with the 3xx", () =>
    Effect.gen(function*() {
      const api = yield* redirecting(302, (req) => req.path + "x")
      const error = yield* Effect.flip(
        Effect.flatMap(ApiClient.make({ baseUrl: api.url, followRedirects: 3 }), (c) => c.get("/loop"))
      )
      expect(error).toMatchObject({ _tag: "UnexpectedStatusError", status: 302 })
      expect(api.requests).toHaveLength(4)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("redirects, as a newcomer meets them", () => {
  // /r/0 → /r/1 → /r/2 → … without end; /once → /final; /final answers
  const chain = () =>
    TestServer.make((req, res) => {
      if (req.path === "/final") return TestServer.json(res, 200, { method: req.method })
      const n = req.path.startsWith("/r/") ? Number(req.path.slice(3)) + 1 : 0
      res.writeHead(req.path === "/upload" ? 307 : 302, { location: req.path === "/once" ? "/final" : `/r/${n}` })
      res.end()
    })

  it.live("a redirect not followed says in its message how to follow it", () =>
    Effect.gen(function*() {
      const api = yield* chain()
      const client = yield* ApiClient.make({ baseUrl: api.url, retry: false })
      const error = yield* Effect.flip(client.get("/once"))
      expect(error).toMatchObject({ _tag: "UnexpectedStatusError", status: 302 })
      expect(error.message).toBe(
        `GET ${api.url}/once failed: 302 Found (1 attempt); redirects are not followed by default: ` +
          "set followRedirects (say 5) in the client's or the call's options"
      )
      expect(api.requests.map((r) => r.path)).toEqual(["/once"])
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("followRedirects per call: withOptions follows them for its calls only", () =>
    Effect.gen(function*() {
      const api = yield* chain()
      const client = yield* ApiClient.make({ baseUrl: api.url, retry: false })
      const following = ApiClient.withOptions(client, { followRedirects: 2 })
      expect((yield* following.get("/once")).status).toBe(200)
      expect(api.requests.map((r) => r.path)).toEqual(["/once", "/final"])
      // the client itself still does not follow
      expect(yield* Effect.flip(client.get("/once"))).toMatchObject({ status: 302 })
      // and a client that follows can be told not to, per call
      const client3 = yield* ApiClient.make({ baseUrl: api.url, retry: false, followRedirects: 3 })
      expect(yield* Effect.flip(ApiClient.withOptions(client3, { followRedirects: 0 }).get("/once")))
        .toMatchObject({ status: 302 })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("past the limit, the error names the first URL and the chain, credentials masked", () =>
    Effect.gen(function*() {
      const api = yield* chain()
      const client = yield* ApiClient.make({ baseUrl: api.url, retry: false, followRedirects: 3 })
      const error = yield* Effect.flip(client.get("/r/0"))
      if (error._tag !== "UnexpectedStatusError") return expect.unreachable(error.message)
      const urls = [0, 1, 2, 3].map((i) => `${api.url}/r/${i}?api_key=<redacted>`)
      expect(error.redirects).toEqual({ chain: urls, limit: 3, stopped: "Limit" })
      expect(error.message).toBe(
        `GET ${urls[3]} failed: 302 Found (1 attempt); not followed: followRedirects is 3, after ${urls.join(" → ")}`
      )
      // the server saw the limit's worth of requests, and no more
      expect(api.requests.map((r) => r.path)).toEqual(["/r/0", "/r/1", "/r/2", "/r/3"])
      expect(JSON.stringify(error)).not.toContain("k-secret")
    }).pipe(
      Effect.provide(
        Layer.merge(Auth.layerApiKey({ query: "api_key" }, Redacted.make("k-secret")), ConnectionPool.layer())
      )
    ))

  it.live("a 307 with a body read once is not followed, and the message says why", () =>
    Effect.gen(function*() {
      const api = yield* chain()
      const client = yield* ApiClient.make({ baseUrl: api.url, retry: false, followRedirects: 3 })
      const body = HttpBody.stream(Stream.make(new TextEncoder().encode("{}")), "application/json")
      const error = yield* Effect.flip(client.post("/upload", { body }))
      if (error._tag !== "UnexpectedStatusError") return expect.unreachable(error.message)
      expect(error.redirects).toEqual({ chain: [`${api.url}/upload`], limit: 3, stopped: "OneShotBody" })
      expect(error.message).toContain("not followed: a 307 sends the body again, and this body can be read once only")
      expect(api.requests).toHaveLength(1)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

import { it } from "@effect/vitest"
import { ApiClient, ApiError, Auth } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Cause, Config, type Duration, Effect, Layer, Logger, Redacted, References } from "effect"
import { HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { envProvider, joinNow, withEnv } from "./util.js"

const base = "https://api.example"

/** The same program under any credentials layer. */
const program = Effect.gen(function*() {
  const client = yield* ApiClient.make({ baseUrl: base, headers: { "user-agent": "t/1" } })
  yield* client.get("/pets", { urlParams: { page: 1 } })
  return yield* MockHttpClient.requests
})

const runWith = <E>(auth: Layer.Layer<Auth.Auth, E>) =>
  program.pipe(Effect.provide(Layer.merge(auth, MockHttpClient.layer(() => 200))))

describe("Auth layers", () => {
  it.effect("each layer sets exactly its header or query parameter, and nothing else changes", () =>
    Effect.gen(function*() {
      const bearer = yield* runWith(Auth.layerBearer(Redacted.make("tok")))
      const header = yield* runWith(Auth.layerApiKey({ header: "X-Api-Key" }, Redacted.make("k1")))
      const query = yield* runWith(Auth.layerApiKey({ query: "api_key" }, Redacted.make("k2")))
      const basic = yield* runWith(Auth.layerBasic("ann", Redacted.make("pw")))
      const fixed = yield* runWith(Auth.layerStatic({ headers: { Authorization: "Bearer test" } }))
      expect(bearer[0].headers.authorization).toBe("Bearer tok")
      expect(header[0].headers["x-api-key"]).toBe("k1")
      expect(header[0].headers.authorization).toBeUndefined()
      expect(query[0].query.get("api_key")).toBe("k2")
      expect(query[0].headers.authorization).toBeUndefined()
      expect(basic[0].headers.authorization).toBe(`Basic ${Buffer.from("ann:pw").toString("base64")}`)
      expect(fixed[0].headers.authorization).toBe("Bearer test")
      // swapping layers changes the credentials and nothing else
      const strip = (r: MockHttpClient.RecordedRequest) => {
        const { authorization: _a, "x-api-key": _k, ...headers } = r.headers
        const q = new URLSearchParams(r.query)
        q.delete("api_key")
        return { method: r.method, path: r.path, query: q.toString(), headers, body: r.body }
      }
      const shapes = [bearer, header, query, basic, fixed].map((rs) => strip(rs[0]))
      for (const s of shapes) expect(s).toEqual(shapes[0])
    }))

  it.effect("secrets come from Config; a missing one fails the layer with its name", () =>
    Effect.gen(function*() {
      const ok = yield* runWith(Auth.layerBearer(Config.Redacted("PETSTORE_TOKEN"))).pipe(
        withEnv(envProvider([["PETSTORE_TOKEN", "from-env"]]))
      )
      expect(ok[0].headers.authorization).toBe("Bearer from-env")
      const missing = yield* Effect.flip(
        runWith(Auth.layerBearer(Config.Redacted("PETSTORE_TOKEN"))).pipe(
          withEnv(envProvider([]))
        )
      )
      expect(String(missing)).toContain("PETSTORE_TOKEN")
    }))

  it.effect("an API key in the query is redacted in errors", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/x")))
      expect(error._tag).toBe("NotFoundError")
      // the key was in the URL the request went to, and it shows redacted
      const [sent] = yield* MockHttpClient.requests
      expect(sent.query.get("sig_key")).toBe("very-secret")
      expect(error.request.url).toBe(`${base}/x?sig_key=<redacted>`)
      expect(error.message).toContain("sig_key=<redacted>")
      expect(error.message).not.toContain("very-secret")
      expect(JSON.stringify(error)).not.toContain("very-secret")
    }).pipe(
      Effect.provide(Layer.merge(
        Auth.layerApiKey({ query: "sig_key" }, Redacted.make("very-secret")),
        MockHttpClient.layer(() => 404)
      ))
    ))
})

interface TokenServer {
  tokenRequests: number
  issued: Array<string>
}

/** A token endpoint and an API that accepts only the newest token. */
const oauthMock = (options: {
  readonly expiresIn?: number
  readonly tokenDelay?: Duration.Input
  readonly tokenReply?: MockHttpClient.Reply
  readonly api?: (token: string | undefined, state: TokenServer) => MockHttpClient.Reply
}) => {
  const state: TokenServer = { tokenRequests: 0, issued: [] }
  const handler = MockHttpClient.routes({
    "POST /oauth/token": () => {
      state.tokenRequests++
      if (options.tokenReply !== undefined) return options.tokenReply
      const token = `access-${state.tokenRequests}`
      state.issued.push(token)
      return {
        json: { access_token: token, token_type: "Bearer", expires_in: options.expiresIn ?? 3600 },
        delay: options.tokenDelay
      }
    },
    "/pets": (req) => {
      const token = req.headers.authorization?.replace(/^Bearer /, "")
      if (options.api) return options.api(token, state)
      return token !== undefined && token === state.issued[state.issued.length - 1] ? 200 : 401
    }
  })
  const layer = Layer.provideMerge(
    Auth.layerOAuth2ClientCredentials({
      tokenUrl: "https://auth.example/oauth/token",
      clientId: "app",
      clientSecret: Redacted.make("client-s3cret"),
      scope: ["pets:read", "pets:write"],
      audience: "petstore"
    }),
    MockHttpClient.layer(handler)
  )
  return { state, layer }
}

describe("OAuth2 client credentials", () => {
  it.effect("the token request follows RFC 6749 §4.4 with client_secret_basic", () =>
    Effect.gen(function*() {
      const { layer } = oauthMock({})
      const requests = yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base })
        yield* client.get("/pets")
        return yield* MockHttpClient.requests
      }).pipe(Effect.provide(layer))
      const token = requests[0]
      expect(token.method).toBe("POST")
      expect(token.url).toBe("https://auth.example/oauth/token")
      expect(token.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(token.headers.authorization).toBe(`Basic ${Buffer.from("app:client-s3cret").toString("base64")}`)
      const form = new URLSearchParams(token.body)
      expect(form.get("grant_type")).toBe("client_credentials")
      expect(form.get("scope")).toBe("pets:read pets:write")
      expect(form.get("audience")).toBe("petstore")
      expect(form.get("client_secret")).toBeNull()
      expect(requests[1].headers.authorization).toBe("Bearer access-1")
    }))

  it.effect("client id and secret are form-urlencoded before Basic (RFC 6749 §2.3.1): ':' and '%' survive", () =>
    Effect.gen(function*() {
      const handler = MockHttpClient.routes({
        "POST /oauth/token": () => ({ json: { access_token: "t", token_type: "Bearer", expires_in: 60 } }),
        "/pets": () => 200
      })
      const requests = yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base })
        yield* client.get("/pets")
        return yield* MockHttpClient.requests
      }).pipe(
        Effect.provide(Layer.provideMerge(
          Auth.layerOAuth2ClientCredentials({
            tokenUrl: "https://auth.example/oauth/token",
            clientId: "my app:1",
            clientSecret: Redacted.make("s3:cr%t")
          }),
          MockHttpClient.layer(handler)
        ))
      )
      const basic = requests[0].headers.authorization.replace(/^Basic /, "")
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":")
      expect(id).toBe("my%20app%3A1")
      expect(decodeURIComponent(id)).toBe("my app:1")
      expect(decodeURIComponent(secret)).toBe("s3:cr%t")
    }))

  it.effect("the service used after its layer's scope has ended fails at once, saying why, instead of hanging", () =>
    Effect.gen(function*() {
      const mock = yield* MockHttpClient.make(MockHttpClient.routes({
        "POST /oauth/token": () => ({ json: { access_token: "t", token_type: "Bearer", expires_in: 60 } }),
        "/pets": () => 200
      }))
      // the mistake: the layer is built and closed here, and its service kept
      const auth = yield* Effect.provide(
        Auth.Auth,
        Auth.layerOAuth2ClientCredentials({
          tokenUrl: "https://auth.example/oauth/token",
          clientId: "app",
          clientSecret: Redacted.make("s3cret")
        }).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client)))
      )
      const client = ApiClient.makeWith(mock.client, { baseUrl: base }, auth)
      const fiber = yield* Effect.forkChild(client.get("/pets"))
      const error = yield* Effect.flip(joinNow(fiber, "the call hung on a closed Auth layer"))
      expect(error).toMatchObject({ _tag: "AuthenticationError", source: "token-endpoint" })
      expect(error.message).toMatch(/the Auth layer's scope has ended/)
      expect(error.message).not.toContain("s3cret")
      // and the next call too, not only the first
      expect(yield* Effect.flip(client.get("/pets"))).toMatchObject({ _tag: "AuthenticationError" })
    }))

  it.effect("the token is cached, then refreshed before it expires (skew 60 s)", () =>
    Effect.gen(function*() {
      const { layer, state } = oauthMock({ expiresIn: 3600 })
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base })
        for (let i = 0; i < 5; i++) yield* client.get("/pets")
        expect(state.tokenRequests).toBe(1)
        yield* TestClock.adjust("3539 seconds")
        yield* client.get("/pets")
        expect(state.tokenRequests).toBe(1)
        yield* TestClock.adjust("1 second")
        yield* client.get("/pets")
        expect(state.tokenRequests).toBe(2)
      }).pipe(Effect.provide(layer))
    }))

  it.effect("a token that lives less than twice the skew is used for half its life, not refetched on arrival", () =>
    Effect.gen(function*() {
      // 30 s of life with the default 60 s skew: refreshed after 15 s, never "expired" at once
      const { layer, state } = oauthMock({ expiresIn: 30 })
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base })
        for (let i = 0; i < 3; i++) yield* client.get("/pets")
        expect(state.tokenRequests).toBe(1)
        yield* TestClock.adjust("14 seconds")
        yield* client.get("/pets")
        expect(state.tokenRequests).toBe(1)
        yield* TestClock.adjust("1 second")
        yield* client.get("/pets")
        expect(state.tokenRequests).toBe(2)
      }).pipe(Effect.provide(layer))
    }))

  it.effect("100 concurrent calls with an expired token make exactly one token request", () =>
    Effect.gen(function*() {
      const { layer, state } = oauthMock({ expiresIn: 600, tokenDelay: "200 millis" })
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base })
        const first = yield* Effect.forkChild(client.get("/pets"))
        yield* TestClock.adjust("200 millis")
        yield* joinNow(first)
        expect(state.tokenRequests).toBe(1)
        yield* TestClock.adjust("10 minutes") // expired
        const fiber = yield* Effect.forkChild(
          Effect.all(Array.from({ length: 100 }, () => client.get("/pets")), { concurrency: "unbounded" })
        )
        yield* TestClock.adjust("200 millis")
        const responses = yield* joinNow(fiber)
        expect(responses.every((r) => r.status === 200)).toBe(true)
        expect(state.tokenRequests).toBe(2)
      }).pipe(Effect.provide(layer))
    }))

  it.effect("a 401 with the current token triggers one refresh and one replay", () =>
    Effect.gen(function*() {
      // the API revokes access-1 after it was issued
      const { layer, state } = oauthMock({ api: (token) => (token === "access-2" ? 200 : 401) })
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base })
        const response = yield* client.get("/pets")
        expect(response.status).toBe(200)
        expect(state.tokenRequests).toBe(2)
        const pets = (yield* MockHttpClient.requests).filter((r) => r.path === "/pets")
        expect(pets.map((r) => r.headers.authorization)).toEqual(["Bearer access-1", "Bearer access-2"])
      }).pipe(Effect.provide(layer))
    }))

  it.effect("a 401 that persists is returned after one replay: no loop", () =>
    Effect.gen(function*() {
      const { layer, state } = oauthMock({ api: () => 401 })
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base })
        const error = yield* Effect.flip(client.get("/pets"))
        expect(error).toMatchObject({ _tag: "AuthenticationError", source: "api", status: 401 })
        expect(error.attempts).toBe(1)
        expect(state.tokenRequests).toBe(2)
        const pets = (yield* MockHttpClient.requests).filter((r) => r.path === "/pets")
        expect(pets).toHaveLength(2)
      }).pipe(Effect.provide(layer))
    }))

  it.effect("100 concurrent 401s on the same token cause one refresh, not a stampede, however late they arrive", () =>
    Effect.gen(function*() {
      // half the 401s for the first token arrive before the refresh is done, half well after it:
      // a late 401 for an old token must not throw away the new one
      let answered = 0
      const { layer, state } = oauthMock({
        tokenDelay: "50 millis",
        api: (token) =>
          token === "access-1" ? { status: 401, delay: ++answered % 2 === 0 ? "10 millis" : "500 millis" } : 200
      })
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: base })
        const fiber = yield* Effect.forkChild(
          Effect.all(Array.from({ length: 100 }, () => client.get("/pets")), { concurrency: "unbounded" })
        )
        for (let i = 0; i < 20; i++) yield* TestClock.adjust("50 millis")
        const responses = yield* joinNow(fiber)
        expect(responses).toHaveLength(100)
        expect(state.tokenRequests).toBe(2)
      }).pipe(Effect.provide(layer))
    }))

  it.effect("a failing token endpoint yields AuthenticationError with its error and description", () =>
    Effect.gen(function*() {
      const { layer } = oauthMock({
        tokenReply: {
          status: 400,
          json: { error: "invalid_client", error_description: "Client authentication failed" }
        }
      })
      const error = yield* Effect.flip(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/pets")).pipe(Effect.provide(layer))
      )
      expect(error._tag).toBe("AuthenticationError")
      if (error._tag !== "AuthenticationError") return
      expect(error.source).toBe("token-endpoint")
      expect(error.status).toBe(400)
      expect(error.oauthError).toEqual({ error: "invalid_client", description: "Client authentication failed" })
      expect(error.message).toContain("GET https://api.example/pets")
      expect(error.message).toContain("https://auth.example/oauth/token")
      expect(error.message).toContain("invalid_client")
      expect(ApiError.isRetryable(error)).toBe(false)
    }))

  it.effect("an unreachable token endpoint is an AuthenticationError with the cause", () =>
    Effect.gen(function*() {
      const { layer } = oauthMock({ tokenReply: MockHttpClient.refused })
      const error = yield* Effect.flip(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/pets")).pipe(Effect.provide(layer))
      )
      expect(error).toMatchObject({ _tag: "AuthenticationError", source: "token-endpoint" })
      if (error._tag === "AuthenticationError") expect(String(error.cause)).toContain("ECONNREFUSED")
    }))

  it.effect("a token answer without access_token is refused, and tokens in it are redacted", () =>
    Effect.gen(function*() {
      const { layer } = oauthMock({
        tokenReply: { json: { refresh_token: "rt-secret", token_type: "Bearer" } }
      })
      const error = yield* Effect.flip(
        Effect.flatMap(ApiClient.make({ baseUrl: base }), (c) => c.get("/pets")).pipe(Effect.provide(layer))
      )
      expect(error._tag).toBe("AuthenticationError")
      expect(error.message).toContain("without an access_token")
      expect(JSON.stringify(error)).not.toContain("rt-secret")
    }))

  it.effect("tokens in form-encoded or malformed token answers never reach the error; a failed refresh logs nothing unhandled", () =>
    Effect.gen(function*() {
      const answers: ReadonlyArray<MockHttpClient.Reply> = [
        { status: 400, body: "error=invalid_client&access_token=leak-form-1&refresh_token=leak-form-2" },
        { status: 200, body: "access_token=leak-form-3&token_type=bearer" },
        { status: 200, body: "{\"access_token\":\"leak-json-1\",\"token_type\":" },
        { status: 502, body: "{ 'access_token': 'leak-json-2'" },
        // an endpoint that quotes the client secret it was sent
        { status: 401, body: "{\"error\":\"invalid_client\",\"error_description\":\"unknown secret client-s3cret\"}" }
      ]
      for (const tokenReply of answers) {
        const { layer } = oauthMock({ tokenReply })
        const logs: Array<string> = []
        const logger = Logger.make(({ cause, message }) => logs.push(`${String(message)} ${Cause.pretty(cause)}`))
        const error = yield* Effect.flip(
          // no retries: a 502 from the token endpoint is transient, and would wait on the TestClock
          Effect.flatMap(ApiClient.make({ baseUrl: base, retry: false }), (c) => c.get("/pets")).pipe(
            Effect.provide(layer),
            Effect.provide(Logger.layer([logger])),
            Effect.provideService(References.MinimumLogLevel, "All")
          )
        )
        expect(error._tag).toBe("AuthenticationError")
        const shown = JSON.stringify(error) + error.message + logs.join("\n")
        expect(shown).not.toMatch(/leak-|client-s3cret/)
        expect(logs.join("\n")).not.toContain("unhandled")
      }
    }))
})

import { it } from "@effect/vitest"
import { ApiClient, Auth, ConnectionPool } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Cause, Context, Effect, Layer, Logger, Metric, Redacted, References, Schema } from "effect"
import * as Util from "node:util"
import { describe, expect } from "vitest"
import { capturingTracer } from "./spans.js"

const SECRETS = {
  clientSecret: "cs-LEAK-7f3a91",
  accessToken: "at-LEAK-2b8c44",
  bearer: "bt-LEAK-99e0d1",
  apiKey: "ak-LEAK-51c7aa",
  password: "pw-LEAK-0d2e6f"
}
const secretValues = Object.values(SECRETS)
// what the secrets look like once encoded on the wire
const encoded = [
  Buffer.from(`app:${SECRETS.clientSecret}`).toString("base64"),
  Buffer.from(`ann:${SECRETS.password}`).toString("base64")
]

describe("no secret leaks", () => {
  it.live("through every failure path, at the most verbose log level", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const logger = Logger.make((options) => {
        logs.push(Logger.formatLogFmt.log(options))
        logs.push(Util.inspect(options.message, { depth: 20 }))
        logs.push(Cause.pretty(options.cause))
        logs.push(Util.inspect(options.fiber.getRef(References.CurrentLogAnnotations), { depth: 20 }))
      })
      const { spans, tracer } = yield* capturingTracer

      let tokenMode: "ok" | "refuse" | "weird" = "ok"
      const auth = yield* TestServer.make((_, res) => {
        if (tokenMode === "refuse") {
          return TestServer.json(res, 400, { error: "invalid_client", error_description: "nope" })
        }
        if (tokenMode === "weird") {
          return TestServer.json(res, 200, { access_token: SECRETS.accessToken, token_type: "mac" })
        }
        TestServer.json(res, 200, { access_token: SECRETS.accessToken, token_type: "Bearer", expires_in: 3600 })
      })
      const api = yield* TestServer.make((req, res) => {
        const echo = { path: req.path }
        switch (req.path) {
          case "/401":
            return TestServer.json(res, 401, echo)
          case "/403":
            return TestServer.json(res, 403, echo)
          case "/404":
            return TestServer.json(res, 404, echo, { "set-cookie": `session=${SECRETS.bearer}` })
          case "/429":
            return TestServer.json(res, 429, echo, { "retry-after": "3600" })
          case "/500":
            return TestServer.json(res, 500, echo)
          case "/bad-json":
            res.writeHead(200, { "content-type": "application/json" })
            return res.end("{not json")
          case "/hang":
            return
          case "/echo":
            // a 2xx that echoes every credential it was sent, in a body that does not decode
            return TestServer.json(res, 200, {
              id: "not-a-number",
              authorization: req.headers.authorization ?? "",
              apiKey: req.headers["x-api-key"] ?? "",
              key: req.query.get("key") ?? "",
              token: req.query.get("token") ?? ""
            })
          default:
            return TestServer.json(res, 200, { id: "not-a-number" })
        }
      })
      const down = yield* TestServer.closedPort

      const errors: Array<unknown> = []
      const successes: Array<string> = []
      const paths = ["/401", "/403", "/404", "/429", "/500", "/bad-json", "/hang", "/mismatch", "/echo"]
      const Pet = Schema.Struct({ id: Schema.Number })
      const exercise = (options: ApiClient.Options) =>
        Effect.gen(function*() {
          const client = yield* ApiClient.make({
            baseUrl: api.url,
            // generous for the calls that must get an answer; /hang gets a short limit of its own
            timeout: { attempt: "5 seconds", total: "10 seconds" },
            retry: { base: "1 millis", cap: "2 millis" },
            // the per-attempt metrics and the retry and failure log lines are on too
            metrics: true,
            logLevel: "Info",
            ...options
          })
          const hanging = ApiClient.withOptions(client, { timeout: { attempt: "150 millis", total: "1 second" } })
          for (const path of paths) {
            const error = yield* Effect.flip(
              (path === "/hang" ? hanging : client).get(`${path}?token=${SECRETS.bearer}&page=1`).pipe(
                ApiClient.json(Pet),
                Effect.tapCause(Effect.logError),
                Effect.tapError((e) => Effect.logDebug("failed", e))
              )
            )
            errors.push(error)
          }
          errors.push(yield* Effect.flip(client.post("https://elsewhere.example/x", { body: undefined })))
          // a success shows nothing either: the response and the request it carries
          const ok = yield* client.get(`/ok?token=${SECRETS.bearer}`)
          successes.push(JSON.stringify(ok), Util.inspect(ok, { depth: 20 }), JSON.stringify(ok.request))
          const refused = yield* ApiClient.make({ baseUrl: `http://127.0.0.1:${down}` })
          errors.push(yield* Effect.flip(refused.get("/x").pipe(Effect.tapCause(Effect.logError))))
        })

      const verbose = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        effect.pipe(
          Effect.provide(Logger.layer([logger])),
          Effect.provideService(References.MinimumLogLevel, "All"),
          Effect.withTracer(tracer)
        )

      const OAuth = Auth.layerOAuth2ClientCredentials({
        tokenUrl: `${auth.url}/token?client_secret=${SECRETS.clientSecret}`,
        clientId: "app",
        clientSecret: Redacted.make(SECRETS.clientSecret)
      })
      const layers = [
        OAuth,
        Auth.layerBearer(Redacted.make(SECRETS.bearer)),
        Auth.layerApiKey({ query: "key" }, Redacted.make(SECRETS.apiKey)),
        Auth.layerApiKey({ header: "x-api-key" }, Redacted.make(SECRETS.apiKey)),
        Auth.layerBasic("ann", Redacted.make(SECRETS.password))
      ]
      for (const AuthLive of layers) {
        yield* verbose(exercise({}).pipe(Effect.provide(Layer.provideMerge(AuthLive, ConnectionPool.layer()))))
      }
      for (const mode of ["refuse", "weird"] as const) {
        tokenMode = mode
        yield* verbose(
          Effect.gen(function*() {
            const client = yield* ApiClient.make({ baseUrl: api.url })
            const error = yield* Effect.flip(client.get("/ok").pipe(Effect.tapCause(Effect.logError)))
            expect(error._tag).toBe("AuthenticationError")
            errors.push(error)
          }).pipe(Effect.provide(Layer.provideMerge(OAuth, ConnectionPool.layer())))
        )
      }

      // the scenario did go through the failure paths
      expect(errors.length).toBe(layers.length * (paths.length + 2) + 2)
      const tags = new Set(errors.map((e) => (e as { _tag: string })._tag))
      for (
        const tag of [
          "AuthenticationError",
          "PermissionDeniedError",
          "NotFoundError",
          "RateLimitError",
          "ServerError",
          "DecodeError",
          "TimeoutError",
          "ConnectionError"
        ]
      ) expect(tags).toContain(tag)
      expect(logs.some((l) => l.includes("retrying"))).toBe(true)
      expect(spans.length).toBeGreaterThan(0)
      // the secrets reached the servers, so they were really in play
      expect(api.requests.some((r) => r.headers.authorization === `Bearer ${SECRETS.accessToken}`)).toBe(true)
      expect(api.requests.some((r) => r.query.get("key") === SECRETS.apiKey)).toBe(true)

      const shown: Array<string> = []
      for (const error of errors) {
        const e = error as Error
        shown.push(e.message, String(e), JSON.stringify(e), Util.inspect(e, { depth: 20 }), e.stack ?? "")
      }
      for (const span of spans) {
        // the spans, their attributes and their events (retries, refusals) as an exporter sees them
        shown.push(span.name, Util.inspect(span.attributes, { depth: 20 }))
        shown.push(Util.inspect((span as unknown as { events?: unknown }).events, { depth: 20 }))
      }
      expect(spans.some((s) => ((s as unknown as { events?: Array<unknown> }).events ?? []).length > 0)).toBe(true)
      // every metric's labels, the client's HTTP metrics among them
      const metrics = Metric.snapshotUnsafe(Context.empty())
      expect(metrics.some((m) => m.id === "http.client.request.duration")).toBe(true)
      for (const m of metrics) shown.push(m.id, Util.inspect(m.attributes, { depth: 5 }))
      shown.push(...logs, ...successes)
      expect(successes.length).toBe(layers.length * 3)
      const everything = shown.join("\n")
      for (const secret of [...secretValues, ...encoded]) {
        expect(everything).not.toContain(secret)
      }
    }), { timeout: 60_000 })
})

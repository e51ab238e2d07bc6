/**
 * The behaviour suite that runs in the browser: steady's core on `FetchHttpClient`, against
 * the test's CORS server on another loopback origin. Each case returns what it saw; the Node
 * side (test/browser.test.ts) checks the verdicts and what the server saw.
 */
import { FetchHttpClient, HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { ApiClient, ApiError, Auth, Pagination } from "@steady/client-effect3"
import { Chunk, Effect, Either, Redacted, Schema, Stream } from "effect"
import type { Verdict } from "./verdict.js"

export type { Verdict } from "./verdict.js"

const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })

const fast = { base: "1 millis", cap: "5 millis" } as const

/** The cases, each against `api` (the CORS server) and `closed` (an origin nothing listens on). */
const cases = (
  api: string,
  closed: string
): ReadonlyArray<readonly [string, Effect.Effect<string, unknown, HttpClient.HttpClient>]> => {
  const client = (options: ApiClient.Options = {}) =>
    Effect.map(HttpClient.HttpClient, (http) => ApiClient.makeWith(http, { baseUrl: api, retry: fast, ...options }))
  const expect = (ok: boolean, detail: string) => (ok ? Effect.succeed(detail) : Effect.fail(detail))
  return [
    [
      "a GET answered 503 is retried, and the body decoded",
      Effect.gen(function*() {
        const pet = yield* (yield* client()).get("/flaky?key=get").pipe(ApiClient.json(Pet))
        return yield* expect(pet.name === "Rex", JSON.stringify(pet))
      })
    ],
    [
      "a POST answered 503 is not retried without an Idempotency-Key",
      Effect.gen(function*() {
        const error = yield* Effect.flip((yield* client()).post("/orders?key=unkeyed"))
        return yield* expect(
          error._tag === "ServerError" && error.attempts === 1,
          `${error._tag} after ${error.attempts}`
        )
      })
    ],
    [
      "a POST with idempotencyKey: auto is retried, with the same key",
      Effect.gen(function*() {
        const response = yield* (yield* client({ idempotencyKey: "auto" })).post("/orders?key=keyed", {
          body: HttpBody.unsafeJson({ item: 1 })
        })
        return yield* expect(response.status === 201 && ApiClient.attempts(response) === 2, `${response.status}`)
      })
    ],
    [
      "Retry-After (retry-after-ms) is honoured",
      Effect.gen(function*() {
        const t0 = performance.now()
        yield* (yield* client()).get("/limited?key=ra")
        const waited = performance.now() - t0
        return yield* expect(waited >= 290, `${waited.toFixed(0)} ms`)
      })
    ],
    [
      "the attempt timeout aborts the fetch (TimeoutError, the server sees it go)",
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          (yield* client({ timeout: { attempt: "300 millis" }, retry: false })).get("/slow")
        )
        return yield* expect(
          error._tag === "TimeoutError" && error.scope === "attempt",
          `${error._tag} ${"scope" in error ? error.scope : ""}`
        )
      })
    ],
    [
      "the total deadline ends the retries",
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          (yield* client({ timeout: { attempt: "200 millis", total: "500 millis" } })).get("/slow")
        )
        return yield* expect(error._tag === "TimeoutError", error._tag)
      })
    ],
    [
      "404 and 403 are their own errors",
      Effect.gen(function*() {
        const c = yield* client()
        const missing = yield* c.get("/pets/404").pipe(ApiClient.json(Pet), ApiError.optional("NotFoundError"))
        const denied = yield* c.del("/pets/1").pipe(
          Effect.as("deleted"),
          Effect.catchTag("PermissionDeniedError", () => Effect.succeed("forbidden"))
        )
        return yield* expect(missing._tag === "None" && denied === "forbidden", `${missing._tag}, ${denied}`)
      })
    ],
    [
      "OAuth2 client credentials: a 401 drops the token, fetches a new one and replays once",
      Effect.gen(function*() {
        // ApiClient.make takes the Auth service from context
        const c = yield* ApiClient.make({ baseUrl: api, retry: fast })
        const response = yield* c.get("/secure")
        return yield* expect(response.status === 200, `${response.status}`)
      }).pipe(
        Effect.provide(
          Auth.layerOAuth2ClientCredentials({
            tokenUrl: `${api}/token`,
            clientId: "browser",
            clientSecret: Redacted.make("s3cret")
          })
        )
      )
    ],
    [
      "the origin lock refuses another origin, nothing sent",
      Effect.gen(function*() {
        const error = yield* Effect.flip((yield* client()).get(`${closed}/elsewhere`))
        return yield* expect(
          error._tag === "ConnectionError" && error.reason === "OriginNotAllowed" && !error.sent,
          `${error._tag} ${"reason" in error ? error.reason : ""}`
        )
      })
    ],
    [
      "a CORS refusal is a ConnectionError that may have reached the server (sent: true), not retried for a POST",
      Effect.gen(function*() {
        const error = yield* Effect.flip((yield* client()).post("/nocors?key=post"))
        return yield* expect(
          error._tag === "ConnectionError" && error.sent && error.attempts === 1,
          `${error._tag} sent=${"sent" in error ? error.sent : "?"} attempts=${error.attempts}`
        )
      })
    ],
    [
      "a network error (nothing listening) is a ConnectionError; a GET is retried",
      Effect.gen(function*() {
        const c = ApiClient.makeWith(yield* HttpClient.HttpClient, { baseUrl: closed, retry: { ...fast, times: 2 } })
        const error = yield* Effect.flip(c.get("/x"))
        return yield* expect(
          error._tag === "ConnectionError" && error.attempts === 3,
          `${error._tag} ${error.attempts}`
        )
      })
    ],
    [
      "a redirect is followed by the browser itself (fetch), even with followRedirects: 0",
      Effect.gen(function*() {
        const pet = yield* (yield* client()).get("/redirect").pipe(ApiClient.json(Pet))
        return yield* expect(pet.id === 1, JSON.stringify(pet))
      })
    ],
    [
      "Server-Sent Events stream over fetch",
      Effect.gen(function*() {
        const events = yield* (yield* client()).get("/events").pipe(ApiClient.sse(), Stream.runCollect)
        const data = Chunk.toArray(events).map((e) => e.data).join(",")
        return yield* expect(data === "one,two,three", data)
      })
    ],
    [
      "a listing paginated through its Link header (exposed by CORS)",
      Effect.gen(function*() {
        const c = yield* client()
        const pets = yield* ApiClient.paginate(c, HttpClientRequest.get("/list"), Schema.Array(Pet), {
          next: Pagination.link(),
          maxPages: 10
        }).pipe(Stream.runCollect)
        return yield* expect(Chunk.size(pets) === 6, `${Chunk.size(pets)} pets`)
      })
    ]
  ]
}

/** Runs every case, one after the other. */
export const run = (api: string, closed: string): Promise<ReadonlyArray<Verdict>> =>
  Effect.runPromise(
    Effect.forEach(cases(api, closed), ([name, effect]) =>
      Effect.map(
        Effect.either(
          Effect.catchAllDefect(effect, (defect) => Effect.fail(`defect: ${String(defect)}`)).pipe(
            // a case that hangs fails here, and the rest still run
            Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "did not finish within 10 s" })
          )
        ),
        (result): Verdict =>
          Either.isRight(result)
            ? { name, ok: true, detail: result.right }
            : { name, ok: false, detail: typeof result.left === "string" ? result.left : String(result.left) }
      )).pipe(Effect.provide(FetchHttpClient.layer))
  )

import { it } from "@effect/vitest"
import { ApiClient, ApiError } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Cause, Duration, Effect, Exit, Option, Schema } from "effect"
import { describe, expect } from "vitest"

const clientFor = (handler: MockHttpClient.Handler) =>
  ApiClient.make({ baseUrl: "https://api.example/v1", retry: false }).pipe(
    Effect.provide(MockHttpClient.layer(handler))
  )

const statusTable: ReadonlyArray<readonly [number, ApiError.Tag]> = [
  [400, "BadRequestError"],
  [401, "AuthenticationError"],
  [403, "PermissionDeniedError"],
  [404, "NotFoundError"],
  [405, "ClientError"],
  [408, "ClientError"],
  [409, "ConflictError"],
  [410, "ClientError"],
  [418, "ClientError"],
  [422, "UnprocessableEntityError"],
  [429, "RateLimitError"],
  [499, "ClientError"],
  [500, "ServerError"],
  [501, "ServerError"],
  [503, "ServerError"],
  [599, "ServerError"],
  [302, "UnexpectedStatusError"],
  [304, "UnexpectedStatusError"]
]

describe("ApiError", () => {
  for (const [status, tag] of statusTable) {
    it.effect(`${status} becomes ${tag}`, () =>
      Effect.gen(function*() {
        const client = yield* clientFor(() => ({
          status,
          body: status === 304 ? undefined : `{"error":"nope ${status}"}`,
          headers: { "x-request-id": "req_42", "set-cookie": "session=s3cr3t" }
        }))
        const error = yield* Effect.flip(client.get("/pets/1?token=s3cr3t&page=2"))
        expect(error._tag).toBe(tag)
        expect(ApiError.isApiError(error)).toBe(true)
        expect(ApiError.isStatusError(error)).toBe(true)
        if (!ApiError.isStatusError(error)) return
        expect(error.status).toBe(status)
        expect(error.attempts).toBe(1)
        expect(error.requestId).toEqual(Option.some("req_42"))
        expect(error.headers["set-cookie"]).toBe("<redacted>")
        expect(error.message).toContain(`GET https://api.example/v1/pets/1?token=<redacted>&page=2`)
        expect(error.message).toContain(String(status))
        expect(error.message).toContain("request id req_42")
        expect(error.message).not.toContain("s3cr3t")
        expect(JSON.stringify(error)).not.toContain("s3cr3t")
        if (status !== 304) expect(error.body).toBe(`{"error":"nope ${status}"}`)
      }))
  }

  it.effect("the error body is bounded", () =>
    Effect.gen(function*() {
      const client = yield* clientFor(() => ({ status: 500, body: "x".repeat(100_000) }))
      const error = yield* Effect.flip(client.get("/big"))
      expect(error._tag).toBe("ServerError")
      if (error._tag === "ServerError") expect(error.body.length).toBe(8 * 1024)
    }))

  it.effect("catchTag tells 404 from 403", () =>
    Effect.gen(function*() {
      const client = yield* clientFor(MockHttpClient.routes({ "/v1/pets/1": () => 403, "/v1/pets/2": () => 404 }))
      const handle = (path: string) =>
        client.get(path).pipe(
          Effect.as("found"),
          Effect.catchTags({
            NotFoundError: () => Effect.succeed("missing"),
            PermissionDeniedError: () => Effect.succeed("forbidden")
          })
        )
      expect(yield* handle("/pets/1")).toBe("forbidden")
      expect(yield* handle("/pets/2")).toBe("missing")
    }))

  it.effect("optional turns the named failures into None and keeps the others", () =>
    Effect.gen(function*() {
      const client = yield* clientFor(
        MockHttpClient.routes({
          "/v1/found": () => ({ json: { id: 1 } }),
          "/v1/missing": () => 404,
          "/v1/forbidden": () => 403
        })
      )
      const find = (path: string) =>
        client.get(path).pipe(Effect.flatMap((r) => Effect.orDie(r.json)), ApiError.optional("NotFoundError"))
      const findAny = (path: string) =>
        client.get(path).pipe(ApiError.optional("NotFoundError", "PermissionDeniedError"), Effect.map(Option.isSome))
      expect(yield* find("/found")).toEqual(Option.some({ id: 1 }))
      expect(yield* find("/missing")).toEqual(Option.none())
      const forbidden = yield* Effect.flip(client.get("/forbidden").pipe(ApiError.optional("NotFoundError")))
      expect(forbidden._tag).toBe("PermissionDeniedError")
      expect(yield* findAny("/forbidden")).toBe(false)
    }))

  it("isRetryable follows the table and x-should-retry", () => {
    const make = (status: number, headers: Record<string, string> = {}) =>
      ApiError.fromStatus({
        request: { method: "GET", url: "https://api.example/x" },
        attempts: 1,
        status,
        headers,
        body: "",
        requestId: Option.none(),
        retryAfter: Option.none()
      })
    for (const s of [408, 429, 500, 502, 503, 504]) expect(ApiError.isRetryable(make(s))).toBe(true)
    for (const s of [400, 401, 403, 404, 405, 407, 409, 422, 428, 501, 505, 302]) {
      expect(ApiError.isRetryable(make(s))).toBe(false)
    }
    expect(ApiError.isRetryable(make(400, { "x-should-retry": "true" }))).toBe(true)
    expect(ApiError.isRetryable(make(503, { "x-should-retry": "false" }))).toBe(false)
    const request = { method: "GET", url: "https://api.example/x" }
    expect(
      ApiError.isRetryable(
        new ApiError.TimeoutError({ request, attempts: 1, scope: "attempt", duration: Duration.seconds(1) })
      )
    ).toBe(true)
    expect(
      ApiError.isRetryable(
        new ApiError.TimeoutError({ request, attempts: 1, scope: "total", duration: Duration.seconds(1) })
      )
    ).toBe(false)
    expect(
      ApiError.isRetryable(
        new ApiError.ConnectionError({ request, attempts: 1, reason: "OriginNotAllowed", sent: false, detail: "" })
      )
    ).toBe(false)
  })

  it.effect("a transport fault is a ConnectionError that says whether it was sent", () =>
    Effect.gen(function*() {
      const refused = yield* Effect.flip(
        Effect.flatMap(clientFor(() => MockHttpClient.refused), (c) => c.get("/x"))
      )
      expect(refused).toMatchObject({ _tag: "ConnectionError", reason: "Refused", sent: false })
      const reset = yield* Effect.flip(Effect.flatMap(clientFor(() => MockHttpClient.reset), (c) => c.get("/x")))
      expect(reset).toMatchObject({ _tag: "ConnectionError", reason: "Reset", sent: true })
      expect(reset.message).toContain("GET https://api.example/v1/x failed")
    }))

  it.effect("every failure path ends in the typed channel as an ApiError, never as a defect", () =>
    Effect.gen(function*() {
      const paths: ReadonlyArray<
        readonly [string, MockHttpClient.Handler, (c: ApiClient.Client) => Effect.Effect<unknown, ApiError.ApiError>]
      > = [
        ["500", () => 500, (c) => c.get("/x")],
        ["404 decoded", () => 404, (c) => c.get("/x").pipe(ApiClient.json(Schema.Struct({ id: Schema.Number })))],
        ["refused", () => MockHttpClient.refused, (c) => c.get("/x")],
        ["reset", () => MockHttpClient.reset, (c) => c.post("/x")],
        ["dns", () => MockHttpClient.dns, (c) => c.get("/x")],
        ["invalid JSON", () => ({ body: "<html>" }), (c) => c.get("/x").pipe(ApiClient.json(Schema.Unknown))],
        [
          "schema mismatch",
          () => ({ json: { id: "one" } }),
          (c) => c.get("/x").pipe(ApiClient.json(Schema.Struct({ id: Schema.Number })))
        ],
        ["too large", () => ({ body: "x".repeat(64) }), (c) => ApiClient.withOptions(c, {}).get("/x")],
        ["another origin", () => 200, (c) => c.get("https://elsewhere.example/x")],
        ["bad URL", () => 200, (c) => c.get("http://[::1")]
      ]
      const outcomes: Array<string> = []
      for (const [name, handler, call] of paths) {
        const client = yield* ApiClient.make({ baseUrl: "https://api.example/v1", retry: false, maxResponseBytes: 32 })
          .pipe(Effect.provide(MockHttpClient.layer(handler)))
        const exit = yield* Effect.exit(call(client))
        const failure = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined
        outcomes.push(
          `${name}: ${ApiError.isApiError(failure) ? failure._tag : Exit.isSuccess(exit) ? "success" : "defect"}`
        )
      }
      expect(outcomes).toEqual([
        "500: ServerError",
        "404 decoded: NotFoundError",
        "refused: ConnectionError",
        "reset: ConnectionError",
        "dns: ConnectionError",
        "invalid JSON: DecodeError",
        "schema mismatch: DecodeError",
        "too large: DecodeError",
        "another origin: ConnectionError",
        "bad URL: ConnectionError"
      ])
    }))
})

import { it } from "@effect/vitest"
import { ApiClient, ApiError } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Cause, Duration, Effect, Exit, Layer, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { envProvider, joinNow, withEnv } from "./util.js"

class Pet extends Schema.Class<Pet>("Pet")({ id: Schema.Number, name: Schema.String }) {}

const withMock = <A, E>(
  handler: MockHttpClient.Handler,
  options: ApiClient.Options,
  f: (client: ApiClient.Client) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const client = yield* ApiClient.make(options)
    const result = yield* f(client)
    return { result, requests: yield* MockHttpClient.requests }
  }).pipe(Effect.provide(MockHttpClient.layer(handler)))

describe("ApiClient", () => {
  it.effect("resolves relative URLs against baseUrl and merges default headers", () =>
    Effect.gen(function*() {
      const { requests } = yield* withMock(
        () => 200,
        { baseUrl: "https://api.example/v1/", headers: { "User-Agent": "test/1", "x-env": "default" } },
        (client) =>
          Effect.all([
            client.get("/pets", { urlParams: { page: 2 } }),
            client.get("pets/1", { headers: { "x-env": "override" } }),
            client.get("")
          ])
      )
      expect(requests.map((r) => r.url)).toEqual([
        "https://api.example/v1/pets?page=2",
        "https://api.example/v1/pets/1",
        "https://api.example/v1"
      ])
      expect(requests[0].headers["user-agent"]).toBe("test/1")
      expect(requests[0].headers["x-env"]).toBe("default")
      expect(requests[1].headers["x-env"]).toBe("override")
    }))

  it.effect("refuses another origin unless allowOtherOrigins, and sends nothing", () =>
    Effect.gen(function*() {
      const { requests, result } = yield* withMock(
        () => 200,
        { baseUrl: "https://api.example", headers: { authorization: "Bearer s3cr3t" } },
        (client) => Effect.flip(client.get("https://evil.example/steal?token=abc"))
      )
      expect(result).toMatchObject({ _tag: "ConnectionError", reason: "OriginNotAllowed", sent: false })
      expect(result.message).toContain("https://evil.example/steal?token=<redacted>")
      expect(result.message).toContain("allowOtherOrigins")
      expect(ApiError.isRetryable(result)).toBe(false)
      expect(requests).toHaveLength(0)

      const allowed = yield* withMock(
        () => 200,
        { baseUrl: "https://api.example", allowOtherOrigins: true },
        (client) => client.get("https://other.example/x")
      )
      expect(allowed.requests.map((r) => r.url)).toEqual(["https://other.example/x"])
    }))

  it.effect("a relative URL without baseUrl, or a non-http URL, is an InvalidUrl error", () =>
    Effect.gen(function*() {
      const { result } = yield* withMock(() => 200, {}, (client) => Effect.flip(client.get("/pets")))
      expect(result).toMatchObject({ _tag: "ConnectionError", reason: "InvalidUrl", sent: false })
      const ftp = yield* withMock(() => 200, {}, (client) => Effect.flip(client.get("ftp://files.example/x")))
      expect(ftp.result).toMatchObject({ _tag: "ConnectionError", reason: "InvalidUrl" })
    }))

  it("invalid options are rejected with a clear message", () => {
    const http = MockHttpClient.make(() => 200).pipe(Effect.runSync).client
    expect(() => ApiClient.makeWith(http, { baseUrl: "/relative" })).toThrow(/baseUrl is not an absolute URL/)
    expect(() => ApiClient.makeWith(http, { timeout: { attempt: "0 millis" } })).toThrow(/timeout.attempt/)
    expect(() => ApiClient.makeWith(http, { retry: { times: -1 } })).toThrow(/retry.times/)
  })

  it("path encodes every interpolated value as one segment", () => {
    expect(ApiClient.path`/pets/${"../admin?x=1"}`).toBe("/pets/..%2Fadmin%3Fx%3D1")
    expect(ApiClient.path`/users/${"a b/c"}/pets/${42}`).toBe("/users/a%20b%2Fc/pets/42")
    expect(ApiClient.path`/search?q=${"a&b=c"}`).toBe("/search?q=a%26b%3Dc")
    expect(() => ApiClient.path`/pets/${".."}`).toThrow(TypeError)
    expect(() => ApiClient.path`/pets/${"."}/x`).toThrow(TypeError)
    expect(() => ApiClient.path`/pets/${""}`).toThrow(TypeError)
    expect(ApiClient.path`/pets/${"..x"}`).toBe("/pets/..x")
  })

  it.effect("a path value cannot leave its segment on the wire", () =>
    Effect.gen(function*() {
      const { requests } = yield* withMock(
        () => 200,
        { baseUrl: "https://api.example" },
        (client) => client.get(ApiClient.path`/pets/${"../admin?x=1"}`)
      )
      expect(requests[0].path).toBe("/pets/..%2Fadmin%3Fx%3D1")
      expect(requests[0].query.size).toBe(0)
    }))

  it.effect("json decodes with the schema", () =>
    Effect.gen(function*() {
      const { result } = yield* withMock(
        () => ({ json: { id: 1, name: "Rex" } }),
        { baseUrl: "https://api.example" },
        (client) => client.get("/pets/1").pipe(ApiClient.json(Pet))
      )
      expect(result).toEqual(new Pet({ id: 1, name: "Rex" }))
    }))

  it.effect("invalid JSON and schema mismatches are DecodeErrors with the issue and a bounded excerpt", () =>
    Effect.gen(function*() {
      const invalid = yield* withMock(
        () => ({ body: "<html>oops</html>" }),
        { baseUrl: "https://api.example" },
        (client) => Effect.flip(client.get("/pets/1").pipe(ApiClient.json(Pet)))
      )
      expect(invalid.result).toMatchObject({ _tag: "DecodeError", reason: "InvalidJson", body: "<html>oops</html>" })
      expect(invalid.result.message).toContain("GET https://api.example/pets/1")

      const mismatch = yield* withMock(
        () => ({ json: { id: "one", name: "Rex", filler: "y".repeat(20_000) } }),
        { baseUrl: "https://api.example" },
        (client) => Effect.flip(client.get("/pets/1").pipe(ApiClient.json(Pet)))
      )
      const error = mismatch.result
      expect(error._tag).toBe("DecodeError")
      if (error._tag !== "DecodeError") return
      expect(error.reason).toBe("SchemaMismatch")
      expect(Option.isSome(error.issue)).toBe(true)
      expect(error.detail).toContain("id")
      expect(error.body.length).toBe(8 * 1024)
      expect(error.message.length).toBeLessThan(2_000)
    }))

  it.effect("attempt timeout: a hanging request fails with TimeoutError(attempt) on the TestClock", () =>
    Effect.gen(function*() {
      const fiber = yield* withMock(
        () => MockHttpClient.hang,
        { baseUrl: "https://api.example", retry: false, timeout: { attempt: "2 seconds" } },
        (client) => Effect.flip(client.get("/slow"))
      ).pipe(Effect.forkChild)
      yield* TestClock.adjust("1999 millis")
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      const { result } = yield* joinNow(fiber)
      expect(result).toMatchObject({ _tag: "TimeoutError", scope: "attempt", attempts: 1 })
      expect(result.message).toContain("attempt timeout of 2s")
    }))

  it.effect("total deadline: a slow response past the deadline fails with TimeoutError(total)", () =>
    Effect.gen(function*() {
      const fiber = yield* withMock(
        () => ({ status: 200, delay: "20 seconds" }),
        { baseUrl: "https://api.example", timeout: { attempt: "10 seconds", total: "5 seconds" } },
        (client) => Effect.flip(client.get("/slow"))
      ).pipe(Effect.forkChild)
      yield* TestClock.adjust("5 seconds")
      const { requests, result } = yield* joinNow(fiber)
      expect(result).toMatchObject({ _tag: "TimeoutError", scope: "total" })
      expect(requests).toHaveLength(1)
    }))

  it.effect("makeConfig: every documented variable changes behaviour", () =>
    Effect.gen(function*() {
      const env = (entries: ReadonlyArray<readonly [string, string]>) =>
        envProvider([["PETSTORE_BASE_URL", "https://petstore.example/api"], ...entries], {
          pathDelim: "_"
        })
      const call = <A, E>(
        entries: ReadonlyArray<readonly [string, string]>,
        handler: MockHttpClient.Handler,
        f: (client: ApiClient.Client) => Effect.Effect<A, E>
      ) =>
        Effect.gen(function*() {
          const client = yield* ApiClient.makeConfig("PETSTORE")
          const fiber = yield* Effect.forkChild(Effect.exit(f(client)))
          // far past every limit below, and past any backoff
          for (let i = 0; i < 20; i++) yield* TestClock.adjust("10 seconds")
          const exit = yield* joinNow(fiber)
          return { exit, requests: yield* MockHttpClient.requests }
        }).pipe(Effect.provide(MockHttpClient.layer(handler)), withEnv(env(entries)))
      const error = <A, E>(exit: Exit.Exit<A, E>) =>
        Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

      // PETSTORE_BASE_URL: where requests go
      const base = yield* call([], () => 200, (c) => c.get("/pets"))
      expect(base.requests.map((r) => r.url)).toEqual(["https://petstore.example/api/pets"])
      // PETSTORE_TIMEOUT: the total deadline (the attempt timeout is longer)
      const total = yield* call(
        [["PETSTORE_TIMEOUT", "5 seconds"], ["PETSTORE_ATTEMPT_TIMEOUT", "60 seconds"]],
        () => MockHttpClient.hang,
        (c) => c.get("/slow")
      )
      expect(error(total.exit)).toMatchObject({ _tag: "TimeoutError", scope: "total" })
      expect(Duration.toMillis((error(total.exit) as ApiError.TimeoutError).duration)).toBe(5_000)
      // PETSTORE_ATTEMPT_TIMEOUT: one attempt's limit
      const attempt = yield* call(
        [["PETSTORE_ATTEMPT_TIMEOUT", "3 seconds"], ["PETSTORE_MAX_RETRIES", "0"]],
        () => MockHttpClient.hang,
        (c) => c.get("/slow")
      )
      expect(error(attempt.exit)).toMatchObject({ _tag: "TimeoutError", scope: "attempt" })
      expect(Duration.toMillis((error(attempt.exit) as ApiError.TimeoutError).duration)).toBe(3_000)
      // PETSTORE_MAX_RETRIES: 503 is retried that many times
      const retries = yield* call([["PETSTORE_MAX_RETRIES", "4"]], () => 503, (c) => c.get("/x"))
      expect(retries.requests).toHaveLength(5)
      const none = yield* call([["PETSTORE_MAX_RETRIES", "0"]], () => 503, (c) => c.get("/x"))
      expect(none.requests).toHaveLength(1)
      // PETSTORE_MAX_RESPONSE_BYTES: a larger body is a DecodeError (TooLarge)
      const large = yield* call([["PETSTORE_MAX_RESPONSE_BYTES", "10"]], () => ({ body: "x".repeat(11) }), (c) =>
        c.get("/x"))
      expect(error(large.exit)).toMatchObject({ _tag: "DecodeError", reason: "TooLarge" })
      const fits = yield* call([["PETSTORE_MAX_RESPONSE_BYTES", "11"]], () => ({ body: "x".repeat(11) }), (c) =>
        c.get("/x"))
      expect(Exit.isSuccess(fits.exit)).toBe(true)
    }))

  it.effect("a missing or invalid variable fails with a ConfigError that names it", () =>
    Effect.gen(function*() {
      const run = (env: ReadonlyArray<readonly [string, string]>) =>
        ApiClient.makeConfig("PETSTORE").pipe(
          Effect.provide(MockHttpClient.layer(() => 200)),
          withEnv(envProvider(env, { pathDelim: "_" })),
          Effect.flip,
          Effect.map(String)
        )
      expect(yield* run([])).toContain("PETSTORE_BASE_URL")
      expect(yield* run([["PETSTORE_BASE_URL", "not a url"]])).toContain("PETSTORE_BASE_URL")
      const badTimeout = yield* run([["PETSTORE_BASE_URL", "https://x.example"], ["PETSTORE_TIMEOUT", "soon"]])
      expect(badTimeout).toContain("PETSTORE_TIMEOUT")
      const badRetries = yield* run([["PETSTORE_BASE_URL", "https://x.example"], ["PETSTORE_MAX_RETRIES", "-1"]])
      expect(badRetries).toContain("PETSTORE_MAX_RETRIES")
    }))

  it.effect("bad values read through Config are ConfigErrors that name the variable, never defects", () =>
    Effect.gen(function*() {
      const run = (env: ReadonlyArray<readonly [string, string]>) =>
        ApiClient.makeConfig("PET").pipe(
          Effect.provide(MockHttpClient.layer(() => 200)),
          withEnv(
            envProvider([["PET_BASE_URL", "https://pets.example"], ...env], { pathDelim: "_" })
          ),
          Effect.exit,
          Effect.map((exit) =>
            Exit.isFailure(exit) && Option.isSome(Cause.findErrorOption(exit.cause))
              ? String(Option.getOrThrow(Cause.findErrorOption(exit.cause)))
              : `not a ConfigError: ${exit._tag}`
          )
        )
      expect(yield* run([["PET_TIMEOUT", "0 seconds"]])).toMatch(/PET_TIMEOUT.*positive duration/)
      expect(yield* run([["PET_ATTEMPT_TIMEOUT", "-5 seconds"]])).toMatch(/PET_ATTEMPT_TIMEOUT.*positive duration/)
      expect(yield* run([["PET_TIMEOUT", "30"]])).toMatch(/PET_TIMEOUT.*"30 seconds" or "30 millis"/)
      expect(yield* run([["PET_BASE_URL", "https://pets.example/api?key=1"]])).toMatch(
        /PET_BASE_URL.*without a query or fragment/
      )
    }))

  it.effect("layerConfig supplies the ApiClient tag", () =>
    Effect.gen(function*() {
      const client = yield* ApiClient.ApiClient
      yield* client.get("/pets")
      const requests = yield* MockHttpClient.requests
      expect(requests[0].url).toBe("https://petstore.example/pets")
    }).pipe(
      Effect.provide(
        ApiClient.layerConfig("PETSTORE").pipe(Layer.provideMerge(MockHttpClient.layer(() => 200)))
      ),
      withEnv(
        envProvider([["PETSTORE_BASE_URL", "https://petstore.example"]], { pathDelim: "_" })
      )
    ))
})

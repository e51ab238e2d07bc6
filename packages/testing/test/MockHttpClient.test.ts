import { it } from "@effect/vitest"
import { MockHttpClient } from "@steady/testing"
import { Effect, Fiber, Stream } from "effect"
import { HttpBody, HttpClient, HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"

describe("MockHttpClient", () => {
  it.effect("a sequence answers in order, then repeats its last reply", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const statuses: Array<number> = []
      for (let i = 0; i < 4; i++) statuses.push((yield* client.get("https://x.example/")).status)
      expect(statuses).toEqual([503, 503, 200, 200])
    }).pipe(Effect.provide(MockHttpClient.layer(MockHttpClient.sequence(503, 503, 200)))))

  it.effect("routes match method and path segments, and every request is recorded", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const pet = yield* client.get("https://x.example/pets/7?full=1", { headers: { "X-Trace": "t1" } })
      expect(yield* pet.json).toEqual({ id: "7" })
      expect((yield* client.post("https://x.example/pets")).status).toBe(201)
      expect((yield* client.del("https://x.example/pets/7")).status).toBe(404)
      const requests = yield* MockHttpClient.requests
      expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /pets/7", "POST /pets", "DELETE /pets/7"])
      expect(requests[0].query.get("full")).toBe("1")
      expect(requests[0].headers["x-trace"]).toBe("t1")
    }).pipe(
      Effect.provide(
        MockHttpClient.layer(
          MockHttpClient.routes({
            "GET /pets/:id": (req) => ({ json: { id: req.path.split("/")[2] } }),
            "POST /pets": () => 201
          })
        )
      )
    ))

  it.effect("faults fail with transport errors that carry the socket error code", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const error = yield* Effect.flip(client.get("https://x.example/"))
      // Effect 4: one HttpClientError, the transport failure in its reason
      expect(error._tag).toBe("HttpClientError")
      expect(error.reason._tag).toBe("TransportError")
      expect((error.reason.cause as { code?: string }).code).toBe("ECONNREFUSED")
    }).pipe(Effect.provide(MockHttpClient.layer(() => MockHttpClient.refused))))

  it.effect("a delay runs on the TestClock", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const fiber = yield* Effect.forkChild(client.get("https://x.example/"))
      yield* TestClock.adjust("999 millis")
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).status).toBe(200)
    }).pipe(Effect.provide(MockHttpClient.layer(() => ({ status: 200, delay: "1 second" })))))

  it.effect("a stream body is read as a server reads it: recorded once, up to 16 MiB", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const mib = new Uint8Array(1024 * 1024).fill(120) // "x"
      // 20 MiB offered: the mock stops reading at 16 MiB, as a server ends a read at its limit
      const big = HttpClientRequest.post("https://x.example/upload", {
        body: HttpBody.stream(Stream.make(...Array.from({ length: 20 }, () => mib)), "text/plain")
      })
      yield* client.execute(big)
      const small = HttpClientRequest.put("https://x.example/blob", {
        body: HttpBody.stream(Stream.make(new TextEncoder().encode("payload")), "text/plain")
      })
      yield* client.execute(small)
      const [upload, blob] = yield* MockHttpClient.requests
      expect(upload.body.length).toBe(16 * 1024 * 1024)
      expect(blob.body).toBe("payload")
    }).pipe(Effect.provide(MockHttpClient.layer(() => 200))))
})

import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { it } from "@effect/vitest"
import { MockHttpClient } from "@steady/testing-effect3"
import { Context, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import { describe, expect, it as test } from "vitest"

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
      expect(error._tag).toBe("RequestError")
      expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED")
    }).pipe(Effect.provide(MockHttpClient.layer(() => MockHttpClient.refused))))

  it.effect("a delay runs on the TestClock", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const fiber = yield* Effect.fork(client.get("https://x.example/"))
      yield* TestClock.adjust("999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).status).toBe(200)
    }).pipe(Effect.provide(MockHttpClient.layer(() => ({ status: 200, delay: "1 second" })))))
})

describe("a recorder the test keeps (issue 30)", () => {
  /** A service of the application's, built on the HttpClient in context. */
  class Pets extends Context.Tag("Pets")<Pets, HttpClient.HttpClient>() {}
  const PetsLive = Layer.effect(Pets, HttpClient.HttpClient)
  const recorder = MockHttpClient.recorder()
  // Layer.provide: the mock's MockHttpClient service stays inside PetsLive
  const PetsTest = PetsLive.pipe(Layer.provide(MockHttpClient.layer(() => 200, { recorder })))

  const get = (path: string) =>
    Effect.gen(function*() {
      const pets = yield* Pets
      yield* pets.get(`https://pets.example${path}`)
      return (yield* recorder.requests).map((r) => r.path)
    })

  it.effect("sees the requests of a mock provided into a service with Layer.provide", () =>
    Effect.gen(function*() {
      yield* get("/a")
      expect(yield* get("/b")).toEqual(["/a", "/b"])
    }).pipe(Effect.provide(PetsTest)))

  it.effect("each build of the layer starts it empty, as the mock's own recorder does", () =>
    Effect.gen(function*() {
      expect(yield* get("/c").pipe(Effect.provide(PetsTest))).toEqual(["/c"])
      expect(yield* get("/d").pipe(Effect.provide(PetsTest))).toEqual(["/d"])
    }))

  it.effect("is the MockHttpClient service's recorder when that is in context too", () =>
    Effect.gen(function*() {
      yield* get("/e")
      expect(yield* MockHttpClient.requests).toEqual(yield* recorder.requests)
      yield* recorder.clear
      expect(yield* MockHttpClient.requests).toEqual([])
    }).pipe(Effect.provide(PetsLive.pipe(Layer.provideMerge(MockHttpClient.layer(() => 200, { recorder }))))))

  test("a recorder not made by recorder() is refused when the layer is made", () => {
    const forged = { requests: Effect.succeed([]), clear: Effect.void }
    expect(() => MockHttpClient.layer(() => 200, { recorder: forged })).toThrow(
      "MockHttpClient: options.recorder must come from MockHttpClient.recorder()"
    )
  })
})

describe("stream bodies, each decoded on its own", () => {
  it.effect("a character cut at the end of one body never runs into the next body", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const body = (...chunks: Array<Array<number>>) =>
        HttpBody.stream(Stream.fromIterable(chunks.map((c) => new Uint8Array(c))), "text/plain")
      // the first byte of "é" (0xC3 0xA9), and no more
      yield* client.execute(
        HttpClientRequest.post("https://x.example/a").pipe(HttpClientRequest.setBody(body([0x61, 0xc3])))
      )
      yield* client.execute(
        HttpClientRequest.post("https://x.example/b").pipe(HttpClientRequest.setBody(body([0x6f, 0x6b])))
      )
      // "é" split across two chunks of one body is one character
      yield* client.execute(
        HttpClientRequest.post("https://x.example/c").pipe(HttpClientRequest.setBody(body([0xc3], [0xa9])))
      )
      expect((yield* MockHttpClient.requests).map((r) => r.body)).toEqual(["a\uFFFD", "ok", "é"])
    }).pipe(Effect.provide(MockHttpClient.layer(() => 200))))
})

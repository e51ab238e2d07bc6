import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Effect, Stream } from "effect"
import { HttpBody, HttpClientRequest } from "effect/http"
import * as Crypto from "node:crypto"
import type * as Http from "node:http"
import * as Undici from "undici"
import { describe, expect } from "vitest"

const fileBytes = Crypto.randomBytes(100_000)
// past 1 MiB a Blob is streamed from its source instead of read whole first
const bigBytes = Crypto.randomBytes(3 * 1024 * 1024 + 17)

/** Parses a multipart body as the server got it, with the platform's own parser. */
const parseForm = (received: TestServer.ReceivedRequest) =>
  Effect.promise(() =>
    new Response(received.bytes as unknown as BodyInit, {
      headers: { "content-type": received.headers["content-type"] }
    }).formData()
  )

const ok = (_: TestServer.ReceivedRequest, res: Http.ServerResponse) => TestServer.json(res, 200, { ok: true })

/** fetch sends `sec-fetch-mode`; undici's dispatcher (the pool's fast path) does not. */
const viaFastPath = (received: TestServer.ReceivedRequest) => received.headers["sec-fetch-mode"] === undefined

describe("uploads on the pool's fast path", () => {
  for (
    const [name, make] of [
      ["the global FormData", () => new FormData()],
      ["undici's FormData", () => new Undici.FormData() as unknown as FormData]
    ] as const
  ) {
    it.live(`multipart with ${name}: fields and a file arrive byte for byte`, () =>
      Effect.gen(function*() {
        const server = yield* TestServer.make(ok)
        const client = yield* ApiClient.make({ baseUrl: server.url })
        const form = make()
        form.append("title", "März report")
        form.append("file", new File([fileBytes], "report.bin", { type: "application/octet-stream" }))
        yield* client.post("/upload", { body: HttpBody.formData(form) })
        const received = server.requests[0]
        expect(received.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
        expect(Number(received.headers["content-length"])).toBe(received.bytes.byteLength)
        expect(viaFastPath(received)).toBe(true)
        const parsed = yield* parseForm(received)
        expect(parsed.get("title")).toBe("März report")
        const file = parsed.get("file") as File
        expect(file.name).toBe("report.bin")
        expect(Buffer.from(yield* Effect.promise(() => file.arrayBuffer())).equals(fileBytes)).toBe(true)
      }).pipe(Effect.provide(ConnectionPool.layer())))
  }

  it.live("Blob, URLSearchParams, bytes, a ReadableStream and an Effect Stream arrive as sent", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make(ok)
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const bodies: ReadonlyArray<readonly [string, HttpBody.HttpBody, Uint8Array, string | undefined]> = [
        ["blob", HttpBody.raw(new Blob([fileBytes], { type: "image/png" })), fileBytes, "image/png"],
        ["big-blob", HttpBody.raw(new Blob([bigBytes], { type: "video/mp4" })), bigBytes, "video/mp4"],
        [
          "urlparams",
          HttpBody.raw(new URLSearchParams({ q: "a&b", n: "1" })),
          Buffer.from("q=a%26b&n=1"),
          "application/x-www-form-urlencoded;charset=UTF-8"
        ],
        ["bytes", HttpBody.uint8Array(fileBytes), fileBytes, "application/octet-stream"],
        [
          "readable",
          HttpBody.raw(
            new ReadableStream({
              start(c) {
                c.enqueue(fileBytes.subarray(0, 50_000))
                c.enqueue(fileBytes.subarray(50_000))
                c.close()
              }
            })
          ),
          fileBytes,
          undefined
        ],
        [
          "effect-stream",
          HttpBody.stream(
            Stream.fromIterable([fileBytes.subarray(0, 1000), fileBytes.subarray(1000)]),
            "application/octet-stream",
            fileBytes.byteLength
          ),
          fileBytes,
          "application/octet-stream"
        ]
      ]
      for (const [name, body] of bodies) yield* client.put(`/${name}`, { body })
      expect(server.requests.map((r) => r.path)).toEqual(bodies.map(([name]) => `/${name}`))
      bodies.forEach(([, , bytes, type], i) => {
        const received = server.requests[i]
        expect(Buffer.from(received.bytes).equals(Buffer.from(bytes))).toBe(true)
        if (type !== undefined) expect(received.headers["content-type"]).toBe(type)
        if (type !== undefined) expect(received.headers["content-length"]).toBe(String(bytes.byteLength))
        expect(viaFastPath(received)).toBe(true)
      })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  for (
    const [name, body] of [
      ["an Effect Stream", () => HttpBody.stream(Stream.make(new Uint8Array(2000).fill(1)))],
      [
        "a ReadableStream",
        () =>
          HttpBody.raw(
            new ReadableStream({
              start(c) {
                c.enqueue(new Uint8Array(2000).fill(1))
                c.close()
              }
            })
          )
      ]
    ] as const
  ) {
    it.live(`a PUT whose body is ${name} is never sent twice: the first failure is the error`, () =>
      Effect.gen(function*() {
        // the server reads the body, then drops the connection without answering
        const server = yield* TestServer.make((_, res) => res.socket?.destroy())
        const client = yield* ApiClient.make({ baseUrl: server.url, retry: { base: "1 millis", cap: "1 millis" } })
        const error = yield* Effect.flip(client.execute(
          HttpClientRequest.put("/blob").pipe(
            HttpClientRequest.setBody(body())
          )
        ))
        expect(error).toMatchObject({ _tag: "ConnectionError", sent: true, attempts: 1 })
        expect(error.message).toMatch(/not retried: the body is a stream that may be readable only once/)
        expect(server.requests.map((r) => r.bytes.byteLength)).toEqual([2000])
      }).pipe(Effect.provide(ConnectionPool.layer())))
  }

  it.live("a replayable body (bytes, a FormData, a large Blob) is retried, and the retry carries the same bytes", () =>
    Effect.gen(function*() {
      let n = 0
      const server = yield* TestServer.make((_, res) => {
        if (++n % 2 === 1) return void res.socket?.destroy()
        TestServer.json(res, 200, { ok: true })
      })
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: { base: "1 millis", cap: "1 millis" } })
      yield* client.put("/bytes", { body: HttpBody.uint8Array(fileBytes) })
      const form = new FormData()
      form.append("file", new Blob([fileBytes]), "f.bin")
      yield* client.post("/form", { body: HttpBody.formData(form), headers: { "idempotency-key": "k1" } })
      yield* client.put("/big-blob", { body: HttpBody.raw(new Blob([bigBytes])) })
      const [a, b, c, d, e, f] = server.requests
      expect([a.path, b.path, c.path, d.path, e.path, f.path])
        .toEqual(["/bytes", "/bytes", "/form", "/form", "/big-blob", "/big-blob"])
      expect(Buffer.from(f.bytes).equals(bigBytes)).toBe(true)
      expect(Buffer.from(b.bytes).equals(fileBytes)).toBe(true)
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true)
      // the same parts, though each attempt has its own boundary
      const first = yield* parseForm(c)
      const second = yield* parseForm(d)
      const bytesOf = (f: FormData) => Effect.promise(() => (f.get("file") as File).arrayBuffer())
      expect(Buffer.from(yield* bytesOf(second)).equals(fileBytes)).toBe(true)
      expect(Buffer.from(yield* bytesOf(first)).equals(fileBytes)).toBe(true)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Duration, Effect, Exit, Fiber, Stream } from "effect"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import * as Crypto from "node:crypto"
import type * as Http from "node:http"
import * as Zlib from "node:zlib"
import { describe, expect } from "vitest"
import { pendingSleeps } from "./util.js"

/** The two live transports: the pool's fast path, and the generic one over fetch. */
const transports = [
  {
    name: "pool (undici)",
    layer: ConnectionPool.layer(),
    client: (options: ApiClient.Options) => ApiClient.make(options)
  },
  {
    name: "generic (fetch)",
    layer: FetchHttpClient.layer,
    client: (options: ApiClient.Options) =>
      Effect.map(HttpClient.HttpClient, (http) => ApiClient.makeWith(http, options))
  }
] as const

/** Fails fast, with a message, where a bug would otherwise hang until vitest's timeout. */
const within = (seconds: number, what: string) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.timeoutOrElse(self, {
    duration: Duration.seconds(seconds),
    orElse: () => Effect.fail(new Error(`${what}: no outcome within ${seconds} s`))
  })

/** Deterministic bytes: `size` of them, from a seed. */
const bytesOf = (size: number) => {
  const out = Buffer.alloc(size)
  for (let i = 0; i < size; i += 32) Crypto.createHash("sha256").update(String(i)).digest().copy(out, i)
  return out
}

const sha = (chunks: Iterable<Uint8Array>) => {
  const hash = Crypto.createHash("sha256")
  for (const c of chunks) hash.update(c)
  return hash.digest("hex")
}

/** Writes `body` in pieces of `piece` bytes, respecting the socket's backpressure. */
const writeAll = (res: Http.ServerResponse, body: Buffer, piece = 64 * 1024) => {
  let at = 0
  const pump = () => {
    while (at < body.length) {
      const ok = res.write(body.subarray(at, at + piece))
      at += piece
      if (!ok) return void res.once("drain", pump)
    }
    res.end()
  }
  pump()
}

describe("ApiClient.stream", () => {
  for (const transport of transports) {
    describe(transport.name, () => {
      it.live("streams a body 8× larger than maxResponseBytes, byte for byte", () =>
        Effect.gen(function*() {
          const body = bytesOf(8 * 1024 * 1024)
          const server = yield* TestServer.make((_, res) => {
            res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length })
            writeAll(res, body)
          })
          const client = yield* transport.client({ baseUrl: server.url, maxResponseBytes: 1024 * 1024 })
          // read whole, it is too large
          expect(yield* Effect.flip(client.get("/big"))).toMatchObject({ _tag: "DecodeError", reason: "TooLarge" })
          const chunks = yield* client.get("/big").pipe(ApiClient.stream, Stream.runCollect, within(20, "the download"))
          expect(chunks.length).toBeGreaterThan(1)
          expect(sha(chunks)).toBe(sha([body]))
        }).pipe(Effect.provide(transport.layer)))

      it.live("a non-2xx is its typed error, and a 503 is retried before the body streams", () =>
        Effect.gen(function*() {
          let n = 0
          const server = yield* TestServer.make((req, res) => {
            n++
            if (req.path === "/missing") return TestServer.json(res, 404, { error: "no" })
            if (n === 2) return TestServer.json(res, 503, { error: "busy" })
            res.writeHead(200, { "content-type": "text/plain" })
            res.end("hello, streamed")
          })
          const client = yield* transport.client({ baseUrl: server.url, retry: { base: "1 millis", cap: "1 millis" } })
          const missing = yield* Effect.flip(
            client.get("/missing").pipe(ApiClient.stream, Stream.runDrain, within(10, "the stream"))
          )
          expect(missing).toMatchObject({ _tag: "NotFoundError", status: 404 })
          const text = yield* client.get("/text").pipe(
            ApiClient.stream,
            Stream.decodeText(),
            Stream.mkString,
            within(10, "the stream")
          )
          expect(text).toBe("hello, streamed")
          expect(server.requests.map((r) => r.path)).toEqual(["/missing", "/text", "/text"])
        }).pipe(Effect.provide(transport.layer)))

      it.live("a body that breaks before its first byte is fetched again (GET), not an unkeyed POST", () =>
        Effect.gen(function*() {
          let n = 0
          const server = yield* TestServer.make((req, res) => {
            // every first request of a path: the headers, then the connection drops
            if (++n % 2 === 1) {
              res.writeHead(200, { "content-type": "text/plain" })
              res.flushHeaders()
              return void setImmediate(() => res.socket?.destroy())
            }
            res.writeHead(200, { "content-type": "text/plain" })
            res.end(`whole body of ${req.method}`)
          })
          const client = yield* transport.client({ baseUrl: server.url, retry: { base: "1 millis", cap: "1 millis" } })
          const text = yield* client.get("/again").pipe(
            ApiClient.stream,
            Stream.decodeText(),
            Stream.mkString,
            within(10, "the stream")
          )
          expect(text).toBe("whole body of GET")
          expect(server.requests.map((r) => r.method)).toEqual(["GET", "GET"])
          const error = yield* client.post("/once").pipe(
            ApiClient.stream,
            Stream.runDrain,
            within(10, "the stream"),
            Effect.flip
          )
          expect(error).toMatchObject({ _tag: "ConnectionError", sent: true })
          expect(server.requests.map((r) => r.method)).toEqual(["GET", "GET", "POST"])
        }).pipe(Effect.provide(transport.layer)))

      it.live("interrupting the stream early aborts the request: the server sees it closed", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make((_, res) => {
            res.writeHead(200, { "content-type": "application/octet-stream" })
            // an endless body, written as fast as the client takes it
            const pump = () => {
              while (res.write(Buffer.alloc(16 * 1024, 1))) { /* keep writing */ }
              res.once("drain", pump)
            }
            pump()
          })
          const client = yield* transport.client({ baseUrl: server.url })
          const first = yield* client.get("/endless").pipe(
            ApiClient.stream,
            Stream.take(3),
            Stream.runCollect,
            within(10, "the stream")
          )
          expect(first.length).toBe(3)
          expect(
            yield* Effect.promise(() => server.waitUntil((s) => s.abortedRequests === 1, 5_000)),
            "the server saw the request aborted within 5 s"
          ).toBe(true)
        }).pipe(Effect.provide(transport.layer)))

      it.live("a stalled body is cut by the idle timeout, and its connection closed", () =>
        Effect.gen(function*() {
          const server = yield* TestServer.make((_, res) => {
            res.writeHead(200, { "content-type": "text/plain" })
            res.write("first chunk") // then nothing, ever
          })
          const client = yield* transport.client({ baseUrl: server.url, timeout: { idle: "200 millis" } })
          const exit = yield* client.get("/stall").pipe(
            ApiClient.stream,
            Stream.runCollect,
            Effect.exit,
            within(5, "the idle timeout (200 ms) did not cut the stalled body")
          )
          expect(exit).toMatchObject({ _tag: "Failure" })
          const error = Exit.isFailure(exit) ? exit.cause : undefined
          expect(JSON.stringify(error)).toContain("\"scope\":\"idle\"")
          expect(
            yield* Effect.promise(() => server.waitUntil((s) => s.abortedRequests === 1, 5_000)),
            "the server saw the request aborted within 5 s"
          ).toBe(true)
        }).pipe(Effect.provide(transport.layer)))
    })
  }

  it.live("backpressure reaches the socket: a caller that stops reading stops the server", () =>
    Effect.gen(function*() {
      const total = 64 * 1024 * 1024
      let written = 0
      let blocked = false
      let finished = false
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": total })
        const piece = Buffer.alloc(64 * 1024, 7)
        const pump = () => {
          blocked = false
          while (written < total) {
            written += piece.length
            if (!res.write(piece)) {
              blocked = true
              return void res.once("drain", pump)
            }
          }
          finished = true
          res.end()
        }
        pump()
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const pulled = yield* Effect.scoped(Effect.gen(function*() {
        const pull = yield* Stream.toPull(client.get("/firehose").pipe(ApiClient.stream))
        const first = yield* pull
        // the caller holds on: the server must block, long before the whole body is written
        expect(yield* Effect.promise(() => server.waitUntil(() => blocked, 5_000)), "the server's writes block").toBe(
          true
        )
        expect(
          yield* Effect.promise(() => server.waitUntil(() => finished, 500)),
          "the server wrote the whole body to a caller that does not read"
        ).toBe(false)
        expect(written).toBeLessThan(total / 2)
        let bytes = first.reduce((n, c) => n + c.byteLength, 0)
        // then it reads on, and the rest arrives
        while (bytes < total) bytes += (yield* pull).reduce((n, c) => n + c.byteLength, 0)
        return bytes
      })).pipe(within(20, "the body"))
      expect(pulled).toBe(total)
      expect(finished).toBe(true)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a gzip body is decompressed as it streams (pool)", () =>
    Effect.gen(function*() {
      const body = bytesOf(3 * 1024 * 1024)
      const gz = Zlib.gzipSync(body)
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-encoding": "gzip" })
        writeAll(res, gz, 1000)
      })
      const client = yield* ApiClient.make({ baseUrl: server.url, maxResponseBytes: 1024 })
      const chunks = yield* client.get("/gz").pipe(ApiClient.stream, Stream.runCollect, within(20, "the download"))
      expect(sha(chunks)).toBe(sha([body]))
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.effect("the idle timeout runs on the call's clock (TestClock), on the generic transport", () =>
    Effect.gen(function*() {
      // a body that brings one chunk, then nothing
      const http = HttpClient.make((request) =>
        Effect.succeed(HttpClientResponse.fromWeb(
          request,
          new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("one")) }))
        ))
      )
      const client = ApiClient.makeWith(http, { baseUrl: "https://api.example", timeout: { idle: "30 seconds" } })
      const fiber = yield* client.get("/feed").pipe(ApiClient.stream, Stream.runCollect, Effect.forkChild)
      // Effect 4: the forked read reaches its idle timer only after the body's first chunk (a
      // promise away): wait for the timer (bounded) before moving the clock
      for (let i = 0; i < 1000 && !(yield* pendingSleeps).includes(30_000); i++) {
        yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      }
      yield* TestClock.adjust("29 seconds")
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 seconds")
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "TimeoutError", scope: "idle" })
      expect(error.message).toMatch(/idle timeout between chunks of 30s/)
    }))
})

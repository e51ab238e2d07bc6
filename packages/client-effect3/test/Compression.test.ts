import { FetchHttpClient, HttpClient } from "@effect/platform"
import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client-effect3"
import { TestServer } from "@steady/testing-effect3"
import { Chunk, Duration, Effect, Schema, Stream } from "effect"
import * as Zlib from "node:zlib"
import type * as Undici from "undici"
import { describe, expect } from "vitest"
import * as undiciTransport from "../src/internal/undiciTransport.js"

/** Fails fast, with a message, where a bug would otherwise hang until vitest's timeout. */
const within = (seconds: number, what: string) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(self, {
    duration: Duration.seconds(seconds),
    onTimeout: () => new Error(`${what}: no outcome within ${seconds} s`)
  })

/** Raw binary in a message: a control character (but tab, CR, LF) or an undecodable byte. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const binary = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffd]/

const Pets = Schema.Array(Schema.Struct({ id: Schema.Number, name: Schema.String }))
const pets = Array.from({ length: 200 }, (_, i) => ({ id: i, name: `pet ${i}` }))
const json = Buffer.from(JSON.stringify(pets))

/** zlib's zstd, where the runtime has it (Node 22.15 or later; Node 20's has none), typed for both. */
const zstdZlib = Zlib as unknown as {
  readonly zstdCompressSync?: (bytes: Buffer, options?: { readonly params: Record<number, number> }) => Buffer
  readonly constants: { readonly ZSTD_c_checksumFlag?: number; readonly ZSTD_c_windowLog?: number }
}
const zlibHasZstd = zstdZlib.zstdCompressSync !== undefined
/** `bytes` as a zstd frame, with a checksum when asked, its window `2^windowLog` when given. */
const zstd = (bytes: Buffer, options: { readonly checksum?: boolean; readonly windowLog?: number } = {}): Buffer => {
  const params: Record<number, number> = {}
  if (options.checksum === true) params[zstdZlib.constants.ZSTD_c_checksumFlag!] = 1
  if (options.windowLog !== undefined) params[zstdZlib.constants.ZSTD_c_windowLog!] = options.windowLog
  return zstdZlib.zstdCompressSync!(bytes, { params })
}

const encoders: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => Zlib.gzipSync(b),
  deflate: (b) => Zlib.deflateSync(b),
  br: (b) => Zlib.brotliCompressSync(b)
}

/** A server that answers with `body` coded as `coding`, whatever it was asked. */
const coded = (coding: string, body: Buffer, status = 200) =>
  TestServer.make((_, res) => {
    const out = encoders[coding] === undefined ? body : encoders[coding](body)
    res.writeHead(status, {
      "content-type": "application/json",
      "content-encoding": coding,
      "content-length": out.length
    })
    res.end(out)
  })

describe("compression on the pool's fast path", () => {
  for (const coding of ["gzip", "deflate", "br"]) {
    it.scopedLive(`asks for it, and decodes a ${coding} body`, () =>
      Effect.gen(function*() {
        const server = yield* coded(coding, json)
        const client = yield* ApiClient.make({ baseUrl: server.url })
        const response = yield* client.get("/pets")
        expect(yield* ApiClient.json(Pets)(Effect.succeed(response))).toEqual(pets)
        expect(response.headers["content-encoding"]).toBeUndefined()
        expect(server.requests[0].headers["accept-encoding"]).toBe("gzip, deflate, br")
      }).pipe(Effect.provide(ConnectionPool.layer())))
  }

  it.scopedLive("deflate as raw DEFLATE data (no zlib header), as some servers send it, is decoded too", () =>
    Effect.gen(function*() {
      const raw = Zlib.deflateRawSync(json)
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "deflate" })
        // a byte at a time at first: the format is told from the first two bytes
        res.write(raw.subarray(0, 1))
        setImmediate(() => res.end(raw.subarray(1)))
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      expect(yield* client.get("/pets").pipe(ApiClient.json(Pets))).toEqual(pets)
      const streamed = yield* client.get("/pets").pipe(ApiClient.stream, Stream.decodeText(), Stream.mkString)
      expect(JSON.parse(streamed)).toEqual(pets)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("a compressed answer nobody asked for is decoded too; the caller's own Accept-Encoding is kept", () =>
    Effect.gen(function*() {
      const server = yield* coded("gzip", json)
      const client = yield* ApiClient.make({ baseUrl: server.url, headers: { "accept-encoding": "identity" } })
      expect(yield* client.get("/pets").pipe(ApiClient.json(Pets))).toEqual(pets)
      expect(server.requests[0].headers["accept-encoding"]).toBe("identity")
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("a gzip bomb fails with TooLarge, bounded by maxResponseBytes after inflation", () =>
    Effect.gen(function*() {
      // 64 MiB of zeros, about 64 KiB compressed
      const bomb = Buffer.alloc(64 * 1024 * 1024)
      const server = yield* coded("gzip", bomb)
      const client = yield* ApiClient.make({ baseUrl: server.url, maxResponseBytes: 1024 * 1024 })
      const error = yield* Effect.flip(client.get("/bomb"))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", status: 200 })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("an error's compressed body is readable in the error", () =>
    Effect.gen(function*() {
      const server = yield* coded("gzip", Buffer.from(JSON.stringify({ error: "down for maintenance" })), 503)
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: false })
      const error = yield* Effect.flip(client.get("/x"))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503 })
      expect((error as { body: string }).body).toContain("down for maintenance")
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("a body that does not decompress is a DecodeError (Read), not retried", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
        res.end("this is not gzip")
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const error = yield* Effect.flip(client.get("/x"))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "Read" })
      expect(server.requests).toHaveLength(1)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("compression: false asks for nothing and hands the body over as received", () =>
    Effect.gen(function*() {
      const server = yield* coded("gzip", json)
      const client = yield* ApiClient.make({ baseUrl: server.url, compression: false })
      const response = yield* client.get("/pets")
      expect(server.requests[0].headers["accept-encoding"]).toBeUndefined()
      expect(response.headers["content-encoding"]).toBe("gzip")
      const bytes = new Uint8Array(yield* response.arrayBuffer)
      expect(JSON.parse(Zlib.gunzipSync(bytes).toString())).toEqual(pets)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

/** A text of 200 KB that compresses well, and `bytes` cut to half their length. */
const big = Buffer.from(JSON.stringify(Array.from({ length: 4000 }, (_, i) => `item ${i} ${"x".repeat(i % 40)}`)))
const half = (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))
/** `bytes` with the byte at `at` (from the end when negative) changed. */
const flipped = (bytes: Buffer, at: number) => {
  const out = Buffer.from(bytes)
  out[at < 0 ? out.length + at : at] ^= 0xff
  return out
}

/**
 * A server that answers `/<name>` with the body and coding of `bodies[name]`, and a
 * Content-Length that matches what it sends (a cut body looks whole to HTTP).
 */
const serving = (
  bodies: Readonly<Record<string, { readonly coding: string; readonly bytes: Buffer; readonly status?: number }>>
) =>
  TestServer.make((req, res) => {
    const { bytes, coding, status } = bodies[req.path.slice(1)]
    res.writeHead(status ?? 200, {
      "content-type": "application/json",
      "content-encoding": coding,
      "content-length": bytes.length
    })
    res.end(bytes)
  })

const gzipped = Zlib.gzipSync(big)
const incomplete = {
  "gzip cut short": { coding: "gzip", bytes: half(gzipped) },
  "gzip without its trailer": { coding: "gzip", bytes: gzipped.subarray(0, -8) },
  "gzip with a bad CRC": { coding: "gzip", bytes: flipped(gzipped, -8) },
  "gzip with a bad ISIZE": { coding: "gzip", bytes: flipped(gzipped, -4) },
  "deflate (zlib) cut short": { coding: "deflate", bytes: half(Zlib.deflateSync(big)) },
  "deflate (raw) cut short": { coding: "deflate", bytes: half(Zlib.deflateRawSync(big)) },
  "br cut short": { coding: "br", bytes: half(Zlib.brotliCompressSync(big)) },
  "gzip, br with its br cut short": { coding: "gzip, br", bytes: half(Zlib.brotliCompressSync(gzipped)) }
} as const

/**
 * zlib's zstd decoder ends without an error on a body cut short (with what it could decode):
 * the pool checks the frames itself.
 */
const zstdIncomplete = () => {
  const plain = zstd(big)
  const summed = zstd(big, { checksum: true })
  return {
    "zstd cut short": { coding: "zstd", bytes: half(plain) },
    "zstd cut in its frame header": { coding: "zstd", bytes: plain.subarray(0, 5) },
    "zstd without the end of its checksum": { coding: "zstd", bytes: summed.subarray(0, -2) },
    "zstd with a bad checksum": { coding: "zstd", bytes: flipped(summed, -1) },
    "zstd, then bytes that are not a frame": { coding: "zstd", bytes: Buffer.concat([plain, Buffer.from("junk")]) },
    // a window of 16 MiB, past the 8 MiB the pool allows (RFC 9659)
    "zstd asking for a window over 8 MiB": {
      coding: "zstd",
      bytes: zstd(Buffer.alloc(9 * 1024 * 1024), { windowLog: 24 })
    },
    "gzip, zstd with its zstd cut short": { coding: "gzip, zstd", bytes: half(zstd(gzipped)) },
    // each frame costs a round trip to zlib: 9 bytes each, 1,001 of them are past the bound
    "zstd of 1,001 empty frames": { coding: "zstd", bytes: Buffer.concat(Array(1001).fill(zstd(Buffer.alloc(0)))) }
  } as const
}

describe("an incomplete or corrupt compressed body is never a success (pool)", () => {
  for (const [name, body] of Object.entries({ ...incomplete, ...(zlibHasZstd ? zstdIncomplete() : {}) })) {
    it.scopedLive(`${name}: DecodeError (Read), read whole and streamed, not retried`, () =>
      Effect.gen(function*() {
        const server = yield* serving({ body })
        const client = yield* ApiClient.make({ baseUrl: server.url })
        const whole = yield* Effect.flip(client.get("/body").pipe(within(10, "the call")))
        expect(whole).toMatchObject({ _tag: "DecodeError", reason: "Read", status: 200 })
        expect(whole.message).toMatch(/body could not be decoded/)
        expect(whole.message).not.toMatch(binary)
        const streamed = yield* client.get("/body").pipe(
          ApiClient.stream,
          Stream.runDrain,
          within(10, "the stream"),
          Effect.flip
        )
        expect(streamed).toMatchObject({ _tag: "DecodeError", reason: "Read", status: 200 })
        expect(server.requests).toHaveLength(2)
      }).pipe(Effect.provide(ConnectionPool.layer())))
  }

  it.scopedLive("an error's cut compressed body keeps its status, with what could be decoded", () =>
    Effect.gen(function*() {
      const server = yield* serving({ busy: { coding: "gzip", bytes: half(gzipped), status: 503 } })
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: false })
      const error = yield* Effect.flip(client.get("/busy").pipe(within(10, "the call")))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503 })
      expect((error as { body: string }).body).toMatch(/^\["item 0 ","item 1 x"/)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("an empty body is empty, whatever Content-Encoding it names", () =>
    Effect.gen(function*() {
      const server = yield* serving({ empty: { coding: "gzip", bytes: Buffer.alloc(0) } })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const response = yield* client.get("/empty").pipe(within(10, "the call"))
      expect(yield* response.text).toBe("")
      const streamed = yield* client.get("/empty").pipe(ApiClient.stream, Stream.runCollect, within(10, "the stream"))
      expect(Chunk.size(streamed)).toBe(0)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("generic transport (fetch): a body fetch could not decode is a DecodeError (Read), not retried", () =>
    Effect.gen(function*() {
      const server = yield* serving({ crc: incomplete["gzip with a bad CRC"] })
      const client = ApiClient.makeWith(yield* HttpClient.HttpClient, { baseUrl: server.url })
      const whole = yield* Effect.flip(client.get("/crc").pipe(within(10, "the call")))
      expect(whole).toMatchObject({ _tag: "DecodeError", reason: "Read", status: 200 })
      expect(whole.message).toMatch(/incorrect data check/)
      const streamed = yield* client.get("/crc").pipe(
        ApiClient.stream,
        Stream.runDrain,
        within(10, "the stream"),
        Effect.flip
      )
      expect(streamed).toMatchObject({ _tag: "DecodeError", reason: "Read" })
      expect(server.requests).toHaveLength(2)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("stacked and unknown codings (pool)", () => {
  const stacked = {
    "gzip, gzip": Zlib.gzipSync(gzipped),
    "gzip, br": Zlib.brotliCompressSync(gzipped),
    "deflate, gzip": Zlib.gzipSync(Zlib.deflateSync(big)),
    "gzip, identity": gzipped
  } as const
  for (const [coding, bytes] of Object.entries(stacked)) {
    it.scopedLive(`Content-Encoding: ${coding} is decoded in order, read whole and streamed`, () =>
      Effect.gen(function*() {
        const server = yield* serving({ body: { coding, bytes } })
        const client = yield* ApiClient.make({ baseUrl: server.url })
        const response = yield* client.get("/body").pipe(within(10, "the call"))
        expect(yield* response.text).toBe(big.toString())
        expect(response.headers["content-encoding"]).toBeUndefined()
        const streamed = yield* client.get("/body").pipe(
          ApiClient.stream,
          Stream.decodeText(),
          Stream.mkString,
          within(10, "the stream")
        )
        expect(streamed).toBe(big.toString())
      }).pipe(Effect.provide(ConnectionPool.layer())))
  }

  it.scopedLive.runIf(zlibHasZstd)(
    "zstd, where the runtime's zlib has it, is decoded: read whole and streamed",
    () =>
      Effect.gen(function*() {
        const server = yield* serving({
          zstd: { coding: "zstd", bytes: zstd(big) },
          summed: { coding: "zstd", bytes: zstd(big, { checksum: true }) },
          // two frames and a skippable frame between them
          frames: {
            coding: "zstd",
            bytes: Buffer.concat([
              zstd(big.subarray(0, 1000)),
              Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]),
              zstd(big.subarray(1000))
            ])
          },
          "gzip-zstd": { coding: "gzip, zstd", bytes: zstd(gzipped) },
          "zstd-br": { coding: "zstd, br", bytes: Zlib.brotliCompressSync(zstd(big)) },
          // 1,000 frames, the most a body may have
          thousand: {
            coding: "zstd",
            bytes: Buffer.concat(Array.from({ length: 1000 }, (_, i) => zstd(big.subarray(i * 200, (i + 1) * 200))))
          }
        })
        const client = yield* ApiClient.make({ baseUrl: server.url })
        for (const path of ["zstd", "summed", "frames", "gzip-zstd", "zstd-br", "thousand"]) {
          const response = yield* client.get(`/${path}`).pipe(within(10, "the call"))
          expect(yield* response.text).toBe(big.toString())
          const streamed = yield* client.get(`/${path}`).pipe(
            ApiClient.stream,
            Stream.decodeText(),
            Stream.mkString,
            within(10, "the stream")
          )
          expect(streamed).toBe(big.toString())
        }
      }).pipe(Effect.provide(ConnectionPool.layer()))
  )

  it.scopedLive.runIf(zlibHasZstd)(
    "a zstd bomb fails with TooLarge, bounded by maxResponseBytes after decoding",
    () =>
      Effect.gen(function*() {
        // 64 MiB of zeros in an 8 MiB window, a few KiB coded
        const server = yield* serving({
          bomb: { coding: "zstd", bytes: zstd(Buffer.alloc(64 * 1024 * 1024), { windowLog: 23 }) }
        })
        const client = yield* ApiClient.make({ baseUrl: server.url, maxResponseBytes: 1024 * 1024 })
        const error = yield* Effect.flip(client.get("/bomb").pipe(within(10, "the call")))
        expect(error).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", status: 200 })
      }).pipe(Effect.provide(ConnectionPool.layer()))
  )

  it.scopedLive.skipIf(zlibHasZstd)(
    "zstd where the runtime's zlib has none (Node 20): a DecodeError (Read) that says so",
    () =>
      Effect.gen(function*() {
        // a zstd frame's magic number, then bytes that are not text
        const bytes = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x01, 0x02, 0x1b, 0x9b, 0xff])
        const server = yield* serving({ zstd: { coding: "zstd", bytes }, "gzip-zstd": { coding: "gzip, zstd", bytes } })
        const client = yield* ApiClient.make({ baseUrl: server.url })
        for (const path of ["zstd", "gzip-zstd"]) {
          const whole = yield* Effect.flip(
            client.get(`/${path}`).pipe(ApiClient.json(Schema.Unknown), within(10, "the call"))
          )
          expect(whole).toMatchObject({ _tag: "DecodeError", reason: "Read", body: "" })
          expect(whole.message).toContain(`the coding "zstd" is not supported`)
          expect(whole.message).toContain("Node 22.15 or later")
          expect(whole.message).not.toMatch(binary)
        }
        expect(server.requests).toHaveLength(2)
      }).pipe(Effect.provide(ConnectionPool.layer()))
  )

  it.scopedLive("unknown codings: a DecodeError (Read) that names them", () =>
    Effect.gen(function*() {
      // bytes that are not text
      const bytes = Buffer.from([0x1f, 0x9d, 0x90, 0x00, 0x01, 0x02, 0x1b, 0x9b, 0xff])
      const server = yield* serving({
        compress: { coding: "compress", bytes },
        "gzip-compress": { coding: "gzip, compress", bytes },
        "compress-gzip": { coding: "compress, gzip", bytes: Zlib.gzipSync(bytes) }
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      for (const path of ["compress", "gzip-compress", "compress-gzip"]) {
        const whole = yield* Effect.flip(
          client.get(`/${path}`).pipe(ApiClient.json(Schema.Unknown), within(10, "the call"))
        )
        expect(whole).toMatchObject({ _tag: "DecodeError", reason: "Read", body: "" })
        expect(whole.message).toContain(`the coding "compress" is not supported`)
        expect(whole.message).not.toMatch(binary)
        const streamed = yield* client.get(`/${path}`).pipe(
          ApiClient.stream,
          Stream.runDrain,
          within(10, "the stream"),
          Effect.flip
        )
        expect(streamed).toMatchObject({ _tag: "DecodeError", reason: "Read" })
      }
      // not retried
      expect(server.requests).toHaveLength(6)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("an error in an unknown coding keeps its status, without the unreadable bytes", () =>
    Effect.gen(function*() {
      const server = yield* serving({
        busy: { coding: "compress", bytes: Buffer.from([0x1f, 0x9d, 0x90, 0x01]), status: 503 }
      })
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: false })
      const error = yield* Effect.flip(client.get("/busy").pipe(within(10, "the call")))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, body: "" })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("more than 5 stacked codings: a DecodeError (Read), even when they would decode", () =>
    Effect.gen(function*() {
      let bytes = big
      for (let i = 0; i < 6; i++) bytes = Zlib.gzipSync(bytes)
      const server = yield* serving({ six: { coding: "gzip, gzip, gzip, gzip, gzip, gzip", bytes } })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const error = yield* Effect.flip(client.get("/six").pipe(within(10, "the call")))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "Read" })
      expect(error.message).toMatch(/6 stacked codings \(at most 5\)/)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("each stacked stage is bounded by maxResponseBytes: an inner layer of 2 MB decoding to nothing", () =>
    Effect.gen(function*() {
      // 100,000 empty gzip members (2 MB) decode to 0 bytes; gzipped once more, they are 6 KB
      const member = Zlib.gzipSync(Buffer.alloc(0))
      const inner = Buffer.concat(Array.from({ length: 100_000 }, () => member))
      const server = yield* serving({ bomb: { coding: "gzip, gzip", bytes: Zlib.gzipSync(inner) } })
      const client = yield* ApiClient.make({ baseUrl: server.url, maxResponseBytes: 1024 * 1024 })
      const error = yield* Effect.flip(client.get("/bomb").pipe(within(10, "the call")))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", status: 200 })
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("a body still encoded is named, never shown as binary", () => {
  it.scopedLive("compression: false, then ApiClient.json on a gzip body: InvalidJson naming the Content-Encoding", () =>
    Effect.gen(function*() {
      const server = yield* coded("gzip", json)
      const client = yield* ApiClient.make({ baseUrl: server.url, compression: false })
      const error = yield* Effect.flip(client.get("/pets").pipe(ApiClient.json(Pets), within(10, "the call")))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "InvalidJson", body: "" })
      expect(error.message).toContain("the body is still encoded (Content-Encoding \"gzip\")")
      expect(error.message).not.toMatch(binary)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  // fetch decodes zstd where zlib has it (Node 22.15+); Node 20's has none
  it.scopedLive.skipIf(zlibHasZstd)(
    "generic transport (fetch): a zstd body fetch cannot decode is InvalidJson naming zstd",
    () =>
      Effect.gen(function*() {
        const server = yield* serving({
          zstd: { coding: "zstd", bytes: Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x01, 0x02, 0x1b, 0x9b, 0xff]) }
        })
        const client = ApiClient.makeWith(yield* HttpClient.HttpClient, { baseUrl: server.url })
        const error = yield* Effect.flip(client.get("/zstd").pipe(ApiClient.json(Pets), within(10, "the call")))
        expect(error).toMatchObject({ _tag: "DecodeError", reason: "InvalidJson", body: "" })
        expect(error.message).toContain("the body is still encoded (Content-Encoding \"zstd\")")
        expect(error.message).not.toMatch(binary)
      }).pipe(Effect.provide(FetchHttpClient.layer))
  )

  it.scopedLive("a binary body that is not JSON: the error says so, and keeps no raw byte", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(Buffer.from([0x01, 0x02, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x7f]))
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const error = yield* Effect.flip(client.get("/bin").pipe(ApiClient.json(Pets), within(10, "the call")))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "InvalidJson", body: "" })
      expect(error.message).toMatch(/the body is binary, not JSON text \(8 characters\)/)
      expect(error.message).not.toMatch(binary)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

/**
 * A dispatcher that answers every request with `body` (Content-Encoding `coding`), handing it
 * to the transport as fast as the transport lets it: synchronously, chunk after chunk, until the
 * transport pauses it. `longestRun` is the most bytes it handed over without a pause.
 */
const eagerDispatcher = (coding: string, body: Buffer, piece = 16 * 1024) => {
  const seen = { longestRun: 0 }
  const dispatcher = {
    dispatch(_options: unknown, handler: Undici.Dispatcher.DispatchHandler) {
      let paused = false
      let sent = 0
      let run = 0
      const controller = {
        pause: () => {
          paused = true
        },
        resume: () => {
          paused = false
          run = 0
          setImmediate(pump)
        },
        abort: () => {
          paused = true
          sent = Infinity
        },
        paused: false,
        aborted: false,
        reason: null
      } as unknown as Undici.Dispatcher.DispatchController
      const pump = () => {
        while (!paused && sent < body.length) {
          const chunk = body.subarray(sent, sent + piece)
          sent += chunk.length
          run += chunk.length
          seen.longestRun = Math.max(seen.longestRun, run)
          handler.onResponseData?.(controller, chunk)
        }
        if (sent === body.length) {
          sent = Infinity
          handler.onResponseEnd?.(controller, {})
        }
      }
      handler.onRequestStart?.(controller, {})
      handler.onResponseStart?.(controller, 200, { "content-encoding": coding, "content-type": "text/plain" }, "OK")
      pump()
      return true
    }
  } as unknown as Undici.Dispatcher
  return { dispatcher, seen }
}

describe("compressed input waits in the socket, not in memory (pool transport)", () => {
  // 16 MB of empty gzip members: they decode to nothing, so no output bound ever stops them
  const member = Zlib.gzipSync(Buffer.alloc(0))
  const empties = Buffer.concat(Array.from({ length: (16 * 1024 * 1024) / member.length }, () => member))

  it.live("read whole: the transport pauses the socket while the decoder's input is full", () =>
    Effect.gen(function*() {
      const { dispatcher, seen } = eagerDispatcher("gzip", empties)
      const http = HttpClient.make(() => Effect.dieMessage("the fast path takes every request here"))
      const client = ApiClient.makeWith(http, {
        baseUrl: "http://fake.example",
        transport: undiciTransport.make(dispatcher, http),
        timeout: { attempt: "2 minutes", total: "2 minutes" }
      })
      const response = yield* client.get("/x").pipe(within(60, "the call"))
      expect(yield* response.text).toBe("")
      // without backpressure the whole 16 MB is handed over at once and queues in zlib
      expect(seen.longestRun).toBeLessThanOrEqual(256 * 1024)
    }))

  it.live("streamed: likewise, with a caller that reads as fast as it can", () =>
    Effect.gen(function*() {
      const { dispatcher, seen } = eagerDispatcher("gzip", empties)
      const http = HttpClient.make(() => Effect.dieMessage("the fast path takes every request here"))
      const client = ApiClient.makeWith(http, {
        baseUrl: "http://fake.example",
        transport: undiciTransport.make(dispatcher, http)
      })
      const chunks = yield* client.get("/x").pipe(ApiClient.stream, Stream.runCollect, within(60, "the stream"))
      expect(Chunk.size(chunks)).toBe(0)
      expect(seen.longestRun).toBeLessThanOrEqual(256 * 1024)
    }))
})

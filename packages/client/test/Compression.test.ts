import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Effect, Schema, Stream } from "effect"
import * as Zlib from "node:zlib"
import { describe, expect } from "vitest"

const Pets = Schema.Array(Schema.Struct({ id: Schema.Number, name: Schema.String }))
const pets = Array.from({ length: 200 }, (_, i) => ({ id: i, name: `pet ${i}` }))
const json = Buffer.from(JSON.stringify(pets))

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
    it.live(`asks for it, and decodes a ${coding} body`, () =>
      Effect.gen(function*() {
        const server = yield* coded(coding, json)
        const client = yield* ApiClient.make({ baseUrl: server.url })
        const response = yield* client.get("/pets")
        expect(yield* ApiClient.json(Pets)(Effect.succeed(response))).toEqual(pets)
        expect(response.headers["content-encoding"]).toBeUndefined()
        expect(server.requests[0].headers["accept-encoding"]).toBe("gzip, deflate, br")
      }).pipe(Effect.provide(ConnectionPool.layer())))
  }

  it.live("deflate as raw DEFLATE data (no zlib header), as some servers send it, is decoded too", () =>
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

  it.live("a compressed answer nobody asked for is decoded too; the caller's own Accept-Encoding is kept", () =>
    Effect.gen(function*() {
      const server = yield* coded("gzip", json)
      const client = yield* ApiClient.make({ baseUrl: server.url, headers: { "accept-encoding": "identity" } })
      expect(yield* client.get("/pets").pipe(ApiClient.json(Pets))).toEqual(pets)
      expect(server.requests[0].headers["accept-encoding"]).toBe("identity")
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a gzip bomb fails with TooLarge, bounded by maxResponseBytes after inflation", () =>
    Effect.gen(function*() {
      // 64 MiB of zeros, about 64 KiB compressed
      const bomb = Buffer.alloc(64 * 1024 * 1024)
      const server = yield* coded("gzip", bomb)
      const client = yield* ApiClient.make({ baseUrl: server.url, maxResponseBytes: 1024 * 1024 })
      const error = yield* Effect.flip(client.get("/bomb"))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", status: 200 })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("an error's compressed body is readable in the error", () =>
    Effect.gen(function*() {
      const server = yield* coded("gzip", Buffer.from(JSON.stringify({ error: "down for maintenance" })), 503)
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: false })
      const error = yield* Effect.flip(client.get("/x"))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503 })
      expect((error as { body: string }).body).toContain("down for maintenance")
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a body that does not decompress is a DecodeError (Read), not retried", () =>
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

  it.live("compression: false asks for nothing and hands the body over as received", () =>
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

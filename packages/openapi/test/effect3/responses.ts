/**
 * A program on the Effect 3 client generated from test/responsesSpec.ts (./responses):
 * Responses.test.ts generates it next to this file, type-checks it with `tsc --strict` and runs
 * it against its loopback server. Each range's error is caught by its tag.
 */
import { ApiError } from "@steady/client-effect3"
import { Effect, Stream } from "effect"
import * as Responses from "./responses/index.js"

/** A body's bytes, summed (the server sends byte i as i % 251): the bytes all came, in order. */
const sum = (bytes: Uint8Array): number => bytes.reduce((n, b) => n + b, 0)

/** `size` bytes from `offset` on, byte i being i % 251 (as the server checks them). */
const bytesAt = (offset: number, size: number): Uint8Array =>
  Uint8Array.from({ length: size }, (_, i) => (offset + i) % 251)

/** 1,000,000 bytes, as a stream of 20 chunks: sent as they are pulled, never held whole. */
const chunks = () => Stream.fromIterable(Array.from({ length: 20 }, (_, i) => bytesAt(i * 50_000, 50_000)))

/** What a failure says: its tag, status, body, steady's tag, request and attempts. */
const told = (error: object) => {
  const e = error as any
  return {
    tag: e._tag,
    status: e.status,
    body: e.body,
    statusTag: e.statusTag,
    request: e.request,
    attempts: e.attempts,
    messageSaysStatus: String(e.message).includes(String(e.status))
  }
}

/**
 * With retries on (2, 1 ms apart): a 503 to an upload of bytes is sent again; to an upload from a
 * stream it is not (the stream may be readable only once), and fails with the 503's ApiError.
 */
const retried = (baseUrl: string) =>
  Effect.gen(function*() {
    const r = yield* Responses.Responses
    return {
      bytesRetried: yield* r.putUpload({ path: { name: "flaky-bytes" }, payload: bytesAt(0, 1000) }),
      streamNotReplayed: yield* r.putUploadFromStream({ path: { name: "flaky-stream" }, payload: chunks() }).pipe(
        Effect.flip,
        Effect.map((e) => [e._tag, e.attempts])
      )
    }
  }).pipe(Effect.provide(Responses.layer({ baseUrl, retry: { times: 2, base: "1 millis", cap: "1 millis" } })))

export const run = (baseUrl: string) =>
  Effect.gen(function*() {
    const r = yield* Responses.Responses
    const thing = (id: string) => r.getThing({ path: { id } })
    return {
      ok: yield* thing("ok"),
      exact: yield* thing("404").pipe(Effect.flip, Effect.map(told)),
      range4: yield* thing("418").pipe(
        Effect.catchTag("Status4xx", (e) => Effect.succeed({ caught: told(e), title: e.body.title })),
        Effect.map((out) => ("caught" in out ? { ...out.caught, title: out.title } : out))
      ),
      range5: yield* thing("503").pipe(Effect.flip, Effect.map(told)),
      // a 404 that falls to default is still NotFoundError to ApiError.optional
      optional: yield* r.listWidgets({ urlParams: { status: 404 } }).pipe(
        ApiError.optional("NotFoundError"),
        Effect.map((found) => found._tag)
      ),
      onlyDefault: yield* r.listWidgets({ urlParams: { status: 400 } }).pipe(
        Effect.catchTag("StatusDefault", (e) => Effect.succeed({ ...told(e), message: e.body.error.message }))
      ),
      serverDefault: yield* r.listWidgets({ urlParams: { status: 500 } }).pipe(Effect.flip, Effect.map(told)),
      // default takes error statuses only: an undeclared 2xx is what it was before
      undeclared2xx: yield* r.listWidgets({ urlParams: { status: 202 } }).pipe(Effect.flip, Effect.map((e) => e._tag)),
      undeclared3xx: yield* r.listWidgets({ urlParams: { status: 300 } }).pipe(Effect.flip, Effect.map((e) => e._tag)),
      widgets: yield* r.listWidgets({ urlParams: { status: 200 } }),
      note: yield* r.getNote(),
      report: yield* r.getReport(),
      // an upload: as bytes, and from a stream (each received whole)
      bytesUpload: yield* r.putUpload({ path: { name: "bytes" }, payload: bytesAt(0, 1000) }),
      streamUpload: yield* r.putUploadFromStream({ path: { name: "stream" }, payload: chunks() }),
      // a download: whole, bounded by maxResponseBytes (64 KiB here); as a stream, every byte and never held
      small: yield* r.downloadFile({ path: { name: "small" }, urlParams: { size: 1000 } }).pipe(Effect.map(sum)),
      tooLarge: yield* r.downloadFile({ path: { name: "big" }, urlParams: { size: 1_000_000 } }).pipe(
        Effect.flip,
        Effect.map((e) => [e._tag, "reason" in e ? e.reason : undefined])
      ),
      streamed: yield* r.downloadFileStream({ path: { name: "big" }, urlParams: { size: 1_000_000 } }).pipe(
        Stream.runFold(0, (acc: number, chunk: Uint8Array) => acc + sum(chunk))
      ),
      streamMissing: yield* r.downloadFileStream({ path: { name: "missing" }, urlParams: { size: 1 } }).pipe(
        Stream.runDrain,
        Effect.flip,
        Effect.map((e) => e._tag)
      )
    }
  }).pipe(
    Effect.provide(Responses.layer({ baseUrl, retry: false, maxResponseBytes: 64 * 1024 })),
    Effect.zipWith(retried(baseUrl), (a, b) => ({ ...a, ...b })),
    Effect.timeout("30 seconds")
  )

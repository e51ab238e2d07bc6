import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Effect, Result, Schema, Stream } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import type * as Http from "node:http"
import { describe, expect } from "vitest"

/** A client whose every response is 200 with a body made of these chunks. */
const serving = (chunks: ReadonlyArray<string | Uint8Array>, contentType = "text/event-stream") =>
  ApiClient.makeWith(
    HttpClient.make((request) =>
      Effect.succeed(HttpClientResponse.fromWeb(
        request,
        new Response(
          new ReadableStream({
            start(c) {
              for (const chunk of chunks) c.enqueue(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk)
              c.close()
            }
          }),
          { headers: { "content-type": contentType } }
        )
      ))
    ),
    { baseUrl: "https://api.example" }
  )

const eventsOf = (chunks: ReadonlyArray<string | Uint8Array>) =>
  serving(chunks).get("/events").pipe(ApiClient.sse(), Stream.runCollect, Effect.map((all) => Array.from(all)))

/** Every way to cut `text` in two, and in single characters. */
const splits = (text: string): ReadonlyArray<ReadonlyArray<string>> => [
  ...Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]),
  text.split("")
]

describe("ApiClient.sse: the WHATWG event-stream grammar", () => {
  it.effect("multi-line data is joined with LF, however the stream is cut", () =>
    Effect.gen(function*() {
      const text = "data: YHOO\ndata: +2\ndata: 10\n\n"
      for (const chunks of splits(text)) {
        expect((yield* eventsOf(chunks)).map((e) => e.data)).toEqual(["YHOO\n+2\n10"])
      }
    }))

  it.effect("comments, id (set, then cleared), one leading space stripped", () =>
    Effect.gen(function*() {
      const events = yield* eventsOf([
        ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
      ])
      expect(events.map((e) => [e.data, e.id, e.event])).toEqual([
        ["first event", "1", "message"],
        ["second event", "", "message"],
        [" third event", "", "message"]
      ])
    }))

  it.effect("empty data lines, and an unfinished event at the end is dropped", () =>
    Effect.gen(function*() {
      const events = yield* eventsOf(["data\n\ndata\ndata\n\ndata:"])
      expect(events.map((e) => e.data)).toEqual(["", "\n"])
    }))

  it.effect("CR, LF and CRLF line ends, a CRLF cut between chunks, and a BOM", () =>
    Effect.gen(function*() {
      const events = yield* eventsOf(["\uFEFFdata: a\r\r", "data: b\r", "\n\r\n", "data: c\n\n"])
      expect(events.map((e) => e.data)).toEqual(["a", "b", "c"])
    }))

  it.effect("event and retry fields; a block without data dispatches nothing; unknown fields are ignored", () =>
    Effect.gen(function*() {
      const events = yield* eventsOf([
        "retry: 2500\nevent: ignored\n\n",
        "event: add\nfoo: bar\ndata: 1\nretry: soon\n\n",
        "data: 2\nid: 7\n\n"
      ])
      expect(events).toEqual([
        { event: "add", data: "1", id: "", retry: 2500 },
        { event: "message", data: "2", id: "7", retry: 2500 }
      ])
    }))

  it.effect("UTF-8 cut inside a character is decoded whole", () =>
    Effect.gen(function*() {
      const bytes = new TextEncoder().encode("data: Grüße 🚀\n\n")
      const events = yield* eventsOf([bytes.subarray(0, 9), bytes.subarray(9, 17), bytes.subarray(17)])
      expect(events.map((e) => e.data)).toEqual(["Grüße 🚀"])
    }))

  it.effect("with a schema, each data decoded as JSON up to the done sentinel; a bad one names the event", () =>
    Effect.gen(function*() {
      const Delta = Schema.Struct({ text: Schema.String })
      const good = yield* serving(["data: {\"text\":\"Hel\"}\n\n", "data: {\"text\":\"lo\"}\n\ndata: [DONE]\n\n"])
        .post("/completions").pipe(
          ApiClient.sse(Delta, { done: "[DONE]" }),
          Stream.map((e) => e.data.text),
          Stream.mkString
        )
      expect(good).toBe("Hello")
      const bad = yield* serving(["data: {\"text\":\"a\"}\n\nid: 9\ndata: {\"text\":1}\n\n"]).get("/e").pipe(
        ApiClient.sse(Delta),
        Stream.result,
        Stream.runCollect,
        Effect.map((all) => Array.from(all))
      )
      expect(bad[0]).toEqual(Result.succeed({ event: "message", data: { text: "a" }, id: "", retry: undefined }))
      expect(bad[1]).toMatchObject({ failure: { _tag: "DecodeError", reason: "SchemaMismatch" } })
      expect(Result.isFailure(bad[1]) && bad[1].failure.message).toMatch(/event 2 \(id 9\)/)
    }))

  it("refuses done without a schema, and bad reconnect options", () => {
    expect(() => ApiClient.sse({ done: "[DONE]" })).toThrow(/done needs a schema/)
    expect(() => ApiClient.sse({ reconnect: -1 })).toThrow(/reconnect/)
  })
})

/** Writes `text` a few bytes at a time, one piece per turn of the event loop. */
const dribble = (res: Http.ServerResponse, text: string, then: () => void) => {
  const bytes = Buffer.from(text)
  let at = 0
  const next = () => {
    if (res.destroyed) return
    if (at >= bytes.length) return then()
    res.write(bytes.subarray(at, at + 3))
    at += 3
    setImmediate(next)
  }
  next()
}

const block = (id: number) => `id: ${id}\nevent: tick\ndata: {"n":${id}}\n\n`

describe("ApiClient.sse against a live server", () => {
  it.live("events cut across chunks; a dropped connection resumes with Last-Event-ID", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        const from = Number(req.headers["last-event-id"] ?? "0")
        if (from === 0) {
          // three events and half of a fourth, then the connection drops
          return dribble(res, "retry: 5\n" + block(1) + block(2) + block(3) + "id: 4\nda", () => res.socket?.destroy())
        }
        dribble(res, block(from + 1) + block(from + 2) + block(from + 3), () => res.end())
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const events = yield* client.get("/ticks").pipe(ApiClient.sse({ reconnect: 1 }), Stream.runCollect)
      expect(Array.from(events).map((e) => [e.id, e.event, e.data])).toEqual(
        [1, 2, 3, 4, 5, 6].map((n) => [String(n), "tick", `{"n":${n}}`])
      )
      expect(server.requests.map((r) => r.headers["last-event-id"])).toEqual([undefined, "3"])
      expect(server.requests.map((r) => r.headers["accept"])).toEqual(["text/event-stream", "text/event-stream"])
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("without reconnect, the events before the drop are delivered, then the ConnectionError", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        dribble(res, block(1) + block(2), () => res.socket?.destroy())
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const out = yield* client.get("/ticks").pipe(ApiClient.sse(), Stream.result, Stream.runCollect)
      const items = Array.from(out)
      expect(items.slice(0, 2).map((e) => Result.isSuccess(e) && e.success.id)).toEqual(["1", "2"])
      expect(items[2]).toMatchObject({ failure: { _tag: "ConnectionError", sent: true } })
      expect(server.requests).toHaveLength(1)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("ApiClient.ndjson", () => {
  const Item = Schema.Struct({ id: Schema.Number })

  it.live("decodes line by line as lines arrive; a bad line fails the stream naming its number", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "application/x-ndjson" })
        dribble(res, "{\"id\":1}\r\n{\"id\":2}\n\n{\"id\":\"three\"}\n{\"id\":4}\n", () => res.end())
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const out = Array.from(
        yield* client.get("/items").pipe(ApiClient.ndjson(Item), Stream.result, Stream.runCollect)
      )
      expect(out.slice(0, 2)).toEqual([Result.succeed({ id: 1 }), Result.succeed({ id: 2 })])
      expect(out[2]).toMatchObject({
        failure: { _tag: "DecodeError", reason: "SchemaMismatch", body: "{\"id\":\"three\"}" }
      })
      expect(Result.isFailure(out[2]) && out[2].failure.message).toMatch(/line 4:/)
      expect(out).toHaveLength(3)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.effect("the last line counts without its newline; a line longer than maxResponseBytes is TooLarge", () =>
    Effect.gen(function*() {
      const all = yield* serving(["{\"id\":1}\n{\"id\"", ":2}"], "application/x-ndjson").get("/x").pipe(
        ApiClient.ndjson(Item),
        Stream.runCollect
      )
      expect(Array.from(all)).toEqual([{ id: 1 }, { id: 2 }])
      const client = ApiClient.makeWith(
        HttpClient.make((request) =>
          Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{\"id\":1}\n" + "x".repeat(5000))))
        ),
        { baseUrl: "https://api.example", maxResponseBytes: 1024 }
      )
      const error = yield* client.get("/x").pipe(ApiClient.ndjson(Item), Stream.runDrain, Effect.flip)
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "TooLarge" })
    }))
})

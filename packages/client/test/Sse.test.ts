import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Clock, Duration, Effect, Result, Schema, Stream } from "effect"
import { FetchHttpClient, HttpClient, HttpClientResponse } from "effect/http"
import type * as Http from "node:http"
import { describe, expect } from "vitest"
import { clocked, collectLogs } from "./util.js"

/** Fails fast, with a message, where a bug would otherwise hang until vitest's timeout. */
const within = (seconds: number, what: string) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.timeoutOrElse(self, {
    duration: Duration.seconds(seconds),
    orElse: () => Effect.fail(new Error(`${what}: no outcome within ${seconds} s`))
  })

/** A client whose every response is 200 with a body made of these chunks. */
const serving = (
  chunks: ReadonlyArray<string | Uint8Array>,
  contentType = "text/event-stream",
  options: Omit<ApiClient.Options, "baseUrl"> = {}
) =>
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
    { baseUrl: "https://api.example", ...options }
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

  it.effect("a CRLF cut between two chunks is one line end, wherever the stream is cut", () =>
    Effect.gen(function*() {
      const text = "data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n"
      for (const chunks of splits(text)) {
        expect((yield* eventsOf(chunks)).map((e) => e.data), JSON.stringify(chunks)).toEqual(["a\nb", "c"])
      }
    }))

  it.effect("an event whose data never ends fails with TooLarge at maxResponseBytes, after the events before it", () =>
    Effect.gen(function*() {
      // 1 MiB of data lines and no blank line: the pending event may hold no more than 4 KiB
      const endless = Array.from({ length: 1024 }, () => `data: ${"x".repeat(1017)}\n`)
      const out = yield* serving(["data: first\n\n", ...endless], "text/event-stream", { maxResponseBytes: 4096 })
        .get("/events").pipe(ApiClient.sse(), Stream.result, Stream.runCollect)
      expect(out.map((e) => Result.isSuccess(e) ? e.success.data : e.failure._tag)).toEqual(["first", "DecodeError"])
      expect(out[1]).toMatchObject({ failure: { reason: "TooLarge" } })
      expect(Result.isFailure(out[1]) && out[1].failure.message).toMatch(
        /an event's data is longer than 4096 characters/
      )
    }))

  it.effect("an event-stream line longer than maxResponseBytes fails with TooLarge", () =>
    Effect.gen(function*() {
      const error = yield* serving(["data: " + "x".repeat(5000) + "\n\n"], "text/event-stream", {
        maxResponseBytes: 1024
      })
        .get("/events").pipe(ApiClient.sse(), Stream.runDrain, Effect.flip)
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "TooLarge" })
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
    expect(() => ApiClient.sse({ minReconnectDelay: -1 })).toThrow(/minReconnectDelay/)
    expect(() => ApiClient.sse({ reconnectResetAfter: "soon" as Duration.Input })).toThrow(
      /reconnectResetAfter/
    )
    expect(() => ApiClient.sse({ minReconnectDelay: "2 seconds", maxReconnectDelay: "1 second" })).toThrow(
      /minReconnectDelay \(2000 ms\) must not be longer than maxReconnectDelay \(1000 ms\)/
    )
  })
})

/**
 * What one connection of a scripted server does, step by step: send a chunk, wait (on the
 * TestClock), or break the connection. After the last step the body ends cleanly.
 */
type Step = string | { readonly wait: Duration.Input } | "break"

/**
 * A client on a scripted server: the nth connection (1-based) plays `script(n)`. `seen` records
 * the TestClock time and the Last-Event-ID of every request; past 50 requests the server dies,
 * so reconnections that never stop fail at once with a message.
 */
const scripted = (script: (n: number) => ReadonlyArray<Step>) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const seen: Array<{ readonly at: number; readonly lastEventId: string | undefined }> = []
    const http = HttpClient.make((request) =>
      Effect.flatMap(Clock.currentTimeMillis, (at) => {
        seen.push({ at, lastEventId: request.headers["last-event-id"] })
        if (seen.length > 50) return Effect.die("more than 50 requests: the reconnections do not stop")
        const steps = [...script(seen.length)]
        const body = new ReadableStream<Uint8Array>({
          // each pull must enqueue, close or fail: a pull that only waits is not called again
          async pull(c) {
            for (;;) {
              const step = steps.shift()
              if (step === undefined) return c.close()
              if (step === "break") {
                return c.error(Object.assign(new Error("socket hang up (script)"), { code: "ECONNRESET" }))
              }
              if (typeof step === "string") return c.enqueue(new TextEncoder().encode(step))
              await Effect.runPromiseWith(context)(Effect.sleep(step.wait))
            }
          }
        })
        return Effect.succeed(
          HttpClientResponse.fromWeb(request, new Response(body, { headers: { "content-type": "text/event-stream" } }))
        )
      })
    )
    // no idle timeout: the TestClock jumps from one wake-up to the next, and only the script's waits count
    const client = ApiClient.makeWith(http, { baseUrl: "https://api.example", timeout: { idle: Duration.infinity } })
    return { seen, client }
  })

/** Every connection: retry 1 s, one event, and the connection breaks; connection `n` holds on for `wait` first. */
const holding = (n: number, wait: Duration.Input) => (connection: number): ReadonlyArray<Step> =>
  connection === n ? ["retry: 1000\ndata: x\n\n", { wait }, "break"] : ["retry: 1000\ndata: x\n\n", "break"]

/** When each request came, from the first (milliseconds on the TestClock). */
const times = (seen: ReadonlyArray<{ readonly at: number }>) => seen.map((s) => s.at - seen[0].at)

/** Runs the feed on the TestClock to its end: the events' data, then the error's tag (if any). */
const runFeed = (client: ApiClient.Client, options: ApiClient.SseOptions) =>
  clocked(
    client.get("/feed").pipe(
      ApiClient.sse(options),
      Stream.result,
      Stream.runCollect,
      Effect.map((out) => Array.from(out).map((e) => Result.isSuccess(e) ? e.success.data : e.failure._tag))
    )
  )

describe("ApiClient.sse reconnection: count and backoff (TestClock)", () => {
  it.effect("retry: 0 is raised to minReconnectDelay and doubles for each quick reconnection; then the error", () =>
    Effect.gen(function*() {
      // a hostile server: retry 0, one event, and the connection breaks, every time
      const { client, seen } = yield* scripted(() => ["retry: 0\ndata: x\n\n", "break"])
      const out = yield* runFeed(client, { reconnect: 3 })
      // each connection brought an event, and still the count ran out: 1 + 3 requests
      expect(out).toEqual(["x", "x", "x", "x", "ConnectionError"])
      // waits of 500 ms (the floor), 1 s, 2 s
      expect(times(seen)).toEqual([0, 500, 1500, 3500])
    }))

  it.effect("the server's retry: is in milliseconds; without one, reconnectDelay (3 s by default)", () =>
    Effect.gen(function*() {
      const asked = yield* scripted(() => ["retry: 2500\ndata: x\n\n", "break"])
      yield* runFeed(asked.client, { reconnect: 1 })
      expect(times(asked.seen)).toEqual([0, 2500])
      const unset = yield* scripted(() => ["data: x\n\n", "break"])
      yield* runFeed(unset.client, { reconnect: 2 })
      expect(times(unset.seen)).toEqual([0, 3000, 9000])
    }))

  it.effect("a retry: past maxReconnectDelay waits maxReconnectDelay (60 s by default), and so does the backoff", () =>
    Effect.gen(function*() {
      const huge = yield* scripted(() => ["retry: 1000000000000000000000\ndata: x\n\n", "break"])
      yield* runFeed(huge.client, { reconnect: 1 })
      expect(times(huge.seen)).toEqual([0, 60_000])
      const long = yield* scripted(() => ["retry: 40000\ndata: x\n\n", "break"])
      yield* runFeed(long.client, { reconnect: 2 })
      expect(times(long.seen)).toEqual([0, 40_000, 100_000])
    }))

  it.effect("minReconnectDelay and maxReconnectDelay bound every wait", () =>
    Effect.gen(function*() {
      const { client, seen } = yield* scripted(() => ["retry: 0\ndata: x\n\n", "break"])
      yield* runFeed(client, { reconnect: 3, minReconnectDelay: "2 seconds", maxReconnectDelay: "3 seconds" })
      expect(times(seen)).toEqual([0, 2000, 5000, 8000])
    }))

  it.effect("only a connection open for reconnectResetAfter (10 s) starts the count and the backoff again", () =>
    Effect.gen(function*() {
      // the second connection stays open 10 s: its break is the first of a new row
      const stable = yield* scripted(holding(2, "10 seconds"))
      expect(yield* runFeed(stable.client, { reconnect: 1 })).toEqual(["x", "x", "x", "ConnectionError"])
      expect(times(stable.seen)).toEqual([0, 1000, 12_000])
      // open a millisecond less, it is one more quick reconnection: the count (1) is spent
      const quick = yield* scripted(holding(2, 9999))
      expect(yield* runFeed(quick.client, { reconnect: 1 })).toEqual(["x", "x", "ConnectionError"])
      expect(times(quick.seen)).toEqual([0, 1000])
      // a shorter reconnectResetAfter of the caller's
      const short = yield* scripted(holding(2, 9999))
      yield* runFeed(short.client, { reconnect: 1, reconnectResetAfter: "5 seconds" })
      expect(times(short.seen)).toEqual([0, 1000, 11_999])
    }))

  it.effect("Last-Event-ID resumes each reconnection; an id with a control character is left out, with a warning", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const { client, seen } = yield* scripted((n) => [`id: ${n === 1 ? "7" : "a\u0001b"}\ndata: x\n\n`, "break"])
      yield* runFeed(client, { reconnect: 2, lastEventId: "6" }).pipe(Effect.provide(collectLogs(logs)))
      expect(seen.map((s) => s.lastEventId)).toEqual(["6", "7", undefined])
      expect(logs.filter((l) => l.startsWith("WARN"))).toEqual([
        expect.stringContaining("the last event ID has a control character, which no header can carry")
      ])
    }))
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

describe("ApiClient.sse against a live server", () => {
  it.live("events cut across chunks; a dropped stream resumes with Last-Event-ID after the server's retry", () =>
    Effect.gen(function*() {
      let droppedAt = 0
      const server = yield* TestServer.make((req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        const from = Number(req.headers["last-event-id"] ?? "0")
        if (from === 0) {
          // three events and half of a fourth, then the connection drops
          return dribble(res, "retry: 200\n" + block(1) + block(2) + block(3) + "id: 4\nda", () => {
            droppedAt = performance.now()
            res.socket?.destroy()
          })
        }
        dribble(res, block(from + 1) + block(from + 2) + block(from + 3), () => res.end())
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const events = yield* client.get("/ticks").pipe(
        ApiClient.sse({ reconnect: 1, minReconnectDelay: "100 millis" }),
        Stream.runCollect,
        within(10, "the stream")
      )
      expect(Array.from(events).map((e) => [e.id, e.event, e.data])).toEqual(
        [1, 2, 3, 4, 5, 6].map((n) => [String(n), "tick", `{"n":${n}}`])
      )
      expect(server.requests.map((r) => r.headers["last-event-id"])).toEqual([undefined, "3"])
      expect(server.requests.map((r) => r.headers["accept"])).toEqual(["text/event-stream", "text/event-stream"])
      // the server saw the reconnection no sooner than its retry (200 ms) after the drop (a
      // lower bound only: a slow machine waits longer, never shorter; 1 ms for timer rounding)
      expect(server.requests[1].at - droppedAt).toBeGreaterThanOrEqual(199)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a hostile server (retry: 0, one event, then the connection drops) gets 1 + reconnect requests", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.write("retry: 0\ndata: x\n\n", () => res.socket?.destroy())
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const out = yield* client.get("/storm").pipe(
        ApiClient.sse({ reconnect: 3, minReconnectDelay: "5 millis" }),
        Stream.result,
        Stream.runCollect,
        within(10, "the reconnections did not stop")
      )
      const items = Array.from(out)
      expect(items.filter(Result.isSuccess)).toHaveLength(4)
      expect(items[4]).toMatchObject({ failure: { _tag: "ConnectionError", sent: true } })
      expect(server.requests).toHaveLength(4)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  for (const transport of transports) {
    it.live(`a non-ASCII id resumes the stream, sent as UTF-8 as browsers send it (${transport.name})`, () =>
      Effect.gen(function*() {
        const id = "événement-42 🚀"
        const server = yield* TestServer.make((req, res) => {
          res.writeHead(200, { "content-type": "text/event-stream" })
          if (req.headers["last-event-id"] === undefined) {
            res.write(`id: ${id}\ndata: one\n\n`, () => res.socket?.destroy())
          } else {
            res.end("data: two\n\n")
          }
        })
        const client = yield* transport.client({ baseUrl: server.url })
        const events = yield* client.get("/feed").pipe(
          ApiClient.sse({ reconnect: 1, minReconnectDelay: "1 millis", reconnectDelay: "1 millis" }),
          Stream.runCollect,
          within(10, "the stream")
        )
        expect(Array.from(events).map((e) => e.data)).toEqual(["one", "two"])
        // node:http reads a header's bytes as latin-1
        const sent = server.requests[1].headers["last-event-id"]
        expect(Buffer.from(sent, "latin1").toString("utf8")).toBe(id)
      }).pipe(Effect.provide(transport.layer)))
  }

  it.live("without reconnect, the events before the drop are delivered, then the ConnectionError", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" })
        dribble(res, block(1) + block(2), () => res.socket?.destroy())
      })
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const out = yield* client.get("/ticks").pipe(
        ApiClient.sse(),
        Stream.result,
        Stream.runCollect,
        within(10, "the stream")
      )
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
        yield* client.get("/items").pipe(
          ApiClient.ndjson(Item),
          Stream.result,
          Stream.runCollect,
          within(10, "the stream")
        )
      )
      expect(out.slice(0, 2)).toEqual([Result.succeed({ id: 1 }), Result.succeed({ id: 2 })])
      expect(out[2]).toMatchObject({
        failure: { _tag: "DecodeError", reason: "SchemaMismatch", body: "{\"id\":\"three\"}" }
      })
      expect(Result.isFailure(out[2]) && out[2].failure.message).toMatch(/line 4:/)
      expect(out).toHaveLength(3)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.effect("a CRLF cut between two chunks is one line end; line numbers count blank lines", () =>
    Effect.gen(function*() {
      const text = "{\"id\":1}\r\n\r\n{\"id\":\"two\"}\r\n"
      for (const chunks of splits(text)) {
        const out = Array.from(
          yield* serving(chunks, "application/x-ndjson").get("/x").pipe(
            ApiClient.ndjson(Item),
            Stream.result,
            Stream.runCollect
          )
        )
        expect(out[0], JSON.stringify(chunks)).toEqual(Result.succeed({ id: 1 }))
        // the bad line is line 3 (the blank line 2 counts), and its CR is not part of it
        expect(out[1], JSON.stringify(chunks)).toMatchObject({
          failure: { reason: "SchemaMismatch", body: "{\"id\":\"two\"}" }
        })
        expect(Result.isFailure(out[1]) && out[1].failure.message, JSON.stringify(chunks)).toMatch(/line 3:/)
      }
    }))

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

  it.effect("the lines before a line too long, in the same chunk, are delivered before the failure", () =>
    Effect.gen(function*() {
      const one = "{\"id\":1}\n{\"id\":2}\n" + "x".repeat(5000) + "\n"
      const out = yield* serving([one], "application/x-ndjson", { maxResponseBytes: 1024 }).get("/x").pipe(
        ApiClient.ndjson(Item),
        Stream.result,
        Stream.runCollect
      )
      expect(out.slice(0, 2)).toEqual([Result.succeed({ id: 1 }), Result.succeed({ id: 2 })])
      expect(out[2]).toMatchObject({ failure: { _tag: "DecodeError", reason: "TooLarge" } })
      const events = yield* serving(["data: a\n\ndata: " + "x".repeat(5000) + "\n\n"], "text/event-stream", {
        maxResponseBytes: 1024
      }).get("/e").pipe(ApiClient.sse(), Stream.result, Stream.runCollect)
      expect(events.map((e) => Result.isSuccess(e) ? e.success.data : e.failure._tag)).toEqual(["a", "DecodeError"])
    }))
})

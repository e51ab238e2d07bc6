import { describe, expect, it } from "vitest"
import * as EventStream from "../src/EventStream.js"
import * as Lines from "../src/Lines.js"
import * as Ndjson from "../src/Ndjson.js"

const utf8 = new TextEncoder()

/** Feeds the chunks to a decoder, then ends it: what it made, and its "too large" (if any). */
const run = <A>(decoder: Lines.Decoder<A>, chunks: ReadonlyArray<string | Uint8Array>) => {
  const items: Array<A> = []
  for (const chunk of chunks) {
    const tooLarge = decoder.write(typeof chunk === "string" ? utf8.encode(chunk) : chunk, items)
    if (tooLarge !== undefined) return { items, tooLarge }
  }
  return { items, tooLarge: decoder.end(items) }
}

/** Every way to cut `text` in two, and in single characters. */
const splits = (text: string): ReadonlyArray<ReadonlyArray<string>> => [
  ...Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]),
  text.split("")
]

const lines = (options: Lines.Options, chunks: ReadonlyArray<string | Uint8Array>) => {
  const splitter = new Lines.Splitter(options)
  const out: Array<string> = []
  for (const chunk of chunks) {
    if (!splitter.write(typeof chunk === "string" ? utf8.encode(chunk) : chunk, out)) return { out, within: false }
  }
  return { out, within: splitter.end(out) }
}

const state = (lastEventId = ""): EventStream.State => ({ lastEventId, retry: undefined })
const events = (chunks: ReadonlyArray<string | Uint8Array>, maxChars = 1 << 20, s = state()) =>
  run(new EventStream.Decoder(s, maxChars), chunks)
const data = (chunks: ReadonlyArray<string | Uint8Array>) => events(chunks).items.map((e) => e.data)

describe("Lines", () => {
  it("LF and CRLF end a line; CR alone only with bareCr; the last line counts without its end", () => {
    expect(lines({ bareCr: false, maxChars: 100 }, ["a\nb\r\nc\rd\ne"]).out).toEqual(["a", "b", "c\rd", "e"])
    expect(lines({ bareCr: true, maxChars: 100 }, ["a\nb\r\nc\rd\ne"]).out).toEqual(["a", "b", "c", "d", "e"])
    expect(lines({ bareCr: true, maxChars: 100 }, ["a\r\r\nb"]).out).toEqual(["a", "", "b"])
    expect(lines({ bareCr: false, maxChars: 100 }, [""]).out).toEqual([])
  })

  it("a CRLF cut between two chunks is one line end, wherever the body is cut, with or without bareCr", () => {
    const text = "a\r\nb\r\n\r\nc\r\n"
    for (const bareCr of [true, false]) {
      for (const chunks of splits(text)) {
        expect(lines({ bareCr, maxChars: 100 }, chunks).out, JSON.stringify([bareCr, chunks])).toEqual([
          "a",
          "b",
          "",
          "c"
        ])
      }
    }
  })

  it("a character cut between two chunks is decoded whole", () => {
    const bytes = utf8.encode("Grüße 🚀\nok")
    for (let i = 0; i <= bytes.length; i++) {
      expect(lines({ bareCr: false, maxChars: 100 }, [bytes.subarray(0, i), bytes.subarray(i)]).out).toEqual([
        "Grüße 🚀",
        "ok"
      ])
    }
  })

  it("a line longer than maxChars, ended or not, passes the bound: the lines before it are out", () => {
    expect(lines({ bareCr: false, maxChars: 3 }, ["abc\nabcd\nx\n"])).toEqual({ out: ["abc"], within: false })
    // a line without an end never grows past the bound either: the chunk that passes it says so
    expect(lines({ bareCr: false, maxChars: 3 }, ["ab", "cd"])).toEqual({ out: [], within: false })
    const splitter = new Lines.Splitter({ bareCr: true, maxChars: 3 })
    expect(splitter.write(utf8.encode("abc"), [])).toBe(true)
    expect(splitter.write(utf8.encode("d"), [])).toBe(false)
    expect(lines({ bareCr: false, maxChars: 3 }, ["ab", "c"])).toEqual({ out: ["abc"], within: true })
    // the CR of a CRLF cut between two chunks is not part of the line, nor of its bound
    expect(lines({ bareCr: false, maxChars: 3 }, ["abc\r", "\n"])).toEqual({ out: ["abc"], within: true })
    expect(lines({ bareCr: false, maxChars: 3 }, ["abc\r\n"])).toEqual({ out: ["abc"], within: true })
    expect(lines({ bareCr: false, maxChars: 3 }, ["abc\r", "d"])).toEqual({ out: [], within: false })
    expect(lines({ bareCr: false, maxChars: 3 }, ["abc\r"])).toEqual({ out: [], within: false })
  })
})

describe("Ndjson", () => {
  it("numbers the non-blank lines as an editor does: blank lines count; a CRLF cut anywhere is one line end", () => {
    const text = "{\"id\":1}\r\n\r\n{\"id\":\"two\"}\r\n  \n{\"id\":3}"
    for (const chunks of splits(text)) {
      expect(run(new Ndjson.Decoder(100), chunks), JSON.stringify(chunks)).toEqual({
        items: [{ text: "{\"id\":1}", number: 1 }, { text: "{\"id\":\"two\"}", number: 3 }, {
          text: "{\"id\":3}",
          number: 5
        }],
        tooLarge: undefined
      })
    }
  })

  it("a line longer than maxChars is TooLarge, after the lines before it in the same chunk", () => {
    expect(run(new Ndjson.Decoder(10), ["{\"id\":1}\n{\"id\":2}\n" + "x".repeat(50) + "\n"])).toEqual({
      items: [{ text: "{\"id\":1}", number: 1 }, { text: "{\"id\":2}", number: 2 }],
      tooLarge: { _tag: "TooLarge", detail: "a line is longer than 10 characters" }
    })
    expect(run(new Ndjson.Decoder(10), ["{\"id\":1}\n", "x".repeat(11)]).tooLarge).toEqual(
      Lines.tooLarge("a line is longer than 10 characters")
    )
  })
})

describe("EventStream: the WHATWG grammar", () => {
  it("multi-line data is joined with LF, however the stream is cut", () => {
    for (const chunks of splits("data: YHOO\ndata: +2\ndata: 10\n\n")) expect(data(chunks)).toEqual(["YHOO\n+2\n10"])
  })

  it("comments, id (set, then cleared), one leading space stripped", () => {
    const out = events([": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"])
    expect(out.items.map((e) => [e.data, e.id, e.event])).toEqual([
      ["first event", "1", "message"],
      ["second event", "", "message"],
      [" third event", "", "message"]
    ])
  })

  it("empty data lines; an unfinished event at the end is dropped", () => {
    expect(data(["data\n\ndata\ndata\n\ndata:"])).toEqual(["", "\n"])
  })

  it("CR, LF and CRLF line ends, a CRLF cut between chunks, and one leading BOM", () => {
    expect(data(["\uFEFFdata: a\r\r", "data: b\r", "\n\r\n", "data: c\n\n"])).toEqual(["a", "b", "c"])
    for (const chunks of splits("data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n")) {
      expect(data(chunks), JSON.stringify(chunks)).toEqual(["a\nb", "c"])
    }
    // a BOM later in the stream is data
    expect(data(["data: a\n\n\uFEFFdata: b\n\n"])).toEqual(["a"])
  })

  it("event and retry fields; a block without data dispatches nothing; unknown fields are ignored", () => {
    const s = state()
    expect(
      events(
        ["retry: 2500\nevent: ignored\n\n", "event: add\nfoo: bar\ndata: 1\nretry: soon\n\n", "data: 2\nid: 7\n\n"],
        1 << 20,
        s
      )
        .items
    ).toEqual([
      { event: "add", data: "1", id: "", retry: 2500 },
      { event: "message", data: "2", id: "7", retry: 2500 }
    ])
    expect(s).toEqual({ lastEventId: "7", retry: 2500 })
  })

  it("the last event ID moves at the blank line, not before: a half-received event does not move it", () => {
    const s = state("6")
    events(["id: 7\ndata: x\n\nid: 8\ndata: half"], 1 << 20, s)
    expect(s.lastEventId).toBe("7")
    // an id with NUL is ignored; a block without data still commits its id
    const t = state()
    events(["id: a\u0000b\n\nid: 9\n\n"], 1 << 20, t)
    expect(t.lastEventId).toBe("9")
  })

  it("an event whose data never ends is TooLarge at maxChars, after the events before it", () => {
    const endless = Array.from({ length: 64 }, () => `data: ${"x".repeat(1017)}\n`)
    const out = events(["data: first\n\n", ...endless], 4096)
    expect(out.items.map((e) => e.data)).toEqual(["first"])
    expect(out.tooLarge).toEqual(
      Lines.tooLarge("an event's data is longer than 4096 characters (no blank line ended the event)")
    )
    // exactly maxChars of data (each line with its LF) is taken
    expect(events(["data:12345\ndata:12345\n\n"], 12).items.map((e) => e.data)).toEqual(["12345\n12345"])
    expect(events(["data:12345\ndata:123456\n\n"], 12).tooLarge).toEqual(
      Lines.tooLarge("an event's data is longer than 12 characters (no blank line ended the event)")
    )
  })

  it("a line longer than maxChars is TooLarge, after the events before it", () => {
    const out = events(["data: a\n\ndata: " + "x".repeat(5000) + "\n\n"], 1024)
    expect(out.items.map((e) => e.data)).toEqual(["a"])
    expect(out.tooLarge).toEqual(Lines.tooLarge("an event-stream line is longer than 1024 characters"))
  })

  it("UTF-8 cut inside a character is decoded whole", () => {
    const bytes = utf8.encode("data: Grüße 🚀\n\n")
    expect(data([bytes.subarray(0, 9), bytes.subarray(9, 17), bytes.subarray(17)])).toEqual(["Grüße 🚀"])
  })
})

describe("EventStream: reconnections", () => {
  const settings = (over: Partial<EventStream.Reconnection> = {}): EventStream.Reconnection => ({
    times: 3,
    delayMillis: EventStream.defaults.reconnectDelayMillis,
    minMillis: EventStream.defaults.minReconnectDelayMillis,
    maxMillis: EventStream.defaults.maxReconnectDelayMillis,
    resetAfterMillis: EventStream.defaults.reconnectResetAfterMillis,
    ...over
  })
  const delays = (s: EventStream.Reconnection, retry: number | undefined, n: number) =>
    Array.from({ length: n }, (_, quick) => EventStream.reconnectDelay(s, retry, quick))

  it("retry: 0 is raised to minReconnectDelay (500 ms) and doubles for each quick reconnection", () => {
    expect(delays(settings(), 0, 4)).toEqual([500, 1000, 2000, 4000])
  })

  it("the server's retry: is in milliseconds; without one, reconnectDelay (3 s by default)", () => {
    expect(delays(settings(), 2500, 1)).toEqual([2500])
    expect(delays(settings(), undefined, 2)).toEqual([3000, 6000])
  })

  it("a retry: past maxReconnectDelay waits maxReconnectDelay (60 s), and so does the backoff, however long", () => {
    expect(delays(settings(), 1e21, 1)).toEqual([60_000])
    expect(delays(settings(), 40_000, 2)).toEqual([40_000, 60_000])
    expect(EventStream.reconnectDelay(settings(), 1000, 10_000)).toBe(60_000)
    expect(delays(settings({ minMillis: 2000, maxMillis: 3000 }), 0, 3)).toEqual([2000, 3000, 3000])
  })

  it("only a connection open for reconnectResetAfter (10 s) starts the count again", () => {
    expect(EventStream.inARow(settings(), 1000, 11_000, 3)).toBe(0)
    expect(EventStream.inARow(settings(), 1000, 10_999, 3)).toBe(3)
    expect(EventStream.inARow(settings({ resetAfterMillis: 5000 }), 0, 5000, 2)).toBe(0)
  })

  it("minReconnectDelay longer than maxReconnectDelay is refused", () => {
    expect(() => EventStream.reconnection(settings({ minMillis: 2000, maxMillis: 1000 }))).toThrow(
      "sse minReconnectDelay (2000 ms) must not be longer than maxReconnectDelay (1000 ms)"
    )
    expect(EventStream.reconnection(settings({ minMillis: 1000, maxMillis: 1000 })).minMillis).toBe(1000)
  })

  it("a transient connection failure or the idle timeout may mend; an invalid URL or the total deadline not", () => {
    for (const reason of ["Refused", "Dns", "ConnectTimeout", "Reset", "Transport", "Proxy"]) {
      expect(EventStream.reconnectable({ _tag: "ConnectionError", reason }), reason).toBe(true)
    }
    for (const reason of ["InvalidUrl", "InvalidRequest", "OriginNotAllowed", "PoolClosed", "Tls", "Later"]) {
      expect(EventStream.reconnectable({ _tag: "ConnectionError", reason }), reason).toBe(false)
    }
    expect(EventStream.reconnectable({ _tag: "TimeoutError", scope: "idle" })).toBe(true)
    expect(EventStream.reconnectable({ _tag: "TimeoutError", scope: "attempt" })).toBe(true)
    expect(EventStream.reconnectable({ _tag: "TimeoutError", scope: "total" })).toBe(false)
    expect(EventStream.reconnectable({ _tag: "ServerError" })).toBe(false)
  })

  it("Last-Event-ID: ASCII as it is, other text as its UTF-8 bytes, a control character not at all", () => {
    expect(EventStream.lastEventIdHeader("abc-7")).toBe("abc-7")
    expect(EventStream.lastEventIdHeader("é")).toBe("\u00c3\u00a9")
    expect(EventStream.lastEventIdHeader("🚀")).toBe(String.fromCharCode(...utf8.encode("🚀")))
    expect(EventStream.lastEventIdHeader("a\tb")).toBe("a\tb")
    for (const bad of ["a\u0001b", "a\nb", "a\rb", "\u007f", "é\u0000"]) {
      expect(EventStream.lastEventIdHeader(bad), JSON.stringify(bad)).toBeUndefined()
    }
    // a long id, past the chunking of the encoder
    const long = "é".repeat(10_000)
    expect(EventStream.lastEventIdHeader(long)).toBe("\u00c3\u00a9".repeat(10_000))
  })
})

import { describe, expect, it } from "vitest"
import * as Cassette from "../src/Cassette.js"

const entry = (method: string, url: string, body?: string, status = 200): Cassette.Entry => ({
  request: { method, url, headers: {}, body: body === undefined ? undefined : { text: body } },
  response: { status, headers: {}, body: { text: `${status}` } }
})

describe("Cassette (core)", () => {
  it("bodies: text when UTF-8 and not a binary type, base64 otherwise; both give back the same bytes", () => {
    const text = new TextEncoder().encode("\uFEFF{\"a\":\"é\"}")
    expect(Cassette.encodeBody(text, "application/json")).toEqual({ text: "\uFEFF{\"a\":\"é\"}" })
    expect(Cassette.decodeBody(Cassette.encodeBody(text))).toEqual(text)
    const binary = new Uint8Array([0xff, 0x00, 0x80, 0x41])
    const encoded = Cassette.encodeBody(binary)!
    expect(encoded).toEqual({ base64: "/wCAQQ==" })
    expect(Cassette.decodeBody(encoded)).toEqual(binary)
    expect(Cassette.encodeBody(new TextEncoder().encode("abc"), "image/png")).toEqual({ base64: "YWJj" })
    expect(Cassette.encodeBody(new Uint8Array(0))).toBeUndefined()
  })

  it("serialize: keys in a fixed order, headers sorted, and parse reads it back", () => {
    const cassette = {
      entries: [{
        delayMillis: 5,
        response: { body: { text: "ok" }, headers: { "z-b": "2", "a-a": "1" }, status: 200 },
        request: { headers: { b: "2", a: "1" }, url: "http://h.example/x", method: "GET" }
      }]
    }
    const text = Cassette.serialize(cassette)
    expect(text.indexOf("\"method\"")).toBeLessThan(text.indexOf("\"url\""))
    expect(text.indexOf("\"a-a\"")).toBeLessThan(text.indexOf("\"z-b\""))
    expect(text.indexOf("\"request\"")).toBeLessThan(text.indexOf("\"response\""))
    const parsed = Cassette.parse(text)
    expect(parsed._tag).toBe("Ok")
    expect(Cassette.serialize((parsed as { cassette: Cassette.Cassette }).cassette)).toBe(text)
  })

  it("parse: refuses a bad shape, naming the entry and the problem", () => {
    expect(Cassette.parse("nope")).toMatchObject({
      _tag: "Invalid",
      invalid: { problem: expect.stringMatching(/^not JSON/) }
    })
    expect(Cassette.parse("{\"version\":2,\"entries\":[]}")).toMatchObject({
      invalid: { problem: "version must be 1, not 2" }
    })
    const good = JSON.parse(Cassette.serialize({ entries: [entry("GET", "http://h/")] }))
    const bad = (mutate: (e: any) => void) => {
      const copy = structuredClone(good)
      copy.entries.push(structuredClone(good.entries[0]))
      mutate(copy.entries[1])
      const result = Cassette.parse(JSON.stringify(copy))
      return result._tag === "Invalid" ? result.invalid : undefined
    }
    expect(bad((e) => (e.response.status = 42))).toEqual({
      entry: 1,
      problem: "response.status must be an integer from 200 to 599"
    })
    expect(bad((e) => (e.request.url = "/relative"))?.problem).toBe("request.url must be an absolute URL")
    expect(bad((e) => (e.request.headers = { "x": 1 }))?.problem).toBe("request.headers[\"x\"] must be a string")
    expect(bad((e) => (e.response.headers = { "x-a": "1\r\nx-b: 2" }))?.problem).toBe(
      "response.headers[\"x-a\"] has a line break or NUL"
    )
    expect(bad((e) => (e.response.body = { base64: "***" }))?.problem).toBe("response.body.base64 is not base64")
    expect(bad((e) => (e.delayMillis = 1e12))?.problem).toMatch(/^delayMillis must be/)
  })

  it("secrets: header values, cookies, query keys, OAuth fields in JSON and form bodies, in every form", () => {
    const secrets = Cassette.secretsOf({
      request: {
        method: "POST",
        url: "https://api.example/token?api_key=qk-123",
        headers: {
          authorization: "Basic dXNlcjpwYXNz",
          cookie: "sid=cookie-1; theme=dark",
          "content-type": "application/x-www-form-urlencoded",
          "x-custom": "custom-secret"
        },
        body: { text: "grant_type=client_credentials&client_secret=cs%2B1%2F2" }
      },
      response: {
        status: 200,
        headers: { "set-cookie": "sess=srv-cookie; Path=/; HttpOnly" },
        body: { text: "{\"access_token\":\"at-9\",\"nested\":[{\"refresh_token\":\"rt-77\"}],\"scope\":\"read\"}" }
      }
    }, { sensitiveHeaders: new Set(["x-custom"]) })
    for (
      const s of [
        "dXNlcjpwYXNz",
        "cookie-1",
        "srv-cookie",
        "qk-123",
        "custom-secret",
        "cs+1/2",
        "cs%2B1%2F2",
        Buffer.from("cs+1/2").toString("base64"),
        "at-9",
        "rt-77"
      ]
    ) expect(secrets).toContain(s)
    expect(secrets).not.toContain("read")
  })

  it("maskEntry: by name and by value, everywhere, binary bodies too, content-length follows", () => {
    const body = "token=abcd1234 and YWJjZDEyMzQ="
    const masked = Cassette.maskEntry({
      request: {
        method: "GET",
        url: "https://u:pw@api.example/x?token=abcd1234&page=abcd1234",
        headers: { authorization: "Bearer abcd1234", "x-echo": "abcd1234" }
      },
      response: {
        status: 200,
        headers: { "content-length": String(body.length) },
        body: { base64: Buffer.from(`\u0000${body}`, "latin1").toString("base64") }
      }
    }, Cassette.withVariants(["abcd1234"]))
    const text = JSON.stringify(masked) + Buffer.from((masked.response.body as any).base64, "base64").toString("latin1")
    expect(text).not.toContain("abcd1234")
    expect(text).not.toContain("YWJjZDEyMzQ")
    expect(masked.request.url).toBe("https://api.example/x?token=<redacted>&page=<redacted>")
    expect(masked.response.headers["content-length"]).toBe(String(Cassette.decodeBody(masked.response.body).length))
  })

  it("matching: method, URL (query in any order, ignored names), body; headers when named", () => {
    const player = Cassette.player(
      [
        entry("GET", "https://a.example/pets?b=2&a=1&ts=1"),
        entry("POST", "https://a.example/pets", "{\"name\":\"Rex\"}")
      ],
      { ignoreQueryParams: ["ts"] }
    )
    expect(player.lookup(entry("GET", "https://a.example/pets?a=1&b=2&ts=99").request)).toMatchObject({ index: 0 })
    const miss = player.lookup(entry("POST", "https://a.example/pets", "{\"name\":\"Fido\"}").request)
    expect(miss).toMatchObject({ _tag: "Miss", nearest: 1 })
    expect(miss._tag === "Miss" && miss.message).toContain(
      "no recorded match; the nearest is entry 1 (POST https://a.example/pets)"
    )
    expect(miss._tag === "Miss" && miss.differences).toEqual([
      "body: differs at character 9: recorded \"{\\\"name\\\":\\\"Rex\\\"}\", sent \"{\\\"name\\\":\\\"Fido\\\"}\""
    ])
    const byHeader = Cassette.player([{
      ...entry("GET", "https://a.example/"),
      request: { method: "GET", url: "https://a.example/", headers: { accept: "text/csv" } }
    }], {
      headers: ["Accept"]
    })
    const wrong = byHeader.lookup({ method: "GET", url: "https://a.example/", headers: { accept: "application/json" } })
    expect(wrong._tag === "Miss" && wrong.differences).toEqual([
      "header \"accept\": recorded \"text/csv\", sent \"application/json\""
    ])
    const noBody = Cassette.player([entry("POST", "https://a.example/pets", "a")], { body: false })
    expect(noBody.lookup(entry("POST", "https://a.example/pets", "b").request)._tag).toBe("Hit")
    const noOrigin = Cassette.player([entry("GET", "http://127.0.0.1:4000/x")], { origin: false })
    expect(noOrigin.lookup(entry("GET", "http://127.0.0.1:5000/x").request)._tag).toBe("Hit")
  })

  it("sequences: repeated requests replay in recorded order, once each (or the last again, with repeat)", () => {
    const recorded = [
      entry("GET", "https://a.example/", undefined, 503),
      entry("GET", "https://a.example/", undefined, 200)
    ]
    const player = Cassette.player(recorded)
    const get = entry("GET", "https://a.example/").request
    const statuses = [player.lookup(get), player.lookup(get)].map((l) => l._tag === "Hit" && l.entry.response.status)
    expect(statuses).toEqual([503, 200])
    const third = player.lookup(get)
    expect(third._tag === "Miss" && third.message).toContain("has 2 recording(s) of this request and all were replayed")
    const repeating = Cassette.player(recorded, { repeat: true })
    repeating.lookup(get)
    repeating.lookup(get)
    expect(repeating.lookup(get)).toMatchObject({ _tag: "Hit", index: 1 })
    expect(Cassette.player([]).lookup(get)).toMatchObject({
      _tag: "Miss",
      message: "GET https://a.example/: the cassette is empty"
    })
  })
})

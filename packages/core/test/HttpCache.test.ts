import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Cache from "../src/HttpCache.js"

const t0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const http = (ms: number) => new Date(ms).toUTCString()
const none: Cache.Allowances = { staleWhileRevalidate: 0, staleIfError: 0 }
const entry = (headers: Cache.Headers, status = 200, at = t0): Cache.Timing => ({
  status,
  headers: { date: http(at), ...headers },
  requestTime: at,
  responseTime: at
})
const noRequest = Cache.parseCacheControl(undefined)
const storable = (headers: Cache.Headers, more: Partial<Parameters<typeof Cache.isStorable>[0]> = {}) =>
  Cache.isStorable({
    method: "GET",
    status: 200,
    requestCacheControl: noRequest,
    headers,
    authenticated: false,
    storeAuthenticated: false,
    ...more
  })

describe("Cache-Control parsing (RFC 9111 §5.2)", () => {
  it("§5.2: directives are case-insensitive, arguments tokens or quoted strings", () => {
    const cc = Cache.parseCacheControl(
      "Max-Age=\"60\", NO-CACHE, private, stale-while-revalidate=30, stale-if-error=600"
    )
    expect(cc).toMatchObject({ maxAge: 60, noCache: true, private: true, staleWhileRevalidate: 30, staleIfError: 600 })
  })

  it("§5.2: repeated field lines are one list", () => {
    expect(Cache.parseCacheControl(["max-age=5", "no-store"])).toMatchObject({ maxAge: 5, noStore: true })
  })

  it("§4.2.1: the first occurrence of a directive counts", () => {
    expect(Cache.parseCacheControl("max-age=10, max-age=1000").maxAge).toBe(10)
  })

  it("§1.2.2: a max-age that is not delta-seconds makes the response stale; an overflow is 2147483648", () => {
    expect(Cache.parseCacheControl("max-age=-1").maxAge).toBe(0)
    expect(Cache.parseCacheControl("max-age=1e9").maxAge).toBe(0)
    expect(Cache.parseCacheControl("max-age=99999999999999999999").maxAge).toBe(2147483648)
    expect(Cache.parseCacheControl("stale-if-error=abc").staleIfError).toBeUndefined()
  })

  it("§5.2.3: unknown directives are ignored; a comma inside a quoted argument does not split", () => {
    const cc = Cache.parseCacheControl("foo=\"a, no-store\", max-age=3")
    expect(cc).toMatchObject({ noStore: false, maxAge: 3 })
  })

  it("§5.2.1.4: a request's max-stale without a value accepts any staleness", () => {
    expect(Cache.parseCacheControl("max-stale").maxStale).toBe(Infinity)
  })

  it("hostile input: too many directives or too long a field is invalid, and never stored", () => {
    const many = Array.from({ length: Cache.limits.directives + 1 }, (_, i) => `x${i}`).join(",")
    expect(Cache.parseCacheControl(many).invalid).toBe(true)
    expect(Cache.parseCacheControl(`max-age=60, ${"a".repeat(Cache.limits.cacheControlLength)}`).invalid).toBe(true)
    expect(storable({ "cache-control": many })).toBe(false)
  })

  it("hostile input: any string parses without throwing, and within its bounds", () => {
    fc.assert(fc.property(fc.string({ maxLength: 5000 }), (s) => {
      const cc = Cache.parseCacheControl(s)
      if (cc.maxAge !== undefined) expect(cc.maxAge).toBeLessThanOrEqual(Cache.limits.maxDeltaSeconds)
    }))
  })
})

describe("freshness (RFC 9111 §4.2)", () => {
  it("§4.2.1: max-age wins over Expires", () => {
    const h = { "cache-control": "max-age=60", expires: http(t0 + 3_600_000) }
    expect(Cache.freshnessLifetime(200, { date: http(t0), ...h }, t0)).toBe(60_000)
  })

  it("§4.2.1: s-maxage is for shared caches: a private cache ignores it", () => {
    expect(Cache.freshnessLifetime(200, { "cache-control": "s-maxage=60" }, t0)).toBe(0)
  })

  it("§4.2.1: Expires minus Date", () => {
    expect(Cache.freshnessLifetime(200, { date: http(t0), expires: http(t0 + 30_000) }, t0)).toBe(30_000)
  })

  it("§5.3: an invalid Expires, such as 0, is in the past", () => {
    expect(Cache.freshnessLifetime(200, { expires: "0", "last-modified": http(t0 - 1e9) }, t0)).toBe(0)
  })

  it("§4.2.2: heuristic freshness is 10% of the time since Last-Modified, for a heuristically cacheable status", () => {
    const h = { date: http(t0), "last-modified": http(t0 - 1_000_000) }
    expect(Cache.freshnessLifetime(200, h, t0)).toBe(100_000)
    expect(Cache.freshnessLifetime(201, h, t0)).toBe(0)
    expect(Cache.freshnessLifetime(201, { ...h, "cache-control": "public" }, t0)).toBe(100_000)
  })

  it("§4.2.2: no heuristic when there is an explicit expiration, nor without Last-Modified", () => {
    expect(Cache.freshnessLifetime(200, { date: http(t0) }, t0)).toBe(0)
    expect(Cache.freshnessLifetime(200, { "cache-control": "max-age=0", "last-modified": http(t0 - 1e9) }, t0)).toBe(0)
  })

  it("§4.2.3: the age is the larger of the apparent age and Age plus the request's delay, plus resident time", () => {
    const e = { status: 200, headers: { date: http(t0), age: "10" }, requestTime: t0, responseTime: t0 + 2000 }
    expect(Cache.currentAge(e, t0 + 2000)).toBe(12_000)
    expect(Cache.currentAge(e, t0 + 5000)).toBe(15_000)
    const old = { status: 200, headers: { date: http(t0 - 60_000) }, requestTime: t0, responseTime: t0 }
    expect(Cache.currentAge(old, t0)).toBe(60_000)
    expect(Cache.ageHeader(15_999)).toBe("15")
  })

  it("§4.2: a fresh response is served; a stale one revalidated", () => {
    const e = entry({ "cache-control": "max-age=60" })
    expect(Cache.decide(e, noRequest, t0 + 59_999, none)._tag).toBe("Fresh")
    expect(Cache.decide(e, noRequest, t0 + 60_000, none)._tag).toBe("Revalidate")
  })

  it("§5.2.2.4: a response no-cache is revalidated even when fresh", () => {
    expect(Cache.decide(entry({ "cache-control": "max-age=60, no-cache" }), noRequest, t0, none)._tag).toBe(
      "Revalidate"
    )
  })

  it("§5.2.1.4, §5.2.1.1, §5.2.1.3: request no-cache, max-age and min-fresh", () => {
    const e = entry({ "cache-control": "max-age=60" })
    expect(Cache.decide(e, Cache.parseCacheControl("no-cache"), t0, none)._tag).toBe("Revalidate")
    expect(Cache.decide(e, Cache.parseCacheControl("max-age=5"), t0 + 6000, none)._tag).toBe("Revalidate")
    expect(Cache.decide(e, Cache.parseCacheControl("min-fresh=30"), t0 + 40_000, none)._tag).toBe("Revalidate")
    expect(Cache.decide(e, Cache.parseCacheControl("min-fresh=30"), t0 + 20_000, none)._tag).toBe("Fresh")
  })

  it("§5.2.1.2: a request's max-stale accepts a stale response, unless must-revalidate (§5.2.2.2)", () => {
    const ask = Cache.parseCacheControl("max-stale=30")
    expect(Cache.decide(entry({ "cache-control": "max-age=60" }), ask, t0 + 80_000, none)._tag).toBe("Fresh")
    expect(Cache.decide(entry({ "cache-control": "max-age=60" }), ask, t0 + 100_000, none)._tag).toBe("Revalidate")
    expect(Cache.decide(entry({ "cache-control": "max-age=60, must-revalidate" }), ask, t0 + 80_000, none)._tag)
      .toBe("Revalidate")
  })
})

describe("stale responses (RFC 5861)", () => {
  it("RFC 5861 §3: stale-while-revalidate serves within its window, then revalidates", () => {
    const e = entry({ "cache-control": "max-age=60, stale-while-revalidate=30" })
    expect(Cache.decide(e, noRequest, t0 + 70_000, none)._tag).toBe("StaleWhileRevalidate")
    expect(Cache.decide(e, noRequest, t0 + 90_000, none)._tag).toBe("Revalidate")
  })

  it("RFC 5861 §3: the cache's allowance applies when the response names none; never against must-revalidate", () => {
    const allow = { staleWhileRevalidate: 10_000, staleIfError: 0 }
    expect(Cache.decide(entry({ "cache-control": "max-age=60" }), noRequest, t0 + 65_000, allow)._tag).toBe(
      "StaleWhileRevalidate"
    )
    expect(Cache.decide(entry({ "cache-control": "max-age=60, must-revalidate" }), noRequest, t0 + 65_000, allow)._tag)
      .toBe("Revalidate")
  })

  it("RFC 5861 §4: stale-if-error allows a stale response within its window only", () => {
    const e = entry({ "cache-control": "max-age=60, stale-if-error=600" })
    expect(Cache.staleIfErrorAllowed(e, noRequest, t0 + 600_000, none)).toBe(true)
    expect(Cache.staleIfErrorAllowed(e, noRequest, t0 + 660_000, none)).toBe(false)
  })

  it("RFC 5861 §4: the cache's allowance stands in when the response names none; the response's wins", () => {
    const allow = { staleWhileRevalidate: 0, staleIfError: 3_600_000 }
    expect(Cache.staleIfErrorAllowed(entry({ "cache-control": "max-age=60" }), noRequest, t0 + 1_000_000, allow)).toBe(
      true
    )
    expect(Cache.staleIfErrorAllowed(entry({ "cache-control": "max-age=60" }), noRequest, t0 + 3_700_000, allow))
      .toBe(false)
    const short = entry({ "cache-control": "max-age=60, stale-if-error=10" })
    expect(Cache.staleIfErrorAllowed(short, noRequest, t0 + 100_000, allow)).toBe(false)
  })

  it("§4.2.4: must-revalidate forbids a stale response on error; no-cache forbids the cache's own allowance", () => {
    const allow = { staleWhileRevalidate: 0, staleIfError: 3_600_000 }
    const must = entry({ "cache-control": "max-age=60, must-revalidate, stale-if-error=600" })
    expect(Cache.staleIfErrorAllowed(must, noRequest, t0 + 61_000, allow)).toBe(false)
    expect(Cache.staleIfErrorAllowed(entry({ "cache-control": "no-cache" }), noRequest, t0 + 1000, allow)).toBe(false)
    expect(Cache.staleIfErrorAllowed(entry({ "cache-control": "no-cache, stale-if-error=60" }), noRequest, t0, allow))
      .toBe(true)
  })
})

describe("storing (RFC 9111 §3)", () => {
  it("§3: GET and HEAD only", () => {
    expect(storable({ "cache-control": "max-age=60" })).toBe(true)
    expect(storable({ "cache-control": "max-age=60" }, { method: "HEAD" })).toBe(true)
    expect(storable({ "cache-control": "max-age=60" }, { method: "POST" })).toBe(false)
  })

  it("§5.2.2.5, §5.2.1.5: no-store in the response or the request", () => {
    expect(storable({ "cache-control": "max-age=60, no-store" })).toBe(false)
    expect(storable({ "cache-control": "max-age=60" }, { requestCacheControl: Cache.parseCacheControl("no-store") }))
      .toBe(false)
  })

  it("§5.2.2.7: private is storable by a private cache", () => {
    expect(storable({ "cache-control": "private, max-age=60" })).toBe(true)
  })

  it("§3.5: a request with credentials only with public, s-maxage or must-revalidate, or the owner's opt-in", () => {
    const auth = { authenticated: true }
    expect(storable({ "cache-control": "max-age=60" }, auth)).toBe(false)
    expect(storable({ "cache-control": "max-age=60, public" }, auth)).toBe(true)
    expect(storable({ "cache-control": "s-maxage=60" }, auth)).toBe(true)
    expect(storable({ "cache-control": "max-age=60, must-revalidate" }, auth)).toBe(true)
    expect(storable({ "cache-control": "max-age=60" }, { ...auth, storeAuthenticated: true })).toBe(true)
  })

  it("§3: a response with no freshness, no validator and a status that is not heuristically cacheable is not stored", () => {
    expect(storable({}, { status: 201 })).toBe(false)
    expect(storable({ etag: "\"a\"" }, { status: 201 })).toBe(true)
  })

  it("§4.1: Vary: * is never stored (it would never match); too many Vary'd fields neither", () => {
    expect(storable({ "cache-control": "max-age=60", vary: "accept, *" })).toBe(false)
    const many = Array.from({ length: Cache.limits.varyFields + 1 }, (_, i) => `x-h${i}`).join(", ")
    expect(storable({ "cache-control": "max-age=60", vary: many })).toBe(false)
  })

  it("retention: freshness plus the longest stale allowance; longer with a validator", () => {
    const e = entry({ "cache-control": "max-age=60, stale-if-error=600" })
    expect(Cache.retention(e, none, 0)).toBe(660_000)
    expect(Cache.retention(entry({ "cache-control": "max-age=60", etag: "\"v\"" }), none, 3_600_000)).toBe(3_600_000)
  })
})

describe("Vary (RFC 9111 §4.1)", () => {
  it("§4.1: matches when each Vary'd field has the same normalized value; absent matches absent", () => {
    const fields = Cache.varyFields({ vary: "Accept-Language, accept" })
    expect(fields).toEqual(["accept", "accept-language"])
    const kept = Cache.varyValues(fields as ReadonlyArray<string>, { accept: "a/b,  c/d" })!
    expect(kept).toEqual({ accept: "a/b,c/d", "accept-language": null })
    expect(Cache.varyMatches(kept, { accept: "a/b , c/d" })).toBe(true)
    expect(Cache.varyMatches(kept, { accept: "a/b" })).toBe(false)
    expect(Cache.varyMatches(kept, { accept: "a/b,c/d", "accept-language": "en" })).toBe(false)
  })

  it("§4.1: Vary: * is *", () => {
    expect(Cache.varyFields({ vary: "*" })).toBe("*")
  })

  it("hostile input: Vary'd values longer than the bound are not kept", () => {
    expect(Cache.varyValues(["x"], { x: "a".repeat(Cache.limits.varyValueLength + 1) })).toBeUndefined()
  })
})

describe("validation (RFC 9111 §4.3)", () => {
  it("§4.3.1: If-None-Match from ETag, If-Modified-Since from Last-Modified", () => {
    expect(Cache.validators({ etag: "\"v1\"", "last-modified": http(t0) })).toEqual({
      "if-none-match": "\"v1\"",
      "if-modified-since": http(t0)
    })
    expect(Cache.validators({})).toBeUndefined()
    expect(Cache.validators({ etag: `"${"a".repeat(600)}"` })).toBeUndefined()
  })

  it("§4.3.4: a 304 selects the stored response by ETag (weak comparison), else Last-Modified", () => {
    expect(Cache.notModifiedSelects({ etag: "\"v1\"" }, { etag: "W/\"v1\"" })).toBe(true)
    expect(Cache.notModifiedSelects({ etag: "\"v1\"" }, { etag: "\"v2\"" })).toBe(false)
    expect(Cache.notModifiedSelects({ "last-modified": "a" }, { "last-modified": "b" })).toBe(false)
    expect(Cache.notModifiedSelects({ etag: "\"v1\"" }, {})).toBe(true)
  })

  it("§4.3.4, §3.2: freshening replaces the stored fields, except those describing the body", () => {
    const stored = { "content-length": "5", "content-type": "text/plain", "cache-control": "max-age=1", etag: "\"v\"" }
    const fresh = Cache.freshen(stored, { "content-length": "0", "cache-control": "max-age=60", date: "d" })
    expect(fresh).toEqual({
      "content-length": "5",
      "content-type": "text/plain",
      "cache-control": "max-age=60",
      etag: "\"v\"",
      date: "d"
    })
  })
})

describe("invalidation (RFC 9111 §4.4)", () => {
  it("§4.4: an unsafe method with a non-error status invalidates", () => {
    expect(Cache.invalidates("POST", 201)).toBe(true)
    expect(Cache.invalidates("DELETE", 204)).toBe(true)
    expect(Cache.invalidates("PUT", 303)).toBe(true)
    expect(Cache.invalidates("POST", 500)).toBe(false)
    expect(Cache.invalidates("GET", 200)).toBe(false)
    expect(Cache.invalidates("OPTIONS", 200)).toBe(false)
  })

  it("§4.4: the URL, and Location / Content-Location on the same origin only", () => {
    const url = new URL("https://api.example/pets")
    expect(Cache.invalidationTargets(url, { location: "/pets/1", "content-location": "https://evil.example/x" }))
      .toEqual(["https://api.example/pets", "https://api.example/pets/1"])
  })
})

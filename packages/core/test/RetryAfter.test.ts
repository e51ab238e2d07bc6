import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parse as parseRetryAfter, parseHttpDate } from "../src/RetryAfter.js"

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const longDays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad = (n: number) => String(n).padStart(2, "0")
const time = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`

const imf = (d: Date) =>
  `${days[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time(d)} GMT`
const rfc850 = (d: Date) =>
  `${longDays[d.getUTCDay()]}, ${pad(d.getUTCDate())}-${months[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${
    time(d)
  } GMT`
const asctime = (d: Date) =>
  `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${
    time(d)
  } ${d.getUTCFullYear()}`

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0)
// whole seconds within ±40 years of NOW, so the two-digit year of RFC 850 is unambiguous
const dates = fc.integer({ min: -40 * 365 * 86400, max: 40 * 365 * 86400 }).map((s) => new Date(NOW + s * 1000))

describe("Retry-After parsing", () => {
  it("every HTTP-date form parses to the same instant", () => {
    fc.assert(
      fc.property(dates, (d) => {
        expect(parseHttpDate(imf(d), NOW)).toBe(d.getTime())
        expect(parseHttpDate(rfc850(d), NOW)).toBe(d.getTime())
        expect(parseHttpDate(asctime(d), NOW)).toBe(d.getTime())
      }),
      { numRuns: 500 }
    )
  })

  it("a date gives the time until it, never a negative delay", () => {
    fc.assert(
      fc.property(dates, fc.constantFrom(imf, rfc850, asctime), (d, format) => {
        const delay = parseRetryAfter(undefined, format(d), NOW)
        expect(delay).toBe(Math.max(0, d.getTime() - NOW))
      }),
      { numRuns: 500 }
    )
  })

  it("delay-seconds and retry-after-ms parse; retry-after-ms wins", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (s, ms) => {
        expect(parseRetryAfter(undefined, String(s), NOW)).toBe(s * 1000)
        expect(parseRetryAfter(String(ms), String(s), NOW)).toBe(ms)
        expect(parseRetryAfter(` ${ms} `, undefined, NOW)).toBe(ms)
      })
    )
    expect(parseRetryAfter(undefined, "1.5", NOW)).toBe(1500)
  })

  it("garbage is ignored, and nothing is ever negative", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const delay = parseRetryAfter(a, b, NOW)
        expect(delay === undefined || (Number.isFinite(delay) && delay >= 0)).toBe(true)
      }),
      { numRuns: 2000 }
    )
    for (
      const garbage of [
        "",
        "soon",
        "-5",
        "1e3",
        "Infinity",
        "NaN",
        "0x10",
        "Sun, 32 Nov 2026 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 PST",
        "Sunday, 31-Feb-26 08:49:37 GMT",
        "2026-11-28T12:00:00Z"
      ]
    ) {
      expect(parseRetryAfter(undefined, garbage, NOW)).toBeUndefined()
    }
    // a bad retry-after-ms falls back to Retry-After
    expect(parseRetryAfter("-1", "3", NOW)).toBe(3000)
  })

  it("the examples of RFC 9110", () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37)
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).toBe(t)
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", Date.UTC(2000, 0, 1))).toBe(t)
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994", NOW)).toBe(t)
  })
})

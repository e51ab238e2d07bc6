import { describe, expect, it } from "vitest"
import * as RateLimitHeaders from "../src/RateLimitHeaders.js"

const now = 1_700_000_000_000
const from = (h: Record<string, string>) => (name: string) => h[name]
const { parse, pauseUntil } = RateLimitHeaders

describe("RateLimitHeaders", () => {
  it("reads the IETF draft, the structured field and GitHub's headers", () => {
    expect(parse(from({ "ratelimit-remaining": "0", "ratelimit-reset": "30" }), now)).toEqual({
      remaining: 0,
      resetAt: now + 30_000
    })
    expect(parse(from({ "x-ratelimit-remaining": "12", "x-ratelimit-reset": "1700000060" }), now)).toEqual({
      remaining: 12,
      resetAt: 1_700_000_060_000
    })
    expect(parse(from({ ratelimit: "limit=100, remaining=0, reset=7" }), now)).toEqual({
      remaining: 0,
      resetAt: now + 7000
    })
    expect(parse(from({ ratelimit: "\"default\";r=3;t=9" }), now)).toEqual({ remaining: 3, resetAt: now + 9000 })
    expect(parse(from({ "ratelimit-reset": "30" }), now)).toBeUndefined()
    expect(parse(from({ "ratelimit-remaining": "soon" }), now)).toBeUndefined()
    expect(parse(from({}), now)).toBeUndefined()
  })

  it("RateLimit-* wins over X-RateLimit-*, both over the structured field; a quota without a reset has none", () => {
    expect(parse(from({ "ratelimit-remaining": "1", "x-ratelimit-remaining": "9", ratelimit: "r=5;t=1" }), now))
      .toEqual({ remaining: 1, resetAt: now + 1000 })
    expect(parse(from({ "x-ratelimit-remaining": "9", ratelimit: "r=5" }), now)).toEqual({
      remaining: 9,
      resetAt: undefined
    })
    // a name that merely ends in r or t is not the parameter
    expect(parse(from({ ratelimit: "\"default\";xr=3;xt=9" }), now)).toBeUndefined()
  })

  it("a reset more than a day away is a parse accident, dropped; an epoch reset is in seconds", () => {
    expect(parse(from({ "ratelimit-remaining": "0", "ratelimit-reset": "86401" }), now)).toEqual({
      remaining: 0,
      resetAt: undefined
    })
    expect(parse(from({ "ratelimit-remaining": "0", "ratelimit-reset": "86400" }), now)?.resetAt).toBe(
      now + 86_400_000
    )
    expect(parse(from({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1800000000" }), now)?.resetAt)
      .toBeUndefined()
  })

  it("a 429's Retry-After and an exhausted quota pause; the later wins; beyond maxPause it is refused", () => {
    const max = 60_000
    expect(pauseUntil(429, 5000, from({ "ratelimit-remaining": "0", "ratelimit-reset": "9" }), now, max))
      .toEqual({ until: now + 9000, refusedMillis: undefined })
    expect(pauseUntil(200, undefined, from({ "ratelimit-remaining": "4", "ratelimit-reset": "9" }), now, max))
      .toEqual({ until: undefined, refusedMillis: undefined })
    // only a 429's Retry-After pauses the limiter: a 503's is for the retry of that one call
    expect(pauseUntil(503, 5000, from({}), now, max).until).toBeUndefined()
    expect(pauseUntil(429, 5000, from({}), now, max).until).toBe(now + 5000)
    // a quota exhausted on a success pauses too
    expect(pauseUntil(200, undefined, from({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "3" }), now, max))
      .toEqual({ until: now + 3000, refusedMillis: undefined })
    // a hint beyond maxPause is not taken, and is reported; the other one still is
    expect(pauseUntil(429, 86_400_000, from({}), now, max)).toEqual({ until: undefined, refusedMillis: 86_400_000 })
    expect(pauseUntil(429, 5000, from({ "ratelimit-remaining": "0", "ratelimit-reset": "86400" }), now, max))
      .toEqual({ until: now + 5000, refusedMillis: 86_400_000 })
    // exactly maxPause is taken
    expect(pauseUntil(429, max, from({}), now, max).until).toBe(now + max)
    expect(pauseUntil(429, max + 1, from({}), now, max)).toEqual({ until: undefined, refusedMillis: max + 1 })
    // nothing to wait for is no pause
    expect(pauseUntil(429, 0, from({}), now, max)).toEqual({ until: undefined, refusedMillis: undefined })
  })
})

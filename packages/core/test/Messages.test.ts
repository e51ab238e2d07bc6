import { describe, expect, it } from "vitest"
import * as Messages from "../src/Messages.js"

const request = { method: "GET", url: "https://api.example/pets/1?token=<redacted>" }

describe("Messages", () => {
  it("durations read as Effect 3's Duration.format writes them, in both lines", () => {
    const cases: Array<[number, string]> = [
      [0, "0"],
      [-5, "0"],
      [NaN, "0"],
      [Infinity, "Infinity"],
      [0.5, "500000ns"],
      [0.0015, "1500ns"],
      [1, "1ms"],
      [1.5, "1ms 500000ns"],
      [2.0000001, "2ms"],
      [999.9999999, "1s"],
      [1000, "1s"],
      [1500, "1s 500ms"],
      [2000, "2s"],
      [61_000, "1m 1s"],
      [120_000, "2m"],
      [3_600_000, "1h"],
      [90_061_001, "1d 1h 1m 1s 1ms"],
      [1e15, "11574074d 1h 46m 40s"]
    ]
    for (const [millis, text] of cases) expect(Messages.duration(millis), String(millis)).toBe(text)
  })

  it("a status: method, URL, status and phrase, request id, the server's hint, attempts", () => {
    expect(Messages.status({ request, status: 404, requestId: "req-7", retryAfterMillis: undefined, attempts: 1 }))
      .toBe("GET https://api.example/pets/1?token=<redacted> failed: 404 Not Found (request id req-7; 1 attempt)")
    expect(Messages.status({ request, status: 429, requestId: undefined, retryAfterMillis: 120_000, attempts: 3 }))
      .toBe(
        "GET https://api.example/pets/1?token=<redacted> failed: 429 Too Many Requests (retry after 2m; 3 attempts)"
      )
    expect(Messages.status({ request, status: 599, requestId: undefined, retryAfterMillis: 0, attempts: 2 }))
      .toBe("GET https://api.example/pets/1?token=<redacted> failed: 599 (retry after 0; 2 attempts)")
  })

  it("a redirect says how to follow it, or why it stopped, with the chain from the first URL", () => {
    const at = { method: "GET", url: "http://h/d" }
    const base = { request: at, requestId: undefined, retryAfterMillis: undefined, attempts: 1 }
    expect(Messages.status({ ...base, status: 302 })).toBe(
      "GET http://h/d failed: 302 Found (1 attempt); redirects are not followed by default: " +
        "set followRedirects (say 5) in the client's or the call's options"
    )
    // not a redirect: no note, whatever else is said
    for (const status of [300, 304, 404]) {
      expect(Messages.status({ ...base, status })).not.toContain("followRedirects")
    }
    const chain = ["http://h/a", "http://h/b", "http://h/c", "http://h/d"]
    expect(Messages.status({ ...base, status: 301, redirects: { chain, limit: 3, stopped: "Limit" } })).toBe(
      "GET http://h/d failed: 301 Moved Permanently (1 attempt); not followed: followRedirects is 3, " +
        "after http://h/a → http://h/b → http://h/c → http://h/d"
    )
    expect(
      Messages.status({ ...base, status: 307, redirects: { chain: ["http://h/d"], limit: 5, stopped: "OneShotBody" } })
    )
      .toBe(
        "GET http://h/d failed: 307 Temporary Redirect (1 attempt); not followed: a 307 sends the body again, " +
          "and this body can be read once only (give bytes or a string to follow it)"
      )
    expect(Messages.redirectNote(308, { chain: ["http://h/a", "http://h/d"], limit: 5, stopped: "NoLocation" }))
      .toBe("; not followed: no Location, or not an http(s) URL, after http://h/a → http://h/d")
    // a long chain shows its first URLs and its last, never all of them
    const long = Array.from({ length: 40 }, (_, i) => `http://h/${i}`)
    const note = Messages.redirectNote(302, { chain: long, limit: 39, stopped: "Limit" })
    expect(note).toBe(
      "; not followed: followRedirects is 39, after http://h/0 → http://h/1 → http://h/2 → http://h/3 → " +
        "http://h/4 → … (34 more) → http://h/39"
    )
  })

  it("credentials not obtained, with the token endpoint's OAuth error", () => {
    expect(
      Messages.credentials({
        request: { method: "POST", url: "https://auth.example/token" },
        detail: "the token endpoint answered 400",
        oauthError: { error: "invalid_client", description: "unknown client" },
        attempts: 1
      })
    ).toBe(
      "POST https://auth.example/token failed: credentials could not be obtained: the token endpoint answered 400: " +
        "invalid_client (unknown client) (1 attempt)"
    )
    expect(
      Messages.credentials({
        request,
        detail: undefined,
        oauthError: { error: "x", description: undefined },
        attempts: 2
      })
    )
      .toBe(
        "GET https://api.example/pets/1?token=<redacted> failed: credentials could not be obtained: : x (2 attempts)"
      )
  })

  it("a connection failure: the reason in words, whether it may have been sent, the detail", () => {
    expect(Messages.connection({ request, reason: "Refused", sent: false, detail: "ECONNREFUSED", attempts: 3 }))
      .toBe(
        "GET https://api.example/pets/1?token=<redacted> failed: connection refused (not sent; 3 attempts): ECONNREFUSED"
      )
    expect(Messages.connection({ request, reason: "Reset", sent: true, detail: "", attempts: 1 })).toBe(
      "GET https://api.example/pets/1?token=<redacted> failed: connection closed before the response was complete " +
        "(may have reached the server; 1 attempt)"
    )
    expect(Messages.connection({ request, reason: "Carrier", sent: true, detail: "", attempts: 1 })).toContain(
      "failed: Carrier (may"
    )
    // a reason named like an Object method is not one of ours
    expect(Messages.connection({ request, reason: "toString", sent: true, detail: "", attempts: 1 })).toContain(
      "failed: toString (may"
    )
  })

  it("a timeout names its scope and the limit passed", () => {
    const t = (scope: "attempt" | "total" | "idle", durationMillis: number) =>
      Messages.timeout({ request, scope, durationMillis, attempts: 1 })
    expect(t("attempt", 2000)).toBe(
      "GET https://api.example/pets/1?token=<redacted> timed out: attempt timeout of 2s passed (1 attempt)"
    )
    expect(t("total", 30_000)).toContain("timed out: total deadline of 30s passed")
    expect(t("idle", 30_000)).toContain("timed out: idle timeout between chunks of 30s passed")
  })

  it("a body not decoded: the reason, the detail, the body's first 200 characters quoted", () => {
    const d = (reason: "InvalidJson" | "SchemaMismatch" | "TooLarge" | "Read", detail: string, body: string) =>
      Messages.decode({ request, status: 200, reason, detail, body })
    expect(d("InvalidJson", "Unexpected token", "<html>")).toBe(
      "GET https://api.example/pets/1?token=<redacted> → 200: response body is not valid JSON: Unexpected token " +
        "(body: \"<html>\")"
    )
    expect(d("SchemaMismatch", "", "")).toBe(
      "GET https://api.example/pets/1?token=<redacted> → 200: response body does not match the schema"
    )
    expect(d("TooLarge", "", "")).toContain("response body is too large")
    expect(d("Read", "", "")).toContain("response body could not be read")
    expect(d("InvalidJson", "", "x".repeat(201))).toContain(`(body: "${"x".repeat(200)}…")`)
    expect(d("InvalidJson", "", "x".repeat(200))).toContain(`(body: "${"x".repeat(200)}")`)
  })

  it("the client's own refusals: breaker, bulkhead, limiter", () => {
    expect(
      Messages.circuitOpen({
        request,
        breaker: "api",
        state: "open",
        key: "api.example",
        retryAfterMillis: 5000,
        attempts: 1
      })
    ).toBe(
      "GET https://api.example/pets/1?token=<redacted> refused by the client, not sent: circuit breaker api is open " +
        "for api.example (retry after 5s; 1 attempt)"
    )
    expect(
      Messages.bulkheadRejected({
        request,
        bulkhead: "b",
        reason: "QueueFull",
        maxConcurrent: 4,
        maxQueue: 0,
        attempts: 1
      })
    ).toBe(
      "GET https://api.example/pets/1?token=<redacted> refused by the client, not sent: bulkhead b is full " +
        "(4 in flight, queue of 0; 1 attempt)"
    )
    expect(
      Messages.bulkheadRejected({
        request,
        bulkhead: "b",
        reason: "QueueTimeout",
        maxConcurrent: 4,
        maxQueue: 8,
        attempts: 2
      })
    ).toContain("bulkhead b queue wait timed out (4 in flight, queue of 8; 2 attempts)")
    expect(Messages.rateLimiterRejected({ request, limiter: "l", key: "k", retryAfterMillis: 1500, attempts: 1 })).toBe(
      "GET https://api.example/pets/1?token=<redacted> refused by the client, not sent: rate limiter l has no permit " +
        "for k within its maxWait (retry after 1s 500ms; 1 attempt)"
    )
  })
})

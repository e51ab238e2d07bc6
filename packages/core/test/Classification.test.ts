import { describe, expect, it } from "vitest"
import * as Classification from "../src/Classification.js"

const status = (s: number, headers: Record<string, string> = {}): Classification.Failure => ({
  _tag: Classification.statusTag(s),
  status: s,
  headers
})
const connection = (reason: string, sent: boolean): Classification.Failure => ({
  _tag: "ConnectionError",
  reason,
  sent
})

describe("Classification", () => {
  it("each status has its tag: 404 is not 403, other 4xx and 5xx are grouped", () => {
    expect([400, 401, 403, 404, 409, 422, 429, 418, 451, 500, 503, 599, 302, 304, 600].map(Classification.statusTag))
      .toEqual([
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "UnprocessableEntityError",
        "RateLimitError",
        "ClientError",
        "ClientError",
        "ServerError",
        "ServerError",
        "ServerError",
        "UnexpectedStatusError",
        "UnexpectedStatusError",
        "UnexpectedStatusError"
      ])
  })

  it("408, 429, 500, 502, 503, 504 are transient; no other status, unless x-should-retry says so", () => {
    const transient = Array.from({ length: 500 }, (_, i) => i + 100).filter((s) =>
      Classification.isTransient(status(s))
    )
    expect(transient).toEqual([408, 429, 500, 502, 503, 504])
    expect(Classification.isTransient(status(400, { "x-should-retry": "true" }))).toBe(true)
    expect(Classification.isTransient(status(503, { "x-should-retry": " FALSE " }))).toBe(false)
    expect(Classification.isTransient(status(503, { "x-should-retry": "maybe" }))).toBe(true)
  })

  it("connection reasons are an allow-list: a reason nobody named is not retried, and a user may add one", () => {
    for (const reason of ["Refused", "Dns", "ConnectTimeout", "Reset", "Transport", "Proxy"]) {
      expect(Classification.isTransient(connection(reason, false)), reason).toBe(true)
    }
    // a certificate that failed verification fails the same way when sent again
    for (const reason of ["InvalidUrl", "InvalidRequest", "OriginNotAllowed", "PoolClosed", "Tls", "Later"]) {
      expect(Classification.isTransient(connection(reason, false)), reason).toBe(false)
    }
    const rules = Classification.extend({ reasons: ["Later"], statuses: [425] })
    expect(Classification.isTransient(connection("Later", false), rules)).toBe(true)
    expect(Classification.isTransient(status(425), rules)).toBe(true)
    expect(Classification.isTransient(status(503), rules)).toBe(true)
  })

  it("a user's option is checked once; one that adds nothing is the defaults themselves", () => {
    expect(Classification.rules(undefined, "retryOn")).toBe(Classification.defaultRules)
    expect(Classification.rules({}, "retryOn")).toBe(Classification.defaultRules)
    expect(Classification.rules({ statuses: [503], reasons: ["Reset"] }, "retryOn")).toBe(Classification.defaultRules)
    const more = Classification.rules({ statuses: [425], reasons: ["PoolClosed"] }, "retryOn")
    expect([...more.statuses]).toEqual([408, 429, 500, 502, 503, 504, 425])
    expect(more.reasons.has("PoolClosed") && more.reasons.has("Refused")).toBe(true)
    // the defaults are not changed by an extension
    expect(Classification.transientStatuses.has(425)).toBe(false)
    for (const bad of [99, 600, 425.5, NaN, "425"]) {
      expect(() => Classification.rules({ statuses: [bad as number] }, "retry.retryOn"), String(bad)).toThrow(
        `retry.retryOn.statuses must hold whole numbers from 100 to 599, got ${String(bad)}`
      )
    }
    expect(() => Classification.rules({ reasons: [""] }, "retry.retryOn")).toThrow(/retry.retryOn.reasons/)
    expect(() => Classification.rules(5 as never, "retry.retryOn")).toThrow(/retry.retryOn must be/)
  })

  it("timeouts: an attempt's is transient, the total deadline's and an idle stream's are not", () => {
    expect(Classification.isTransient({ _tag: "TimeoutError", scope: "attempt" })).toBe(true)
    expect(Classification.isTransient({ _tag: "TimeoutError", scope: "total" })).toBe(false)
    expect(Classification.isTransient({ _tag: "TimeoutError", scope: "idle" })).toBe(false)
    expect(Classification.isTransient({ _tag: "DecodeError", reason: "InvalidJson" })).toBe(false)
    expect(Classification.isTransient({ _tag: "CircuitOpenError", key: "k" })).toBe(false)
  })

  it("the gate: an unsafe method is retried only with a key, or when the failure proves nothing was sent", () => {
    const reset = connection("Reset", true)
    const refused = connection("Refused", false)
    expect(Classification.classify(status(503), "GET", false).retry).toBe(true)
    expect(Classification.classify(status(503), "PUT", false).retry).toBe(true)
    expect(Classification.classify(status(503), "POST", false)).toEqual({
      retry: false,
      reason: "ServerError(503) on POST without an Idempotency-Key: the request may have reached the server"
    })
    expect(Classification.classify(status(503), "POST", true)).toEqual({
      retry: true,
      reason: "ServerError(503) (Idempotency-Key set)"
    })
    expect(Classification.classify(reset, "PATCH", false).retry).toBe(false)
    expect(Classification.classify(refused, "PATCH", false)).toEqual({
      retry: true,
      reason: "ConnectionError(Refused) (request was not sent)"
    })
    expect(Classification.classify(status(404), "GET", true)).toEqual({
      retry: false,
      reason: "NotFoundError(404) is not retryable"
    })
  })
})

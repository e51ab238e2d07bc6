import { describe, expect, it } from "vitest"
import * as StatusRange from "../src/StatusRange.js"

describe("StatusRange", () => {
  it("reads OpenAPI's range keys in either case, and nothing else", () => {
    expect(["4XX", "4xx", "5XX", "5xx", "default", "DEFAULT"].map(StatusRange.parse)).toEqual([
      "4XX",
      "4XX",
      "5XX",
      "5XX",
      "default",
      "default"
    ])
    expect(["2XX", "404", "", "4X", "defaults"].map(StatusRange.parse)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined
    ])
  })

  it("a status falls to its range before default; default takes 400–599 only", () => {
    const all = new Map<StatusRange.Range, string>([["4XX", "4"], ["5XX", "5"], ["default", "d"]])
    const onlyDefault = new Map<StatusRange.Range, string>([["default", "d"]])
    expect([418, 499, 500, 599].map((s) => StatusRange.pick(s, all))).toEqual(["4", "4", "5", "5"])
    expect([400, 503].map((s) => StatusRange.pick(s, onlyDefault))).toEqual(["d", "d"])
    expect([200, 204, 300, 304, 399, 600, 418.5].map((s) => StatusRange.pick(s, onlyDefault))).toEqual(
      Array(7).fill(undefined)
    )
    expect(StatusRange.pick(503, new Map([["4XX", "4"]]))).toBeUndefined()
  })

  it("a range is declared at the first status of its span left free, or not at all", () => {
    expect(StatusRange.representative("4XX", new Set())).toBe(400)
    expect(StatusRange.representative("4XX", new Set([400, 401]))).toBe(402)
    expect(StatusRange.representative("5XX", new Set([500]))).toBe(501)
    expect(StatusRange.representative("default", new Set([400]))).toBe(401)
    const every4xx = new Set(Array.from({ length: 100 }, (_, i) => 400 + i))
    expect(StatusRange.representative("4XX", every4xx)).toBeUndefined()
    expect(StatusRange.representative("default", every4xx)).toBe(500)
  })
})

import { describe, expect, it } from "vitest"
import { draw, type Row } from "../src/shared/waterfall.js"

const ms = (n: number) => BigInt(n) * 1_000_000n

describe("the waterfall", () => {
  it("draws the call, its requests in order and the events between them on one axis", () => {
    const call: Row = {
      name: "http.client GET",
      spanId: "c",
      parentId: undefined,
      start: ms(1000),
      end: ms(1100),
      attributes: new Map<string, unknown>([
        ["url.full", "https://api.example/pets/1?token=<redacted>"],
        ["http.response.status_code", 200],
        ["steady.attempts", 2]
      ]),
      events: [
        ["steady: retrying", ms(1010), {}], // a log line: not drawn
        ["steady.retry", ms(1010), { "steady.retry.reason": "ServerError(503)", "steady.retry.delay_ms": 80 }]
      ]
    }
    const attempt = (id: string, start: number, end: number, status: number, resend?: number): Row => ({
      name: "GET",
      spanId: id,
      parentId: "c",
      start: ms(start),
      end: ms(end),
      attributes: new Map<string, unknown>([
        ["http.response.status_code", status],
        ...(status >= 400 ? [["error.type", String(status)] as const] : []),
        ...(resend !== undefined ? [["http.request.resend_count", resend] as const] : [])
      ]),
      events: []
    })
    // out of order on purpose: the drawing sorts by time
    const lines = draw([attempt("b", 1090, 1100, 200, 1), call, attempt("a", 1000, 1010, 503)], 11)
    expect(lines).toHaveLength(4)
    expect(lines[0]).toMatch(/^http\.client GET \/pets\/1\?token=<redacted>\s+│█{11}│\s+100 ms {2}200, 2 attempt\(s\)$/)
    expect(lines[1]).toMatch(/^ {2}GET request 1\s+│██ {9}│\s+10 ms {2}503$/)
    expect(lines[2]).toMatch(/^ {2}◆ event\s+│ ◆ {9}│\s+10 ms {2}retry: ServerError\(503\), waits 80 ms$/)
    expect(lines[3]).toMatch(/^ {2}GET request 2 \(resend 1\)\s+│ {9}██│\s+10 ms {2}200$/)
  })

  it("says so when there is no finished call span", () => {
    expect(draw([])).toEqual(["(no finished call span)"])
  })
})

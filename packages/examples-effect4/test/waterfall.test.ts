import { ApiClient } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Waterfall from "../src/waterfall.js"

// `draw` is shared with the Effect 3 line and tested there (packages/examples/test/waterfall.test.ts):
// this tests what is Effect 4's own, the recorder, on the spans a real call makes
describe("the waterfall on Effect 4", () => {
  it("records a retried call's spans as rows: the call, its two requests, the retry event between them", async () => {
    const rows = await Effect.runPromise(
      Effect.gen(function*() {
        const { rows, tracer } = yield* Waterfall.recorder
        const client = yield* ApiClient.make({
          baseUrl: "https://api.example",
          retry: { base: "1 millis", cap: "1 millis" }
        })
        yield* client.get("/pets/1?api_key=s3cr3t").pipe(Effect.withTracer(tracer))
        return rows()
      }).pipe(Effect.provide(MockHttpClient.layer(MockHttpClient.sequence(503, 200))))
    )
    const call = rows.find((r) => r.name === "http.client GET")
    expect(call).toBeDefined()
    expect(call!.parentId).toBeUndefined()
    expect(call!.end).toBeGreaterThanOrEqual(call!.start)
    const requests = rows.filter((r) => r.parentId === call!.spanId)
    expect(requests.map((r) => r.name)).toEqual(["GET", "GET"])
    expect(requests.map((r) => r.end !== undefined)).toEqual([true, true])
    expect(call!.events.map(([name]) => name)).toContain("steady.retry")

    const lines = Waterfall.draw(rows)
    expect(lines.map((l) => l.split("│")[0].trim().replace(/ \/.*$/, ""))).toEqual([
      "http.client GET",
      "GET request 1",
      "◆ event",
      "GET request 2 (resend 1)"
    ])
    expect(lines[0]).toMatch(/^http\.client GET \/pets\/1\?api_key=<redacted> .* 200, 2 attempt\(s\)$/)
    expect(lines[1]).toMatch(/ 503$/)
    expect(lines[2]).toContain("retry: ServerError(503), waits")
    expect(lines[3]).toMatch(/ 200$/)
    expect(lines.join("\n")).not.toContain("s3cr3t")
  })
})

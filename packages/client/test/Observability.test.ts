import { it } from "@effect/vitest"
import { ApiClient, CircuitBreaker, ConnectionPool, RateLimiter } from "@steady/client"
import { MockHttpClient, TestServer } from "@steady/testing"
import { Effect, Metric, References } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect } from "vitest"
import { capturingTracer } from "./spans.js"
import { clocked, collectLogs, joinNow } from "./util.js"

const base = "https://api.example"

type Events = Array<[string, bigint, Record<string, unknown>]>
const eventsOf = (span: unknown): Events => (span as { events: Events }).events

describe("metrics", () => {
  it.effect("metrics: true records every request sent in http.client.request.duration, with semconv labels", () =>
    Effect.gen(function*() {
      const labels = (status?: string, error?: string): Record<string, string> => ({
        "http.request.method": "GET",
        "server.address": "metrics.example",
        "server.port": "443",
        ...(status !== undefined ? { "http.response.status_code": status } : {}),
        ...(error !== undefined ? { "error.type": error } : {})
      })
      const count = (status: string, error?: string) =>
        Effect.map(
          Metric.value(ApiClient.metrics.requestDuration.pipe(Metric.withAttributes(labels(status, error)))),
          (h) => h.count
        )
      const before = [yield* count("503", "503"), yield* count("200")]
      const measured = yield* ApiClient.make({ baseUrl: "https://metrics.example", metrics: true })
      yield* clocked(measured.get("/x"))
      expect([yield* count("503", "503"), yield* count("200")]).toEqual([before[0] + 1, before[1] + 1])
      // a client without the option records nothing
      const quiet = yield* ApiClient.make({ baseUrl: "https://metrics.example" })
      yield* clocked(quiet.get("/x"))
      expect([yield* count("503", "503"), yield* count("200")]).toEqual([before[0] + 1, before[1] + 1])
      const active = yield* Metric.value(
        ApiClient.metrics.activeRequests.pipe(Metric.withAttributes(labels()))
      )
      expect(active.count).toBe(0)
    }).pipe(Effect.provide(MockHttpClient.layer(MockHttpClient.sequence(503, 200, 503, 200)))))

  it.live("a pool counts its open connections", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_, res) => TestServer.json(res, 200, {}))
      const gauge = ApiClient.metrics.poolOpenConnections.pipe(Metric.withAttributes({ pool: "observed" }))
      yield* Effect.scoped(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: server.url })
          yield* Effect.all([client.get("/a"), client.get("/b"), client.get("/c")], { concurrency: 3 })
          expect((yield* Metric.value(gauge)).value).toBe(server.connectionsOpen)
          expect(server.connectionsOpen).toBeGreaterThan(0)
        }).pipe(Effect.provide(ConnectionPool.layer({ name: "observed" })))
      )
      // the pool is closed with its scope: its connections are gone, and so is the count
      expect((yield* Metric.value(gauge)).value).toBe(0)
    }))
})

describe("logs", () => {
  it.effect("one line per retry and one per failed call, at the client's level; None writes none", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const run = (logLevel: ApiClient.Options["logLevel"]) =>
        Effect.flatMap(
          ApiClient.make({ baseUrl: base, logLevel }),
          (client) => Effect.result(clocked(client.get("/x?token=s3cr3t")))
        ).pipe(Effect.provide(collectLogs(lines)), Effect.provideService(References.MinimumLogLevel, "Info"))
      yield* run("Warn")
      expect(lines.filter((l) => l.startsWith("WARN steady: retrying"))).toHaveLength(2)
      const failed = lines.filter((l) => l.startsWith("WARN steady: call failed"))
      expect(failed).toHaveLength(1)
      for (const field of ["error=ServerError", "attempts=3", "status=503", "method=GET", "token=<redacted>"]) {
        expect(failed[0]).toContain(field)
      }
      expect(lines.join("\n")).not.toContain("s3cr3t")
      lines.length = 0
      yield* run("None")
      yield* run(undefined) // Debug, below the fiber's minimum level
      expect(lines.filter((l) => l.includes("retrying") || l.includes("call failed"))).toEqual([])
    }).pipe(Effect.provide(MockHttpClient.layer(() => 503))))

  it("a level that is not one is a defect naming the option", () => {
    expect(() => ApiClient.makeWith(null as never, { logLevel: "Loud" as never })).toThrow(/logLevel/)
  })
})

describe("events", () => {
  it.effect("breaker and limiter decisions are events on the call span", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* capturingTracer
      const breaker = yield* CircuitBreaker.make({ name: "b", consecutiveFailures: 1 })
      const limiter = yield* RateLimiter.make({ name: "l", limit: 1, interval: "1 second" })
      const client = yield* ApiClient.make({ baseUrl: base, retry: false, policies: [limiter, breaker] })
      yield* Effect.result(client.get("/1")).pipe(Effect.withTracer(tracer))
      // the second call waits a second for its permit, then meets the open circuit
      const second = yield* Effect.forkChild(Effect.result(client.get("/2")).pipe(Effect.withTracer(tracer)))
      yield* TestClock.adjust("1 second")
      yield* joinNow(second)
      const names = spans.filter((s) => s.name === "http.client GET").flatMap((s) =>
        eventsOf(s).map(([n]) => n).filter((n) => n.startsWith("steady."))
      )
      expect(names).toEqual([
        "steady.circuit_breaker.state_change",
        "steady.rate_limiter.wait",
        "steady.circuit_breaker.rejected"
      ])
    }).pipe(Effect.provide(MockHttpClient.layer(() => 503))))
})

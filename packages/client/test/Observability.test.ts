import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { it } from "@effect/vitest"
import { SpanKind } from "@opentelemetry/api"
import { DataPointType, MetricReader } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
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

/** A metric reader that collects when asked (the periodic one would need real time). */
class CollectingReader extends MetricReader {
  protected override onForceFlush() {
    return Promise.resolve()
  }
  protected override onShutdown() {
    return Promise.resolve()
  }
}

describe("exported through @effect/opentelemetry 4 (NodeSdk), as docs/observability.md lists them", () => {
  it.effect("the call span, a client span per request, the retry event, and the HTTP client metrics", () => {
    const exporter = new InMemorySpanExporter()
    const reader = new CollectingReader()
    const telemetry = NodeSdk.layer(() => ({
      resource: { serviceName: "observability-test" },
      spanProcessor: new SimpleSpanProcessor(exporter),
      metricReader: reader
    }))
    return Effect.gen(function*() {
      const client = yield* ApiClient.make({
        baseUrl: "https://otel.example",
        metrics: true,
        retry: { base: "1 millis", cap: "1 millis" }
      })
      yield* clocked(client.get("/pets?token=s3cr3t"))
      const spans = exporter.getFinishedSpans()
      const { resourceMetrics } = yield* Effect.promise(() => reader.collect())

      // spans: names, kinds, parents and attributes (OpenTelemetry's HTTP client conventions)
      const call = spans.find((s) => s.name === "http.client GET")!
      expect(call.kind).toBe(SpanKind.INTERNAL)
      expect(call.parentSpanContext).toBeUndefined()
      expect(call.attributes).toMatchObject({
        "http.request.method": "GET",
        "server.address": "otel.example",
        "server.port": 443,
        "url.full": "https://otel.example/pets?token=<redacted>",
        "http.response.status_code": 200,
        "steady.attempts": 2
      })
      const requests = spans.filter((s) => s.name === "GET")
      expect(requests.map((s) => s.kind)).toEqual([SpanKind.CLIENT, SpanKind.CLIENT])
      expect(requests.map((s) => s.parentSpanContext?.spanId)).toEqual([
        call.spanContext().spanId,
        call.spanContext().spanId
      ])
      expect(requests.map((s) => s.attributes["http.response.status_code"])).toEqual([503, 200])
      expect(requests.map((s) => s.attributes["error.type"])).toEqual(["503", undefined])
      expect(requests.map((s) => s.attributes["http.request.resend_count"])).toEqual([undefined, 1])
      // each request carried its own span's traceparent
      expect((yield* MockHttpClient.requests).map((r) => r.headers.traceparent)).toEqual(
        requests.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`)
      )
      // the retry decision, an event on the call span
      const retry = call.events.find((e) => e.name === "steady.retry")
      expect(retry?.attributes).toMatchObject({ "steady.attempt": 1, "steady.retry.reason": "ServerError(503)" })
      expect(typeof retry?.attributes?.["steady.retry.delay_ms"]).toBe("number")
      expect(typeof retry?.attributes?.["steady.retry_budget.tokens"]).toBe("number")

      // metrics: the request duration per request sent, with semconv labels, in seconds buckets
      const metrics = resourceMetrics.scopeMetrics.flatMap((m) => m.metrics)
      const metric = (name: string) => metrics.find((m) => m.descriptor.name === name)
      const duration = metric("http.client.request.duration")!
      expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM)
      const mine = duration.dataPoints.filter((p) => p.attributes["server.address"] === "otel.example")
      expect(
        mine.map((p) => p.attributes).sort((a, b) =>
          String(a["http.response.status_code"]).localeCompare(
            String(b["http.response.status_code"])
          )
        )
      ).toEqual([
        {
          "http.request.method": "GET",
          "server.address": "otel.example",
          "server.port": "443",
          "http.response.status_code": "200"
        },
        {
          "http.request.method": "GET",
          "server.address": "otel.example",
          "server.port": "443",
          "http.response.status_code": "503",
          "error.type": "503"
        }
      ])
      const buckets = (mine[0].value as { buckets: { boundaries: Array<number> } }).buckets.boundaries
      expect(buckets).toEqual([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10])
      const active = metric("http.client.active_requests")!
      expect(active.dataPoints.find((p) => p.attributes["server.address"] === "otel.example")?.value).toBe(0)
      expect(metric("steady_retries_total")?.dataPoints[0].value).toBeGreaterThanOrEqual(1)

      // no label, attribute or event carries the query's secret
      expect(JSON.stringify(spans.map((s) => [s.attributes, s.events]))).not.toContain("s3cr3t")
      expect(JSON.stringify(metrics.map((m) => m.dataPoints.map((p) => p.attributes)))).not.toContain("s3cr3t")
    }).pipe(
      Effect.provide(MockHttpClient.layer(MockHttpClient.sequence(503, 200))),
      Effect.provide(telemetry)
    )
  })
})

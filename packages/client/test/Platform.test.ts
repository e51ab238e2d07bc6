import { HttpClient, HttpClientRequest } from "@effect/platform"
import { it } from "@effect/vitest"
import { ApiClient } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Effect, Schema, TestClock, Tracer } from "effect"
import { describe, expect } from "vitest"
import { capturingTracer } from "./spans.js"
import { joinNow } from "./util.js"

const base = "https://api.example"

describe("an ApiClient is an HttpClient", () => {
  it.effect("platform transforms and request builders work on it, and errors stay typed", () =>
    Effect.gen(function*() {
      const client = (yield* ApiClient.make({ baseUrl: base })).pipe(
        HttpClient.mapRequest(HttpClientRequest.setHeader("x-tenant", "acme"))
      )
      const request = yield* HttpClientRequest.post("/pets").pipe(
        HttpClientRequest.schemaBodyJson(Schema.Struct({ name: Schema.String }))({ name: "Rex" })
      )
      const response = yield* client.execute(request)
      expect(response.status).toBe(201)
      const [seen] = yield* MockHttpClient.requests
      expect(seen.headers["x-tenant"]).toBe("acme")
      expect(seen.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(seen.body)).toEqual({ name: "Rex" })
      const error = yield* Effect.flip(client.get("/missing"))
      expect(error._tag).toBe("NotFoundError")
    }).pipe(Effect.provide(MockHttpClient.layer(MockHttpClient.routes({ "POST /pets": () => 201 })))))
})

describe("tracing", () => {
  it.effect("one client span per call, with method, redacted URL, status and attempts, when a tracer exports", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* capturingTracer
      const client = yield* ApiClient.make({ baseUrl: base, retry: { base: "1 millis", cap: "1 millis" } })
      const fiber = yield* Effect.fork(client.get("/pets?token=s3cr3t").pipe(Effect.withTracer(tracer)))
      yield* TestClock.adjust("1 second")
      yield* joinNow(fiber)
      const span = spans.find((s) => s.name === "http.client GET")
      expect(span).toBeDefined()
      expect(span!.attributes.get("url.full")).toBe("https://api.example/pets?token=<redacted>")
      expect(span!.attributes.get("http.response.status_code")).toBe(200)
      expect(span!.attributes.get("steady.attempts")).toBe(2)
      expect([...span!.attributes.values()].join(" ")).not.toContain("s3cr3t")
      // the trace context travels with every attempt
      const requests = yield* MockHttpClient.requests
      expect(requests).toHaveLength(2)
      for (const r of requests) expect(r.headers.traceparent).toBe(`00-${span!.traceId}-${span!.spanId}-01`)
    }).pipe(Effect.provide(MockHttpClient.layer(MockHttpClient.sequence(503, 200)))))

  it.effect("no span with Effect's built-in tracer (it exports nothing); one with an exporting tracer", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const handler: MockHttpClient.Handler = () =>
        Effect.map(Effect.option(Effect.currentSpan), (span) => {
          seen.push(span._tag === "Some" ? span.value.name : "none")
          return 200
        })
      const call = Effect.flatMap(ApiClient.make({ baseUrl: base }), (client) => client.get("/pets")).pipe(
        Effect.withSpan("caller"),
        Effect.provide(MockHttpClient.layer(handler))
      )
      yield* call
      const builtIn = yield* Effect.tracer
      yield* call.pipe(Effect.withTracer(Tracer.make({ span: builtIn.span, context: builtIn.context })))
      // under the built-in tracer the transport runs in the caller's span; otherwise in steady's
      expect(seen).toEqual(["caller", "http.client GET"])
    }))
})

import { it } from "@effect/vitest"
import { ApiClient } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Effect, Schema, Tracer } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { TestClock } from "effect/testing"
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
  it.effect("a call span, and a client span per request sent, each with its own traceparent", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* capturingTracer
      const client = yield* ApiClient.make({ baseUrl: base, retry: { base: "1 millis", cap: "1 millis" } })
      const fiber = yield* Effect.forkChild(client.get("/pets?token=s3cr3t").pipe(Effect.withTracer(tracer)))
      yield* TestClock.adjust("1 second")
      yield* joinNow(fiber)
      const call = spans.find((s) => s.name === "http.client GET")!
      expect(call.kind).toBe("internal")
      expect(call.attributes.get("url.full")).toBe("https://api.example/pets?token=<redacted>")
      expect(call.attributes.get("http.response.status_code")).toBe(200)
      expect(call.attributes.get("steady.attempts")).toBe(2)
      const attempts = spans.filter((s) => s.name === "GET")
      expect(attempts.map((s) => s.kind)).toEqual(["client", "client"])
      expect(attempts.map((s) => s.parent._tag === "Some" && s.parent.value.spanId)).toEqual([
        call.spanId,
        call.spanId
      ])
      expect(attempts.map((s) => s.attributes.get("http.response.status_code"))).toEqual([503, 200])
      expect(attempts.map((s) => s.attributes.get("error.type"))).toEqual(["503", undefined])
      expect(attempts.map((s) => s.attributes.get("http.request.resend_count"))).toEqual([undefined, 1])
      expect(attempts[0].attributes.get("server.address")).toBe("api.example")
      expect(attempts[0].attributes.get("server.port")).toBe(443)
      for (const s of [call, ...attempts]) expect([...s.attributes.values()].join(" ")).not.toContain("s3cr3t")
      // each attempt carries its own trace context
      const requests = yield* MockHttpClient.requests
      expect(requests.map((r) => r.headers.traceparent)).toEqual(
        attempts.map((s) => `00-${s.traceId}-${s.spanId}-01`)
      )
      // the retry decision is an event on the call span
      const events = (call as unknown as { events: Array<[string, bigint, Record<string, unknown>]> }).events
      const retry = events.find(([name]) => name === "steady.retry")
      expect(retry?.[2]).toMatchObject({ "steady.attempt": 1, "steady.retry.reason": "ServerError(503)" })
      expect(typeof retry?.[2]["steady.retry.delay_ms"]).toBe("number")
    }).pipe(Effect.provide(MockHttpClient.layer(MockHttpClient.sequence(503, 200)))))

  it.effect("no span with Effect's built-in tracer (it exports nothing); spans with an exporting tracer", () =>
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
      // under the built-in tracer the transport runs in the caller's span; otherwise in the attempt's
      expect(seen).toEqual(["caller", "GET"])
    }))
})

import { area, client, client4, src, src4 } from "./types.js"

export const observability = area("Observability", [
  // Observability
  {
    id: "span-no-resend-count",
    promise: "a request sent again says so: http.request.resend_count",
    file: `${src}trace.ts`,
    find: "...(resend > 0 ? { \"http.request.resend_count\": resend } : {})",
    replace: "",
    tests: client("Platform")
  },
  {
    id: "failure-log-ignores-level",
    promise: "the failed-call log line is written at the client's logLevel",
    file: `${src}apiClient.ts`,
    find: "Effect.logWithLevel(logLevel, \"steady: call failed\")",
    replace: "Effect.logDebug(\"steady: call failed\")",
    tests: client("Observability")
  },
  {
    id: "metric-no-error-type",
    promise: "a failed request's duration is labelled with its error.type",
    file: `${src}trace.ts`,
    find: "labels.push(MetricLabel.make(\"error.type\", errorType(error)))",
    replace: "",
    tests: client("Observability")
  },
  // Observability on the Effect 4 line, as OpenTelemetry receives it (@effect/opentelemetry 4)
  {
    id: "e4-request-span-not-client",
    promise: "on Effect 4, each request sent is a span of kind client under the call's internal span",
    file: `${src4}trace.ts`,
    find: "kind: \"client\",",
    replace: "kind: \"internal\",",
    tests: client4("Observability")
  },
  {
    id: "e4-call-span-url-unredacted",
    promise: "on Effect 4, the call span's url.full is redacted: no query secret reaches an exporter",
    file: `${src4}trace.ts`,
    find: "\"url.full\": redactUrl(request.url, request.redactQuery, request.redactValues)\n    }\n  }",
    replace: "\"url.full\": request.url.href\n    }\n  }",
    tests: client4("Observability")
  },
  {
    id: "e4-active-requests-never-down",
    promise: "on Effect 4, http.client.active_requests goes down when a request ends",
    file: `${src4}trace.ts`,
    find: "active.updateUnsafe(-1, context)",
    replace: "active.updateUnsafe(0, context)",
    tests: client4("Observability")
  }
])

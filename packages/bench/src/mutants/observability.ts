import { area, client, src } from "./types.js"

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
  }
])

import { area, client, src } from "./types.js"

export const config = area("Configuration", [
  // Configuration and per-call options
  {
    id: "config-ignores-timeout",
    promise: "<PREFIX>_TIMEOUT changes behaviour",
    file: "packages/client-effect3/src/ApiClient.ts",
    find: "timeout: { attempt: Option.getOrUndefined(attempt), total: Option.getOrUndefined(total) },",
    replace: "timeout: { attempt: Option.getOrUndefined(attempt), total: undefined },",
    tests: client("ApiClient")
  },
  {
    id: "config-ignores-max-retries",
    promise: "<PREFIX>_MAX_RETRIES changes behaviour",
    file: "packages/client-effect3/src/ApiClient.ts",
    find: "retry: Option.isSome(times) ? { times: times.value } : undefined,",
    replace: "retry: undefined,",
    tests: client("ApiClient")
  },
  {
    id: "call-ignores-idempotency-key",
    promise: "a per-call idempotencyKey takes effect",
    file: `${src}options.ts`,
    find: "apply: (call, idempotencyKey) => ({ ...call, idempotencyKey })",
    replace: "apply: (call) => call",
    tests: client("Pipeline", "Retry")
  },
  {
    id: "call-ignores-timeout",
    promise: "a per-call timeout takes effect",
    file: `${src}options.ts`,
    find: "if (value !== undefined) {\n          settings = { ...settings, [timeoutSettings[key]]",
    replace:
      "if (value !== undefined && key !== \"attempt\") {\n          settings = { ...settings, [timeoutSettings[key]]",
    tests: client("Pipeline", "Retry")
  },
  {
    id: "overrides-leak",
    promise: "per-client options never reach another client's calls",
    file: `${src}apiClient.ts`,
    find: "const own = overrides === undefined ? logged : Effect.locally(logged, currentCallOptions, undefined)",
    replace: "const own = logged",
    tests: client("Pipeline")
  }
])

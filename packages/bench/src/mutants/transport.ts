import { area, client, src } from "./types.js"

export const transport = area("Timeouts and transports", [
  // Timeouts and transports
  {
    id: "attempt-timeout-ignored",
    promise: "the attempt timeout bounds each attempt",
    file: `${src}attempt.ts`,
    find: "deadline < request.deadline",
    replace: "false",
    tests: client("ApiClient", "Behaviour", "Retry")
  },
  {
    id: "generic-no-deadline",
    promise: "the generic transport enforces the deadline",
    file: `${src}httpClientTransport.ts`,
    find: "if (settle(Effect.fail(failure.timeoutError(request)))) send.unsafeInterruptAsFork(FiberId.none)",
    replace: "",
    tests: client("ApiClient", "Behaviour")
  },
  {
    id: "undici-no-deadline",
    promise: "the pool's transport enforces the deadline and closes the socket",
    file: `${src}undiciTransport.ts`,
    find: "const timer = setTimeout(() => stop(failure.timeoutError(request)), failure.remainingMillis(request))",
    replace: "const timer = undefined",
    tests: client("ConnectionPool", "Behaviour")
  },
  {
    id: "pool-transport-for-any-client",
    promise: "a transformed pool goes through the generic transport",
    file: `${src}transport.ts`,
    find: "(provided.httpClient === undefined || provided.httpClient === http)",
    replace: "true",
    tests: client("Pipeline")
  }
])

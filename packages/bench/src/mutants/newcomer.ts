import { area, client, client4, core, coreTests, src, src4 } from "./types.js"

const testing3 = ["packages/testing-effect3/test/MockHttpClient.test.ts"]
const testing4 = ["packages/testing/test/MockHttpClient.test.ts"]
const fault3 = ["packages/testing-effect3/test/Fault.test.ts"]
const fault4 = ["packages/testing/test/Fault.test.ts"]
const server3 = ["packages/testing-effect3/test/TestServer.test.ts"]
const server4 = ["packages/testing/test/TestServer.test.ts"]

export const newcomer = area("Newcomer fixes", [
  {
    id: "newcomer-base-url-user-info-quoted",
    promise: "a refused base URL is quoted without its user info, on both lines",
    file: `${core}Redaction.ts`,
    find: "JSON.stringify(value.replace(USER_INFO, maskUserInfo))",
    replace: "JSON.stringify(value)",
    tests: [...client("Newcomer"), ...client4("Newcomer")]
  },
  // Issue 30, item 1: the usual test config is read, and a missing variable says what to pass
  {
    id: "newcomer-config-nested-only",
    promise: "makeConfig reads POSTS_BASE_URL from fromMap without pathDelim (Effect 3)",
    file: `${src}configKeys.ts`,
    find: "Effect.catchIf(ConfigError.isMissingDataOnly, () => flat.load([name], primitive, split)),",
    replace: "Effect.catchIf(ConfigError.isMissingDataOnly, (nested) => Effect.fail(nested)),",
    tests: client("Newcomer")
  },
  {
    id: "newcomer-config-missing-names-nested-path",
    promise: "a missing base URL is reported under its flat name, not POSTS.BASE_URL (Effect 3)",
    file: `${src}configKeys.ts`,
    find: "Effect.fail(ConfigError.MissingData([name], notSet(name)))",
    replace: "Effect.fail(ConfigError.MissingData(path.slice(), notSet(name)))",
    tests: client("Newcomer")
  },
  {
    id: "newcomer-config-nested-only-e4",
    promise: "makeConfig reads POSTS_BASE_URL from fromUnknown({ POSTS_BASE_URL }) (Effect 4)",
    file: `${src4}configKeys.ts`,
    find: ": provider.load([path.join(\"_\")])",
    replace: ": Effect.succeed(node)",
    tests: client4("Newcomer")
  },
  {
    id: "newcomer-config-not-set-unspaced-e4",
    promise: "a missing base URL reads \"POSTS_BASE_URL is not set (…what to pass…)\" (Effect 4)",
    file: `${src4}configKeys.ts`,
    find: "` is not set (expected an environment variable ${name}, ",
    replace: "`is not set (expected an environment variable ${name}, ",
    tests: client4("Newcomer")
  },
  // Issue 30, item 2: a recorder the test keeps sees the requests however the mock is provided
  {
    id: "newcomer-recorder-ignored",
    promise: "layer(handler, { recorder }) records into the test's recorder (Effect 3)",
    file: "packages/testing-effect3/src/MockHttpClient.ts",
    find: "if (options?.recorder === undefined) return",
    replace: "if (options !== null) return",
    tests: testing3
  },
  {
    id: "newcomer-recorder-not-emptied",
    promise: "each build of the mock's layer starts the test's recorder empty (Effect 3)",
    file: "packages/testing-effect3/src/MockHttpClient.ts",
    find: "  store.entries = []\n  return store",
    replace: "  return store",
    tests: testing3
  },
  {
    id: "newcomer-recorder-forged",
    promise: "a recorder not made by recorder() is refused when the layer is made (Effect 3)",
    file: "packages/testing-effect3/src/MockHttpClient.ts",
    find: "if (options?.recorder !== undefined && !stores.has(options.recorder)) {",
    replace: "if (options?.recorder === null) {",
    tests: testing3
  },
  {
    id: "newcomer-recorder-ignored-e4",
    promise: "layer(handler, { recorder }) records into the test's recorder (Effect 4)",
    file: "packages/testing/src/MockHttpClient.ts",
    find: "if (options?.recorder === undefined) return",
    replace: "if (options !== null) return",
    tests: testing4
  },
  {
    id: "newcomer-recorder-not-emptied-e4",
    promise: "each build of the mock's layer starts the test's recorder empty (Effect 4)",
    file: "packages/testing/src/MockHttpClient.ts",
    find: "  store.entries = []\n  return store",
    replace: "  return store",
    tests: testing4
  },
  // Issue 28, item 2: one vocabulary of faults, the same outcome on the mock and on ChaosServer
  {
    id: "testkit-mock-truncate-never-breaks",
    promise: "the mock's truncate breaks the body, as a server's closed socket does (Effect 3)",
    file: "packages/testing-effect3/src/internal/staged.ts",
    find: "encoder.encode(\"{\\\"truncated\\\":\")), Stream.fail(broken())",
    replace: "encoder.encode(\"{\\\"truncated\\\":\")), Stream.never",
    tests: fault3
  },
  {
    id: "testkit-mock-delay-ignored",
    promise: "the mock's delay waits on Effect's clock before the headers (Effect 3)",
    file: "packages/testing-effect3/src/internal/staged.ts",
    find: "body: healthy(), delay: Duration.millis(fault.millis)",
    replace: "body: healthy()",
    tests: fault3
  },
  {
    id: "testkit-chaos-hang-answers",
    promise: "ChaosServer's hang never answers (Effect 3)",
    file: "packages/testing-effect3/src/ChaosServer.ts",
    find: "    case \"Hang\":\n      return\n",
    replace: "    case \"Hang\":\n      return send(res, healthy(request, script))\n",
    tests: fault3
  },
  // Issue 28, item 2: one vocabulary of faults, the same outcome on the mock and on ChaosServer
  {
    id: "testkit-mock-truncate-never-breaks-e4",
    promise: "the mock's truncate breaks the body, as a server's closed socket does (Effect 4)",
    file: "packages/testing/src/internal/staged.ts",
    find: "encoder.encode(\"{\\\"truncated\\\":\")), Stream.fail(broken())",
    replace: "encoder.encode(\"{\\\"truncated\\\":\")), Stream.never",
    tests: fault4
  },
  {
    id: "testkit-mock-delay-ignored-e4",
    promise: "the mock's delay waits on Effect's clock before the headers (Effect 4)",
    file: "packages/testing/src/internal/staged.ts",
    find: "body: healthy(), delay: Duration.millis(fault.millis)",
    replace: "body: healthy()",
    tests: fault4
  },
  {
    id: "testkit-chaos-hang-answers-e4",
    promise: "ChaosServer's hang never answers (Effect 4)",
    file: "packages/testing/src/ChaosServer.ts",
    find: "    case \"Hang\":\n      return\n",
    replace: "    case \"Hang\":\n      return send(res, healthy(request, script))\n",
    tests: fault4
  },
  // Issue 28, item 3: a handler of TestServer that throws answers 500
  {
    id: "testkit-server-throw-hangs",
    promise: "a TestServer handler that throws answers 500, not never (Effect 3)",
    file: "packages/testing-effect3/src/TestServer.ts",
    find: "new Promise((resolve) => resolve(handler(received, res))).catch",
    replace: "Promise.resolve(handler(received, res)).catch",
    tests: server3
  },
  // Issue 28, item 3: a handler of TestServer that throws answers 500
  {
    id: "testkit-server-throw-hangs-e4",
    promise: "a TestServer handler that throws answers 500, not never (Effect 4)",
    file: "packages/testing/src/TestServer.ts",
    find: "new Promise((resolve) => resolve(handler(received, res))).catch",
    replace: "Promise.resolve(handler(received, res)).catch",
    tests: server4
  },
  // Issue 30, item 4: redirects a newcomer meets
  {
    id: "newcomer-redirect-no-hint",
    promise: "a redirect not followed says how to follow it",
    file: `${core}Messages.ts`,
    find:
      "return \"; redirects are not followed by default: set followRedirects (say 5) in the client's or the call's options\"",
    replace: "return \"\"",
    tests: [...coreTests("Messages"), ...client("AuthWire"), ...client4("AuthWire")]
  },
  {
    id: "newcomer-redirect-per-call-ignored",
    promise: "followRedirects set per call (withOptions) is followed (Effect 3)",
    file: `${src}options.ts`,
    find: "settings: { ...call.settings, followRedirects: retry.wholeNumber(\"followRedirects\", value) }",
    replace: "settings: call.settings",
    tests: client("AuthWire", "CallOptions")
  },
  {
    id: "e4-newcomer-redirect-per-call-ignored",
    promise: "followRedirects set per call (withOptions) is followed (Effect 4)",
    file: `${src4}options.ts`,
    find: "settings: { ...call.settings, followRedirects: retry.wholeNumber(\"followRedirects\", value) }",
    replace: "settings: call.settings",
    tests: client4("AuthWire", "CallOptions")
  },
  {
    id: "newcomer-redirect-limit-no-chain",
    promise: "past the redirect limit, the error names the chain from the first URL (Effect 3)",
    file: `${src}redirect.ts`,
    find: "if (request.hop >= max) return Effect.fail(stopped(error, chain, max, \"Limit\"))",
    replace: "if (request.hop >= max) return Effect.fail(error)",
    tests: client("AuthWire")
  },
  {
    id: "e4-newcomer-redirect-limit-no-chain",
    promise: "past the redirect limit, the error names the chain from the first URL (Effect 4)",
    file: `${src4}redirect.ts`,
    find: "if (request.hop >= max) return Effect.fail(stopped(error, chain, max, \"Limit\"))",
    replace: "if (request.hop >= max) return Effect.fail(error)",
    tests: client4("AuthWire")
  },
  // Issue 30, item 3: a pool provided around ApiClient.make alone
  ...(["client-effect3", "client"] as const).flatMap((line) => {
    const e4 = line === "client"
    const file = `packages/${line}/src/internal/`
    const tests = e4 ? client4("ConnectionPool") : client("ConnectionPool")
    const tag = e4 ? " (Effect 4)" : " (Effect 3)"
    return [
      {
        id: `${e4 ? "e4-" : ""}newcomer-pool-closed-fails`,
        promise: "a call after the pool's scope closed is sent on a spare Agent, not failed" + tag,
        file: `${file}poolDispatcher.ts`,
        find: "if (!this.closed) return this.agent.dispatch(options, handler)",
        replace: "if (this.closed || !this.closed) return this.agent.dispatch(options, handler)",
        tests
      },
      {
        id: `${e4 ? "e4-" : ""}newcomer-pool-never-closed`,
        promise: "a pool wired right closes its connections when its scope closes" + tag,
        file: `${file}poolDispatcher.ts`,
        find: "    this.closed = true\n    return this.agent.destroy()",
        replace: "    this.closed = true\n    return Promise.resolve()",
        tests
      },
      {
        id: `${e4 ? "e4-" : ""}newcomer-pool-reopen-warns-each-call`,
        promise: "a reopened pool warns once, not on every call" + tag,
        file: `${file}connectionPool.ts`,
        find:
          "    warned = true\n    return Effect.annotateLogs(Effect.logWarning(reopenedWarning(name)), { pool: name })",
        replace: "    return Effect.annotateLogs(Effect.logWarning(reopenedWarning(name)), { pool: name })",
        tests
      }
    ]
  }),
  {
    id: "newcomer-call-option-undefined-clears",
    promise: "an outer withOptions that sets a key to undefined keeps the inner value (Effect 3)",
    file: `${src}options.ts`,
    find: "    if (outer[key] !== undefined) {",
    replace: "    if (Object.hasOwn(outer, key)) {",
    tests: client("CallOptions")
  },
  {
    id: "e4-newcomer-call-option-undefined-clears",
    promise: "an outer withOptions that sets a key to undefined keeps the inner value (Effect 4)",
    file: `${src4}options.ts`,
    find: "    if (outer[key] !== undefined) {",
    replace: "    if (Object.hasOwn(outer, key)) {",
    tests: client4("CallOptions")
  }
])

import { area, core, coreTests } from "./types.js"

const testing4 = "packages/testing/src/internal/cassette.ts"
const testing3 = "packages/testing-effect3/src/internal/cassette.ts"
const tests4 = ["packages/testing/test/Cassette.test.ts"]
const tests3 = ["packages/testing-effect3/test/Cassette.test.ts"]

/** Record and replay (issue 34): what a cassette keeps off the disk, and how it replays. */
export const cassette = area("Cassette (record and replay)", [
  {
    id: "cassette-sensitive-header-on-disk",
    promise: "a header named in the cassette's sensitiveHeaders is masked on disk, by name and by value",
    file: testing4,
    find: "sensitiveHeaders: lower([...(options.sensitiveHeaders ?? []), ...fromAuth.headers])",
    replace: "sensitiveHeaders: lower(fromAuth.headers)",
    tests: tests4
  },
  {
    id: "cassette-query-key-on-disk",
    promise: "an API key in the query is masked in the recorded URL",
    file: `${core}Cassette.ts`,
    find: "url: Redaction.redactUrl(entry.request.url, options.sensitiveQueryParams, secrets),",
    replace: "url: entry.request.url,",
    tests: [...tests4, ...coreTests("Cassette")]
  },
  {
    id: "cassette-oauth-answer-on-disk",
    promise: "an OAuth token answer's refresh_token and id_token are masked by value wherever they occur",
    file: `${core}Cassette.ts`,
    find: "found.push(...jsonFieldValues(text, fieldNames))",
    replace: "void fieldNames",
    tests: [...tests3, ...coreTests("Cassette")]
  },
  {
    id: "cassette-given-secret-on-disk",
    promise: "a Redacted secret given to the cassette is masked by value in every body",
    file: testing3,
    find: "...(options.secrets ?? []).map((s) => Redacted.isRedacted(s) ? Redacted.value(s) : s),",
    replace: "",
    tests: tests3
  },
  {
    id: "cassette-sequence-replays-first",
    promise: "repeated identical requests replay their recordings in order (503 then 200), each once",
    file: `${core}Cassette.ts`,
    find: "          used[i] = true\n",
    replace: "",
    tests: [...coreTests("Cassette"), ...tests4]
  },
  {
    id: "cassette-match-ignores-body",
    promise: "a request whose body differs from the recording's is not replayed",
    file: `${core}Cassette.ts`,
    find: "const body = options.body === false ?",
    replace: "const body = true ?",
    tests: [...coreTests("Cassette"), ...tests3]
  },
  {
    id: "cassette-ci-records",
    promise: "with CI=true, recording is refused (auto replays only) unless allowRecording says otherwise",
    file: testing4,
    find: "options.allowRecording ?? process.env.CI !== \"true\"",
    replace: "options.allowRecording ?? true",
    tests: tests4
  },
  {
    id: "cassette-delays-dropped",
    promise: "with delays: \"keep\", a replayed answer waits its recorded delay on Effect's clock",
    file: testing3,
    find: "const wait = state.options.delays === \"keep\" &&",
    replace: "const wait = false &&",
    tests: tests3
  },
  {
    id: "cassette-auth-in-context-ignored",
    promise: "the Auth layer in the cassette's context adds its declared names and secrets to the masking",
    file: testing3,
    find: "const auth = yield* Effect.serviceOption(Auth.Auth)",
    replace: "const auth = Option.none<Auth.Service>()",
    tests: tests3
  },
  {
    id: "cassette-gzip-recorded-coded",
    promise: "a gzip answer is recorded decoded (and so masked), without its Content-Encoding",
    file: testing4,
    find: "return Zlib.gunzipSync(bytes, options)",
    replace: "return undefined",
    tests: tests4
  },
  {
    id: "cassette-decoded-unbounded",
    promise:
      "a coded answer is decoded up to maxBodyBytes, not without bound (a small gzip body can decode to gigabytes)",
    file: testing4,
    find: "const options = { maxOutputLength: max }",
    replace: "const options = {}",
    tests: tests4
  }
])

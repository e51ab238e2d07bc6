/**
 * A program on the Effect 4 client generated from test/paramStylesSpec.ts (./styles):
 * ParamStyles.test.ts generates it next to this file, type-checks it with `tsc --strict` against
 * effect 4.1.5 (so the typed calls below prove the parameters' types), bundles it and runs it with
 * Node 22 against its loopback server (argv[2]), making each call of the JSON file argv[3]; the
 * last line printed is, for each call, whether it failed (and the error's tag), as JSON.
 */
import { Effect, Stream } from "effect"
import * as Fs from "node:fs"
import * as Styles from "./styles/index.js"

const baseUrl = process.argv[2]
const calls: ReadonlyArray<{ readonly operationId: string; readonly request: unknown }> = JSON.parse(
  Fs.readFileSync(process.argv[3], "utf8")
)

const program = Effect.gen(function*() {
  const s = yield* Styles.Styles
  yield* s.listCharges({ query: { created: { gte: 1, lt: 9 }, limit: 10 } })
  yield* s.nullable({
    query: { q: null, ids: null, keep: "k" },
    headers: { "x-when": null, cookie: { session: null } }
  })
  yield* s.nullable({
    query: { q: "a", ids: [1, 2], keep: "k" },
    headers: { "x-when": "now", cookie: { session: "s1", theme: "dark" } }
  })
  // @ts-expect-error a range filter is an object, not a string
  yield* Effect.ignore(s.listCharges({ query: { created: "gte=1" } }))
  const pages = yield* Stream.runCollect(s.listPagesStream({ query: { created: { gte: 1 }, tags: ["a", "b"] } }))
  const outcomes: Array<string> = [pages.join(",")]
  for (const call of calls) {
    const method = (s as unknown as Record<string, (request: unknown) => Effect.Effect<unknown, { _tag?: string }>>)[
      call.operationId
    ]
    outcomes.push(
      yield* method(call.request).pipe(
        Effect.map(() => "ok"),
        Effect.catch((e) => Effect.succeed(`failed: ${e._tag}`))
      )
    )
  }
  return outcomes
}).pipe(Effect.provide(Styles.layer({ baseUrl, retry: false })), Effect.timeout("30 seconds"))

Effect.runPromise(program).then(
  (outcomes) => console.log(JSON.stringify(outcomes)),
  (e) => {
    console.error(String(e))
    process.exit(1)
  }
)

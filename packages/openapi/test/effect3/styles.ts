/**
 * The Effect 3 client generated from test/paramStylesSpec.ts (./styles), as a program writes it:
 * ParamStyles.test.ts type-checks this file with `tsc --strict`, so a parameter typed wrong (a
 * range filter as a string, a nullable parameter that does not take `null`) fails to compile.
 * The calls themselves run in the test.
 */
import { Effect, Stream } from "effect"
import * as Styles from "./styles/index.js"

export const typed = Effect.gen(function*() {
  const s = yield* Styles.Styles
  yield* s.listCharges({ urlParams: { created: { gte: 1, lt: 9 }, limit: 10 } })
  yield* s.nullable({
    urlParams: { q: null, ids: null, keep: "k" },
    headers: { "x-when": null, cookie: { session: null } }
  })
  yield* s.nullable({ urlParams: { ids: [1, 2] }, headers: { cookie: { session: "s1", theme: "dark" } } })
  yield* Stream.runDrain(s.listPagesStream({ urlParams: { created: { gte: 1 }, tags: ["a", "b"] } }))
  yield* s.queryPipeDelimitedFalseArray({ urlParams: { color: ["a", "b"] } })
  yield* s.queryDeepObjectTrueObject({ urlParams: { color: { R: 1 } } })
  yield* s.pathMatrixTrueArray({ path: { color: ["a"] } })
  yield* s.cookieFormTrueObject({ headers: { cookie: { color: { G: 2 } } } })
  // @ts-expect-error a range filter is an object, not a string
  yield* s.listCharges({ urlParams: { created: "gte=1" } })
  // @ts-expect-error a cookie is typed as its value
  yield* s.cookieFormFalseArray({ headers: { cookie: { color: "blue" } } })
})

/**
 * GitHub's whole REST spec generated for the Effect 3 line (`--effect 3`), type-checked with
 * test/effect3/github.ts, which runs here against Prism's mock of the spec (github.ts has the
 * suite; `npm run test:github`).
 */
import { Effect } from "effect"
import { pathToFileURL } from "node:url"
import { suite } from "./github.js"

suite(3, async (program, origin) => {
  const { program: calls } = await import(pathToFileURL(program).href)
  return Effect.runPromise(calls(origin))
})

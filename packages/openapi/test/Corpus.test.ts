/**
 * The corpus of tricky-feature specs (test/corpus/: the OpenAPI Initiative's examples, and two
 * specs of this repository's that gather discriminators, circular references, every parameter
 * style, callbacks, webhooks and 3.1's tuples), generated for both Effect lines; every generated
 * file compiles under `tsc --strict` without `skipLibCheck` (corpus.ts; one program per line for
 * all of them). The real APIs are in CorpusReal.test.ts (`npm run test:corpus`); the generator's
 * fixes the corpus showed are pinned in CorpusFixes.test.ts.
 */
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { check, type Outcome, type Spec, table } from "./corpus.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const at = (file: string) => Path.join(here, "corpus", file)

const specs: ReadonlyArray<Spec> = [
  { name: "tricky features 3.1", file: at("tricky/features-3.1.yaml") },
  { name: "tricky features 3.0", file: at("tricky/features-3.0.yaml") },
  { name: "OAI api-with-examples", file: at("oai/api-with-examples.yaml") },
  { name: "OAI callback-example", file: at("oai/callback-example.yaml") },
  { name: "OAI link-example", file: at("oai/link-example.yaml") },
  { name: "OAI non-oauth-scopes", file: at("oai/non-oauth-scopes.yaml") },
  { name: "OAI tictactoe", file: at("oai/tictactoe.yaml") },
  { name: "OAI uspto", file: at("oai/uspto.yaml") },
  { name: "OAI webhook-example", file: at("oai/webhook-example.yaml") }
]

describe("the corpus of tricky-feature specs", () => {
  it("each spec compiles on both Effect lines under tsc --strict without skipLibCheck", async () => {
    const outcomes: Array<Outcome> = []
    for (const line of [4, 3] as const) outcomes.push(...await check(specs, line))
    console.log(`corpus (tricky features):\n${table(outcomes)}`)
    expect(new Set(outcomes.map((o) => o.spec)).size).toBe(9)
    // every operation of the specs is counted (webhooks and callbacks are the server's calls, not the client's)
    expect(outcomes.filter((o) => o.line === 4).reduce((n, o) => n + o.operations, 0)).toBe(36)
    expect(outcomes.flatMap((o) => o.errors)).toEqual([])
  }, 900_000)
})

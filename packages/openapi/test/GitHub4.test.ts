/**
 * GitHub's whole REST spec generated for the Effect 4 line (the default), type-checked against
 * effect 4.1.5 with test/effect4/github.ts, which is bundled with esbuild and run with Node 22
 * against Prism's mock of the spec (github.ts has the suite; `npm run test:github`).
 */
import * as Path from "node:path"
import { suite } from "./github.js"
import { bundle, runNode22 } from "./node22.js"

suite(4, async (program, origin) => {
  const run = await runNode22(await bundle(program, Path.join(Path.dirname(program), "program.mjs")), [origin])
  if (run.code !== 0 || run.stderr !== "") throw new Error(`the program failed (${run.code}):\n${run.stderr}`)
  return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null")
})

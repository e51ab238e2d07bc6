#!/usr/bin/env node
/**
 * `steady-openapi <spec> --out <dir> [--name Petstore]`: generates a steady client from an
 * OpenAPI 3.0/3.1 document.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as Path from "node:path"
import { parseArgs } from "node:util"
import * as Generator from "./Generator.js"

const usage = "usage: steady-openapi <spec.json|spec.yaml|url> --out <dir> [--name <ApiName>]"

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: "string" }, name: { type: "string" }, help: { type: "boolean", short: "h" } }
})
if (values.help === true) {
  console.log(usage)
  process.exit(0)
}
const [spec] = positionals
if (spec === undefined || values.out === undefined || positionals.length > 1) {
  console.error(usage)
  process.exit(2)
}
const name = values.name ?? Path.basename(values.out)
const started = performance.now()
Effect.runPromise(Effect.either(Generator.run(spec, values.out, { name }))).then((result) => {
  if (result._tag === "Left") {
    console.error(`steady-openapi: ${result.left.message}`)
    process.exit(1)
  }
  const g = result.right
  const bytes = Object.values(g.files).reduce((n, text) => n + Buffer.byteLength(text), 0)
  console.log(
    `steady-openapi: ${g.operations} operations, ${g.schemas} schemas → ${values.out} ` +
      `(${(bytes / 1024).toFixed(1)} KiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
  for (const s of g.skipped) console.log(`  skipped ${s}`)
})

#!/usr/bin/env node
/**
 * `steady-openapi <spec> --out <dir> [--name Petstore] [--effect 4|3] [--allow-ref-dir <dir>]… [--allow-remote-refs]
 * [--no-format]`:
 * generates a steady client from an OpenAPI 3.0/3.1 document, for Effect 4 (`@steady/client`,
 * the default) or Effect 3 (`--effect 3`: `@steady/client-effect3`). `$ref`s read files only inside
 * the spec's folder and the `--allow-ref-dir` folders, and fetch URLs only with
 * `--allow-remote-refs` (never from a private address). The code is written in the house format
 * (dprint's, as the repository's lint rule runs it) by the generator's own printer, and by dprint
 * (an optional dependency) for the few statements the printer declines; `--no-format` writes the
 * code as generated, neither printed nor formatted. Without an install, run it as
 * `npx -p @steady/openapi steady-openapi` (`npx steady-openapi` asks the registry for another
 * package, `steady-openapi`, which does not exist).
 *
 * @since 0.2.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Path from "node:path"
import { parseArgs } from "node:util"
import * as Generator from "./Generator.js"

const usage = "usage: steady-openapi <spec.json|spec.yaml|url> --out <dir> [--name <ApiName>] [--effect 4|3] " +
  "[--allow-ref-dir <dir>]... [--allow-remote-refs] [--no-format]"

/** `--help`: the usage, and how to install and run it (the package is scoped; the bin is not). */
const help = `${usage}\n\n` +
  "Install it as a dev dependency (npm install --save-dev @steady/openapi) and run npx steady-openapi …,\n" +
  "or without an install: npx -p @steady/openapi steady-openapi … (the package is @steady/openapi).\n" +
  "The generated code needs @steady/client and effect 4 (--effect 4, the default), or\n" +
  "@steady/client-effect3, effect 3 and @effect/platform (--effect 3); never the generator."

const parsed = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        out: { type: "string" },
        name: { type: "string" },
        effect: { type: "string" },
        "allow-ref-dir": { type: "string", multiple: true },
        "allow-remote-refs": { type: "boolean" },
        "no-format": { type: "boolean" },
        help: { type: "boolean", short: "h" }
      }
    })
  } catch (e) {
    console.error(`steady-openapi: ${e instanceof Error ? e.message : String(e)}\n${usage}`)
    return process.exit(2)
  }
})()
const { positionals, values } = parsed
if (values.help === true) {
  console.log(help)
  process.exit(0)
}
const [spec] = positionals
if (spec === undefined || values.out === undefined || positionals.length > 1) {
  console.error(usage)
  process.exit(2)
}
if (values.effect !== undefined && values.effect !== "3" && values.effect !== "4") {
  console.error(`steady-openapi: --effect is 3 or 4 (the default)\n${usage}`)
  process.exit(2)
}
const name = values.name ?? Path.basename(values.out)
const started = performance.now()
const options: Generator.Options = {
  name,
  effect: values.effect === "3" ? 3 : 4,
  allowRefDirs: values["allow-ref-dir"] ?? [],
  allowRemoteRefs: values["allow-remote-refs"] === true,
  format: values["no-format"] !== true
}
Effect.runPromiseExit(Generator.run(spec, values.out, options)).then((exit) => {
  if (Exit.isFailure(exit)) {
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) console.error(`steady-openapi: ${failure.value.message}`)
    else {
      // a --name it cannot use, or a bug of the generator's: said in one line (a bug's message may quote the spec)
      const defect = Cause.squash(exit.cause)
      console.error(
        defect instanceof TypeError && defect.message.startsWith("Generator: name")
          ? `steady-openapi: --${defect.message.slice("Generator: ".length)}`
          : `steady-openapi: failed (${defect instanceof Error ? defect.name : typeof defect}); please report it`
      )
    }
    return process.exit(1)
  }
  const g = exit.value
  const bytes = Object.values(g.files).reduce((n, text) => n + Buffer.byteLength(text), 0)
  console.log(
    `steady-openapi: ${g.operations} operations, ${g.schemas} schemas → ${values.out} ` +
      `(${(bytes / 1024).toFixed(1)} KiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`
  )
  for (const r of g.reports) console.log(`  ${r.generated ? "partly" : "skipped"} ${Generator.formatReport(r)}`)
  if (g.reports.length > 0) {
    const left = g.reports.filter((r) => !r.generated).length
    console.log(`  ${left} operation${left === 1 ? "" : "s"} skipped, ${g.reports.length - left} generated in part`)
  }
  if (!g.formatted && values["no-format"] !== true) {
    console.log(
      "  partly laid out: dprint (an optional dependency of @steady/openapi) is not installed for the statements" +
        " the printer declines"
    )
  }
})

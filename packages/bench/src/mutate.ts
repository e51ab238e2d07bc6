/**
 * `npm run mutate`: plants each mutant of mutants.ts (one file per area in mutants/) in turn,
 * runs the tests it names, and reports which ones every test let through, and the kill ratio
 * per area. Flags:
 *   --only a,b   only these mutants (by id)
 *   --area A     only the mutants of area A (as named in its file under mutants/)
 *   --write      put the figure in docs/reliability.md
 * Exits 1 when a mutant survives or no longer matches its code.
 */
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { node22 } from "../../../.ci/node22.mjs"
import { type Mutant, mutants } from "./mutants.js"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../../..")
const { values } = parseArgs({
  options: { only: { type: "string" }, area: { type: "string" }, write: { type: "boolean", default: false } }
})
const only = values.only?.split(",")
const selected = mutants.filter((m) =>
  (only === undefined || only.includes(m.id)) && (values.area === undefined || m.area === values.area)
)
if (selected.length === 0) throw new Error(`no mutant in area ${values.area}`)
if (only !== undefined && selected.length !== only.length) {
  const known = new Set(mutants.map((m) => m.id))
  throw new Error(`unknown mutant(s): ${only.filter((id) => !known.has(id)).join(", ")}`)
}

/** The Effect 4 line's packages: their tests run on their own vitest 5, under Node 22. */
const effect4Packages = ["packages/client/", "packages/testing/", "packages/redis/"]
const effect4Of = (test: string) => effect4Packages.find((p) => test.startsWith(p))

const run = (node: string, args: ReadonlyArray<string>, cwd: string) =>
  spawnSync(node, args, { cwd, encoding: "utf8", timeout: 300_000, env: { ...process.env, CI: "true" } })

/** Which runner a test file belongs to. */
const lineOf = (test: string) =>
  test.startsWith("packages/core/") ? "core" : effect4Of(test) !== undefined ? "Effect 4" : "Effect 3"

/**
 * Runs the named test files: those of the core and of the Effect 3 line on the root vitest 3
 * (Node 20), each in a run of its own, those of the Effect 4 line on their package's vitest 5
 * (Node 22). Every run goes on when another failed, so `by` says which of them noticed (core,
 * Effect 3, Effect 4).
 */
const vitest = (tests: ReadonlyArray<string>) => {
  const runs: Array<{ readonly by: ReadonlyArray<string>; readonly result: ReturnType<typeof run> }> = []
  // the core's tests and the Effect 3 line's run apart (both on the root vitest 3), so `by` says which noticed
  for (const line of ["core", "Effect 3"]) {
    const three = tests.filter((t) => effect4Of(t) === undefined && lineOf(t) === line)
    if (three.length === 0) continue
    runs.push({
      by: [line],
      result: run(
        process.execPath,
        [Path.join(root, "node_modules/vitest/vitest.mjs"), "run", "--bail", "1", ...three],
        root
      )
    })
  }
  for (const pkg of effect4Packages) {
    const four = tests.filter((t) => t.startsWith(pkg)).map((t) => t.slice(pkg.length))
    if (four.length === 0) continue
    const dir = Path.join(root, pkg)
    runs.push({
      by: ["Effect 4"],
      result: run(node22(), [Path.join(dir, "node_modules/vitest/vitest.mjs"), "run", "--bail", "1", ...four], dir)
    })
  }
  const failed = runs.filter((r) => r.result.status !== 0)
  return {
    status: failed.length > 0 ? 1 : 0,
    stdout: failed.map((r) => r.result.stdout).join("\n"),
    stderr: failed.map((r) => r.result.stderr).join("\n"),
    by: [...new Set(failed.flatMap((r) => r.by))]
  }
}

// What is planted is restored, however the run ends.
let planted: { readonly file: string; readonly text: string } | undefined
const restore = () => {
  if (planted !== undefined) Fs.writeFileSync(planted.file, planted.text)
  planted = undefined
}
process.on("exit", restore)
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    restore()
    process.exit(130)
  })
}

const stale: Array<Mutant> = []
for (const m of selected) {
  const text = Fs.readFileSync(Path.join(root, m.file), "utf8")
  if (text.split(m.find).length !== 2) stale.push(m)
}
if (stale.length > 0) {
  for (const m of stale) console.error(`stale mutant ${m.id}: its code does not occur exactly once in ${m.file}`)
  process.exit(1)
}

const allTests = [...new Set(selected.flatMap((m) => m.tests))]
process.stderr.write(`baseline: ${allTests.length} test files, unmutated… `)
const baseline = vitest(allTests)
if (baseline.status !== 0) {
  console.error(`the tests fail without any mutant:\n${baseline.stdout}\n${baseline.stderr}`)
  process.exit(1)
}
process.stderr.write("green\n")

const started = Date.now()
const results: Array<
  { readonly mutant: Mutant; readonly caught: boolean; readonly by: ReadonlyArray<string>; readonly seconds: number }
> = []
for (const m of selected) {
  const file = Path.join(root, m.file)
  const text = Fs.readFileSync(file, "utf8")
  planted = { file, text }
  Fs.writeFileSync(file, text.replace(m.find, m.replace))
  const t0 = Date.now()
  process.stderr.write(`${m.id}… `)
  const run = vitest(m.tests)
  restore()
  const caught = run.status !== 0
  const seconds = (Date.now() - t0) / 1000
  process.stderr.write(`${caught ? `caught by ${run.by.join(", ")}` : "SURVIVED"} (${seconds.toFixed(0)} s)\n`)
  results.push({ mutant: m, caught, by: run.by, seconds })
}

const caught = results.filter((r) => r.caught).length
const minutes = ((Date.now() - started) / 60_000).toFixed(1)
const areas = [...new Set(results.map((r) => r.mutant.area))]
const lines = [
  `${caught} of ${results.length} mutants caught (${minutes} min on ${process.version}).`,
  "",
  "| area | caught | planted |",
  "| --- | ---: | ---: |",
  ...areas.map((area) => {
    const inArea = results.filter((r) => r.mutant.area === area)
    return `| ${area} | ${inArea.filter((r) => r.caught).length} | ${inArea.length} |`
  }),
  "",
  "| mutant | area | what it would break | caught by |",
  "| --- | --- | --- | --- |",
  ...results.map((r) =>
    `| \`${r.mutant.id}\` | ${r.mutant.area} | ${r.mutant.promise} | ${r.caught ? r.by.join(", ") : "**no**"} |`
  )
]
console.log(lines.join("\n"))
if (values.write && only === undefined && values.area === undefined) {
  const doc = Path.join(root, "docs/reliability.md")
  const text = Fs.readFileSync(doc, "utf8")
  const start = text.indexOf("<!-- mutate:start -->")
  const end = text.indexOf("<!-- mutate:end -->")
  if (start === -1 || end === -1) throw new Error("docs/reliability.md has no mutate markers")
  Fs.writeFileSync(doc, text.slice(0, start + 21) + "\n" + lines.join("\n") + "\n" + text.slice(end))
}
process.exit(caught === results.length ? 0 : 1)

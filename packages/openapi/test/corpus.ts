/**
 * The corpus test's one helper (Corpus.test.ts: the tricky-feature specs, in every run;
 * CorpusReal.test.ts: real APIs, `npm run test:corpus`). Each spec is generated for both Effect
 * lines (`--effect 4`, the default, and `--effect 3`), and every generated file is type-checked
 * under `tsc --strict` without `skipLibCheck` (`strictErrors`: one program per spec and line).
 * It prints one line per spec and line (`corpus …:`) and the rows of docs/openapi.md's Corpus
 * table: operations, generated, reported (the reasons counted), compile errors, time.
 */
import { Generator } from "@steady/openapi"
import { Effect } from "effect"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { buildDir, strictErrors } from "./compile.js"

const here = Path.dirname(fileURLToPath(import.meta.url))

/** One spec of the corpus. */
export interface Spec {
  /** A short name (the table's and the build folder's). */
  readonly name: string
  /** Its path. */
  readonly file: string
  /**
   * Errors a feature another change brings is known to fix, by line: each error matching `pattern`
   * is counted as pending (printed, named in the report) instead of failing the test.
   */
  readonly pending?: Partial<Record<3 | 4, { readonly pattern: RegExp; readonly feature: string }>>
}

/** What one spec gave on one line. */
export interface Outcome {
  readonly spec: string
  readonly line: 3 | 4
  readonly operations: number
  /** Operations left out (`generated: false`). */
  readonly leftOut: number
  /** Each reason of a report, `left out: …` or `in part: …`, with its count. */
  readonly reasons: Readonly<Record<string, number>>
  /** Compile errors no pending feature explains: must be none. */
  readonly errors: ReadonlyArray<string>
  /** Compile errors a pending feature explains. */
  readonly pending: ReadonlyArray<string>
  /** Seconds to generate, and to type-check. */
  readonly generated: number
  readonly checked: number
}

const seconds = (from: number) => Math.round((performance.now() - from) / 100) / 10

/**
 * Generates each spec of `group` for `line`, each into its own folder, and type-checks every
 * file they wrote in one program (the libraries are read and checked once: a program costs a
 * minute or more on two cores). Each error is its spec's, by folder; the check's time is the
 * group's, told on each spec.
 */
export const check = async (group: ReadonlyArray<Spec>, line: 3 | 4): Promise<Array<Outcome>> => {
  const root = buildDir(`corpus-${line}`)
  const made = []
  for (const [i, spec] of group.entries()) {
    const dir = Path.join(root, `spec${i}`)
    const started = performance.now()
    const generated = await Effect.runPromise(Generator.run(spec.file, dir, { name: "Corpus", effect: line }))
    made.push({ spec, dir, generated, time: seconds(started) })
  }
  const checking = performance.now()
  const all = strictErrors(made.flatMap((m) => Object.keys(m.generated.files).map((f) => Path.join(m.dir, f))), line)
  const checked = seconds(checking)
  // an error of a library's file (none expected) is told with every spec
  const mine = (dir: string) => (e: string) => {
    const file = e.slice(0, e.indexOf(":"))
    return !file.includes(`corpus-${line}`) || Path.resolve(here, file).startsWith(dir + Path.sep)
  }
  return made.map(({ dir, generated, spec, time }) => {
    const errors = all.filter(mine(dir))
    const known = spec.pending?.[line]
    const reasons: Record<string, number> = {}
    for (const r of generated.reports) {
      const key = `${r.generated ? "in part" : "left out"}: ${r.reason}`
      reasons[key] = (reasons[key] ?? 0) + 1
    }
    const outcome: Outcome = {
      spec: spec.name,
      line,
      operations: generated.operations + generated.skipped.length,
      leftOut: generated.skipped.length,
      reasons,
      errors: errors.filter((e) => known === undefined || !known.pattern.test(e)),
      pending: errors.filter((e) => known !== undefined && known.pattern.test(e)),
      generated: time,
      checked
    }
    console.log(
      `corpus ${spec.name} effect ${line}: ${outcome.operations} operations, ${outcome.leftOut} left out, ${
        generated.reports.length - outcome.leftOut
      } in part, ${outcome.errors.length} compile errors${
        outcome.pending.length > 0 ? ` (+${outcome.pending.length} pending: ${known?.feature})` : ""
      }; generated in ${time} s, type-checked in ${checked} s${group.length > 1 ? " (with the group)" : ""}${
        Object.keys(reasons).length > 0 ? `\n  reports: ${JSON.stringify(reasons)}` : ""
      }${outcome.errors.length > 0 ? `\n  ${outcome.errors.slice(0, 20).join("\n  ")}` : ""}`
    )
    return outcome
  })
}

/** The Corpus table's rows (docs/openapi.md), one per spec, both lines in each. */
export const table = (outcomes: ReadonlyArray<Outcome>): string => {
  const rows = [
    "| spec | operations | generated | reported (reasons) | compile errors (E4 / E3) | time (E4 / E3) |",
    "| --- | ---: | ---: | --- | --- | --- |"
  ]
  const specs = [...new Set(outcomes.map((o) => o.spec))]
  for (const name of specs) {
    const e4 = outcomes.find((o) => o.spec === name && o.line === 4)
    const e3 = outcomes.find((o) => o.spec === name && o.line === 3)
    const any = e4 ?? e3!
    const reasons = Object.entries(any.reasons).map(([r, n]) => `${n} × ${r}`).join("; ")
    const errors = (o: Outcome | undefined) =>
      o === undefined ? "–" : `${o.errors.length}${o.pending.length > 0 ? ` (+${o.pending.length} pending)` : ""}`
    const time = (o: Outcome | undefined) => o === undefined ? "–" : `${o.generated} + ${o.checked} s`
    rows.push(
      `| ${name} | ${any.operations} | ${any.operations - any.leftOut} | ${
        reasons === "" ? "0" : `${Object.values(any.reasons).reduce((a, b) => a + b, 0)}: ${reasons}`
      } | ${errors(e4)} / ${errors(e3)} | ${time(e4)} / ${time(e3)} |`
    )
  }
  return rows.join("\n")
}

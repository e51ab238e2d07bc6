/**
 * Lays out the generated code in the house format of this repository's lint rule
 * (`@effect/dprint`): the output is what `eslint --fix` would leave. `printer.ts` writes most
 * statements in it directly; dprint lays out the few it declines. dprint (its TypeScript plugin is
 * 4 MB of wasm) is an optional dependency, loaded on the first such statement only: without it (an
 * install with `--omit=optional`) those statements are written as generated.
 *
 * @internal
 */
import type * as DprintFormatter from "@dprint/formatter"
import type * as DprintTypescript from "@dprint/typescript"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as printer from "./printer.js"

let formatter: DprintFormatter.Formatter | undefined

const require = createRequire(import.meta.url)

/**
 * Whether dprint can be loaded (it is an optional dependency): `false` when it is not installed,
 * and then `format` is not called.
 *
 * @internal
 */
export const available = (): boolean => {
  try {
    require.resolve("@dprint/formatter")
    require.resolve("@dprint/typescript")
    return true
  } catch {
    return false
  }
}

const make = (): DprintFormatter.Formatter => {
  const { createFromBuffer } = require("@dprint/formatter") as typeof DprintFormatter
  const { getPath } = require("@dprint/typescript") as typeof DprintTypescript
  const made = createFromBuffer(Fs.readFileSync(getPath()))
  made.setConfig({}, config)
  return made
}

const config = {
  indentWidth: 2,
  lineWidth: 120,
  semiColons: "asi",
  quoteStyle: "alwaysDouble",
  trailingCommas: "never",
  operatorPosition: "maintain",
  "arrowFunction.useParentheses": "force"
}

/**
 * What `format` laid out: the text, and how many statements the printer declined (each laid out
 * by dprint, or left as generated without it).
 *
 * @internal
 */
export interface Laid {
  readonly text: string
  readonly declined: number
}

/**
 * The code laid out in the house format, or why it could not be: code that does not parse (a
 * bug of the generator's: the message gives the position, never the code, which holds the
 * spec's text), or the formatter failing (its wasm runs out of stack on deeply nested code; it is
 * made anew).
 *
 * Each top-level statement is laid out by `printer.ts`, which writes dprint's house format
 * directly; a statement the printer declines (an `import`, a construct it does not know) goes
 * through dprint when `dprint` is `true` (the default) and it is installed, and is written as
 * generated otherwise.
 *
 * @internal
 */
export const format = (
  fileName: string,
  code: string,
  dprint = true
): string | { readonly message: string } => {
  const laid = layout(fileName, code, dprint)
  return "text" in laid ? laid.text : laid
}

/** @internal */
export const layout = (
  fileName: string,
  code: string,
  dprint = true
): Laid | { readonly message: string } => {
  // The generator separates top-level statements, and only them, by a blank line (a doc
  // comment's blank lines are ` *`; strings and templates hold no line break). dprint lays each
  // statement out alone as it would in the file, so statement by statement gives the same text
  // (and dprint's time and memory grow faster than the text: GitHub's 1.7 MB schemas.ts takes
  // 25 s and 1 GB in one piece). A piece that does not parse alone sends the whole file through
  // dprint, which says where it fails.
  const pieces = code.split("\n\n")
  const out: Array<string> = []
  let declined = 0
  for (const piece of pieces) {
    const printed = printer.layout(piece)
    if (printed !== undefined) {
      out.push(printed)
      continue
    }
    declined++
    if (!dprint) {
      out.push(piece.replace(/\n+$/, ""))
      continue
    }
    const formatted = formatWhole(fileName, `${piece}\n`)
    if (typeof formatted !== "string") {
      const whole = formatWhole(fileName, code)
      return typeof whole === "string" ? { text: whole, declined: pieces.length } : whole
    }
    out.push(formatted.replace(/\n$/, ""))
  }
  return { text: `${out.join("\n\n").replace(/\n+$/, "")}\n`, declined }
}

/**
 * The code laid out by dprint alone, statement by statement (what `format` did before the
 * printer; dprint's time grows faster than the text): the reference `Printer.test.ts` holds the
 * printer's output to.
 *
 * @internal
 */
export const dprintStatements = (fileName: string, code: string): string | { readonly message: string } => {
  const out: Array<string> = []
  for (const piece of code.split("\n\n")) {
    const formatted = formatWhole(fileName, `${piece}\n`)
    if (typeof formatted !== "string") return formatted
    out.push(formatted.replace(/\n$/, ""))
  }
  return `${out.join("\n\n").replace(/\n+$/, "")}\n`
}

/** @internal */
export const formatWhole = (fileName: string, code: string): string | { readonly message: string } => {
  try {
    formatter ??= make()
    // dprint keeps some line breaks it finds, so a second pass can differ from the first: format
    // until the text is stable (what the lint rule checks), at most a few times
    let text = code
    for (let i = 0; i < 4; i++) {
      const next = formatter.formatText({ filePath: fileName, fileText: text })
      if (next === text) break
      text = next
    }
    return text
  } catch (cause) {
    // a wasm trap may leave the instance broken: the next call makes a new one
    formatter = undefined
    const message = cause instanceof Error ? cause.message : String(cause)
    const at = new RegExp(`${fileName.replace(/\./g, "\\.")}:(\\d+):(\\d+)`).exec(message)
    return {
      message: at !== null
        ? `the generated ${fileName} does not parse at line ${at[1]}, column ${
          at[2]
        } (a bug of the generator's: please report it)`
        : `the generated ${fileName} could not be laid out (${
          cause instanceof Error ? cause.name : "error"
        }: the spec may nest schemas too deeply)`
    }
  }
}

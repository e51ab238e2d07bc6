/**
 * Lays out the generated code with dprint, configured as this repository's lint rule
 * (`@effect/dprint`): the output is what `eslint --fix` would leave. dprint (its TypeScript
 * plugin is 4 MB of wasm) is an optional dependency, loaded on the first call only: the
 * generator works without it (`--no-format`, or an install with `--omit=optional`), and writes
 * the code as generated.
 *
 * @internal
 */
import type * as DprintFormatter from "@dprint/formatter"
import type * as DprintTypescript from "@dprint/typescript"
import * as Fs from "node:fs"
import { createRequire } from "node:module"

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
 * The code laid out, or why it could not be: code that does not parse (a bug of the
 * generator's: the message gives the position, never the code, which holds the spec's text), or
 * the formatter failing (its wasm runs out of stack on deeply nested code; it is made anew).
 *
 * @internal
 */
export const format = (fileName: string, code: string): string | { readonly message: string } => {
  // dprint's time and memory grow faster than the text: GitHub's 1.7 MB schemas.ts takes 25 s
  // and 1 GB in one piece, 2.7 s and little memory as its 1,007 statements. The generator
  // separates top-level statements, and only them, by a blank line (a doc comment's blank lines
  // are ` *`; strings and templates hold no line break), and dprint lays each statement out alone
  // as it would in the file: statement by statement gives the same text. A piece that does not
  // parse alone sends the whole file through dprint, which says where it fails.
  const pieces = code.split("\n\n")
  if (pieces.length > 1) {
    const out: Array<string> = []
    for (const piece of pieces) {
      const formatted = formatWhole(fileName, `${piece}\n`)
      if (typeof formatted !== "string") return formatWhole(fileName, code)
      out.push(formatted.replace(/\n$/, ""))
    }
    return `${out.join("\n\n").replace(/\n+$/, "")}\n`
  }
  return formatWhole(fileName, code)
}

const formatWhole = (fileName: string, code: string): string | { readonly message: string } => {
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

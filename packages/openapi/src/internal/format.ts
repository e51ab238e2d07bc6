/**
 * Lays out the generated code with dprint, configured as this repository's lint rule
 * (`@effect/dprint`): the output is what `eslint --fix` would leave.
 *
 * @internal
 */
import { createFromBuffer, type Formatter } from "@dprint/formatter"
import { getPath } from "@dprint/typescript"
import * as Fs from "node:fs"

let formatter: Formatter | undefined

const config = {
  indentWidth: 2,
  lineWidth: 120,
  semiColons: "asi",
  quoteStyle: "alwaysDouble",
  trailingCommas: "never",
  operatorPosition: "maintain",
  "arrowFunction.useParentheses": "force"
}

/** @internal */
export const format = (fileName: string, code: string): string => {
  if (formatter === undefined) {
    formatter = createFromBuffer(Fs.readFileSync(getPath()))
    formatter.setConfig({}, config)
  }
  // dprint keeps some line breaks it finds, so a second pass can differ from the first: format
  // until the text is stable (what the lint rule checks), at most a few times
  let text = code
  for (let i = 0; i < 4; i++) {
    const next = formatter.formatText({ filePath: fileName, fileText: text })
    if (next === text) break
    text = next
  }
  return text
}

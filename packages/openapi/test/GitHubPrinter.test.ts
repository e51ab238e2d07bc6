/**
 * GitHub's whole spec through the printer, on both Effect lines: every statement of the output is
 * what dprint (configured as the lint rule) leaves unchanged, and the count of statements the
 * printer declined (laid out by dprint instead) is printed (`github printer:` lines) and is 0.
 * Heavy (dprint over 3.5 MB, statement by statement): `npm run test:github` only.
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import * as format from "../src/internal/format.js"
import * as printer from "../src/internal/printer.js"

const spec = process.env.STEADY_GITHUB_SPEC
const wanted = process.env.STEADY_GITHUB === "1" && spec !== undefined

describe.runIf(wanted)("GitHub's spec through the printer", () => {
  for (const effect of [3, 4] as const) {
    it.effect(`Effect ${effect}: every statement is in the house format, none declined`, () =>
      Effect.gen(function*() {
        const document = yield* Generator.load(spec!)
        const raw = Generator.generate(document, { name: "Github", effect, format: false })
        let statements = 0
        let declined = 0
        const started = performance.now()
        const printed: Record<string, string> = {}
        for (const [name, text] of Object.entries(raw.files)) {
          const laid = format.layout(name, text, false)
          if (!("text" in laid)) throw new Error(laid.message)
          printed[name] = laid.text
          statements += text.split("\n\n").length
          declined += laid.declined
        }
        const ms = performance.now() - started
        console.log(
          `github printer: Effect ${effect}, ${statements} statements, ${declined} declined, ${ms.toFixed(0)} ms`
        )
        for (const [name, text] of Object.entries(printed)) {
          const formatted = format.dprintStatements(name, text)
          expect(typeof formatted === "string" ? formatted : formatted.message, name).toBe(text)
        }
        expect(declined).toBe(0)
        // the same through generate
        expect(Generator.generate(document, { name: "Github", effect }).files).toEqual(printed)
        expect(printer.width).toBe(120)
      }), 600_000)
  }
})

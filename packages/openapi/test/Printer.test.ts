/**
 * The generator's printer (src/internal/printer.ts) writes the house format itself, without
 * dprint: its output must be what dprint, configured as the lint rule, leaves unchanged (a fixed
 * point), on both Effect lines, for the pet store, the test specs and a spec of hostile strings.
 * GitHub's spec is checked the same way in GitHubPrinter.test.ts (`npm run test:github`).
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Effect } from "effect"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import * as format from "../src/internal/format.js"
import * as printer from "../src/internal/printer.js"
import { spec as bodiesSpec } from "./bodiesSpec.js"
import { spec as wireSpec } from "./wireSpec.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const petstoreSpec = Path.join(here, "../../examples/openapi/petstore.yaml")

/** dprint over the whole file, as the lint rule runs it. */
const dprint = (name: string, text: string): string => {
  const formatted = format.formatWhole(name, text)
  if (typeof formatted !== "string") throw new Error(formatted.message)
  return formatted
}

/** Strings a spec may hold that code must escape: quotes, comment ends, templates, line separators. */
const nasty = ["*/ x /*", "\"'`${x}`", "a\u2028b\u2029c", "\\", "// x", "é ünïcode 🎉", "{ } ( ) [ ] , ;"]

const hostileSpec = {
  openapi: "3.0.3",
  info: { title: `Hostile ${nasty.join(" ")}`, version: "1", description: nasty.join("\n") },
  servers: [{ url: "https://api.example/v1" }],
  paths: {
    "/items/{id}": {
      get: {
        operationId: "getItem",
        summary: nasty.join(" "),
        description: nasty.join("\n\n"),
        parameters: [
          { name: "id", in: "path", required: true, schema: { type: "string" } },
          { name: "q*/", in: "query", description: nasty[0], schema: { type: "string", enum: nasty } }
        ],
        responses: {
          200: {
            description: "ok",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  description: nasty.join(" "),
                  required: nasty.slice(0, 3),
                  properties: Object.fromEntries(nasty.map((s, i) => [s, { type: i % 2 === 0 ? "string" : "number" }]))
                }
              }
            }
          },
          404: {
            description: nasty[1]!,
            content: { "application/json": { schema: { type: "object", properties: { message: { type: "string" } } } } }
          }
        }
      }
    }
  }
}

const specs: ReadonlyArray<readonly [string, () => Effect.Effect<Readonly<Record<string, unknown>>, unknown>]> = [
  ["the pet store", () => Generator.load(petstoreSpec)],
  ["bodiesSpec", () => Effect.succeed(bodiesSpec as unknown as Record<string, unknown>)],
  ["wireSpec", () => Effect.succeed(wireSpec as unknown as Record<string, unknown>)],
  ["a spec of hostile strings", () => Effect.succeed(hostileSpec)]
]

describe("the printer", () => {
  for (const [label, load] of specs) {
    for (const effect of [3, 4] as const) {
      it.effect(`writes ${label} (Effect ${effect}) in the house format: dprint leaves every file unchanged`, () =>
        Effect.gen(function*() {
          const document = yield* load()
          const generated = Generator.generate(document, { name: "Api", effect })
          expect(generated.formatted).toBe(true)
          const raw = Generator.generate(document, { name: "Api", effect, format: false })
          const declined: Array<string> = []
          for (const [name, text] of Object.entries(generated.files)) {
            expect(dprint(name, text), name).toBe(text)
            for (const piece of raw.files[name]!.split("\n\n")) {
              if (printer.layout(piece) === undefined) declined.push(piece.replace(/^(\/\*\*[^]*?\*\/\n)/, ""))
            }
          }
          // the printer, not dprint, laid out every statement (but strings with non-ASCII
          // characters, which dprint measures otherwise)
          if (label !== "a spec of hostile strings") expect(declined).toEqual([])
        }))
    }
  }

  it("breaks a line only past 120 columns, and then as dprint does", () => {
    // 120 columns: one line; 121: broken, each property on its own line
    const at = (n: number) => {
      const name = "x".repeat(n - "export const  = Schema.Struct({ a: Schema.String })".length)
      return `export const ${name} = Schema.Struct({ a: Schema.String })`
    }
    expect(at(120).length).toBe(120)
    expect(printer.layout(at(120))).toBe(at(120))
    expect(dprint("a.ts", `${at(120)}\n`)).toBe(`${at(120)}\n`)
    const broken = printer.layout(at(121))
    expect(broken).toBe(at(121).replace("({ a: Schema.String })", "({\n  a: Schema.String\n})"))
    expect(dprint("a.ts", `${at(121)}\n`)).toBe(`${broken}\n`)
  })

  it("lays out calls, objects, chains and blocks as dprint does from one line", () => {
    const long = (n: number) => Array.from({ length: n }, (_, i) => `field_number_${i}: Schema.String`).join(", ")
    const cases = [
      // one argument ending in a group hugs the brackets
      `export const A = Schema.Array(Schema.Struct({ ${long(6)} }))`,
      // the last argument an object: the others stay on the line
      `const B = Schema.transform(S.Basic, Schema.typeSchema(S.B), { strict: true, decode: (body) => new S.B({ status: 429, body }, true), encode: (error) => error.body })`,
      // arguments that do not fit: one per line
      `const C = Schema.transform(Schema.Struct({ ${long(5)} }), Schema.typeSchema(S.BadRequest), { strict: true })`,
      // a member chain breaks before a call that does not fit
      `const d = HttpApiEndpoint.get("d", "/d").setPath(Schema.Struct({ owner: Schema.String })).addSuccess(S.CommitComparison).addError(NotFoundResponse).addError(InternalServerErrorResponse)`,
      // a type alias too long for one line goes on after `=`
      `export type ${"L".repeat(60)} = typeof ${"L".repeat(60)}.Type`
    ]
    for (const code of cases) {
      const printed = printer.layout(code)
      expect(printed, code).toBeDefined()
      expect(`${printed}\n`, code).toBe(dprint("a.ts", `${printed}\n`))
      expect(printed!.split("\n").every((line) => line.length <= 120), code).toBe(true)
    }
    // as dprint lays them out from one line, byte for byte
    for (const code of cases.slice(1, 2)) expect(`${printer.layout(code)}\n`, code).toBe(dprint("a.ts", `${code}\n`))
    const path =
      `const e = HttpApiEndpoint.del("deletePet", "/pets/:petId").setPath(Schema.Struct({ petId: Schema.NumberFromString })).addSuccess(HttpApiSchema.Empty(204))`
    expect(`${printer.layout(path)}\n`).toBe(dprint("a.ts", `${path}\n`))
    // a value that fits with the item's comma in 120 columns stays after its key; one more
    // column, and it goes on the next line, as in dprint
    const key = "k".repeat(60)
    const value = `client.${"v".repeat(120 - 2 - key.length - 2 - 7 - 1)}`
    const object = `const o = { ${key}: ${value}, b: 1 }`
    const laid = printer.layout(object)!
    expect(laid).toContain(`\n  ${key}: ${value},\n`)
    expect(`${laid}\n`).toBe(dprint("a.ts", `${laid}\n`))
    const longer = printer.layout(`const o = { ${key}: ${value}x, b: 1 }`)!
    expect(longer).toContain(`\n  ${key}:\n    ${value}x,\n`)
    expect(`${longer}\n`).toBe(dprint("a.ts", `${longer}\n`))
    // a doc comment keeps one empty line where there are several, as dprint does
    const comment = printer.layout("/**\n * a\n *\n *\n * b\n */\nconst a = 1")!
    expect(comment).toBe("/**\n * a\n *\n * b\n */\nconst a = 1")
    expect(dprint("a.ts", "/**\n * a\n *\n *\n * b\n */\nconst a = 1\n")).toBe(`${comment}\n`)
    // a class whose heading is a long chain
    const group = `export class G extends HttpApiGroup.make("g")${
      Array.from({ length: 12 }, (_, i) => `.add(operationNumber${i}WithAVeryLongNameIndeed)`).join("")
    } {}`
    const printed = printer.layout(group)!
    expect(`${printed}\n`).toBe(dprint("a.ts", `${printed}\n`))
  })

  it("declines what it does not lay out, so dprint does: imports, code it does not read, lines it cannot shorten", () => {
    // imports: sorted as dprint sorts them, or declined when the modules are out of its order
    expect(printer.layout(`import { b, type C, A } from "x"`)).toBe(`import { A, b, type C } from "x"`)
    expect(printer.layout(`import { A } from "./x"\nimport { B } from "y"`)).toBeUndefined()
    expect(printer.layout(`import { a, A } from "x"`)).toBeUndefined()
    expect(printer.layout(`export * from "./b.js"\nexport * from "./a.js"`)).toBeUndefined()
    expect(printer.layout(`export { b, a } from "./b.js"`)).toBeUndefined()
    expect(printer.layout(`const a = 'single'`)).toBeUndefined()
    expect(printer.layout(`const a = b / c`)).toBeUndefined()
    expect(printer.layout(`const a = [1, 2,]`)).toBeUndefined()
    expect(printer.layout(`export const a = b +\nc`)).toBeUndefined()
    expect(printer.layout(`const a = "${"x".repeat(130)}"`)).toBeUndefined()
    expect(printer.layout(`const a = "é"`)).toBeUndefined()
    // and format sends them through dprint: the file is in the house format all the same
    const code = `import { B } from "./x"\nimport { A } from "y"\n\nconst a = [1, 2,]\n\nconst b = f(a)\n`
    const laid = format.layout("a.ts", code)
    expect(laid).toEqual({
      text: `import { A } from "y"\nimport { B } from "./x"\n\nconst a = [1, 2]\n\nconst b = f(a)\n`,
      declined: 2
    })
    // without dprint, they are written as generated
    expect(format.layout("a.ts", code, false)).toEqual({ text: code, declined: 2 })
  })
})

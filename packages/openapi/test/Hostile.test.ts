/**
 * A spec is hostile input. Every string it holds reaches the generated code through one
 * escaping function per context (line comment, block comment, string literal, template text),
 * so none can end its context and become code: property-based tests feed every field of a spec
 * with line terminators (U+2028 and U+2029 too), `*\/`, quotes, backticks, `${`, NUL and lone
 * surrogates around a payload that sets a global, then check that the output parses, that the
 * payload is nowhere an identifier of the code, that it type-checks, and that importing it runs
 * nothing: for both Effect lines' output (the Effect 4 one type-checked against effect 4.1.5 and
 * imported by a bundle run with Node 22).
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Effect } from "effect"
import * as fc from "effect/FastCheck"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import ts from "typescript"
import { describe, expect } from "vitest"
import * as escape from "../src/internal/escape.js"
import { buildDir, syntaxErrors, typeErrors, write } from "./compile.js"
import { bundle, runNode22 } from "./node22.js"

const MARK = "__steadyPwned"
declare global {
  var __steadyPwned: unknown
}

/** Each ends a context of its own and then runs the payload, if the context is not kept closed. */
const payloads = [
  `\n${MARK}=1//`,
  `\u2028${MARK}=1//`,
  `\u2029${MARK}=1//`,
  `\r${MARK}=1//`,
  `*/${MARK}=1/*`,
  `";${MARK}=1;"`,
  `';${MARK}=1;'`,
  "`;" + MARK + "=1;`",
  "${" + MARK + "=1}",
  `"]: 1, [${MARK}=1]: "`,
  `\\";${MARK}=1;//`
]
const fragments = [
  "\n",
  "\r\n",
  "\u2028",
  "\u2029",
  "*/",
  "/*",
  "//",
  "\"",
  "'",
  "`",
  "${",
  "}",
  "\\",
  "\u0000",
  "\ud800",
  "\udfff",
  "<!--",
  "-->",
  "#",
  "?",
  "%",
  "{",
  ":",
  "/",
  "~1",
  "__proto__",
  "constructor",
  "1",
  " "
]

const hostile = fc.array(
  fc.oneof(fc.constantFrom(...payloads), fc.constantFrom(...fragments), fc.string16bits({ maxLength: 3 })),
  { minLength: 1, maxLength: 6 }
).map((parts) => parts.join(""))

const fields = [
  "title",
  "version",
  "description",
  "server",
  "serverVariable",
  "pathText",
  "pathParam",
  "operationId",
  "summary",
  "operationDescription",
  "tag",
  "queryParam",
  "headerParam",
  "paramDescription",
  "enumValue",
  "rateHeader",
  "itemsKey",
  "component",
  "schemaTitle",
  "schemaDescription",
  "property",
  "propertyEnum",
  "apiKeyName",
  "tokenUrl",
  "scope"
] as const
type Fields = { readonly [K in (typeof fields)[number]]: string }

const pointer = (name: string) => name.replace(/~/g, "~0").replace(/\//g, "~1")

/** A spec whose every string is `h`'s: a paginated GET with every kind of parameter, a component, an error, auth. */
const spec = (h: Fields, oauth: boolean) => ({
  openapi: "3.0.3",
  info: { title: h.title, version: h.version, description: h.description },
  servers: [{ url: `https://api.example/${h.server}{v}`, variables: { v: { default: h.serverVariable } } }],
  security: [{ auth: [] }],
  paths: {
    [`/things/{${h.pathParam}}/${h.pathText}`]: {
      get: {
        operationId: h.operationId,
        summary: h.summary,
        description: h.operationDescription,
        tags: [h.tag],
        deprecated: true,
        parameters: [
          { name: h.pathParam, in: "path", required: true, schema: { type: "string", enum: [h.enumValue] } },
          { name: h.queryParam, in: "query", description: h.paramDescription, schema: { type: "string" } },
          { name: "after", in: "query", schema: { type: "string" } },
          { name: h.headerParam, in: "header", schema: { type: "string" } }
        ],
        responses: {
          200: {
            description: h.summary,
            headers: { [`X-RateLimit-${h.rateHeader}`]: { schema: { type: "string" } } },
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    [h.itemsKey]: { type: "array", items: { $ref: `#/components/schemas/${pointer(h.component)}` } },
                    nextCursor: { type: "string" }
                  }
                }
              }
            }
          },
          404: {
            description: h.description,
            content: { "application/json": { schema: { $ref: `#/components/schemas/${pointer(h.component)}` } } }
          }
        }
      },
      post: {
        operationId: `${h.operationId}2`,
        parameters: [{ name: h.pathParam, in: "path", required: true, schema: { type: "string" } }],
        requestBody: { content: { "application/json": { schema: { type: "object", title: h.schemaTitle } } } },
        responses: { 201: { description: h.summary } }
      }
    }
  },
  components: {
    schemas: {
      [h.component]: {
        type: "object",
        title: h.schemaTitle,
        description: h.schemaDescription,
        required: [h.property],
        properties: { [h.property]: { type: "string", enum: [h.propertyEnum, h.enumValue] } }
      }
    },
    securitySchemes: {
      auth: oauth
        ? {
          type: "oauth2",
          flows: {
            clientCredentials: { tokenUrl: `https://auth.example/${h.tokenUrl}`, scopes: { [h.scope]: h.scope } }
          }
        }
        : { type: "apiKey", in: "header", name: h.apiKeyName }
    }
  }
})

const arbitrary = fc.tuple(
  fc.record(Object.fromEntries(fields.map((f) => [f, hostile])) as any),
  fc.boolean()
) as fc.Arbitrary<[Fields, boolean]>

/** Every identifier of the code (comments and literals are not code): the payload's must not be one. */
const identifiers = (files: Readonly<Record<string, string>>): Set<string> => {
  const out = new Set<string>()
  for (const [name, text] of Object.entries(files)) {
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) out.add(node.text)
      ts.forEachChild(node, visit)
    }
    visit(ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS))
  }
  return out
}

const generate = (h: Fields, oauth: boolean, effect: 3 | 4) =>
  Generator.generate(spec(h, oauth), { name: "Hostile", effect }).files

const lines = [3, 4] as const

/** Every field holding every payload and fragment at once. */
const everything = Object.fromEntries(fields.map((f) => [f, [...payloads, ...fragments].join("")])) as Fields

describe("a hostile spec", () => {
  it.live("a title with U+2028, a version with a newline and a server URL with */ stay comments: importing runs nothing", () =>
    Effect.gen(function*() {
      const files = Generator.generate({
        openapi: "3.0.3",
        info: { title: `T\u2028globalThis.${MARK} = 1 //`, version: `1\u2029globalThis.${MARK} = 2 //` },
        servers: [{ url: `https://api.example/*/ globalThis.${MARK} = 3 /*` }],
        paths: { "/a": { get: { operationId: "a", responses: { 200: { description: "ok" } } } } }
      }, { name: "T", effect: 3 }).files
      const dir = buildDir("hostile")
      write(dir, files)
      globalThis[MARK] = undefined
      const module = yield* Effect.promise(() => import(pathToFileURL(Path.join(dir, "index.ts")).href))
      expect(module.layerConfig).toBeTypeOf("function")
      expect(globalThis[MARK]).toBeUndefined()
      expect(files["index.ts"].split("\n")[0]).toMatch(/^\/\/ Generated by steady-openapi from "T\\u2028globalThis/)
    }))

  it.prop("each escaping function keeps its context closed, and keeps the text", [
    fc.oneof(hostile, fc.string16bits())
  ], ([s]) => {
    expect(new Function(`return ${escape.stringLiteral(s)}`)()).toBe(s)
    expect(new Function(`return \`${escape.templateText(s)}\``)()).toBe(s)
    expect(escape.lineComment(s)).not.toMatch(/[\n\r\u2028\u2029]/)
    expect(escape.blockComment(s)).not.toContain("*/")
    // the comments' text parses as a comment, followed by code that still runs
    expect(new Function(`// ${escape.lineComment(s)}\nreturn 1`)()).toBe(1)
    expect(new Function(`/* ${escape.blockComment(s)} */ return 1`)()).toBe(1)
  }, { fastCheck: { numRuns: 300 } })

  it.prop("every field of the spec, both lines: the output parses, and the payload is never code", [arbitrary], (
    [[h, oauth]]
  ) => {
    for (const effect of lines) {
      const files = generate(h, oauth, effect)
      expect(syntaxErrors(files)).toEqual([])
      expect(identifiers(files).has(MARK)).toBe(false)
    }
  }, { fastCheck: { numRuns: 40 } })

  /** The spec holding every payload at once (with each auth), and a sample of the arbitrary ones. */
  const sample = () => [
    [everything, false] as const,
    [everything, true] as const,
    ...fc.sample(arbitrary, { seed: 27, numRuns: 6 })
  ]

  it.live("a sample of them type-checks, and importing each runs nothing (Effect 3)", () =>
    Effect.gen(function*() {
      const dirs = sample().map(([h, oauth]) => {
        const files = generate(h, oauth, 3)
        expect(identifiers(files).has(MARK)).toBe(false)
        const dir = buildDir("hostile")
        return { dir, paths: write(dir, files) }
      })
      expect(typeErrors(dirs.flatMap((d) => d.paths))).toEqual([])
      globalThis[MARK] = undefined
      for (const { dir } of dirs) {
        const module = yield* Effect.promise(() => import(pathToFileURL(Path.join(dir, "index.ts")).href))
        expect(module.HostileApi).toBeDefined()
      }
      expect(globalThis[MARK]).toBeUndefined()
    }), 120_000)

  it.live(
    "a sample of them type-checks against effect 4.1.5, and importing each runs nothing on Node 22 (Effect 4)",
    () =>
      Effect.gen(function*() {
        const root = buildDir("hostile4")
        const folders = sample().map(([h, oauth], i) => {
          const files = generate(h, oauth, 4)
          expect(identifiers(files).has(MARK)).toBe(false)
          const dir = Path.join(root, `s${i}`)
          Fs.mkdirSync(dir)
          return { name: `s${i}`, paths: write(dir, files) }
        })
        expect(typeErrors(folders.flatMap((f) => f.paths), 4)).toEqual([])
        // one bundle imports them all (ES imports run first), then says what they left behind
        const entry = Path.join(root, "main.ts")
        Fs.writeFileSync(
          entry,
          folders.map((f, i) => `import * as m${i} from "./${f.name}/index.js"\n`).join("") +
            `const mark = (globalThis as any).${MARK}\n` +
            `console.log(JSON.stringify({ mark: mark === undefined ? null : String(mark), apis: [${
              folders.map((_, i) => `m${i}`).join(", ")
            }].map((m) => typeof m.HostileApi) }))\n`
        )
        const run = yield* Effect.promise(() =>
          bundle(entry, Path.join(root, "main.mjs")).then((file) => runNode22(file, []))
        )
        expect(run).toMatchObject({ code: 0, stderr: "" })
        expect(JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null")).toEqual({
          mark: null,
          apis: folders.map(() => "function")
        })
      }),
    120_000
  )
})

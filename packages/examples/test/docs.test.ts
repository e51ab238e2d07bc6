import { Generator } from "@steady/openapi"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

// Every ```ts block in README.md and docs/*.md is a complete module; this test type-checks
// them all against the workspace's packages, so an example in the docs is code that compiles.
const here = Path.dirname(fileURLToPath(import.meta.url))
const root = Path.resolve(here, "../../..")

const sources = [
  Path.join(root, "README.md"),
  ...Fs.readdirSync(Path.join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => Path.join(root, "docs", f))
]

// …and so is every ```ts block of an @example in the public modules' doc comments, of both lines.
const modules = ["client", "testing", "client-effect3", "testing-effect3", "redis-effect3"].flatMap((pkg) => {
  const dir = Path.join(root, "packages", pkg, "src")
  return Fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => Path.join(dir, f))
})

/** The doc comments' text, without the leading ` * ` of each line (line numbers kept). */
const commentText = (file: string) =>
  Fs.readFileSync(file, "utf8").split("\n").map((line) => {
    const m = /^\s*\* ?(.*)$/.exec(line)
    return m === null ? "" : m[1]
  }).join("\n")

const extract = (file: string) => {
  const text = file.endsWith(".ts") ? commentText(file) : Fs.readFileSync(file, "utf8")
  const blocks: Array<{ readonly code: string; readonly line: number }> = []
  const fence = /^```ts\n([\s\S]*?)^```$/gm
  for (let m = fence.exec(text); m !== null; m = fence.exec(text)) {
    blocks.push({ code: m[1], line: text.slice(0, m.index).split("\n").length + 1 })
  }
  return blocks
}

/**
 * A block is Effect 4 code when it imports the Effect 4 line (`@steady/client`,
 * `@steady/testing`, `effect/http`, or `./petstore/index.js`: the pet-store client
 * steady-openapi generates for Effect 4, written beside the blocks); every other block is Effect
 * 3 code. Each line compiles against its own `effect`.
 */
const isEffect4 = (code: string) =>
  /from "(@steady\/(client|testing)(\/[\w]+)?|effect\/http[\w/-]*|\.\/petstore\/index\.js)"/.test(code)

/** docs/openapi.md's Effect 4 blocks use the pet store as `steady-openapi --out petstore` writes it for Effect 4. */
const petstore4 = async (out: string) => {
  const spec = await Effect.runPromise(Generator.load(Path.join(root, "packages/examples/openapi/petstore.yaml")))
  const { files } = Generator.generate(spec, { name: "Petstore", effect: 4 })
  Fs.mkdirSync(Path.join(out, "petstore"))
  for (const [name, text] of Object.entries(files)) Fs.writeFileSync(Path.join(out, "petstore", name), text)
}

/**
 * A line's node_modules: the workspace's, and for the Effect 4 line what the Effect 4 package
 * has of its own (effect 4, vitest 5, @types/node 22) in their place.
 */
const linkModules = (modules: string, line: "effect3" | "effect4") => {
  Fs.mkdirSync(modules)
  const own = line === "effect4" ? Path.join(root, "packages/client/node_modules") : undefined
  const ownEntries = new Set(own === undefined ? [] : Fs.readdirSync(own).filter((e) => !e.startsWith(".")))
  for (const entry of Fs.readdirSync(Path.join(root, "node_modules"))) {
    if (entry.startsWith(".") || ownEntries.has(entry)) continue
    Fs.symlinkSync(Path.join(root, "node_modules", entry), Path.join(modules, entry), "dir")
  }
  for (const entry of ownEntries) Fs.symlinkSync(Path.join(own!, entry), Path.join(modules, entry), "dir")
}

describe("code in the docs", () => {
  it("every ts block of README.md, docs/ and the public modules' @example comments compiles, on its line", async () => {
    // temporary folders outside the source tree, resolving packages through the workspace's
    // node_modules, with the `effect` of the block's line
    const outs: Array<string> = []
    try {
      const blocks = collect()
      expect(blocks.length).toBeGreaterThan(15)
      expect(blocks.filter((b) => b.example).length).toBeGreaterThan(10)
      expect(blocks.filter((b) => b.line === "effect4").length).toBeGreaterThan(5)
      for (const line of ["effect3", "effect4"] as const) {
        const out = Fs.mkdtempSync(Path.join(Os.tmpdir(), `steady-doc-snippets-${line}-`))
        outs.push(out)
        Fs.writeFileSync(Path.join(out, "package.json"), JSON.stringify({ type: "module", private: true }))
        linkModules(Path.join(out, "node_modules"), line)
        if (line === "effect4") await petstore4(out)
        check(out, blocks.filter((b) => b.line === line))
      }
    } finally {
      for (const out of outs) Fs.rmSync(out, { recursive: true, force: true })
    }
  }, 180_000)
})

interface Block {
  readonly name: string
  readonly code: string
  readonly origin: string
  readonly example: boolean
  readonly line: "effect3" | "effect4"
}

const collect = (): ReadonlyArray<Block> =>
  [...sources, ...modules].flatMap((source) =>
    extract(source).map((block, i): Block => ({
      name: `${Path.basename(source).replace(/\.(md|ts)$/, "")}-${source.endsWith(".ts") ? "example" : "doc"}-${
        i + 1
      }-${Path.basename(Path.dirname(Path.dirname(source)))}.ts`,
      code: block.code,
      origin: `${Path.relative(root, source)}:${block.line}`,
      example: source.endsWith(".ts"),
      line: isEffect4(block.code) ? "effect4" : "effect3"
    }))
  )

const check = (out: string, blocks: ReadonlyArray<Block>) => {
  const origin = new Map<string, string>()
  for (const block of blocks) {
    Fs.writeFileSync(Path.join(out, block.name), block.code)
    origin.set(Path.join(out, block.name), block.origin)
  }
  const program = ts.createProgram([...origin.keys()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ["@steady/source"],
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: ["node"],
    typeRoots: [Path.join(out, "node_modules/@types")],
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true
  })
  const problems = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file !== undefined && origin.has(Path.resolve(d.file.fileName)))
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0)
      const [doc, docLine] = origin.get(Path.resolve(d.file!.fileName))!.split(":")
      return `${doc}:${Number(docLine) + line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
    })
  expect(problems).toEqual([])
}

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

// …and so is every ```ts block of an @example in the public modules' doc comments.
const modules = ["client-effect3", "testing-effect3", "redis"].flatMap((pkg) => {
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

describe("code in the docs", () => {
  it("every ts block of README.md, docs/ and the public modules' @example comments compiles", () => {
    // a temporary folder outside the source tree, resolving packages through the workspace's node_modules
    const out = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-doc-snippets-"))
    Fs.writeFileSync(Path.join(out, "package.json"), JSON.stringify({ type: "module", private: true }))
    Fs.symlinkSync(Path.join(root, "node_modules"), Path.join(out, "node_modules"), "dir")
    try {
      check(out)
    } finally {
      Fs.rmSync(out, { recursive: true, force: true })
    }
  }, 120_000)
})

const check = (out: string) => {
  const origin = new Map<string, string>()
  let examples = 0
  for (const source of [...sources, ...modules]) {
    extract(source).forEach((block, i) => {
      if (source.endsWith(".ts")) examples++
      const name = `${Path.basename(source).replace(/\.(md|ts)$/, "")}-${source.endsWith(".ts") ? "example" : "doc"}-${
        i + 1
      }.ts`
      Fs.writeFileSync(Path.join(out, name), block.code)
      origin.set(Path.join(out, name), `${Path.relative(root, source)}:${block.line}`)
    })
  }
  expect(origin.size).toBeGreaterThan(15)
  expect(examples).toBeGreaterThan(10)
  const program = ts.createProgram([...origin.keys()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ["@steady/source"],
    moduleDetection: ts.ModuleDetectionKind.Force,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: ["node"],
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

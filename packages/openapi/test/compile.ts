/**
 * Test helpers: generated files written into a folder of the package's build/ (so that
 * `effect`, `@effect/platform` and `@steady/client-effect3` resolve from it), type-checked in process
 * with the TypeScript compiler API under the repository's strict options. Effect 4 output is
 * checked against effect 4.1.5 (packages/client's, as packages/bench/tsconfig.effect4.json
 * does) and `@steady/client`'s source.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { afterAll } from "vitest"

const here = Path.dirname(fileURLToPath(import.meta.url))

/** packages/client: the Effect 4 line, with effect 4 in its node_modules. */
export const client4 = Path.join(here, "../../client")

const made: Array<string> = []
afterAll(() => {
  for (const dir of made) Fs.rmSync(dir, { recursive: true, force: true })
})

/** A fresh folder under packages/openapi/build/<name>/, removed when the test file is done. */
export const buildDir = (name: string): string => {
  const root = Path.join(here, "../build", name)
  Fs.mkdirSync(root, { recursive: true })
  const dir = Fs.mkdtempSync(Path.join(root, "run-"))
  made.push(dir)
  return dir
}

/** Writes generated files into `dir`; returns their paths. */
export const write = (dir: string, files: Readonly<Record<string, string>>): Array<string> =>
  Object.entries(files).map(([name, text]) => {
    const file = Path.join(dir, name)
    Fs.writeFileSync(file, text)
    return file
  })

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  customConditions: ["@steady/source"],
  types: ["node"],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true
}

/** Whether each file parses (syntax only: fast enough for every run of a property). */
export const syntaxErrors = (files: Readonly<Record<string, string>>): Array<string> =>
  Object.entries(files).flatMap(([name, text]) => {
    const out = ts.transpileModule(text, { fileName: name, reportDiagnostics: true, compilerOptions: options })
    return (out.diagnostics ?? []).map((d) => `${name}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`)
  })

/** Effect 4: `effect` is packages/client's 4.1.5, `@steady/client` its source (Node 22's types, as the client's). */
const options4: ts.CompilerOptions = {
  ...options,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  typeRoots: [Path.join(client4, "node_modules/@types")],
  paths: {
    "effect": [Path.join(client4, "node_modules/effect/dist/index.d.ts")],
    "effect/*": [Path.join(client4, "node_modules/effect/dist/*")]
  }
}

/** The type errors of `files` (one program for all of them: the libraries are read once), on an Effect line. */
export const typeErrors = (files: ReadonlyArray<string>, effect: 3 | 4 = 3): Array<string> => {
  const program = ts.createProgram(files, effect === 3 ? options : options4)
  return files.flatMap((file) => {
    const source = program.getSourceFile(file)
    if (source === undefined) return [`${file}: not read`]
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
      const at = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start) : undefined
      return `${Path.relative(here, file)}${at !== undefined ? `:${at.line + 1}:${at.character + 1}` : ""}: ${
        ts.flattenDiagnosticMessageText(d.messageText, "\n")
      }`
    })
  })
}

/**
 * The type errors of `files`, and those of emitting their declarations, as `tsc -b` does for a
 * project that holds them (one program: a type the checker accepts may still crash the
 * declaration printer, a method typed by `typeof` a local for one; a crash is an error too).
 */
export const typeAndDeclarationErrors = async (
  files: ReadonlyArray<string>,
  effect: 3 | 4 = 3
): Promise<Array<string>> => {
  // a turn of the event loop between the long steps: the test worker answers vitest meanwhile
  const breathe = () => new Promise((resolve) => setImmediate(resolve))
  const program = ts.createProgram(files, {
    ...(effect === 3 ? options : options4),
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true
  })
  const errors: Array<string> = []
  for (const file of files) {
    await breathe()
    const source = program.getSourceFile(file)
    if (source === undefined) {
      errors.push(`${file}: not read`)
      continue
    }
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const at = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start) : undefined
      errors.push(
        `${Path.relative(here, file)}${at !== undefined ? `:${at.line + 1}:${at.character + 1}` : ""}: ${
          ts.flattenDiagnosticMessageText(d.messageText, "\n")
        }`
      )
    }
  }
  await breathe()
  try {
    const emitted = program.emit(undefined, () => {})
    return [...errors, ...emitted.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))]
  } catch (e) {
    return [...errors, `declaration emit failed: ${String(e)}`]
  }
}

/**
 * Every error of one program of `files` on an Effect line, as a user's `tsc --strict` reports it
 * WITHOUT `skipLibCheck`: the generated files, and the declaration files they load (effect's,
 * the platform's, steady's), each with its file and position. Slower than `typeErrors` (the
 * libraries are checked too): the corpus test runs it once per line and spec.
 */
export const strictErrors = (files: ReadonlyArray<string>, effect: 3 | 4 = 3): Array<string> => {
  const program = ts.createProgram(files, { ...(effect === 3 ? options : options4), skipLibCheck: false })
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const at = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
    return `${d.file !== undefined ? Path.relative(here, d.file.fileName) : "(options)"}${
      at !== undefined ? `:${at.line + 1}:${at.character + 1}` : ""
    }: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
  })
}

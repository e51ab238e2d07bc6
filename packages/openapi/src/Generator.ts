/**
 * Generates a steady client from an OpenAPI 3.0 or 3.1 document (JSON or YAML, with `$ref`s
 * across files): Effect `Schema`s for the components, an `HttpApi` (groups by tag), a service
 * with one method per operation, and `layer`/`layerConfig` with the auth the spec's security
 * scheme calls for. For either Effect line (`effect`): Effect 4 by default (`effect/Schema`,
 * `effect/http-api`, `@steady/client`), or Effect 3 (`effect/Schema` of 3.x,
 * `@effect/platform`, `@steady/client-effect3`), the same client from the same model.
 *
 * The spec drives the resilience:
 *
 * | the spec says | the generated client does |
 * | --- | --- |
 * | GET, HEAD, PUT, DELETE | retried on transient failures (steady's defaults) |
 * | POST, PATCH with an `Idempotency-Key` header parameter | sends one automatically, and is retried like a GET |
 * | POST, PATCH without one | not retried once it may have reached the server |
 * | a 4xx/5xx response with a JSON schema | a typed error of that operation (`NotFound`, …) with the decoded body |
 * | `Retry-After`, `RateLimit-*` response headers | honoured at runtime (said in the method's doc comment) |
 * | a `Link` header on an array response, a `page` parameter, or a cursor parameter with a matching response field | a `…Stream` method beside the plain one (`ApiClient.paginate`) |
 * | `deprecated`, `summary`, `description` | `@deprecated` and the doc comments |
 *
 * @since 0.2.0
 */
import SwaggerParser from "@apidevtools/swagger-parser"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as emit from "./internal/emit.js"
import * as escape from "./internal/escape.js"
import * as format from "./internal/format.js"
import * as model from "./internal/model.js"
import * as names from "./internal/names.js"
import * as refs from "./internal/refs.js"
import * as schema from "./internal/schema.js"
import * as syntax from "./internal/syntax.js"

/**
 * The spec could not be read: not found, not JSON or YAML, a `$ref` that does not resolve, or
 * not OpenAPI 3.
 *
 * @since 0.2.0
 * @category errors
 */
export class SpecError extends Data.TaggedError("SpecError")<{
  readonly spec: string
  readonly message: string
}> {}

/**
 * The output could not be written.
 *
 * @since 0.2.0
 * @category errors
 */
export class WriteError extends Data.TaggedError("WriteError")<{
  readonly path: string
  readonly message: string
}> {}

/**
 * Where a spec's `$ref`s may read from. By default only files inside the spec's own folder
 * (after symbolic links are followed), or, for a spec given as a URL, URLs beside it; a
 * failure names the `$ref` and never shows what the file holds.
 *
 * @since 0.3.0
 * @category models
 */
export interface LoadOptions {
  /** More folders whose files `$ref`s may read (`--allow-ref-dir`). Default: none. */
  readonly allowRefDirs?: ReadonlyArray<string> | undefined
  /**
   * Whether `$ref`s may fetch `http(s)` URLs (`--allow-remote-refs`). Even then, never from a
   * loopback, private, link-local or other non-public address, whatever the name resolves to.
   * Default `false`.
   */
  readonly allowRemoteRefs?: boolean | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Options extends LoadOptions {
  /** The API's name in the code: the service (`Petstore`), the `…Api` class and the `Config` prefix (`PETSTORE`). */
  readonly name: string
  /**
   * The Effect line the code is for (`--effect`): `4` writes Effect 4 code (`effect` 4.1's
   * `effect/Schema` and `effect/http-api`, the client on `@steady/client`); `3` writes Effect 3
   * code (`effect` 3.x's Schema, `@effect/platform`'s HttpApi, `@steady/client-effect3`), as
   * 0.2 did. Default `4`.
   *
   * @since 0.3.0
   */
  readonly effect?: 3 | 4 | undefined
  /**
   * Whether to lay the code out in the house format (`--no-format`: `false`, the code as
   * generated, which compiles the same), as this repository's lint rule (dprint) does. The
   * generator's own printer lays out nearly every statement; the few it declines (`import`s, a
   * construct it does not know) go through dprint, an optional dependency loaded only then:
   * without it (an install with `--omit=optional`) those are written as generated, and
   * `Generated.formatted` says so. Default `true`.
   *
   * @since 0.3.0
   */
  readonly format?: boolean | undefined
}

/**
 * An operation of the spec that the client lacks, whole or in part, and why.
 *
 * @since 0.3.0
 * @category models
 */
export interface Report {
  /** `GET`, `POST`, … (upper case). */
  readonly method: string
  /** The path, as the spec writes it. */
  readonly path: string
  /** The spec's `operationId`, when it has one. */
  readonly operationId: string | undefined
  /** `false`: the operation is not in the client; `true`: it is, without what `reason` names. */
  readonly generated: boolean
  readonly reason: string
}

/**
 * A report in one line, for a terminal: the method, the path and the `operationId` with the
 * spec's control characters escaped (a spec cannot move the cursor or clear the screen).
 *
 * @since 0.3.0
 * @category models
 */
export const formatReport = (report: Report): string =>
  `${report.method} ${escape.lineComment(report.path)}${
    report.operationId !== undefined ? ` (${escape.stringLiteral(report.operationId)})` : ""
  }: ${escape.lineComment(report.reason)}`

/**
 * What was generated.
 *
 * @since 0.2.0
 * @category models
 */
export interface Generated {
  /** File name (in the output folder) to its text. */
  readonly files: Readonly<Record<string, string>>
  readonly operations: number
  readonly schemas: number
  /**
   * Operations left out, each in one line with its `operationId` and the reason (`formatReport` of
   * each report with `generated: false`).
   */
  readonly skipped: ReadonlyArray<string>
  /**
   * Every operation the client lacks, whole (`generated: false`) or in part (`generated: true`),
   * with the reason.
   *
   * @since 0.3.0
   */
  readonly reports: ReadonlyArray<Report>
  /**
   * Whether the files are in the house format (what dprint, as this repository's lint rule runs
   * it, leaves unchanged): `false` with `format: false`, or when a statement the generator's
   * printer does not lay out could not go through dprint (an optional dependency) because it is
   * not installed.
   *
   * @since 0.3.0
   */
  readonly formatted: boolean
}

/** Why the parser failed, in words that never quote the file (a YAML error shows the lines around it). */
const loadFailure = (cause: unknown): string => {
  const e = cause as { code?: unknown; source?: unknown; message?: unknown; targetRef?: unknown }
  const source = typeof e?.source === "string" ? JSON.stringify(e.source) : "the spec"
  switch (e?.code) {
    case "EPARSER": {
      const at = /\((\d+):(\d+)\)/.exec(String(e.message ?? ""))
      return `${source} is not JSON or YAML${at !== null ? ` (line ${at[1]}, column ${at[2]})` : ""}`
    }
    case "EUNMATCHEDPARSER":
      return `${source} is not JSON or YAML`
    case "EMISSINGPOINTER":
    case "EINVALIDPOINTER":
      return `a $ref${
        typeof e.targetRef === "string" ? ` ${JSON.stringify(e.targetRef)}` : ""
      } points to nothing in ${source}`
    case "ETIMEOUT":
      return "reading the spec and its $refs took too long"
    case "ERESOLVER":
    case "EUNMATCHEDRESOLVER":
      return `${source} cannot be read`
  }
  // a TypeError of the parser's: it met null, a string or a number where it walks objects (its
  // message names what it read, so it is not told)
  if (e instanceof TypeError) {
    return `${source} has a node of the wrong shape (null, a string or a number where an object belongs) on the way of a $ref`
  }
  // the library's own errors outside the list above name a $ref or the document, no contents
  const message = e instanceof Error ? e.message.split("\n")[0] : String(cause)
  return message.length > 300 ? `${message.slice(0, 300)}…` : message
}

/** Whether a node holds a `$ref` to anything but the document itself (a loop over its nodes, not recursion). */
const hasExternalRef = (document: unknown): boolean => {
  const stack: Array<unknown> = [document]
  while (stack.length > 0) {
    const node = stack.pop()
    if (node === null || typeof node !== "object") continue
    if (Array.isArray(node)) {
      for (const item of node) if (item !== null && typeof item === "object") stack.push(item)
      continue
    }
    // (`for … in` over a parsed JSON object: no array of entries per object, on GitHub's 13 MB)
    for (const key in node) {
      const value = (node as Record<string, unknown>)[key]
      if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) return true
      if (value !== null && typeof value === "object") stack.push(value)
    }
  }
  return false
}

/**
 * A local `.json` spec whose `$ref`s all point inside it, read as it is: the parser's bundling
 * walks it for nothing (3 of the 4 s GitHub's 10 MB spec took to load). Anything else (YAML, a
 * URL, a `$ref` to another file, a file over `refs.maxBytes`, JSON that does not parse) goes
 * through the parser, its confinement and its messages.
 */
const readSelfContained = (spec: string): Record<string, unknown> | undefined => {
  if (!spec.toLowerCase().endsWith(".json") || /^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) return undefined
  try {
    const stat = Fs.statSync(spec)
    if (!stat.isFile() || stat.size > refs.maxBytes) return undefined
    const document: unknown = JSON.parse(Fs.readFileSync(spec, "utf8"))
    return document !== null && typeof document === "object" && !Array.isArray(document) && !hasExternalRef(document)
      ? document as Record<string, unknown>
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Reads a spec (a path or a URL), with its `$ref`s to other files bundled in. `$ref`s read only
 * inside the spec's folder and `options.allowRefDirs`, and fetch URLs only with
 * `options.allowRemoteRefs` (see `LoadOptions`).
 *
 * @since 0.2.0
 * @category loading
 */
export const load = (
  spec: string,
  options: LoadOptions = {}
): Effect.Effect<Readonly<Record<string, unknown>>, SpecError> =>
  Effect.suspend(() => {
    const self = readSelfContained(spec)
    if (self !== undefined) return Effect.succeed(self)
    const confined = refs.options(spec, options)
    return Effect.tryPromise({
      try: () => SwaggerParser.bundle(spec, confined.parserOptions as any) as unknown as Promise<any>,
      catch: (cause) => new SpecError({ spec, message: confined.refused()?.message ?? loadFailure(cause) })
    })
  }).pipe(Effect.flatMap((document) => {
    if (document === null || typeof document !== "object" || Array.isArray(document)) {
      return Effect.fail(new SpecError({ spec, message: "the spec is not an object" }))
    }
    const version = String(document.openapi ?? document.swagger ?? "")
    return version.startsWith("3.")
      ? Effect.succeed(document as Record<string, unknown>)
      : Effect.fail(
        new SpecError({
          spec,
          message: `only OpenAPI 3.0 and 3.1 are supported, this is ${
            version === "" ? "neither" : JSON.stringify(version.slice(0, 20))
          }`
        })
      )
  }))

/**
 * Generates the files for a document. The output is stable: the same document gives the same
 * bytes. Every string of the spec is escaped for where it lands (a comment, a string, a
 * template), so no spec can add code to the output. Throws a `SpecError` for a document it
 * cannot generate (one whose code would not parse, say: a bug of the generator's, reported
 * without the spec's text), and a `TypeError` for a `name` without a letter or digit or an
 * `effect` other than 3 or 4.
 *
 * @since 0.2.0
 * @category generating
 */
export const generate = (document: Readonly<Record<string, unknown>>, options: Options): Generated => {
  if (typeof options.name !== "string" || names.pascal(options.name) === "_") {
    throw new TypeError("Generator: name must have at least one letter or digit")
  }
  const effect = options.effect ?? 4
  if (effect !== 3 && effect !== 4) {
    throw new TypeError(`Generator: effect must be 3 or 4, not ${JSON.stringify(String(effect).slice(0, 20))}`)
  }
  if (names.isReserved(names.pascal(options.name))) {
    throw new TypeError(`Generator: name ${names.pascal(options.name)} is a name the generated code imports`)
  }
  const spec = "(document)"
  let raw: Record<string, string>
  let m: model.Model
  try {
    m = model.read(document, options.name, syntax.of(effect))
    raw = emit.files(m, options.name, effect)
  } catch (cause) {
    if (cause instanceof schema.TooLarge) throw new SpecError({ spec, message: cause.message })
    // a message may quote the spec (a TypeError names the value it met): only its kind is told
    throw new SpecError({
      spec,
      message: `the generator failed on this document (${cause instanceof Error ? cause.name : typeof cause})`
    })
  }
  // the printer lays out what it can, dprint (when installed) what the printer declines
  const formatting = options.format !== false
  const dprint = formatting && format.available()
  const files: Record<string, string> = {}
  let declined = 0
  for (const name of Object.keys(raw)) {
    if (!formatting) {
      files[name] = raw[name]
      continue
    }
    const laid = format.layout(name, raw[name], dprint)
    if (!("text" in laid)) throw new SpecError({ spec, message: laid.message })
    files[name] = laid.text
    declined += laid.declined
  }
  return {
    files,
    operations: m.operations.length,
    schemas: m.components.length,
    skipped: m.reports.filter((r) => !r.generated).map(formatReport),
    reports: m.reports,
    formatted: formatting && (dprint || declined === 0)
  }
}

/**
 * Reads `spec`, generates, and writes the files into `out` (created if missing; files of the
 * same names are replaced).
 *
 * @since 0.2.0
 * @category generating
 */
export const run = (spec: string, out: string, options: Options): Effect.Effect<Generated, SpecError | WriteError> =>
  Effect.flatMap(load(spec, options), (document): Effect.Effect<Generated, SpecError | WriteError> => {
    let generated: Generated
    try {
      generated = generate(document, options)
    } catch (cause) {
      if (cause instanceof SpecError) return Effect.fail(new SpecError({ spec, message: cause.message }))
      throw cause
    }
    return Effect.as(
      Effect.try({
        try: () => {
          Fs.mkdirSync(out, { recursive: true })
          for (const [name, text] of Object.entries(generated.files)) Fs.writeFileSync(Path.join(out, name), text)
        },
        catch: (cause) => new WriteError({ path: out, message: cause instanceof Error ? cause.message : String(cause) })
      }),
      generated
    )
  })

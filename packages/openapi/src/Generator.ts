/**
 * Generates a steady client from an OpenAPI 3.0 or 3.1 document (JSON or YAML, with `$ref`s
 * across files): Effect `Schema`s for the components, an `HttpApi` (groups by tag), an
 * `Effect.Service` with one method per operation, and `layer`/`layerConfig` with the auth the
 * spec's security scheme calls for.
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
import { format } from "./internal/format.js"
import * as model from "./internal/model.js"
import * as names from "./internal/names.js"

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
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The API's name in the code: the service (`Petstore`), the `…Api` class and the `Config` prefix (`PETSTORE`). */
  readonly name: string
}

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
  /** Operations left out, each with the reason (a request body the generator does not handle). */
  readonly skipped: ReadonlyArray<string>
}

/**
 * Reads a spec (a path or a URL), with its `$ref`s to other files bundled in.
 *
 * @since 0.2.0
 * @category loading
 */
export const load = (spec: string): Effect.Effect<Readonly<Record<string, unknown>>, SpecError> =>
  Effect.tryPromise({
    try: () => SwaggerParser.bundle(spec) as Promise<any>,
    catch: (cause) => new SpecError({ spec, message: cause instanceof Error ? cause.message : String(cause) })
  }).pipe(Effect.flatMap((document) => {
    const version = String(document.openapi ?? document.swagger ?? "")
    return version.startsWith("3.")
      ? Effect.succeed(document as Record<string, unknown>)
      : Effect.fail(
        new SpecError({ spec, message: `only OpenAPI 3.0 and 3.1 are supported, this is ${version || "neither"}` })
      )
  }))

/**
 * Generates the files for a document. The output is stable: the same document gives the same
 * bytes.
 *
 * @since 0.2.0
 * @category generating
 */
export const generate = (document: Readonly<Record<string, unknown>>, options: Options): Generated => {
  if (typeof options.name !== "string" || names.pascal(options.name) === "_") {
    throw new TypeError("Generator: name must have at least one letter or digit")
  }
  const m = model.read(document)
  const raw = emit.files(m, options.name)
  const files: Record<string, string> = {}
  for (const name of Object.keys(raw)) files[name] = format(name, raw[name])
  return { files, operations: m.operations.length, schemas: m.components.length, skipped: m.skipped }
}

/**
 * Reads `spec`, generates, and writes the files into `out` (created if missing; files of the
 * same names are replaced).
 *
 * @since 0.2.0
 * @category generating
 */
export const run = (spec: string, out: string, options: Options): Effect.Effect<Generated, SpecError | WriteError> =>
  Effect.flatMap(load(spec), (document) => {
    const generated = generate(document, options)
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

/**
 * The Schema code of each Effect line: what differs between Effect 3's `effect/Schema` and
 * Effect 4's in the code the model writes for a JSON Schema or a parameter. Everything else of
 * a schema's code (`Schema.Struct`, `Schema.optional`, `Schema.NullOr`, `Schema.Array`, the
 * primitives) is written alike on both lines, by `schema.ts`; the values and names it is given
 * are code already (escaped string literals, identifiers from `names.ts`).
 *
 * @internal
 */
import * as escape from "./escape.js"

/** A value of an `enum` or a `const`: JSON's primitives other than `null` (which is `Schema.Null`). */
export type Literal = string | number | boolean

/** @internal */
export interface Syntax {
  /** The Effect major the code is for. */
  readonly effect: 3 | 4
  /** A literal schema of one or more values (already unique). */
  readonly literals: (values: ReadonlyArray<Literal>) => string
  /** A union of two or more schemas' code. */
  readonly union: (members: ReadonlyArray<string>) => string
  /** A map from strings to `value`. */
  readonly record: (value: string) => string
  /** A reference to a component defined later (a cycle), typed by its interface (`recursion.ts`). */
  readonly suspend: (name: string) => string
  /** A number or integer parameter (path, query, header). */
  readonly numberParam: string
  /** A boolean parameter. */
  readonly booleanParam: string
  /**
   * A schema typed as `typed` in the program and one string on the wire: `encode` (code of a
   * function from the typed value's encoded side to the string) writes it, `decode` reads it back.
   */
  readonly styled: (typed: string, encode: string, decode: string) => string
  /** A form body: `typed` in the program, `encode`'s string on the wire, as `application/x-www-form-urlencoded`. */
  readonly formBody: (typed: string, encode: string) => string
  /** A file in a multipart body: a `Blob` (a `File` too). */
  readonly blob: string
  /** A body of bytes, sent as `contentType` (a literal's code). */
  readonly bytes: (contentType: string) => string
  /** A multipart body of the fields `payload` names (the caller's `FormData`). */
  readonly multipart: (payload: string) => string
  /** The suffixes of a paginated operation's exported path and query schemas (`ListPetsUrlParams`). */
  readonly pathSuffix: string
  readonly querySuffix: string
}

/** A literal's code as Effect 3's `Schema.Literal` takes it (a number JSON cannot hold is `null`, as 0.2 wrote it). */
const literal3 = (v: Literal): string =>
  typeof v === "string" ? escape.stringLiteral(v) : typeof v === "number" && !Number.isFinite(v) ? "null" : String(v)

/** The code Effect 3 (`effect` 3.x's Schema, `@effect/platform` 0.9x) takes: the generator's output of 0.2. */
export const effect3: Syntax = {
  effect: 3,
  literals: (values) => `Schema.Literal(${values.map(literal3).join(", ")})`,
  union: (members) => `Schema.Union(${members.join(", ")})`,
  record: (value) => `Schema.Record({ key: Schema.String, value: ${value} })`,
  suspend: (name) => `Schema.suspend((): Schema.Schema<${name}> => ${name})`,
  styled: (typed, encode, decode) =>
    `Schema.transform(Schema.String, ${typed}, { strict: false, decode: ${decode}, encode: ${encode} })`,
  formBody: (typed, encode) =>
    `Schema.transform(Schema.String, ${typed}, { strict: false, decode: (text) => ParamStyle.parseForm(text), encode: ${encode} }).pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "application/x-www-form-urlencoded" }))`,
  blob: "Schema.instanceOf(Blob)",
  bytes: (contentType) =>
    `Schema.Uint8ArrayFromSelf.pipe(HttpApiSchema.withEncoding({ kind: "Uint8Array", contentType: ${contentType} }))`,
  multipart: (payload) => `HttpApiSchema.Multipart(${payload})`,
  numberParam: "Schema.NumberFromString",
  booleanParam: "Schema.BooleanFromString",
  pathSuffix: "Path",
  querySuffix: "UrlParams"
}

/**
 * The code Effect 4 (4.1's `effect/Schema`) takes: `Schema.Literals([…])`, `Schema.Union([…])`,
 * `Schema.Record(key, value)`. Parameters are the values' own schemas: `effect/http-api` sends
 * each as a string (its string-tree codec), so a number is `Schema.Number`, not a schema from a
 * string. A number JSON cannot hold (YAML's `.inf`, `.nan`) is no literal at all.
 */
export const effect4: Syntax = {
  effect: 4,
  literals: (values) => {
    const code = values.filter((v) => typeof v !== "number" || Number.isFinite(v)).map((v) =>
      typeof v === "string" ? escape.stringLiteral(v) : String(v)
    )
    return code.length === 0
      ? "Schema.Never"
      : code.length === 1
      ? `Schema.Literal(${code[0]})`
      : `Schema.Literals([${code.join(", ")}])`
  },
  union: (members) => `Schema.Union([${members.join(", ")}])`,
  record: (value) => `Schema.Record(Schema.String, ${value})`,
  // asserted, not annotated: on a large cycle (Stripe's Account, Charge, …) TypeScript gives up
  // computing the struct's services (any), which an annotation (or a plain `as`) then refuses as
  // never. The interface is written from the same JSON Schema as the struct, and the Effect 3
  // line's suspend, annotated, checks that they agree on every spec the tests generate.
  suspend: (name) => `Schema.suspend((): Schema.Codec<${name}> => ${name} as unknown as Schema.Codec<${name}>)`,
  styled: (typed, encode, decode) =>
    `Schema.String.pipe(Schema.decodeTo(${typed}, SchemaTransformation.transform<any, string>({ decode: ${
      decode.replace("(text) =>", "(text: string) =>")
    }, encode: ${encode.replace("(value) =>", "(value: unknown) =>")} })))`,
  formBody: (typed, encode) =>
    `Schema.String.pipe(Schema.decodeTo(${typed}, SchemaTransformation.transform<any, string>({ decode: (text: string) => ParamStyle.parseForm(text), encode: ${
      encode.replace("(value) =>", "(value: unknown) =>")
    } })), HttpApiSchema.asText({ contentType: "application/x-www-form-urlencoded" }))`,
  blob: "Schema.instanceOf(Blob)",
  bytes: (contentType) => `Schema.Uint8Array.pipe(HttpApiSchema.asUint8Array({ contentType: ${contentType} }))`,
  multipart: (payload) => `${payload}.pipe(HttpApiSchema.asMultipart())`,
  numberParam: "Schema.Number",
  booleanParam: "Schema.Boolean",
  pathSuffix: "Params",
  querySuffix: "Query"
}

/** The syntax of a line. */
export const of = (effect: 3 | 4): Syntax => (effect === 3 ? effect3 : effect4)

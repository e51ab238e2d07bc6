/**
 * Parameters in every OpenAPI style (OpenAPI 3.1 §4.8.12.4), written by `@steady/core`'s
 * `ParamStyle` from the generated schemas, on either Effect line:
 *
 * - an operation's query, when one of its parameters is not a scalar or an array sent as
 *   repeated keys (the platform's own way), or is nullable: one schema for the whole query, typed
 *   field by field in the program, and on the wire the `name → value(s)` record `ParamStyle.query`
 *   writes (`color=blue,black`, `color=blue|black`, `created[gte]=1`, an exploded object's own
 *   keys), which the platform percent-encodes;
 * - a path parameter in the `label` or `matrix` style, and a nullable header: one string, written
 *   by `ParamStyle.text` (a `null` header is not sent);
 * - cookie parameters: one `cookie` header, typed as the struct of the cookies, written by
 *   `ParamStyle.cookie` (each name and value percent-encoded, so none adds a cookie or a header).
 *
 * What the spec writes is hostile: names reach the code as escaped string literals or keys
 * (`names.key`), and each schema's code comes from `schema.ts`.
 *
 * @internal
 */
import * as ParamStyle from "@steady/core/ParamStyle"
import * as escape from "./escape.js"
import * as names from "./names.js"
import * as schema from "./schema.js"
import type * as syntax from "./syntax.js"

type Node = { readonly [key: string]: any }

/** What `model.ts` lends: its reading of a parameter's schema. */
export interface Helpers {
  readonly deref: (node: any) => any
  readonly ctx: schema.Context
  readonly target: syntax.Syntax
  /** A parameter's schema as a string on the wire (`model.ts`'s `paramCode`; `scalar`: items of a list). */
  readonly paramCode: (s: unknown, scalar: boolean) => string
  readonly shapeOf: (s: unknown) => "scalar" | "array" | "object"
}

const isObject = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v)

const obj = (v: unknown): Node => (isObject(v) ? v : {})

/** A parameter's schema: its `schema`, or its `content`'s JSON one. */
export const schemaOf = (p: Node): unknown => p.schema ?? obj(obj(p.content)["application/json"]).schema

/** Whether a schema admits `null`: 3.0's `nullable: true`, 3.1's `type: [x, "null"]`. */
export const isNullable = (deref: (node: any) => any, s: unknown): boolean => {
  const target = obj(deref(s))
  return target.nullable === true || (Array.isArray(target.type) && target.type.includes("null"))
}

const encodingCode = ({ explode, style }: ParamStyle.Encoding) =>
  `{ style: ${escape.stringLiteral(style)}, explode: ${explode} }`

/** The parameter's typed schema in the program (its value, not its text), `null` included when it admits it. */
const typedCode = (p: Node, h: Helpers, nullable: boolean): string => {
  const s = schemaOf(p)
  const shape = h.shapeOf(s)
  const code = shape === "array"
    ? `Schema.Array(${h.paramCode(obj(h.deref(s)).items, true)})`
    : shape === "object"
    ? schema.toCode(s as schema.JsonSchema, h.ctx)
    : h.paramCode(s, true)
  return nullable && !code.startsWith("Schema.NullOr(") ? `Schema.NullOr(${code})` : code
}

/**
 * A schema typed as `typed` and, on the wire, text (`optional`: text or nothing): `encode` and
 * `decode` are the code of functions written `(value) =>` and `(text) =>`.
 */
const asText = (line: syntax.Syntax, typed: string, encode: string, decode: string, optional: boolean): string => {
  if (line.effect === 3) {
    return `Schema.transform(${
      optional ? "Schema.UndefinedOr(Schema.String)" : "Schema.String"
    }, ${typed}, { strict: false, decode: ${decode}, encode: ${encode} })`
  }
  const text = optional ? "string | undefined" : "string"
  return `${
    optional ? "Schema.UndefinedOr(Schema.String)" : "Schema.String"
  }.pipe(Schema.decodeTo(${typed}, SchemaTransformation.transform<any, ${text}>({ decode: ${
    decode.replace("(text) =>", `(text: ${text}) =>`)
  }, encode: ${encode.replace("(value) =>", "(value: unknown) =>")} })))`
}

/**
 * A path or header parameter `model.ts` does not write itself: a path parameter in the `label` or
 * `matrix` style (a scalar too: `.5`, `;id=5`), or a nullable header (`null` sends no header).
 * `undefined` when the parameter is written as before (plain, or `simple` by `model.ts`).
 */
export const placeParam = (p: Node, h: Helpers): string | undefined => {
  const where = p.in === "path" ? "path" : "header"
  const s = schemaOf(p)
  const shape = h.shapeOf(s)
  const encoding = ParamStyle.encoding(where, p.style, p.explode)
  const nullable = where === "header" && isNullable(h.deref, s)
  const styledPath = where === "path" && (encoding.style === "label" || encoding.style === "matrix")
  if (!nullable && !styledPath) return undefined
  const name = escape.stringLiteral(p.name)
  const write = `ParamStyle.text(${name}, value, ${encodingCode(encoding)})`
  const read = `ParamStyle.parseText(${name}, text, ${escape.stringLiteral(shape)}, ${encodingCode(encoding)})`
  return nullable
    ? asText(
      h.target,
      typedCode(p, h, true),
      `(value) => value === null || value === undefined ? undefined : ${write}`,
      `(text) => text === undefined ? null : ${read}`,
      true
    )
    : asText(h.target, typedCode(p, h, false), `(value) => ${write}`, `(text) => ${read}`, false)
}

/**
 * Why an operation is generated without part of what a parameter asks (`undefined`: nothing is
 * left out): a `matrix` path parameter is written as the table says, then percent-encoded as one
 * segment (as steady encodes every path parameter), so its `;` and `=` reach the server as `%3B`
 * and `%3D`; `allowReserved: true` is not honoured (reserved characters are percent-encoded).
 */
export const partly = (p: Node): string | undefined =>
  p.in === "path" && ParamStyle.encoding("path", p.style, p.explode).style === "matrix"
    ? "a path parameter in the matrix style is sent percent-encoded as one segment (its \";\" and \"=\" as %3B and %3D): a server that reads matrix parameters before it decodes the path does not see them"
    : p.in === "query" && p.allowReserved === true
    ? "a query parameter's allowReserved is not honoured: its reserved characters are sent percent-encoded"
    : undefined

/** Whether a query parameter needs `ParamStyle` (anything but a scalar, or an array sent as repeated keys). */
const styledQuery = (p: Node, h: Helpers): boolean => {
  const s = schemaOf(p)
  const shape = h.shapeOf(s)
  const { explode, style } = ParamStyle.encoding("query", p.style, p.explode)
  return isNullable(h.deref, s) || shape === "object" || style === "deepObject" ||
    (shape === "array" && !(style === "form" && explode))
}

/**
 * The schema of an operation's whole query when one of its parameters needs `ParamStyle`: each
 * parameter typed as its value, the query written by `ParamStyle.query` in each one's style and
 * read back by `ParamStyle.parseQuery`. `undefined` when the platform sends every parameter as
 * the spec says already (the output of a spec that uses only the default styles is as before).
 */
export const queryCode = (params: ReadonlyArray<Node>, h: Helpers): string | undefined => {
  if (!params.some((p) => styledQuery(p, h))) return undefined
  const fields = params.map((p) => {
    const code = typedCode(p, h, isNullable(h.deref, schemaOf(p)))
    return `${names.key(p.name)}: ${p.required === true ? code : `Schema.optional(${code})`}`
  })
  const encodings = params.map((p) =>
    `${names.key(p.name)}: ${encodingCode(ParamStyle.encoding("query", p.style, p.explode))}`
  )
  const shapes = params.map((p) => {
    const { explode, style } = ParamStyle.encoding("query", p.style, p.explode)
    return `${names.key(p.name)}: { style: ${escape.stringLiteral(style)}, explode: ${explode}, shape: ${
      escape.stringLiteral(h.shapeOf(schemaOf(p)))
    } }`
  })
  const typed = `Schema.Struct({ ${fields.join(", ")} })`
  const encode = `(value) => ParamStyle.query(value, { ${encodings.join(", ")} })`
  const decode = `(query) => ParamStyle.parseQuery(query, { ${shapes.join(", ")} })`
  if (h.target.effect === 3) {
    return `Schema.transform(Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Array(Schema.String)) }), ${typed}, { strict: false, decode: ${decode}, encode: ${encode} })`
  }
  return `Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Array(Schema.String)])).pipe(Schema.decodeTo(${typed}, SchemaTransformation.transform<any, Record<string, string | ReadonlyArray<string>>>({ decode: ${
    decode.replace("(query) =>", "(query: Record<string, string | ReadonlyArray<string>>) =>")
  }, encode: ${encode.replace("(value) =>", "(value: unknown) =>")} })))`
}

/**
 * The `cookie` header of an operation's cookie parameters (`undefined` when it has none): typed as
 * the struct of the cookies (`{ session: string, ids?: ReadonlyArray<number> }`), written by
 * `ParamStyle.cookie` in each one's style (`form`); no cookie with a value sends no header.
 */
export const cookieParam = (params: ReadonlyArray<Node>, h: Helpers): {
  readonly code: string
  readonly required: boolean
  readonly description: string
} | undefined => {
  if (params.length === 0) return undefined
  const fields = params.map((p) => {
    const code = typedCode(p, h, isNullable(h.deref, schemaOf(p)))
    return `${names.key(p.name)}: ${p.required === true ? code : `Schema.optional(${code})`}`
  })
  const encodings = params.map((p) =>
    `${names.key(p.name)}: ${encodingCode(ParamStyle.encoding("cookie", p.style, p.explode))}`
  )
  return {
    code: asText(
      h.target,
      `Schema.Struct({ ${fields.join(", ")} })`,
      `(value) => ParamStyle.cookie(value, { ${encodings.join(", ")} }) || undefined`,
      `(text) => ParamStyle.parseCookie(text ?? "")`,
      true
    ),
    required: params.some((p) => p.required === true),
    description: `The cookies ${params.map((p) => `\`${p.name}\``).join(", ")}, sent in one \`Cookie\` header.`
  }
}

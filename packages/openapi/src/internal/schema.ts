/**
 * JSON Schema (as OpenAPI 3.0 and 3.1 write it) to the source of an Effect `Schema`.
 *
 * What is kept: types, `nullable` and `type: [..., "null"]`, `enum` and `const`, objects
 * (required and optional properties; a map for `additionalProperties` alone), arrays,
 * `oneOf`/`anyOf` (a union), `allOf` of objects (merged), and `$ref`s to components by name.
 * What is not enforced: formats, lengths, patterns and ranges (a client decodes what a server
 * sends; it does not police it). A reference that would come before its component is defined
 * (a cycle) is `Schema.suspend`ed and typed `any`.
 *
 * @internal
 */
import * as names from "./names.js"

/** A schema object as it comes from the document (or a boolean in 3.1). */
export type JsonSchema = boolean | { readonly [key: string]: any }

/** @internal */
export interface Context {
  /** Resolves a local `$ref` (`#/…`) in the document. */
  readonly resolve: (ref: string) => JsonSchema | undefined
  /** The identifier of a component schema, by its `$ref`; `undefined` for other refs. */
  readonly component: (ref: string) => string | undefined
  /** Whether a reference to this component must be suspended where it is written. */
  readonly suspend: (name: string) => boolean
}

const PREFIX = "#/components/schemas/"

/** The component names a schema refers to, directly (for the order of definition). */
export const references = (schema: JsonSchema, out = new Set<string>()): Set<string> => {
  if (typeof schema !== "object" || schema === null) return out
  if (Array.isArray(schema)) {
    for (const s of schema) references(s, out)
    return out
  }
  for (const [k, v] of Object.entries(schema)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith(PREFIX)) out.add(v)
    else if (k === "example" || k === "examples" || k === "default" || k === "enum" || k === "const") continue
    else if (typeof v === "object" && v !== null) references(v, out)
  }
  return out
}

const literal = (v: unknown): string => JSON.stringify(v)

const isPrimitive = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v)

const nullOr = (code: string, nullable: boolean) =>
  nullable && code !== "Schema.Null" && code !== "Schema.Unknown" ? `Schema.NullOr(${code})` : code

const union = (members: ReadonlyArray<string>): string => {
  const unique = [...new Set(members)]
  if (unique.includes("Schema.Unknown")) return "Schema.Unknown"
  return unique.length === 1 ? unique[0] : `Schema.Union(${unique.join(", ")})`
}

interface Flat {
  readonly properties: Record<string, JsonSchema>
  readonly required: Set<string>
}

/** An `allOf` of objects (through refs) as one object, or `undefined` when a member is not one. */
const flatten = (schema: JsonSchema, ctx: Context, seen: Set<string>): Flat | undefined => {
  if (typeof schema !== "object" || schema === null) return undefined
  if (typeof schema.$ref === "string") {
    if (seen.has(schema.$ref)) return undefined
    const target = ctx.resolve(schema.$ref)
    return target === undefined ? undefined : flatten(target, ctx, new Set([...seen, schema.$ref]))
  }
  const properties: Record<string, JsonSchema> = {}
  const required = new Set<string>()
  if (Array.isArray(schema.allOf)) {
    for (const member of schema.allOf) {
      const flat = flatten(member, ctx, seen)
      if (flat === undefined) return undefined
      Object.assign(properties, flat.properties)
      for (const r of flat.required) required.add(r)
    }
  }
  const isObject = schema.type === "object" || schema.properties !== undefined || Array.isArray(schema.allOf)
  if (!isObject) return undefined
  Object.assign(properties, schema.properties ?? {})
  for (const r of Array.isArray(schema.required) ? schema.required : []) required.add(r)
  return { properties, required }
}

const struct = (flat: Flat, ctx: Context): string => {
  const fields = Object.keys(flat.properties).map((k) => {
    const value = toCode(flat.properties[k], ctx)
    return `${names.key(k)}: ${flat.required.has(k) ? value : `Schema.optional(${value})`}`
  })
  return `Schema.Struct({ ${fields.join(", ")} })`
}

/** The source of the `Schema` for a JSON Schema. */
export const toCode = (schema: JsonSchema | undefined, ctx: Context): string => {
  if (schema === undefined || schema === true) return "Schema.Unknown"
  if (schema === false) return "Schema.Never"
  if (typeof schema.$ref === "string") {
    const name = ctx.component(schema.$ref)
    if (name !== undefined) {
      return ctx.suspend(name) ? `Schema.suspend((): Schema.Schema<any> => ${name})` : name
    }
    const target = ctx.resolve(schema.$ref)
    return target === undefined ? "Schema.Unknown" : toCode(target, ctx)
  }
  const types: Array<string> = Array.isArray(schema.type)
    ? schema.type
    : typeof schema.type === "string"
    ? [schema.type]
    : []
  const nullable = schema.nullable === true || types.includes("null")
  const nonNull = types.filter((t) => t !== "null")

  if ("const" in schema && isPrimitive(schema.const)) {
    return schema.const === null ? "Schema.Null" : `Schema.Literal(${literal(schema.const)})`
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every(isPrimitive)) {
    const values = schema.enum.filter((v: unknown) => v !== null)
    const hasNull = values.length < schema.enum.length
    if (values.length === 0) return "Schema.Null"
    return nullOr(`Schema.Literal(${[...new Set(values)].map(literal).join(", ")})`, nullable || hasNull)
  }
  const choices = schema.oneOf ?? schema.anyOf
  if (Array.isArray(choices) && choices.length > 0) {
    return nullOr(union(choices.map((c: JsonSchema) => toCode(c, ctx))), nullable)
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const flat = flatten(schema, ctx, new Set())
    if (flat !== undefined) return nullOr(struct(flat, ctx), nullable)
    return nullOr(toCode(schema.allOf[0], ctx), nullable)
  }
  if (nonNull.length > 1) {
    return nullOr(union(nonNull.map((t) => toCode({ ...schema, type: t, nullable: false }, ctx))), nullable)
  }
  const type = nonNull[0] ??
    (schema.properties !== undefined || schema.additionalProperties !== undefined
      ? "object"
      : schema.items !== undefined
      ? "array"
      : types.includes("null")
      ? "null"
      : undefined)
  switch (type) {
    case "string":
      return nullOr("Schema.String", nullable)
    case "integer":
    case "number":
      return nullOr("Schema.Number", nullable)
    case "boolean":
      return nullOr("Schema.Boolean", nullable)
    case "null":
      return "Schema.Null"
    case "array":
      return nullOr(`Schema.Array(${toCode(schema.items, ctx)})`, nullable)
    case "object": {
      const properties = schema.properties ?? {}
      const extra = schema.additionalProperties
      if (Object.keys(properties).length === 0) {
        if (extra === undefined || extra === true || (typeof extra === "object" && Object.keys(extra).length === 0)) {
          return nullOr("Schema.Record({ key: Schema.String, value: Schema.Unknown })", nullable)
        }
        if (extra === false) return nullOr("Schema.Struct({})", nullable)
        return nullOr(`Schema.Record({ key: Schema.String, value: ${toCode(extra, ctx)} })`, nullable)
      }
      const required = new Set<string>(Array.isArray(schema.required) ? schema.required : [])
      return nullOr(struct({ properties, required }, ctx), nullable)
    }
    default:
      return "Schema.Unknown"
  }
}

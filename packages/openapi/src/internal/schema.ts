/**
 * JSON Schema (as OpenAPI 3.0 and 3.1 write it) to the source of an Effect `Schema`.
 *
 * What is kept: types, `nullable` and `type: [..., "null"]`, `enum` and `const`, objects
 * (required and optional properties; a map for `additionalProperties` alone), arrays,
 * `oneOf`/`anyOf` (a union), `allOf` of objects (merged), and `$ref`s to components by name.
 * What is not enforced: formats, lengths, patterns and ranges (a client decodes what a server
 * sends; it does not police it). A reference that would come before its component is defined
 * (a cycle) is `Schema.suspend`ed, typed by the interface `recursion.ts` writes for it. A schema nested deeper than `maxDepth`
 * (through `$ref`s to what is not a component too) is `Schema.Unknown` below that depth: the
 * formatter and the type checker have their own limits, and a spec must not reach them.
 *
 * @internal
 */
import * as names from "./names.js"
import type * as syntax from "./syntax.js"

/** A schema object as it comes from the document (or a boolean in 3.1). */
export type JsonSchema = boolean | { readonly [key: string]: any }

/**
 * How deep schemas nest in the generated code. Each level is up to four nested calls
 * (`Schema.NullOr(Schema.Struct({ a: Schema.optional(…) }))`); dprint's wasm runs out of stack
 * at about 220 (a struct 75 levels deep).
 */
export const maxDepth = 32

/** @internal */
export interface Context {
  /** The Schema code of the Effect line the output is for. */
  readonly syntax: syntax.Syntax
  /** Resolves a local `$ref` (`#/…`) in the document. */
  readonly resolve: (ref: string) => JsonSchema | undefined
  /** The identifier of a component schema, by its `$ref`; `undefined` for other refs. */
  readonly component: (ref: string) => string | undefined
  /** Whether a reference to this component must be suspended where it is written. */
  readonly suspend: (name: string) => boolean
  /** Told each component `$ref` the code names (for the order of definition). */
  readonly uses?: ((ref: string) => void) | undefined
  /** Counts the schemas written, document-wide; throws `TooLarge` past the budget. */
  readonly spend?: (() => void) | undefined
  /**
   * The side of the wire the schema is for: `"request"` leaves `readOnly` properties out (a
   * request body's), `"response"` leaves `writeOnly` ones out (a response's); neither keeps both.
   */
  readonly variant?: "request" | "response" | undefined
  /**
   * The code of a file (a `string` of `format: binary`, or 3.1's `contentMediaType` without a
   * `contentEncoding`) where the schema is a multipart body's; elsewhere such a string is text.
   */
  readonly binary?: string | undefined
}

/**
 * How many schema nodes one document may turn into code. A `$ref` that is not a component is
 * written out where it is used, and so is a YAML alias: a chain of them, each used ten times,
 * grows tenfold a level, and 10⁹ nodes would be a generator that never ends. GitHub's spec
 * (1,222 operations, 969 components) writes 44,495.
 */
export const maxNodes = 500_000

/** The document's schemas would be written out past `maxNodes`. */
export class TooLarge extends Error {
  constructor() {
    super(
      `the spec's schemas would be written out as more than ${maxNodes} nodes (a $ref that is not a component, or a YAML alias, is written out where it is used)`
    )
  }
}

/** A budget of `maxNodes`, for the contexts of one document. */
export const budget = (): () => void => {
  let left = maxNodes
  return () => {
    if (--left < 0) throw new TooLarge()
  }
}

const isObject = (v: unknown): v is { readonly [key: string]: any } =>
  typeof v === "object" && v !== null && !Array.isArray(v)

const isPrimitive = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v)

const nullOr = (code: string, nullable: boolean) =>
  nullable && code !== "Schema.Null" && code !== "Schema.Unknown" ? `Schema.NullOr(${code})` : code

const union = (members: ReadonlyArray<string>, ctx: Context): string => {
  const unique = [...new Set(members)]
  if (unique.includes("Schema.Unknown")) return "Schema.Unknown"
  return unique.length === 1 ? unique[0] : ctx.syntax.union(unique)
}

interface Flat {
  readonly properties: Record<string, JsonSchema>
  readonly required: Set<string>
}

export const own = (properties: unknown): Record<string, JsonSchema> => {
  const out: Record<string, JsonSchema> = {}
  if (!isObject(properties)) return out
  // a property named __proto__ is kept as a property, not as the record's prototype
  for (const k of Object.keys(properties)) {
    // plain assignment keeps the record a fast object; only `__proto__` needs a defined property
    if (k === "__proto__") Object.defineProperty(out, k, { value: properties[k], enumerable: true })
    else out[k] = properties[k]
  }
  return out
}

export const requiredOf = (schema: { readonly [key: string]: any }): Array<string> =>
  Array.isArray(schema.required) ? schema.required.filter((r: unknown): r is string => typeof r === "string") : []

/** Whether a schema (through a `$ref`) is a literal: a `const`, or an `enum` of values. */
const isLiteral = (schema: JsonSchema, ctx: Context, depth = 0): boolean => {
  if (!isObject(schema) || depth > 8) return false
  if (typeof schema.$ref === "string") {
    const target = ctx.resolve(schema.$ref)
    return target !== undefined && isLiteral(target, ctx, depth + 1)
  }
  return "const" in schema || (Array.isArray(schema.enum) && schema.enum.length > 0)
}

/**
 * An `allOf` of objects (through refs) as one object, or `undefined` when a member is not one. A
 * property two members declare keeps the narrower: a literal over a wider type, whichever comes
 * first (Figma's `type: "FRAME"` over its base node's `type: string`); else the later one.
 */
export const flatten = (schema: JsonSchema, ctx: Context, seen: Set<string>, depth: number): Flat | undefined => {
  if (!isObject(schema) || depth > maxDepth) return undefined
  if (typeof schema.$ref === "string") {
    if (seen.has(schema.$ref)) return undefined
    const target = ctx.resolve(schema.$ref)
    return target === undefined ? undefined : flatten(target, ctx, new Set([...seen, schema.$ref]), depth + 1)
  }
  const properties: Record<string, JsonSchema> = {}
  const required = new Set<string>()
  /** A property met again keeps the narrower of the two: a literal (`enum`, `const`) over a wider type. */
  const put = (k: string, value: JsonSchema) => {
    const known = Object.prototype.hasOwnProperty.call(properties, k) ? properties[k] : undefined
    if (known !== undefined && isLiteral(known, ctx) && !isLiteral(value, ctx)) return
    Object.defineProperty(properties, k, { value, enumerable: true, configurable: true })
  }
  if (Array.isArray(schema.allOf)) {
    for (const member of schema.allOf) {
      const flat = flatten(member, ctx, seen, depth + 1)
      if (flat === undefined) return undefined
      for (const k of Object.keys(flat.properties)) put(k, flat.properties[k])
      for (const r of flat.required) required.add(r)
    }
  }
  const isObjectSchema = schema.type === "object" || schema.properties !== undefined || Array.isArray(schema.allOf)
  if (!isObjectSchema) return undefined
  const mine = own(schema.properties)
  for (const k of Object.keys(mine)) put(k, mine[k])
  for (const r of requiredOf(schema)) required.add(r)
  return { properties, required }
}

/** Whether a property is left out of the side `ctx.variant` names (`readOnly` of a request, `writeOnly` of a response). */
export const hidden = (property: JsonSchema, ctx: Pick<Context, "variant">): boolean =>
  isObject(property) &&
  ((ctx.variant === "request" && property.readOnly === true) ||
    (ctx.variant === "response" && property.writeOnly === true))

const struct = (flat: Flat, ctx: Context, depth: number): string => {
  const fields = Object.keys(flat.properties).filter((k) => !hidden(flat.properties[k], ctx)).map((k) => {
    const value = toCode(flat.properties[k], ctx, depth + 1)
    return `${names.key(k)}: ${flat.required.has(k) ? value : `Schema.optional(${value})`}`
  })
  return `Schema.Struct({ ${fields.join(", ")} })`
}

/** Whether a schema is a `$ref` to a component schema. @internal */
export const isComponentRef = (schema: unknown, ctx: Context): boolean =>
  isObject(schema) && typeof schema.$ref === "string" && ctx.component(schema.$ref) !== undefined

/**
 * The schemas an array's elements may be: its `items`, or a 3.1 tuple's `prefixItems` then its
 * `items` (none with `items: false`). `items: false` alone is any (an array that is always empty).
 * @internal
 */
export const arrayMembers = (schema: { readonly [key: string]: any }): Array<JsonSchema | undefined> =>
  Array.isArray(schema.prefixItems)
    ? [...schema.prefixItems, ...(schema.items === false ? [] : [schema.items ?? true])]
    : [schema.items === false ? true : schema.items]

/** The source of the `Schema` for a JSON Schema. */
export const toCode = (schema: JsonSchema | undefined, ctx: Context, depth = 0): string => {
  ctx.spend?.()
  if (schema === undefined || schema === true) return "Schema.Unknown"
  if (schema === false) return "Schema.Never"
  if (!isObject(schema) || depth > maxDepth) return "Schema.Unknown"
  if (typeof schema.$ref === "string") {
    const name = ctx.component(schema.$ref)
    if (name !== undefined) {
      ctx.uses?.(schema.$ref)
      return ctx.suspend(name) ? ctx.syntax.suspend(name) : name
    }
    const target = ctx.resolve(schema.$ref)
    return target === undefined ? "Schema.Unknown" : toCode(target, ctx, depth + 1)
  }
  const types: Array<string> = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter(
    (t: unknown): t is string => typeof t === "string"
  )
  const nullable = schema.nullable === true || types.includes("null")
  const nonNull = [...new Set(types.filter((t) => t !== "null"))]

  if ("const" in schema && isPrimitive(schema.const)) {
    return schema.const === null ? "Schema.Null" : ctx.syntax.literals([schema.const])
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every(isPrimitive)) {
    const values = schema.enum.filter((v: syntax.Literal | null): v is syntax.Literal => v !== null)
    const hasNull = values.length < schema.enum.length
    if (values.length === 0) return "Schema.Null"
    return nullOr(ctx.syntax.literals([...new Set(values)]), nullable || hasNull)
  }
  const choices = schema.oneOf ?? schema.anyOf
  if (Array.isArray(choices) && choices.length > 0) {
    return nullOr(union(choices.map((c: JsonSchema) => toCode(c, ctx, depth + 1)), ctx), nullable)
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    // one component and nothing of its own (3.0's nullable or described `$ref`): the component by
    // name, not its properties written out again, which a cycle through it repeats maxDepth deep
    if (schema.allOf.length === 1 && schema.properties === undefined && isComponentRef(schema.allOf[0], ctx)) {
      return nullOr(toCode(schema.allOf[0], ctx, depth + 1), nullable)
    }
    const flat = flatten(schema, ctx, new Set(), depth)
    if (flat !== undefined) return nullOr(struct(flat, ctx, depth), nullable)
    return nullOr(toCode(schema.allOf[0], ctx, depth + 1), nullable)
  }
  if (nonNull.length > 1) {
    return nullOr(
      union(nonNull.map((t) => toCode({ ...schema, type: t, nullable: false }, ctx, depth + 1)), ctx),
      nullable
    )
  }
  const type = nonNull[0] ??
    (schema.properties !== undefined || schema.additionalProperties !== undefined
      ? "object"
      : schema.items !== undefined || schema.prefixItems !== undefined
      ? "array"
      : types.includes("null")
      ? "null"
      : undefined)
  switch (type) {
    case "string":
      if (
        ctx.binary !== undefined &&
        (schema.format === "binary" || (schema.contentMediaType !== undefined && schema.contentEncoding === undefined))
      ) return nullOr(ctx.binary, nullable)
      return nullOr("Schema.String", nullable)
    case "integer":
    case "number":
      return nullOr("Schema.Number", nullable)
    case "boolean":
      return nullOr("Schema.Boolean", nullable)
    case "null":
      return "Schema.Null"
    case "array": {
      // 3.1's tuple (`prefixItems`, then `items` or none with `items: false`): an array of any of
      // its members; `items: false` alone, an array that is always empty (`Schema.Array(Schema.Never)`
      // does not compile on Effect 3): what a client decodes, not a check of positions
      const members = arrayMembers(schema)
      const items = members.length === 0 ? "Schema.Unknown" : union(members.map((m) => toCode(m, ctx, depth + 1)), ctx)
      return nullOr(`Schema.Array(${items})`, nullable)
    }
    case "object": {
      const properties = own(schema.properties)
      const extra = schema.additionalProperties
      if (Object.keys(properties).length === 0) {
        if (extra === undefined || extra === true || (isObject(extra) && Object.keys(extra).length === 0)) {
          return nullOr(ctx.syntax.record("Schema.Unknown"), nullable)
        }
        if (extra === false) return nullOr("Schema.Struct({})", nullable)
        return nullOr(ctx.syntax.record(toCode(extra, ctx, depth + 1)), nullable)
      }
      return nullOr(struct({ properties, required: new Set(requiredOf(schema)) }, ctx, depth), nullable)
    }
    default:
      return "Schema.Unknown"
  }
}

/**
 * Recursive components, typed. A component that reaches itself through its references (a tree's
 * `children`, `A → B → A`, through arrays, maps, unions and `allOf`) cannot have its type
 * inferred by TypeScript from its own initializer: the generator writes its type out as an
 * interface (`export interface Node { readonly children: ReadonlyArray<Node> }`), and each
 * suspended reference is annotated with it (`Schema.suspend((): Schema.Schema<Node> => Node)` on
 * Effect 3, `Schema.Codec<Node>` on Effect 4), so the decoded value is typed all the way down,
 * never `any`. A component's schema is the same on both sides (its code has no transformation),
 * so one interface is both its `Type` and its `Encoded`.
 *
 * The interface is written from the JSON Schema by `toType`, which follows `schema.toCode` case
 * by case (the same depth limit, the same `allOf` merge, the same literals): the schema's code
 * and the interface must be the same type, and the generated file does not compile otherwise.
 *
 * @internal
 */
import * as escape from "./escape.js"
import * as names from "./names.js"
import * as schema from "./schema.js"
import type * as syntax from "./syntax.js"

/**
 * The nodes that are on a cycle of `edges` (a strongly connected component of two or more, or
 * one that names itself): Tarjan's algorithm, as a loop (a chain of components is as long as the
 * spec makes it).
 */
export const cyclic = (edges: ReadonlyMap<string, ReadonlyArray<string>>): Set<string> => {
  const out = new Set<string>()
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: Array<string> = []
  let next = 0
  for (const start of edges.keys()) {
    if (index.has(start)) continue
    const work: Array<{ readonly node: string; i: number }> = [{ node: start, i: 0 }]
    index.set(start, next)
    low.set(start, next++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const top = work[work.length - 1]
      const list = edges.get(top.node) ?? []
      if (top.i < list.length) {
        const to = list[top.i++]
        if (!edges.has(to)) continue
        if (!index.has(to)) {
          index.set(to, next)
          low.set(to, next++)
          stack.push(to)
          onStack.add(to)
          work.push({ node: to, i: 0 })
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!))
      if (low.get(top.node) === index.get(top.node)) {
        const component: Array<string> = []
        for (;;) {
          const n = stack.pop()!
          onStack.delete(n)
          component.push(n)
          if (n === top.node) break
        }
        if (component.length > 1 || list.includes(top.node)) { for (const n of component) out.add(n) }
      }
    }
  }
  return out
}

const isObject = (v: unknown): v is { readonly [key: string]: any } =>
  typeof v === "object" && v !== null && !Array.isArray(v)

const isPrimitive = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v)

/** A literal's type as the line's `literals` writes its schema (a number JSON cannot hold: `null` on 3, left out on 4). */
const literalsType = (values: ReadonlyArray<syntax.Literal>, line: syntax.Syntax): string => {
  const types = values.flatMap((v) =>
    typeof v === "number" && !Number.isFinite(v)
      ? line.effect === 3 ? ["null"] : []
      : [typeof v === "string" ? escape.stringLiteral(v) : String(v)]
  )
  return types.length === 0 ? "never" : types.join(" | ")
}

/** `Schema.NullOr`'s type, where `toCode` writes one (`Schema.Null` and `Schema.Unknown` stay as they are). */
const nullOr = (type: string, nullable: boolean) =>
  nullable && type !== "null" && type !== "unknown" ? `${type} | null` : type

const union = (members: ReadonlyArray<string>): string => {
  if (members.includes("unknown")) return "unknown"
  const unique = [...new Set(members)]
  return unique.length === 1 ? unique[0] : unique.map((m) => (m.includes(" | ") ? `(${m})` : m)).join(" | ")
}

const struct = (
  flat: { readonly properties: Record<string, schema.JsonSchema>; readonly required: Set<string> },
  ctx: schema.Context,
  depth: number,
  block = false
): string => {
  const fields = Object.keys(flat.properties).filter((k) => !schema.hidden(flat.properties[k], ctx)).map((k) => {
    const type = toType(flat.properties[k], ctx, depth + 1)
    return flat.required.has(k) ? `readonly ${names.key(k)}: ${type}` : `readonly ${names.key(k)}?: ${type} | undefined`
  })
  if (fields.length === 0) return "{}"
  // an interface's body: its members on lines of their own, as dprint lays out a declaration
  return block ? `{\n${fields.join("\n")}\n}` : `{ ${fields.join("; ")} }`
}

const record = (value: string) => `{ readonly [x: string]: ${value} }`

/** The TypeScript type of the schema `schema.toCode` writes for `json` in `ctx` (a component by its name). */
export const toType = (
  json: schema.JsonSchema | undefined,
  ctx: schema.Context,
  depth = 0,
  block = false
): string => {
  ctx.spend?.()
  if (json === undefined || json === true) return "unknown"
  if (json === false) return "never"
  if (!isObject(json) || depth > schema.maxDepth) return "unknown"
  if (typeof json.$ref === "string") {
    const name = ctx.component(json.$ref)
    if (name !== undefined) return name
    const target = ctx.resolve(json.$ref)
    return target === undefined ? "unknown" : toType(target, ctx, depth + 1)
  }
  const types: Array<string> = (Array.isArray(json.type) ? json.type : [json.type]).filter(
    (t: unknown): t is string => typeof t === "string"
  )
  const nullable = json.nullable === true || types.includes("null")
  const nonNull = [...new Set(types.filter((t) => t !== "null"))]
  if ("const" in json && isPrimitive(json.const)) {
    return json.const === null ? "null" : literalsType([json.const], ctx.syntax)
  }
  if (Array.isArray(json.enum) && json.enum.length > 0 && json.enum.every(isPrimitive)) {
    const values = json.enum.filter((v: syntax.Literal | null): v is syntax.Literal => v !== null)
    if (values.length === 0) return "null"
    return nullOr(literalsType([...new Set(values)], ctx.syntax), nullable || values.length < json.enum.length)
  }
  const choices = json.oneOf ?? json.anyOf
  if (Array.isArray(choices) && choices.length > 0) {
    return nullOr(union(choices.map((c: schema.JsonSchema) => toType(c, ctx, depth + 1))), nullable)
  }
  if (Array.isArray(json.allOf) && json.allOf.length > 0) {
    // as `schema.toCode`: one component and nothing of its own is the component by name
    if (json.allOf.length === 1 && json.properties === undefined && schema.isComponentRef(json.allOf[0], ctx)) {
      return nullOr(toType(json.allOf[0], ctx, depth + 1), nullable)
    }
    const flat = schema.flatten(json, ctx, new Set(), depth)
    if (flat !== undefined) return nullOr(struct(flat, ctx, depth, block && !nullable), nullable)
    return nullOr(toType(json.allOf[0], ctx, depth + 1), nullable)
  }
  if (nonNull.length > 1) {
    return nullOr(union(nonNull.map((t) => toType({ ...json, type: t, nullable: false }, ctx, depth + 1))), nullable)
  }
  const type = nonNull[0] ??
    (json.properties !== undefined || json.additionalProperties !== undefined
      ? "object"
      : json.items !== undefined || json.prefixItems !== undefined
      ? "array"
      : types.includes("null")
      ? "null"
      : undefined)
  switch (type) {
    case "string":
      if (
        ctx.binary !== undefined &&
        (json.format === "binary" || (json.contentMediaType !== undefined && json.contentEncoding === undefined))
      ) return nullOr("Blob", nullable)
      return nullOr("string", nullable)
    case "integer":
    case "number":
      return nullOr("number", nullable)
    case "boolean":
      return nullOr("boolean", nullable)
    case "null":
      return "null"
    case "array": {
      // as `schema.toCode`: a tuple (`prefixItems`) is an array of any of its members
      const members = schema.arrayMembers(json)
      const items = members.length === 0
        ? "unknown"
        : union(members.map((m) => toType(m, ctx, depth + 1)))
      return nullOr(`ReadonlyArray<${items}>`, nullable)
    }
    case "object": {
      const properties = schema.own(json.properties)
      const extra = json.additionalProperties
      if (Object.keys(properties).length === 0) {
        if (extra === undefined || extra === true || (isObject(extra) && Object.keys(extra).length === 0)) {
          return nullOr(record("unknown"), nullable)
        }
        if (extra === false) return nullOr("{}", nullable)
        return nullOr(record(toType(extra, ctx, depth + 1)), nullable)
      }
      return nullOr(
        struct({ properties, required: new Set(schema.requiredOf(json)) }, ctx, depth, block && !nullable),
        nullable
      )
    }
    default:
      return "unknown"
  }
}

/**
 * The line that follows a component's `const` in schemas.ts: its type, `typeof X.Type`, or, for a
 * component on a cycle, the interface its suspended references are annotated with.
 */
export const componentType = (
  c: { readonly name: string; readonly schema: schema.JsonSchema; readonly recursive?: boolean | undefined },
  ctx: schema.Context
): string => {
  if (c.recursive !== true) return `export type ${c.name} = typeof ${c.name}.Type\n`
  const type = toType(c.schema, ctx, 0, true)
  // an interface extends an object type only: anything else (a union, an array) is an alias, which may name itself too
  return (type.startsWith("{\n") && type.endsWith("\n}")) || type === "{}"
    ? `/** The type of \`${c.name}\`, written out: it names itself. */\nexport interface ${c.name} ${type}\n`
    : `/** The type of \`${c.name}\`, written out: it names itself. */\nexport type ${c.name} = ${type}\n`
}

/**
 * The spec, read into what the emitter needs: components in the order they can be defined,
 * and operations with their parameters, bodies, responses and the resilience the spec implies.
 *
 * @internal
 */
import * as Http from "node:http"
import * as names from "./names.js"
import * as schema from "./schema.js"

/** @internal */
export type Document = { readonly [key: string]: any }

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const

/** @internal */
export interface Param {
  readonly name: string
  /** The key in the generated struct (the spec's name, or a camel-case one for a path name that is not an identifier). */
  readonly key: string
  readonly required: boolean
  readonly code: string
  readonly description: string | undefined
}

/** @internal */
export interface Response {
  readonly status: number
  readonly code: string
  readonly encoding: "json" | "text" | "none"
}

/** @internal */
export interface ErrorResponse {
  readonly status: number
  /** The error class's name (its `_tag`). */
  readonly className: string
}

/** @internal */
export type Paging =
  | { readonly _tag: "link" }
  | { readonly _tag: "page"; readonly param: string }
  | { readonly _tag: "cursor"; readonly param: string; readonly next: string; readonly items: string }

/** @internal */
export interface Operation {
  readonly method: (typeof METHODS)[number]
  readonly path: string
  /** `/repos/:owner/:repo` */
  readonly apiPath: string
  readonly group: string
  readonly name: string
  readonly summary: string | undefined
  readonly description: string | undefined
  readonly deprecated: boolean
  readonly pathParams: ReadonlyArray<Param>
  readonly query: ReadonlyArray<Param>
  readonly headers: ReadonlyArray<Param>
  readonly body: { readonly code: string; readonly encoding: "json" | "form" | "text" } | undefined
  readonly successes: ReadonlyArray<Response>
  readonly errors: ReadonlyArray<ErrorResponse>
  /** The spec declares an `Idempotency-Key` header: the method sends one, and a POST/PATCH is retried. */
  readonly idempotencyKey: boolean
  /** The spec declares `Retry-After` or `RateLimit-*` response headers. */
  readonly rateHeaders: ReadonlyArray<string>
  readonly paging: Paging | undefined
}

/** @internal */
export interface ErrorClass {
  readonly className: string
  readonly status: number
  /** The body's schema in schemas.ts, and in api.ts (components as `S.<Name>`). */
  readonly code: string
  readonly qualified: string
}

/** @internal */
export interface Component {
  readonly name: string
  readonly ref: string
  readonly schema: schema.JsonSchema
}

/** @internal */
export interface Model {
  readonly title: string
  readonly version: string
  readonly description: string | undefined
  readonly baseUrl: string | undefined
  readonly components: ReadonlyArray<Component>
  readonly componentContext: (current: string | undefined) => schema.Context
  readonly operations: ReadonlyArray<Operation>
  readonly errorClasses: ReadonlyArray<ErrorClass>
  readonly groups: ReadonlyArray<string>
  readonly security: Security | undefined
  /** Operations left out, and why. */
  readonly skipped: ReadonlyArray<string>
}

/** @internal */
export type Security =
  | { readonly _tag: "bearer" }
  | { readonly _tag: "basic" }
  | { readonly _tag: "apiKey"; readonly in: "header" | "query"; readonly name: string }
  | { readonly _tag: "oauth2"; readonly tokenUrl: string; readonly scopes: ReadonlyArray<string> }

const unescape = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~")

const isJson = (type: string) => type === "application/json" || /^application\/[^;]*\+json/.test(type)

/** @internal */
export const read = (document: Document): Model => {
  const resolve = (ref: string): any => {
    if (!ref.startsWith("#/")) return undefined
    let node: any = document
    for (const part of ref.slice(2).split("/").map(unescape)) {
      node = node?.[part]
      if (node === undefined) return undefined
    }
    return node
  }
  /** A node that may be a `$ref` (to a parameter, a response, a header…), followed. */
  const deref = (node: any, depth = 0): any =>
    node !== null && typeof node === "object" && typeof node.$ref === "string" && depth < 20
      ? deref(resolve(node.$ref), depth + 1)
      : node

  // components: a stable name each, then an order in which each is defined after what it uses
  const namer = new names.Namer()
  const rawComponents = document.components?.schemas ?? {}
  const byRef = new Map<string, string>()
  for (const key of Object.keys(rawComponents).sort()) {
    byRef.set(`#/components/schemas/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, namer.take(names.pascal(key)))
  }
  const order: Array<string> = []
  const state = new Map<string, "visiting" | "done">()
  const visit = (ref: string) => {
    if (state.has(ref) || !byRef.has(ref)) return
    state.set(ref, "visiting")
    for (const dep of [...schema.references(resolve(ref))].sort()) visit(dep)
    state.set(ref, "done")
    order.push(ref)
  }
  for (const ref of [...byRef.keys()]) visit(ref)
  const position = new Map(order.map((ref, i) => [byRef.get(ref)!, i]))
  const components = order.map((ref) => ({ name: byRef.get(ref)!, ref, schema: resolve(ref) }))
  /** In a component, a reference to one defined at or after it is a cycle, and suspended. */
  const componentContext = (current: string | undefined): schema.Context => ({
    resolve,
    component: (ref) => byRef.get(ref),
    suspend: (name) => current !== undefined && (position.get(name) ?? 0) >= (position.get(current) ?? 0)
  })
  const local = componentContext(undefined)
  /** Operations are written in api.ts and client.ts, where the components are `S.<Name>`. */
  const ctx: schema.Context = {
    ...local,
    component: (ref) => {
      const name = byRef.get(ref)
      return name === undefined ? undefined : `S.${name}`
    }
  }

  const paramCode = (s: any): string => {
    const target = deref(s) ?? {}
    if (
      Array.isArray(target.enum) && target.enum.length > 0 && target.enum.every((v: unknown) => typeof v === "string")
    ) {
      return `Schema.Literal(${[...new Set(target.enum)].map((v) => JSON.stringify(v)).join(", ")})`
    }
    const type = Array.isArray(target.type) ? target.type.find((t: string) => t !== "null") : target.type
    switch (type) {
      case "integer":
      case "number":
        return "Schema.NumberFromString"
      case "boolean":
        return "Schema.BooleanFromString"
      case "array":
        return `Schema.Array(${paramCode(target.items)})`
      default:
        return "Schema.String"
    }
  }

  const errorClassNamer = new names.Namer()
  const errorClasses: Array<ErrorClass> = []
  const errorByKey = new Map<string, string>()
  const errorClass = (status: number, body: schema.JsonSchema, owner: string): string => {
    const code = schema.toCode(body, local)
    const key = `${status} ${code}`
    const known = errorByKey.get(key)
    if (known !== undefined) return known
    const base = names.pascal(Http.STATUS_CODES[status] ?? `Status ${status}`)
    const taken = errorClasses.some((e) => e.className === base)
    const suffix = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(code) ? code : owner
    const className = errorClassNamer.take(taken ? `${base}${names.pascal(suffix)}` : base)
    errorByKey.set(key, className)
    errorClasses.push({ className, status, code, qualified: schema.toCode(body, ctx) })
    return className
  }

  const globalSecurity = Array.isArray(document.security) ? document.security : undefined
  const security = readSecurity(document, globalSecurity)

  const operationNamer = new names.Namer()
  const groupNamers = new Map<string, names.Namer>()
  const operations: Array<Operation> = []
  const skipped: Array<string> = []
  const paths = document.paths ?? {}
  for (const path of Object.keys(paths).sort()) {
    const item = deref(paths[path]) ?? {}
    for (const method of METHODS) {
      const op = item[method]
      if (op === undefined) continue
      const label = `${method.toUpperCase()} ${path}`
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => deref(p))
        .filter((p: any) => p !== undefined)
      // an operation's own parameter replaces the path item's of the same name and place
      const unique = new Map<string, any>()
      for (const p of params) unique.set(`${p.in}:${p.name}`, p)
      const param = (p: any): Param => {
        const key = p.in === "path" ? names.pathKey(p.name) : p.name
        return {
          name: p.name,
          key,
          required: p.in === "path" || p.required === true,
          code: paramCode(p.schema ?? p.content?.["application/json"]?.schema),
          description: p.description
        }
      }
      const all = [...unique.values()]
      const idempotencyKey = all.some((p) => p.in === "header" && String(p.name).toLowerCase() === "idempotency-key")
      const pathParams = all.filter((p) => p.in === "path").map(param)
      const query = all.filter((p) => p.in === "query").map(param)
      const headers = all.filter((p) =>
        p.in === "header" &&
        !["idempotency-key", "authorization", "accept", "content-type"].includes(String(p.name).toLowerCase())
      ).map((p) => ({ ...param(p), key: String(p.name).toLowerCase() }))

      let body: Operation["body"]
      const requestBody = deref(op.requestBody)
      if (requestBody?.content !== undefined && method !== "get" && method !== "head") {
        const types = Object.keys(requestBody.content)
        const json = types.find(isJson)
        if (json !== undefined) {
          body = { code: schema.toCode(requestBody.content[json].schema, ctx), encoding: "json" }
        } else if (types.includes("application/x-www-form-urlencoded")) {
          body = {
            code: schema.toCode(requestBody.content["application/x-www-form-urlencoded"].schema, ctx),
            encoding: "form"
          }
        } else if (types.some((t) => t.startsWith("text/"))) {
          body = { code: "Schema.String", encoding: "text" }
        } else {
          skipped.push(`${label}: a request body of ${types.join(", ")} (JSON, forms and text are generated)`)
          continue
        }
      }

      const operationName = names.camel(op.operationId ?? `${method} ${path}`)
      const successes: Array<Response> = []
      const errors: Array<ErrorResponse> = []
      const rateHeaders = new Set<string>()
      let linkHeader = false
      let successSchema: any
      const responses = op.responses ?? {}
      for (const statusText of Object.keys(responses).sort()) {
        const status = Number(statusText)
        const response = deref(responses[statusText]) ?? {}
        for (const h of Object.keys(response.headers ?? {})) {
          const lower = h.toLowerCase()
          if (lower === "link") linkHeader = true
          if (lower === "retry-after" || lower.startsWith("ratelimit") || lower.startsWith("x-ratelimit")) {
            rateHeaders.add(h)
          }
        }
        if (!Number.isInteger(status)) continue // "default", "4XX": not a status of their own
        const content = response.content ?? {}
        const types = Object.keys(content)
        const json = types.find(isJson)
        if (status >= 200 && status < 300) {
          // the first success's JSON schema decides the pagination below
          if (successes.length === 0 && json !== undefined) successSchema = deref(content[json].schema)
          if (json !== undefined) {
            successes.push({ status, code: schema.toCode(content[json].schema, ctx), encoding: "json" })
          } else if (types.some((t) => t.startsWith("text/"))) {
            successes.push({ status, code: "Schema.String", encoding: "text" })
          } else successes.push({ status, code: "Schema.Void", encoding: "none" })
        } else if (status >= 400 && status < 600 && json !== undefined && content[json].schema !== undefined) {
          errors.push({ status, className: errorClass(status, content[json].schema, operationName) })
        }
      }

      // pagination: a Link header on an array, or a page or cursor parameter with its response field
      let paging: Paging | undefined
      const success = successes[0]
      const isArray = successSchema?.type === "array"
      const queryNames = new Set(query.map((q) => q.name))
      if (success !== undefined && method === "get") {
        if (linkHeader && isArray) paging = { _tag: "link" }
        else if (queryNames.has("page") && isArray) paging = { _tag: "page", param: "page" }
        else if (successSchema?.type === "object" || successSchema?.properties !== undefined) {
          const props = successSchema.properties ?? {}
          const cursorParam = ["cursor", "after", "starting_after", "page_token", "pageToken"].find((c) =>
            queryNames.has(c)
          )
          const next = ["next_cursor", "nextCursor", "next_page_token", "nextPageToken", "cursor"].find((n) =>
            n in props
          )
          const items = Object.keys(props).find((k) => deref(props[k])?.type === "array")
          if (cursorParam !== undefined && next !== undefined && items !== undefined) {
            paging = { _tag: "cursor", param: cursorParam, next, items }
          }
        }
      }

      const tag = Array.isArray(op.tags) && op.tags.length > 0 ? String(op.tags[0]) : "default"
      const group = names.camel(tag)
      let groupNamer = groupNamers.get(group)
      if (groupNamer === undefined) groupNamers.set(group, groupNamer = new names.Namer())
      const name = operationNamer.take(operationName)
      groupNamer.take(name)
      operations.push({
        method,
        path,
        apiPath: path.replace(
          /\{([^}]+)\}/g,
          (_, n: string) => `:${names.pathKey(n)}`
        ),
        group,
        name,
        summary: op.summary,
        description: op.description,
        deprecated: op.deprecated === true,
        pathParams,
        query,
        headers,
        body,
        successes,
        errors,
        idempotencyKey,
        rateHeaders: [...rateHeaders].sort(),
        paging
      })
    }
  }

  const servers = Array.isArray(document.servers) ? document.servers : []
  const server = servers[0]?.url
  const baseUrl = typeof server === "string"
    ? server.replace(/\{([^}]+)\}/g, (_: string, v: string) => servers[0].variables?.[v]?.default ?? "")
    : undefined
  return {
    title: document.info?.title ?? "API",
    version: document.info?.version ?? "",
    description: document.info?.description,
    baseUrl: baseUrl !== undefined && /^https?:\/\//.test(baseUrl) ? baseUrl : undefined,
    components,
    componentContext,
    operations,
    errorClasses,
    groups: [...new Set(operations.map((o) => o.group))].sort(),
    security,
    skipped
  }
}

/** The first security scheme the API (or else any operation) requires that steady can wire. */
const readSecurity = (document: Document, global: ReadonlyArray<any> | undefined): Security | undefined => {
  const schemes = document.components?.securitySchemes ?? {}
  const wanted = (global ?? []).flatMap((requirement) => Object.keys(requirement ?? {}))
  const candidates = wanted.length > 0 ? wanted : Object.keys(schemes).sort()
  for (const name of candidates) {
    const s = schemes[name]
    if (s === undefined) continue
    if (s.type === "http" && String(s.scheme).toLowerCase() === "bearer") return { _tag: "bearer" }
    if (s.type === "http" && String(s.scheme).toLowerCase() === "basic") return { _tag: "basic" }
    if (s.type === "apiKey" && (s.in === "header" || s.in === "query")) {
      return { _tag: "apiKey", in: s.in, name: s.name }
    }
    if (s.type === "oauth2" && s.flows?.clientCredentials?.tokenUrl !== undefined) {
      return {
        _tag: "oauth2",
        tokenUrl: s.flows.clientCredentials.tokenUrl,
        scopes: Object.keys(s.flows.clientCredentials.scopes ?? {}).sort()
      }
    }
  }
  return undefined
}

/**
 * The spec, read into what the emitter needs: components in the order they can be defined,
 * and operations with their parameters, bodies, responses and the resilience the spec implies.
 *
 * The document is hostile input: every node is checked for its shape before it is used (a
 * string where an object belongs is ignored, never dereferenced), every identifier is made
 * here, unique in the file it lands in, and every string is kept as data for the emitter to
 * escape.
 *
 * @internal
 */
import * as ParamStyle from "@steady/core/ParamStyle"
import * as Http from "node:http"
import * as escape from "./escape.js"
import * as names from "./names.js"
import * as optionalBody from "./optionalBody.js"
import * as styles from "./params.js"
import * as recursion from "./recursion.js"
import * as responses from "./responses.js"
import * as schema from "./schema.js"
import * as syntax from "./syntax.js"
import * as variants from "./variants.js"

/** @internal */
export type Document = { readonly [key: string]: any }

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const

/** Methods OpenAPI allows that neither line's `HttpApi` has: reported, not generated. */
const OTHER_METHODS = ["trace", "query"] as const

/**
 * An operation the client lacks, whole or in part, and why: `generated: false` when it is not in
 * the client at all, `true` when it is, without what `reason` names.
 *
 * @internal
 */
export interface Report {
  /** `GET`, `POST`, … */
  readonly method: string
  /** As the spec writes it. */
  readonly path: string
  /** The spec's `operationId`, when it has one (a string). */
  readonly operationId: string | undefined
  readonly generated: boolean
  readonly reason: string
}

/** @internal */
export interface Param {
  readonly name: string
  /** The key in the generated struct (and, for a path parameter, its name in the path: `\w+`, unique). */
  readonly key: string
  readonly required: boolean
  readonly code: string
  readonly description: string | undefined
  /** Its code writes the value with `ParamStyle` (an array or an object in a path or a header). */
  readonly styled: boolean
}

/** A piece of an operation's path: text as the spec writes it, or a path parameter (by its key). */
export type Segment = { readonly _tag: "text"; readonly text: string } | {
  readonly _tag: "param"
  readonly key: string
}

/** @internal */
export interface Response {
  readonly status: number
  readonly code: string
  readonly encoding: "json" | "text" | "bytes" | "none"
}

/** @internal */
export interface ErrorResponse {
  readonly status: number
  /** The error class's name (its `_tag`). */
  readonly className: string
  /** Its `…Response` schema in api.ts. */
  readonly responseName: string
  /** The range (`4XX`, `5XX`, `default`) it stands for, declared at `status` (see responses.ts). */
  readonly range?: responses.Range | undefined
}

/** @internal */
export type Paging =
  | { readonly _tag: "link" }
  | { readonly _tag: "page"; readonly param: string }
  | { readonly _tag: "cursor"; readonly param: string; readonly next: string; readonly items: string }
  /** An item offset (`offset`/`limit`), the items the array field `items` (or the page itself, an array). */
  | { readonly _tag: "offset"; readonly param: string; readonly items: string | undefined }
  /** Stripe's: `has_more`, and the last item's `id` as `starting_after`. */
  | { readonly _tag: "hasMore"; readonly param: string; readonly items: string }

/** The identifiers of a paginated operation: its exported parameter schemas, its page schema and its `…Stream` method. */
export interface PagingNames {
  readonly path: string | undefined
  readonly urlParams: string | undefined
  readonly headers: string | undefined
  readonly page: string
  readonly method: string
}

/** @internal */
export interface Operation {
  readonly method: (typeof METHODS)[number]
  /** As the spec writes it (for the doc comment). */
  readonly path: string
  /** `/repos/:owner/:repo`, in the router's syntax (`::` a colon, `(…)` where a parameter ends inside a segment). */
  readonly apiPath: string
  readonly segments: ReadonlyArray<Segment>
  /** The group's identifier (`HttpApiGroup.make("…")`). */
  readonly group: string
  readonly name: string
  readonly summary: string | undefined
  readonly description: string | undefined
  readonly deprecated: boolean
  readonly pathParams: ReadonlyArray<Param>
  readonly query: ReadonlyArray<Param>
  /**
   * The schema of the whole query when a parameter is in a style the platform does not write
   * (`styles.queryCode`, params.ts): the emitters use it in place of the struct of `query`.
   */
  readonly queryCode?: string | undefined
  readonly headers: ReadonlyArray<Param>
  readonly body: {
    /** The payload's schema in api.ts (for `multipart`, `HttpApiSchema`'s of the caller's `FormData`). */
    readonly code: string
    readonly encoding: "json" | "form" | "text" | "multipart" | "bytes"
    /**
     * A multipart body: the exported schema of its typed fields (`…Payload`, files as `Blob`), and
     * the code of the `encoding` object's content types, by field (`{ file: "image/png" }`), that
     * the method gives `ParamStyle.formData` to make the `FormData`.
     */
    readonly multipart?:
      | { readonly payload: string; readonly fields: string; readonly contentTypes: string }
      | undefined
    /** A body of bytes: the media type it is sent as. */
    readonly contentType?: string | undefined
    /** The spec does not require it: the method may leave it out, and then sends none (`optionalBody.ts`). */
    readonly optional?: boolean | undefined
  } | undefined
  readonly successes: ReadonlyArray<Response>
  readonly errors: ReadonlyArray<ErrorResponse>
  /** The spec declares an `Idempotency-Key` header: the method sends one, and a POST/PATCH is retried. */
  readonly idempotencyKey: boolean
  /** The spec declares `Retry-After` or `RateLimit-*` response headers. */
  readonly rateHeaders: ReadonlyArray<string>
  readonly paging: Paging | undefined
  /**
   * The names of its `…Stream` method: of a paginated GET, or of a GET whose success is bytes (a
   * download); or of its `…FromStream` method: of an operation whose body is bytes (an upload).
   */
  readonly pagingNames: PagingNames | undefined
}

/** @internal */
export interface ErrorClass {
  readonly className: string
  readonly responseName: string
  readonly status: number
  /** The body's schema in schemas.ts, and in api.ts (components as `S.<Name>`). */
  readonly code: string
  readonly qualified: string
  /** The range (`4XX`, `5XX`, `default`) the class stands for, its response declared at `status`. */
  readonly range?: responses.Range | undefined
  /** `false`: the class is another entry's, this one declares only its response schema at another status. */
  readonly declares?: boolean | undefined
}

/** @internal */
export interface Component {
  readonly name: string
  readonly ref: string
  readonly schema: schema.JsonSchema
  /** On a cycle of references: its type is written out (`recursion.ts`). */
  readonly recursive?: boolean | undefined
  /** A variant of the component `of` for one side of the wire, without its `readOnly` or `writeOnly` properties (`variants.ts`). */
  readonly variant?: { readonly side: variants.Side; readonly of: string } | undefined
}

/** @internal */
export interface Group {
  readonly name: string
  readonly className: string
}

/** The identifiers made from the API's name (`--name`). */
export interface ApiNames {
  /** The service: `Petstore`. */
  readonly service: string
  readonly api: string
  readonly options: string
}

/** Whether an operation's code calls `ParamStyle` (a styled parameter, a form body). */
export const usesParamStyle = (o: Operation): boolean =>
  o.body?.encoding === "form" || o.queryCode !== undefined || [...o.pathParams, ...o.headers].some((p) => p.styled)

/** The operations whose method in client.ts makes a multipart body (`ParamStyle.formData`). */
export const multipartOf = (m: Model): ReadonlyArray<Operation> =>
  m.operations.filter((o) => o.body?.multipart !== undefined)

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
  readonly groups: ReadonlyArray<Group>
  readonly names: ApiNames
  readonly security: Security | undefined
  /** Operations left out or generated in part, and why. */
  readonly reports: ReadonlyArray<Report>
  /** api.ts's "no body" schema, when an operation's body is optional (`optionalBody.ts`). */
  readonly noBody?: string | undefined
}

/** @internal */
export type Security =
  | { readonly _tag: "bearer" }
  | { readonly _tag: "basic" }
  | { readonly _tag: "apiKey"; readonly in: "header" | "query"; readonly name: string }
  | { readonly _tag: "oauth2"; readonly tokenUrl: string; readonly scopes: ReadonlyArray<string> }

const isObject = (v: unknown): v is { readonly [key: string]: any } =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/** An object node, or an empty one when the spec put something else there. */
const obj = (v: unknown): { readonly [key: string]: any } => (isObject(v) ? v : {})

const arr = (v: unknown): ReadonlyArray<unknown> => (Array.isArray(v) ? v : [])

/** A JSON pointer's token: `~1` is `/`, `~0` is `~`, and (in a URI fragment) percent-decoded. */
const unescape = (s: string) => {
  let decoded = s
  try {
    decoded = decodeURIComponent(s)
  } catch {
    // not percent-encoded: as it is
  }
  return decoded.replace(/~1/g, "/").replace(/~0/g, "~")
}

const isJson = (type: string) => type === "application/json" || /^application\/[^;]*\+json/.test(type)

/** The document's own nodes only: `constructor` or `__proto__` in a `$ref` finds nothing. */
const resolver = (document: Document) => (ref: string): any => {
  if (!ref.startsWith("#/")) return undefined
  let node: any = document
  for (const part of ref.slice(2).split("/").map(unescape)) {
    if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, part)) return undefined
    node = node[part]
  }
  return node
}

/** The identifiers the generated files declare for themselves, from the API's name. */
export const apiNames = (apiName: string): ApiNames => {
  const service = names.pascal(apiName)
  return { service, api: `${service}Api`, options: `${service}Options` }
}

/**
 * The model of a document, its schemas written in the Schema code of `target`'s line (the rest
 * of the model, names included, is the same for both lines).
 *
 * @internal
 */
export const read = (document: Document, apiName: string, target: syntax.Syntax = syntax.effect4): Model => {
  const resolve = resolver(document)
  const spend = schema.budget()
  /** A node that may be a `$ref` (to a parameter, a response, a header…), followed. */
  const deref = (node: any, depth = 0): any =>
    isObject(node) && typeof node.$ref === "string" && depth < 20 ? deref(resolve(node.$ref), depth + 1) : node

  // schemas.ts declares the components and the error classes: one namer for both
  const schemasNamer = new names.Namer()
  const { byRef, components, componentContext, variants: made } = readComponents(
    obj(obj(document.components).schemas),
    resolve,
    schemasNamer,
    spend,
    target
  )
  const local = componentContext(undefined)
  /** Operations are written in api.ts and client.ts, where the components are `S.<Name>`. */
  const ctx: schema.Context = {
    ...local,
    component: (ref) => {
      const name = byRef.get(ref)
      return name === undefined ? undefined : `S.${name}`
    }
  }
  /** A side of the wire: its variants (`<Name>Request`, `<Name>Response`) where a component has one. */
  const sided = (c: schema.Context, side: variants.Side, prefix: string): schema.Context => ({
    ...c,
    variant: side,
    component: (ref) => {
      const name = made[side].get(ref) ?? byRef.get(ref)
      return name === undefined ? undefined : `${prefix}${name}`
    }
  })
  const requestCtx = sided(ctx, "request", "S.")
  const responseCtx = sided(ctx, "response", "S.")
  const localResponse = sided(local, "response", "")

  // api.ts and client.ts (which index.ts re-exports together) share one namer
  const ownNames = apiNames(apiName)
  const apiNamer = new names.Namer()
  for (
    const n of [ownNames.service, ownNames.api, ownNames.options, "Options", "Credentials", "layer", "layerConfig"]
  ) {
    apiNamer.take(n)
  }

  const errorClasses: Array<ErrorClass> = []
  const errorByKey = new Map<string, ErrorClass>()
  const errorClassNames = new Set<string>()
  const errorClass = (
    status: number,
    body: schema.JsonSchema,
    owner: string,
    range?: responses.Range
  ): ErrorClass => {
    const code = schema.toCode(body, localResponse)
    const key = `${range ?? ""} ${status} ${code}`
    const known = errorByKey.get(key)
    if (known !== undefined) return known
    // a range's class is one per range and body; its response schema one per status it is declared at
    const sameClass = range === undefined
      ? undefined
      : errorClasses.find((e) => e.range === range && e.code === code && e.declares !== false)
    if (sameClass !== undefined) {
      const made = {
        ...sameClass,
        responseName: apiNamer.take(`${sameClass.className}${status}Response`),
        status,
        declares: false
      }
      errorByKey.set(key, made)
      errorClasses.push(made)
      return made
    }
    const base = range !== undefined
      ? responses.className(range)
      : names.pascal(Http.STATUS_CODES[status] ?? `Status ${status}`)
    const taken = errorClassNames.has(base)
    const suffix = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(code) ? code : owner
    const className = schemasNamer.take(taken ? `${base}${names.pascal(suffix)}` : base)
    const made = {
      className,
      responseName: apiNamer.take(`${className}Response`),
      status,
      code,
      qualified: schema.toCode(body, responseCtx),
      ...(range !== undefined ? { range } : {})
    }
    errorByKey.set(key, made)
    errorClasses.push(made)
    errorClassNames.add(className)
    return made
  }

  const operations: Array<Operation> = []
  const reports: Array<Report> = []
  const shared: { noBody: string | undefined } = { noBody: undefined }
  const paths = obj(document.paths)
  for (const path of Object.keys(paths).sort()) {
    const item = obj(deref(paths[path]))
    for (const method of [...METHODS, ...OTHER_METHODS]) {
      if (!Object.prototype.hasOwnProperty.call(item, method)) continue
      const op = item[method]
      const report = (reason: string, generated = false) =>
        reports.push({
          method: method.toUpperCase(),
          path,
          operationId: escape.text(obj(op).operationId),
          generated,
          reason
        })
      if (!isObject(op)) {
        report(
          `the operation is ${op === null ? "null" : Array.isArray(op) ? "an array" : `a ${typeof op}`}, not an object`
        )
        continue
      }
      if (!(METHODS as ReadonlyArray<string>).includes(method)) {
        report(`${method.toUpperCase()} is not a method HttpApi can declare`)
        continue
      }
      const read = readOperation({
        path,
        method: method as (typeof METHODS)[number],
        item,
        op,
        deref,
        ctx,
        requestCtx,
        responseCtx,
        noBody: () => (shared.noBody ??= apiNamer.take("NoBody")),
        apiNamer,
        errorClass,
        target,
        report
      })
      if (typeof read === "string") report(read)
      else operations.push(read)
    }
  }
  // `…Stream` methods and their schemas are named once every operation has its name
  const streamNamer = new names.Namer()
  for (const o of operations) streamNamer.take(o.name)
  const withPaging = operations.map((o): Operation =>
    o.paging === undefined && !responses.isDownload(o) && !responses.isUpload(o) ? o : {
      ...o,
      pagingNames: {
        path: o.pathParams.length > 0 ? apiNamer.take(`${names.pascal(o.name)}${target.pathSuffix}`) : undefined,
        urlParams: o.query.length > 0 ? apiNamer.take(`${names.pascal(o.name)}${target.querySuffix}`) : undefined,
        headers: o.headers.length > 0 ? apiNamer.take(`${names.pascal(o.name)}Headers`) : undefined,
        page: apiNamer.take(`${names.pascal(o.name)}Page`),
        method: streamNamer.take(responses.isUpload(o) ? `${o.name}FromStream` : `${o.name}Stream`)
      }
    }
  )
  const groups = [...new Set(operations.map((o) => o.group))].sort().map((name): Group => ({
    name,
    className: apiNamer.take(`${names.pascal(name)}Group`)
  }))

  const info = obj(document.info)
  return {
    title: escape.text(info.title) ?? "API",
    version: escape.text(info.version) ?? "",
    description: escape.text(info.description),
    baseUrl: readBaseUrl(document),
    components,
    componentContext,
    operations: withPaging,
    errorClasses,
    groups,
    names: ownNames,
    security: readSecurity(document),
    reports,
    ...(shared.noBody !== undefined ? { noBody: shared.noBody } : {})
  }
}

/** Components: a stable, unique name each, in an order in which each is defined after what it uses. */
const readComponents = (
  raw: { readonly [key: string]: any },
  resolve: (ref: string) => any,
  namer: names.Namer,
  spend: () => void,
  target: syntax.Syntax
) => {
  const byRef = new Map<string, string>()
  for (const key of Object.keys(raw).sort()) {
    byRef.set(`#/components/schemas/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, namer.take(names.pascal(key)))
  }
  // what each one names in its code (what the emitter will write, so nothing it writes comes first)
  const deps = new Map<string, Array<string>>()
  for (const ref of byRef.keys()) {
    const used = new Set<string>()
    schema.toCode(resolve(ref), {
      syntax: target,
      resolve,
      component: (r) => byRef.get(r),
      suspend: () => false,
      uses: (r) => used.add(r),
      spend
    })
    deps.set(ref, [...used].sort())
  }
  // depth first, each after its dependencies; a loop, not recursion: a chain of components is as long as the spec makes it
  const order: Array<string> = []
  const seen = new Set<string>()
  for (const start of byRef.keys()) {
    if (seen.has(start)) continue
    seen.add(start)
    const stack: Array<{ readonly ref: string; next: number }> = [{ ref: start, next: 0 }]
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      const list = deps.get(top.ref) ?? []
      if (top.next < list.length) {
        const dep = list[top.next++]
        if (!seen.has(dep) && byRef.has(dep)) {
          seen.add(dep)
          stack.push({ ref: dep, next: 0 })
        }
      } else {
        stack.pop()
        order.push(top.ref)
      }
    }
  }
  const onCycle = recursion.cyclic(deps)
  // readOnly/writeOnly: a variant for each side a component differs on, after every component, in the same order
  const made = variants.variantsOf(byRef, deps, resolve, (side) => ({
    syntax: target,
    resolve,
    component: (r) => byRef.get(r),
    suspend: () => false,
    variant: side,
    spend
  }), namer)
  const sideOf = new Map<string, variants.Side>()
  const components = [
    ...order.map((ref): Component => ({
      name: byRef.get(ref)!,
      ref,
      schema: resolve(ref),
      ...(onCycle.has(ref) ? { recursive: true } : {})
    })),
    ...(["request", "response"] as const).flatMap((side) =>
      order.flatMap((ref): Array<Component> => {
        const name = made[side].get(ref)
        if (name === undefined) return []
        sideOf.set(name, side)
        return [{
          name,
          ref,
          schema: resolve(ref),
          ...(onCycle.has(ref) ? { recursive: true } : {}),
          variant: { side, of: byRef.get(ref)! }
        }]
      })
    )
  ]
  const position = new Map(components.map((c, i) => [c.name, i]))
  /** In a component, a reference to one defined at or after it is a cycle, and suspended; a variant names its side's variants. */
  const componentContext = (current: string | undefined): schema.Context => {
    const side = current !== undefined ? sideOf.get(current) : undefined
    return {
      syntax: target,
      resolve,
      component: (ref) => (side !== undefined ? made[side].get(ref) : undefined) ?? byRef.get(ref),
      suspend: (name) => current !== undefined && (position.get(name) ?? 0) >= (position.get(current) ?? 0),
      ...(side !== undefined ? { variant: side } : {}),
      spend
    }
  }
  return { byRef, components, componentContext, variants: made }
}

/** What a parameter's schema holds, for its style: one value, a list, or named values. */
const shapeOf = (deref: (node: any) => any, s: unknown): "scalar" | "array" | "object" => {
  const target = obj(deref(s))
  const type = Array.isArray(target.type) ? target.type.find((t: unknown) => t !== "null") : target.type
  if (type === "array" || (type === undefined && target.items !== undefined)) return "array"
  if (type === "object" || (type === undefined && (target.properties !== undefined || target.allOf !== undefined))) {
    return "object"
  }
  return "scalar"
}

/**
 * A path or header parameter that is an array or an object: its typed schema, written on the wire
 * as one string by `ParamStyle.text` in its style (`simple` unless the spec says), and read back
 * by `ParamStyle.parseSimple`.
 */
const styledParamCode = (
  p: { readonly [key: string]: any },
  where: "path" | "header",
  shape: "array" | "object",
  typed: string,
  line: syntax.Syntax
): string => {
  const { explode, style } = ParamStyle.encoding(where, p.style, p.explode)
  return line.styled(
    typed,
    `(value) => ParamStyle.text(${escape.stringLiteral(p.name)}, value, { style: ${
      escape.stringLiteral(style)
    }, explode: ${explode} })`,
    `(text) => ParamStyle.parseSimple(text, ${escape.stringLiteral(shape)}, ${explode})`
  )
}

/** A parameter's schema as a string on the wire; `scalar` where the platform takes strings only (path, headers). */
const paramCode = (
  deref: (node: any) => any,
  line: syntax.Syntax,
  s: unknown,
  scalar: boolean,
  depth = 0
): string => {
  const target = obj(deref(s))
  if (
    Array.isArray(target.enum) && target.enum.length > 0 && target.enum.every((v: unknown) => typeof v === "string")
  ) {
    return line.literals([...new Set<string>(target.enum)])
  }
  const type = Array.isArray(target.type) ? target.type.find((t: unknown) => t !== "null") : target.type
  switch (type) {
    case "integer":
    case "number":
      return line.numberParam
    case "boolean":
      return line.booleanParam
    case "array":
      // an array of arrays is not a query parameter's shape: its items are strings
      return scalar || depth > 0
        ? "Schema.String"
        : `Schema.Array(${paramCode(deref, line, target.items, true, depth + 1)})`
    default:
      return "Schema.String"
  }
}

/** Characters a path keeps as they are (RFC 3986 `pchar` and `/`); `%XX` stays too. */
const pathText = /%[0-9A-Fa-f]{2}|[A-Za-z0-9\-._~!$&'()*+,;=:@/]/y

/** A path's text, percent-encoded where it holds what a path cannot (`?`, `#`, a space, …). */
const encodePathText = (text: string): string => {
  let out = ""
  const wellFormed = text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
  for (let i = 0; i < wellFormed.length;) {
    pathText.lastIndex = i
    const m = pathText.exec(wellFormed)
    if (m !== null) {
      out += m[0]
      i += m[0].length
      continue
    }
    const cp = wellFormed.codePointAt(i)!
    const ch = String.fromCodePoint(cp)
    out += encodeURIComponent(ch)
    i += ch.length
  }
  return out
}

/**
 * An operation's path, split into its text and its parameters (`{name}`), with each parameter's
 * key: the spec's name when it is one (`\w+`), else camel case, unique in the operation (the
 * names that are keys already keep theirs: `{filePath}` stays, `{file-path}` is `filePath2`).
 */
const splitPath = (path: string) => {
  const parts = path.split(/\{([^{}]*)\}/)
  const keys = new Map<string, string>()
  const namer = new names.Namer(false)
  const params = parts.filter((_, i) => i % 2 === 1)
  const taken = new Map<string, string>()
  for (const n of params) if (names.isPathKey(n) && !taken.has(n)) taken.set(n, namer.take(n))
  for (const n of params) if (!taken.has(n)) taken.set(n, namer.take(names.pathKey(n)))
  // in the order of the path
  for (const n of params) keys.set(n, taken.get(n)!)
  const segments: Array<Segment> = []
  parts.forEach((part, i) => {
    if (i % 2 === 1) segments.push({ _tag: "param", key: keys.get(part)! })
    else if (part !== "") segments.push({ _tag: "text", text: encodePathText(part) })
  })
  return { segments, keys }
}

/**
 * The path in the router's syntax: `:key` for a parameter, `::` for a colon in the text, and
 * `([^/]+?)` after a parameter that text follows inside its segment (`{model}:generate`), so the
 * parameter ends where the text starts.
 */
const routerPath = (segments: ReadonlyArray<Segment>): string =>
  segments.map((s, i) => {
    if (s._tag === "text") return s.text.replace(/:/g, "::")
    const next = segments[i + 1]
    const ends = next === undefined || (next._tag === "text" && /^[/\-.]/.test(next.text))
    return ends ? `:${s.key}` : `:${s.key}([^/]+?)`
  }).join("")

interface OperationInput {
  readonly path: string
  readonly method: (typeof METHODS)[number]
  readonly item: { readonly [key: string]: any }
  readonly op: { readonly [key: string]: any }
  readonly deref: (node: any) => any
  readonly ctx: schema.Context
  /** `ctx` for a request body (without `readOnly` properties) and for a response (without `writeOnly` ones). */
  readonly requestCtx: schema.Context
  readonly responseCtx: schema.Context
  /** The name of api.ts's "no body" schema (`optionalBody.ts`), taken when an optional body first needs it. */
  readonly noBody: () => string
  readonly apiNamer: names.Namer
  readonly errorClass: (status: number, body: schema.JsonSchema, owner: string, range?: responses.Range) => ErrorClass
  readonly target: syntax.Syntax
  /** Reports what of the operation is left out (`generated: true`: the operation is generated without it). */
  readonly report: (reason: string, generated: boolean) => void
}

/** One operation, or why it is left out. */
const readOperation = (input: OperationInput): Operation | string => {
  const { ctx, deref, method, op, path } = input
  const params = [...arr(input.item.parameters), ...arr(op.parameters)].map((p) => deref(p))
    .filter((p): p is { readonly [key: string]: any } =>
      isObject(p) && typeof p.name === "string" && ["path", "query", "header", "cookie"].includes(p.in)
    )
  // an operation's own parameter replaces the path item's of the same name and place
  const unique = new Map<string, { readonly [key: string]: any }>()
  for (const p of params) unique.set(`${p.in}:${p.name}`, p)
  const all = [...unique.values()]
  const helpers: styles.Helpers = {
    deref,
    ctx,
    target: input.target,
    paramCode: (s, scalar) => paramCode(deref, input.target, s, scalar, scalar ? 1 : 0),
    shapeOf: (s) => shapeOf(deref, s)
  }
  const param = (p: { readonly [key: string]: any }, key: string, scalar: boolean): Param => {
    const s = p.schema ?? obj(obj(p.content)["application/json"]).schema
    // a label or matrix path parameter, a nullable header: in its style, by params.ts
    const placed = scalar ? styles.placeParam(p, helpers) : undefined
    if (placed !== undefined) {
      return {
        name: p.name,
        key,
        required: p.in === "path" || p.required === true,
        code: placed,
        description: escape.text(p.description),
        styled: true
      }
    }
    const shape = shapeOf(deref, s)
    // an array or an object in a path or a header: one string, in the parameter's style
    const styled = scalar && shape !== "scalar" && (p.in === "path" || p.in === "header")
    return {
      name: p.name,
      key,
      required: p.in === "path" || p.required === true,
      code: styled
        ? styledParamCode(
          p,
          p.in,
          shape,
          shape === "array"
            ? `Schema.Array(${paramCode(deref, input.target, obj(deref(s)).items, true, 1)})`
            : schema.toCode(s, ctx),
          input.target
        )
        : paramCode(deref, input.target, s, scalar),
      description: escape.text(p.description),
      styled
    }
  }
  const idempotencyKey = all.some((p) => p.in === "header" && p.name.toLowerCase() === "idempotency-key")
  // the path's own parameters, declared or not: a `{name}` the spec forgot is a string
  const { keys, segments } = splitPath(path)
  const declaredPath = new Map(all.filter((p) => p.in === "path").map((p) => [p.name, p]))
  const pathParams = [...keys].map(([name, key]) => {
    const declared = declaredPath.get(name)
    return declared !== undefined ? param(declared, key, true) : {
      name,
      key,
      required: true,
      code: "Schema.String",
      description: undefined,
      styled: false
    }
  })
  const query = all.filter((p) => p.in === "query").map((p) => param(p, p.name, false))
  const queryCode = styles.queryCode(all.filter((p) => p.in === "query"), helpers)
  for (const p of all) {
    const why = styles.partly(p)
    if (why !== undefined) input.report(why, true)
  }
  // cookie parameters: one `cookie` header (which replaces a header parameter of that name)
  const cookie = styles.cookieParam(all.filter((p) => p.in === "cookie"), helpers)
  const headerNames = new Set<string>(cookie !== undefined ? ["cookie"] : [])
  const headers = all.filter((p) => {
    const lower = p.name.toLowerCase()
    if (p.in !== "header" || headerNames.has(lower)) return false
    headerNames.add(lower)
    return !["idempotency-key", "authorization", "accept", "content-type"].includes(lower)
  }).map((p) => param(p, p.name.toLowerCase(), true)).concat(
    cookie !== undefined ? [{ name: "Cookie", key: "cookie", ...cookie, styled: true }] : []
  )

  let body: Operation["body"]
  const requestBody = obj(deref(op.requestBody))
  const hasBody = isObject(requestBody.content) && Object.keys(requestBody.content).length > 0
  if (hasBody && (method === "get" || method === "head" || method === "options")) {
    // the platform sends no body with these: the operation is generated without one, and says so
    input.report(
      `a request body on ${method.toUpperCase()} is not sent (HttpApi sends none with ${method.toUpperCase()})`,
      true
    )
  } else if (hasBody) {
    const ctx = input.requestCtx
    const content = requestBody.content
    const types = Object.keys(content)
    const json = types.find(isJson)
    if (json !== undefined) {
      body = { code: schema.toCode(obj(content[json]).schema, ctx), encoding: "json" }
    } else if (types.includes("application/x-www-form-urlencoded")) {
      const media = obj(content["application/x-www-form-urlencoded"])
      body = { code: formCode(media, ctx, input.target), encoding: "form" }
    } else if (types.includes("multipart/form-data")) {
      const media = obj(content["multipart/form-data"])
      const encodings = obj(media.encoding)
      const contentTypes = Object.keys(encodings).sort().flatMap((k) => {
        const type = obj(encodings[k]).contentType
        return typeof type === "string" ? [`${names.key(k)}: ${escape.stringLiteral(type)}`] : []
      })
      const fields = schema.toCode(media.schema, { ...ctx, binary: input.target.blob })
      const payload = input.apiNamer.take(`${names.pascal(escape.text(op.operationId) ?? `${method} ${path}`)}Payload`)
      body = {
        code: input.target.multipart(payload),
        encoding: "multipart",
        multipart: { payload, fields, contentTypes: `{ ${contentTypes.join(", ")} }` }
      }
    } else if (types.some((t) => t.startsWith("text/"))) {
      body = { code: "Schema.String", encoding: "text" }
    } else {
      // anything else is bytes, sent as its media type (a wildcard as application/octet-stream)
      const type = types.find((t) => !t.includes("*")) ?? "application/octet-stream"
      body = { code: input.target.bytes(escape.stringLiteral(type)), encoding: "bytes", contentType: type }
    }
  }

  if (body !== undefined && requestBody.required !== true && optionalBody.encodings.includes(body.encoding)) {
    body = { ...body, code: optionalBody.payload(body.code, input.noBody(), input.target), optional: true }
  }

  const operationName = names.camel(escape.text(op.operationId) ?? `${method} ${path}`)
  const responses = readResponses(input, operationName)
  const name = input.apiNamer.take(operationName)
  const tags = arr(op.tags)
  return {
    method,
    path,
    apiPath: routerPath(segments),
    segments,
    group: names.camel(tags.length > 0 ? String(tags[0]) : "default"),
    name,
    summary: escape.text(op.summary),
    description: escape.text(op.description),
    deprecated: op.deprecated === true,
    pathParams,
    query,
    ...(queryCode !== undefined ? { queryCode } : {}),
    headers,
    body,
    ...responses,
    idempotencyKey,
    paging: method === "get" ? readPaging(responses, query, deref) : undefined,
    pagingNames: undefined
  }
}

/**
 * A form body's schema: the typed fields on the program's side, one
 * `application/x-www-form-urlencoded` string on the wire, each field written by
 * `ParamStyle.formBody` in the style its `encoding` names (`form`, exploded, by default), so
 * numbers, booleans, arrays and objects all go as the spec says.
 */
const formCode = (media: { readonly [key: string]: any }, ctx: schema.Context, line: syntax.Syntax): string => {
  const encodings = obj(media.encoding)
  const entries = Object.keys(encodings).sort().flatMap((k) => {
    const e = obj(encodings[k])
    if (e.style === undefined && e.explode === undefined) return []
    const { explode, style } = ParamStyle.encoding("body", e.style, e.explode)
    return [`${names.key(k)}: { style: ${escape.stringLiteral(style)}, explode: ${explode} }`]
  })
  return line.formBody(
    schema.toCode(media.schema, ctx),
    `(value) => ParamStyle.formBody(value${entries.length > 0 ? `, { ${entries.join(", ")} }` : ""})`
  )
}

/** The declared responses: successes, typed errors, the headers that matter. */
const readResponses = (input: OperationInput, operationName: string) => {
  const { deref, op } = input
  const ctx = input.responseCtx
  const successes: Array<Response> = []
  const errors: Array<ErrorResponse> = []
  const rateHeaders = new Set<string>()
  let linkHeader = false
  let successSchema: unknown
  const ranges: Array<responses.Declared<schema.JsonSchema>> = []
  const exact: Array<number> = []
  const declaredResponses = obj(op.responses)
  for (const statusText of Object.keys(declaredResponses).sort()) {
    const response = obj(deref(declaredResponses[statusText]))
    for (const h of Object.keys(obj(response.headers))) {
      const lower = h.toLowerCase()
      if (lower === "link") linkHeader = true
      if (lower === "retry-after" || lower.startsWith("ratelimit") || lower.startsWith("x-ratelimit")) {
        rateHeaders.add(h)
      }
    }
    const content = obj(response.content)
    const types = Object.keys(content)
    const json = types.find(isJson)
    const jsonSchema = json !== undefined ? obj(content[json]).schema : undefined
    const range = responses.rangeOf(statusText)
    // "default", "4XX", "5XX": typed errors for the error statuses not declared exactly (below)
    if (range !== undefined && jsonSchema !== undefined) ranges.push({ range, schema: jsonSchema })
    if (!/^[1-5][0-9][0-9]$/.test(statusText)) continue
    const status = Number(statusText)
    exact.push(status)
    if (status >= 200 && status < 300) {
      // the first success's JSON schema decides the pagination
      if (successes.length === 0 && json !== undefined) successSchema = deref(jsonSchema)
      if (json !== undefined) {
        successes.push({ status, code: schema.toCode(jsonSchema, ctx), encoding: "json" })
      } else if (types.some((t) => t.startsWith("text/"))) {
        successes.push({ status, code: "Schema.String", encoding: "text" })
      } else if (types.length > 0) {
        // an image, a PDF, a download: its bytes, whatever the media type (never `void`)
        const type = types.find((t) => !t.includes("*")) ?? "application/octet-stream"
        successes.push({ status, code: input.target.bytes(escape.stringLiteral(type)), encoding: "bytes" })
      } else successes.push({ status, code: "Schema.Void", encoding: "none" })
    } else if (status === 304) {
      // Not Modified: an answer to a conditional request, a success without a body
      successes.push({ status, code: "Schema.Void", encoding: "none" })
    } else if (status >= 400 && jsonSchema !== undefined) {
      const made = input.errorClass(status, jsonSchema, operationName)
      errors.push({ status, className: made.className, responseName: made.responseName })
    }
  }
  for (const placed of responses.place(ranges, exact)) {
    const made = input.errorClass(placed.status, placed.schema, operationName, placed.range)
    errors.push({
      status: placed.status,
      className: made.className,
      responseName: made.responseName,
      range: placed.range
    })
  }
  return { successes, errors, rateHeaders: [...rateHeaders].sort(), linkHeader, successSchema }
}

/** Pagination (GET only): a Link header on an array, or a page or cursor parameter with its response field. */
const readPaging = (
  responses: ReturnType<typeof readResponses>,
  query: ReadonlyArray<Param>,
  deref: (node: any) => any
): Paging | undefined => {
  const successSchema = obj(responses.successSchema)
  if (responses.successes.length === 0) return undefined
  const isArray = successSchema.type === "array"
  const queryNames = new Set(query.map((q) => q.name))
  if (responses.linkHeader && isArray) return { _tag: "link" }
  if (queryNames.has("page") && isArray) return { _tag: "page", param: "page" }
  // offset/limit: the next offset is this one plus the items read, until a page comes back empty
  if (queryNames.has("offset") && queryNames.has("limit")) {
    if (isArray) return { _tag: "offset", param: "offset", items: undefined }
    const props = obj(successSchema.properties)
    const totals = ["total_count", "totalCount", "total", "count"].some((t) =>
      Object.prototype.hasOwnProperty.call(props, t)
    )
    const items = Object.keys(props).find((k) => obj(deref(props[k])).type === "array")
    if (totals && items !== undefined) return { _tag: "offset", param: "offset", items }
  }
  if (successSchema.type === "object" || successSchema.properties !== undefined) {
    const props = obj(successSchema.properties)
    const cursorParam = ["cursor", "after", "starting_after", "page_token", "pageToken", "marker"].find((c) =>
      queryNames.has(c)
    )
    const next = [
      "next_cursor",
      "nextCursor",
      "next_page_token",
      "nextPageToken",
      "cursor",
      "next_marker",
      "nextMarker",
      "NextMarker"
    ].find((n) => Object.prototype.hasOwnProperty.call(props, n))
    const items = Object.keys(props).find((k) => obj(deref(props[k])).type === "array")
    if (cursorParam !== undefined && next !== undefined && items !== undefined) {
      return { _tag: "cursor", param: cursorParam, next, items }
    }
    // `has_more` and an array of items with an `id`: the last id is the next `starting_after`
    if (queryNames.has("starting_after") && Object.prototype.hasOwnProperty.call(props, "has_more")) {
      const withIds = Object.keys(props).find((k) => {
        const p = obj(deref(props[k]))
        return p.type === "array" && Object.prototype.hasOwnProperty.call(obj(obj(deref(p.items)).properties), "id")
      })
      if (withIds !== undefined) return { _tag: "hasMore", param: "starting_after", items: withIds }
    }
  }
  return undefined
}

/** The first server's URL, its variables at their defaults, when it is absolute http(s). */
const readBaseUrl = (document: Document): string | undefined => {
  const server = obj(arr(document.servers)[0])
  if (typeof server.url !== "string") return undefined
  const variables = obj(server.variables)
  const url = server.url.replace(/\{([^}]+)\}/g, (_: string, v: string) => escape.text(obj(variables[v]).default) ?? "")
  return /^https?:\/\//.test(url) ? url : undefined
}

/** The first security scheme the API (or else any operation) requires that steady can wire. */
const readSecurity = (document: Document): Security | undefined => {
  const schemes = obj(obj(document.components).securitySchemes)
  const wanted = arr(document.security).flatMap((requirement) => Object.keys(obj(requirement)))
  const candidates = wanted.length > 0 ? wanted : Object.keys(schemes).sort()
  for (const name of candidates) {
    if (!Object.prototype.hasOwnProperty.call(schemes, name)) continue
    const s = obj(schemes[name])
    const scheme = typeof s.scheme === "string" ? s.scheme.toLowerCase() : ""
    if (s.type === "http" && scheme === "bearer") return { _tag: "bearer" }
    if (s.type === "http" && scheme === "basic") return { _tag: "basic" }
    if (s.type === "apiKey" && (s.in === "header" || s.in === "query") && typeof s.name === "string") {
      return { _tag: "apiKey", in: s.in, name: s.name }
    }
    const flow = obj(obj(s.flows).clientCredentials)
    if (s.type === "oauth2" && typeof flow.tokenUrl === "string") {
      return { _tag: "oauth2", tokenUrl: flow.tokenUrl, scopes: Object.keys(obj(flow.scopes)).sort() }
    }
  }
  return undefined
}

/**
 * The code templates of the Effect 3 line (`effect` 3.x's Schema, `@effect/platform`'s HttpApi,
 * `@steady/client-effect3`): `schemas.ts` (components and error classes), `api.ts` (the
 * HttpApi), `client.ts` (the service, its layers) and `index.ts`, as 0.2 wrote them. Written
 * compactly; `format` lays them out with dprint.
 *
 * @internal
 */
import * as code from "./code.js"
import * as model from "./model.js"
import * as names from "./names.js"
import * as optionalBody from "./optionalBody.js"
import * as recursion from "./recursion.js"
import * as responses from "./responses.js"
import * as syntax from "./syntax.js"

const str = code.str

const schemasFile = (m: model.Model): string => {
  // a spec without components or error classes: a module that imports nothing it does not use
  if (m.components.length === 0 && m.errorClasses.length === 0) return `${code.header(m)}export {}\n`
  const out: Array<string> = [code.header(m), `import { Schema } from "effect"\n`]
  for (const c of m.components) {
    out.push(
      `${code.componentDoc(c)}` +
        `export const ${c.name} = ${code.componentCode(m, c)}.annotations({ identifier: ${str(c.name)} })\n` +
        recursion.componentType(c, m.componentContext(c.name))
    )
  }
  out.push(responses.clientTagHelper(m))
  for (const e of m.errorClasses) if (e.declares !== false) out.push(code.errorClass(e))
  return out.join("\n")
}

const struct = (params: ReadonlyArray<model.Param>) =>
  `Schema.Struct({ ${
    params.map((p) => `${names.key(p.key)}: ${p.required ? p.code : `Schema.optional(${p.code})`}`).join(", ")
  } })`

const endpointCode = (o: model.Operation): string => {
  const parts = [`HttpApiEndpoint.${o.method === "delete" ? "del" : o.method}(${str(o.name)}, ${str(o.apiPath)})`]
  if (o.pathParams.length > 0) parts.push(`.setPath(${o.pagingNames?.path ?? struct(o.pathParams)})`)
  if (o.query.length > 0) parts.push(`.setUrlParams(${o.pagingNames?.urlParams ?? o.queryCode ?? struct(o.query)})`)
  if (o.headers.length > 0) parts.push(`.setHeaders(${o.pagingNames?.headers ?? struct(o.headers)})`)
  if (o.body !== undefined) {
    const body = o.body.code
    parts.push(
      o.body.encoding === "text"
        ? `.setPayload(Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/plain" })))`
        : `.setPayload(${body})`
    )
  }
  if (o.successes.length === 0) parts.push(`.addSuccess(Schema.Unknown)`)
  for (const s of o.successes) {
    const status = s.status === 200 ? "" : `, { status: ${s.status} }`
    if (s.encoding === "none") parts.push(`.addSuccess(HttpApiSchema.Empty(${s.status}))`)
    else if (s.encoding === "text") {
      parts.push(
        `.addSuccess(Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/plain" }))${status})`
      )
    } else parts.push(`.addSuccess(${s.code}${status})`)
  }
  for (const e of o.errors) parts.push(`.addError(${e.responseName})`)
  if (o.deprecated) parts.push(`.annotate(OpenApi.Deprecated, true)`)
  return parts.join("")
}

const apiFile = (m: model.Model, apiName: string): string => {
  // a spec of webhooks or components only: no endpoint, so no import of what endpoints use
  const hasOps = m.operations.length > 0
  const usesS = (hasOps && m.components.length > 0) || m.errorClasses.length > 0
  const usesSchemaEncoding = m.operations.some((o) =>
    (o.body !== undefined && (o.body.encoding !== "json" || o.body.optional === true)) ||
    o.successes.some((s) => s.encoding !== "json")
  )
  const out: Array<string> = [
    code.header(m),
    `import { HttpApi${hasOps ? ", HttpApiEndpoint, HttpApiGroup" : ""}${
      usesSchemaEncoding || m.errorClasses.length > 0 ? ", HttpApiSchema" : ""
    }${m.operations.some((o) => o.deprecated) ? ", OpenApi" : ""} } from "@effect/platform"\n` +
    (m.operations.some(model.usesParamStyle) ? `import { ParamStyle } from "@steady/client-effect3"\n` : "") +
    (hasOps || m.errorClasses.length > 0 ? `import { Schema } from "effect"\n` : "") +
    (usesS ? `import * as S from "./schemas.js"\n` : "")
  ]
  for (const e of m.errorClasses) {
    out.push(
      `const ${e.responseName} = Schema.transform(${e.qualified}, Schema.typeSchema(S.${e.className}), {\n` +
        `strict: true,\n` +
        `decode: (body) => new S.${e.className}({ status: ${e.status}, body }, true),\n` +
        `encode: (error) => error.body\n` +
        `}).annotations(HttpApiSchema.annotations({ status: ${e.status}${
          e.range !== undefined ? `, ${responses.annotationEntry(e.range)}` : ""
        } }))\n`
    )
  }
  for (const o of m.operations) {
    if (o.pagingNames?.path !== undefined) {
      out.push(
        `/** The path parameters of \`${o.name}\`. */\nexport const ${o.pagingNames.path} = ${struct(o.pathParams)}\n`
      )
    }
    if (o.pagingNames?.urlParams !== undefined) {
      out.push(
        `/** The query parameters of \`${o.name}\`. */\nexport const ${o.pagingNames.urlParams} = ${
          o.queryCode ?? struct(o.query)
        }\n`
      )
    }
    if (o.pagingNames?.headers !== undefined) {
      out.push(
        `/** The header parameters of \`${o.name}\`. */\nexport const ${o.pagingNames.headers} = ${struct(o.headers)}\n`
      )
    }
  }
  out.push(...code.payloadSchemas(m))
  if (m.noBody !== undefined) out.push(optionalBody.definition(m.noBody, syntax.effect3))
  for (const o of m.operations) {
    out.push(`const ${o.name} = ${endpointCode(o)}\n`)
  }
  const byGroup = code.byGroup(m)
  for (const g of m.groups) {
    const ops = byGroup.get(g.name) ?? []
    out.push(
      // the group's name is camel case: letters and digits only
      `/** The \`${g.name}\` operations. */\n` +
        `export class ${g.className} extends HttpApiGroup.make(${str(g.name)})${
          ops.map((o) => `.add(${o.name})`).join("")
        } {}\n`
    )
  }
  out.push(
    `${code.apiDoc(m)}export class ${m.names.api} extends HttpApi.make(${str(names.camel(apiName))})${
      m.groups.map((g) => `.add(${g.className})`).join("")
    } {}\n`
  )
  return out.join("\n")
}

/** A `…Stream` method: `ApiClient.paginate` over the operation's GET, the path built by `ApiClient.path`. */
const streamMethod = (o: model.Operation, paging: model.Paging | undefined, pn: model.PagingNames): string => {
  const args = [
    ...(pn.path !== undefined ? [`readonly path: typeof ${pn.path}.Type`] : []),
    ...(pn.urlParams !== undefined ? [`readonly urlParams: typeof ${pn.urlParams}.Type`] : []),
    ...(pn.headers !== undefined ? [`readonly headers: typeof ${pn.headers}.Type`] : [])
  ]
  // the spec's text as template text, each parameter encoded by its schema, then percent-encoded by ApiClient.path
  const pipes = [
    ...(pn.urlParams !== undefined
      ? [`HttpClientRequest.setUrlParams(Schema.encodeSync(${pn.urlParams})(request.urlParams))`]
      : []),
    ...(pn.headers !== undefined
      ? [`HttpClientRequest.setHeaders(Schema.encodeSync(${pn.headers})(request.headers))`]
      : [])
  ]
  const request = `HttpClientRequest.get(${code.streamUrl(o, "path")})${
    pipes.length > 0 ? `.pipe(${pipes.join(", ")})` : ""
  }`
  if (paging === undefined && responses.isUpload(o)) {
    const upload = responses.uploadMethod(
      o,
      args,
      pn.path !== undefined ? `const path = Schema.encodeSync(${pn.path})(request.path)\n` : "",
      (body) =>
        `HttpClientRequest.make(${str(o.method.toUpperCase())})(${code.streamUrl(o, "path")}).pipe(${
          [...pipes, body].join(", ")
        })`
    )
    return `${code.methodDoc(o, true)}${pn.method}: ${upload}`
  }
  const call = paging === undefined
    ? responses.downloadCall(request)
    : `ApiClient.paginate(steady, ${request}, ${pn.page}, ${code.pagingOptions(paging, pn)})`
  return `${code.methodDoc(o, true)}${pn.method}: (${args.length > 0 ? `request: { ${args.join("; ")} }` : ""}) => ${
    pn.path !== undefined ? `{\nconst path = Schema.encodeSync(${pn.path})(request.path)\nreturn ${call}\n}` : call
  }`
}

const clientFile = (m: model.Model, apiName: string): string => {
  const Name = m.names.service
  const paged = m.operations.filter((o) => o.paging !== undefined)
  // paginated GETs and downloads: a `…Stream` method each, on a steady client of its own
  const streamed = m.operations.filter((o) => o.pagingNames !== undefined)
  const uploads = streamed.filter(responses.isUpload)
  const credentials = code.credentialsOf(m.security, { string: "Config.string", redacted: "Config.redacted" })
  const prefix = names.constant(apiName)
  const baseUrl = m.baseUrl !== undefined ? `baseUrl: ${str(m.baseUrl)}, ` : ""
  const out: Array<string> = [code.header(m)]
  out.push(
    (streamed.length > 0 ? `import { HttpClientRequest } from "@effect/platform"\n` : "") +
      `import { ApiClient, ${credentials !== undefined ? "Auth, " : ""}ConnectionPool${
        paged.length > 0 ? ", Pagination" : ""
      }${model.multipartOf(m).length > 0 ? ", ParamStyle" : ""} } from "@steady/client-effect3"\n` +
      `import { Config, type ConfigError, Context, Effect, Layer, Option${
        credentials !== undefined ? ", type Redacted" : ""
      }${
        paged.length > 0 || streamed.some((o) => o.pathParams.length + o.query.length + o.headers.length > 0) ||
          uploads.some((o) => o.successes[0]?.code.includes("Schema.") === true)
          ? ", Schema"
          : ""
      }${uploads.length > 0 ? ", Stream" : ""} } from "effect"\n` +
      `import { ${m.names.api}${code.pagingImports(m)} } from "./api.js"\n` +
      ([...paged, ...uploads].some((o) => o.successes[0]?.code.includes("S.") === true)
        ? `import * as S from "./schemas.js"\n`
        : "")
  )
  out.push(
    `/** The client's options: steady's (\`ApiClient.Options\`), and the most pages a \`…Stream\` method reads. */\n` +
      `export interface Options extends ApiClient.Options {\n` +
      `/** The most pages a \`…Stream\` method fetches before it fails with \`PageLimitError\`. Default 100. */\n` +
      `readonly maxPages?: number | undefined\n}\n`
  )
  out.push(
    `/** The options the \`${Name}\` service is made with (\`layer\` provides them). */\n` +
      `export class ${m.names.options} extends Context.Reference<${m.names.options}>()(${
        str(m.names.options)
      }, { defaultValue: (): Options => ({}) }) {}\n`
  )
  const methods: Array<string> = []
  const pages: Array<string> = []
  for (const o of m.operations) {
    methods.push(
      `${code.methodDoc(o, false)}${o.name}: ${
        o.body?.optional === true ? optionalBody.method(o) : code.method(o, ["payload", "withResponse"])
      }`
    )
    if (o.paging === undefined && o.pagingNames !== undefined) methods.push(streamMethod(o, undefined, o.pagingNames))
    if (o.paging === undefined || o.pagingNames === undefined) continue
    pages.push(`/** A page of \`${o.name}\`. */\nconst ${o.pagingNames.page} = ${o.successes[0].code}\n`)
    methods.push(streamMethod(o, o.paging, o.pagingNames))
  }
  const opts = `{ ${baseUrl}...options }`
  out.push(...pages)
  if (optionalBody.any(m)) out.push(optionalBody.helpers(m))
  out.push(
    `${code.serviceDoc(m)}export class ${Name} extends Effect.Service<${Name}>()(${str(Name)}, {\n` +
      `effect: Effect.gen(function*() {\n` +
      `const { ${
        paged.length > 0 ? "maxPages = 100" : "maxPages: _maxPages"
      }, ...options } = yield* ${m.names.options}\n` +
      `${
        m.operations.length > 0 ? "const client = " : ""
      }yield* ApiClient.httpApi(${m.names.api}, { ${baseUrl}...options${code.endpointOptions(m)} })\n` +
      (streamed.length > 0 ? `const steady = yield* ApiClient.make(${opts})\n` : "") +
      `return {\n${methods.join(",\n")}\n}\n` +
      `})\n}) {}\n`
  )
  const credentialsType = credentials !== undefined ? " & Credentials" : ""
  out.push(
    `/** The credentials the spec's security scheme calls for. */\n` +
      `export type Credentials = ${credentials !== undefined ? `{ ${credentials.fields} }` : "{}"}\n`
  )
  out.push(
    code.layerDoc(m, credentials) +
      `export const layer = (options: Options${credentialsType}${
        credentials === undefined ? " = {}" : ""
      }): Layer.Layer<${Name}> =>\n` +
      `${Name}.Default.pipe(Layer.provide(Layer.succeed(${m.names.options}, options))${
        credentials !== undefined ? `, Layer.provide(${credentials.layer})` : ""
      }, Layer.provide(ConnectionPool.layer()))\n`
  )
  out.push(
    code.layerConfigDoc(m, credentials, prefix) +
      `export const layerConfig = (prefix = ${str(prefix)}): Layer.Layer<${Name}, ConfigError.ConfigError> =>\n` +
      `Layer.unwrapEffect(Effect.map(Config.all({ baseUrl: Config.option(Config.string("BASE_URL"))${
        credentials !== undefined ? `, ${credentials.config}` : ""
      } }).pipe(Config.nested(prefix)), ({ baseUrl, ...credentials }) => layer({ ...credentials, ...Option.match(baseUrl, { onNone: () => ({}), onSome: (url) => ({ baseUrl: url }) }) })))\n`
  )
  return out.join("\n")
}

/** @internal */
export const files = (m: model.Model, apiName: string): Record<string, string> => ({
  "schemas.ts": schemasFile(m),
  "api.ts": apiFile(m, apiName),
  "client.ts": clientFile(m, apiName),
  "index.ts": code.indexFile(m)
})

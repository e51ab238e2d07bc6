/**
 * The code templates of the Effect 4 line (4.1's `effect/Schema`, `effect/http-api`,
 * `@steady/client`): the same four files as on the Effect 3 line, from the same model, with
 * Effect 4's syntax. An endpoint is `HttpApiEndpoint.get("id", "/path/:p", { params, query,
 * headers, payload, success, error })`; a declared error is its body on the wire, decoded into
 * the error class, with the status as `HttpApiSchema.status`; the service is a
 * `Context.Service` with `make`, and `layer` builds it with `Layer.effect`.
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
        `export const ${c.name} = ${code.componentCode(m, c)}.annotate({ identifier: ${str(c.name)} })\n` +
        recursion.componentType(c, m.componentContext(c.name))
    )
  }
  out.push(responses.clientTagHelper(m))
  for (const e of m.errorClasses) if (e.declares !== false) out.push(code.errorClass(e))
  return out.join("\n")
}

/** The fields of a struct of parameters (`{ petId: Schema.Number }`), as `params`, `query` and `headers` take them. */
const fields = (params: ReadonlyArray<model.Param>) =>
  `{ ${params.map((p) => `${names.key(p.key)}: ${p.required ? p.code : `Schema.optional(${p.code})`}`).join(", ")} }`

/** A schema with a status other than 200. */
const withStatus = (schema: string, status: number, encoding?: string) => {
  const pipes = [
    ...(encoding !== undefined ? [encoding] : []),
    ...(status !== 200 ? [`HttpApiSchema.status(${status})`] : [])
  ]
  return pipes.length === 0 ? schema : `${schema}.pipe(${pipes.join(", ")})`
}

/** One schema, or several as a list (`success: [A, B]`). */
const oneOrList = (list: ReadonlyArray<string>) => (list.length === 1 ? list[0] : `[${list.join(", ")}]`)

const endpointCode = (o: model.Operation): string => {
  const options: Array<string> = []
  if (o.pathParams.length > 0) options.push(`params: ${o.pagingNames?.path ?? fields(o.pathParams)}`)
  if (o.query.length > 0) options.push(`query: ${o.pagingNames?.urlParams ?? o.queryCode ?? fields(o.query)}`)
  if (o.headers.length > 0) options.push(`headers: ${o.pagingNames?.headers ?? fields(o.headers)}`)
  if (o.body !== undefined) {
    options.push(`payload: ${o.body.encoding === "text" ? `Schema.String.pipe(HttpApiSchema.asText())` : o.body.code}`)
  }
  const successes = o.successes.map((s) =>
    s.encoding === "none"
      ? `HttpApiSchema.Empty(${s.status})`
      : s.encoding === "text"
      ? withStatus("Schema.String", s.status, "HttpApiSchema.asText()")
      : withStatus(s.code, s.status)
  )
  options.push(`success: ${successes.length === 0 ? "Schema.Unknown" : oneOrList(successes)}`)
  if (o.errors.length > 0) options.push(`error: ${oneOrList(o.errors.map((e) => e.responseName))}`)
  return `HttpApiEndpoint.${o.method}(${str(o.name)}, ${str(o.apiPath)}, { ${options.join(", ")} })${
    o.deprecated ? `.annotate(OpenApi.Deprecated, true)` : ""
  }`
}

const apiFile = (m: model.Model, apiName: string): string => {
  // a spec of webhooks or components only: no endpoint, so no import of what endpoints use
  const hasOps = m.operations.length > 0
  const usesS = (hasOps && m.components.length > 0) || m.errorClasses.length > 0
  const usesSchemaEncoding = m.operations.some((o) =>
    (o.body !== undefined && (o.body.encoding !== "json" || o.body.optional === true)) ||
    o.successes.some((s) => s.encoding !== "json" || s.status !== 200)
  )
  const out: Array<string> = [
    code.header(m),
    (m.operations.some(model.usesParamStyle) ? `import { ParamStyle } from "@steady/client"\n` : "") +
    (hasOps || m.errorClasses.length > 0
      ? `import { Schema${
        m.errorClasses.length > 0 || m.operations.some((o) => model.usesParamStyle(o) || o.body?.optional === true)
          ? ", SchemaTransformation"
          : ""
      } } from "effect"\n`
      : "") +
    `import { HttpApi${hasOps ? ", HttpApiEndpoint, HttpApiGroup" : ""}${
      usesSchemaEncoding || m.errorClasses.length > 0 ? ", HttpApiSchema" : ""
    }${m.operations.some((o) => o.deprecated) ? ", OpenApi" : ""} } from "effect/http-api"\n` +
    (usesS ? `import * as S from "./schemas.js"\n` : "")
  ]
  for (const e of m.errorClasses) {
    // on the wire the body the spec declares; in the program the error class, with its status
    out.push(
      `const ${e.responseName} = ${e.qualified}.pipe(\n` +
        `Schema.decodeTo(Schema.toType(S.${e.className}), SchemaTransformation.transform({\n` +
        `decode: (body: S.${e.className}["body"]) => new S.${e.className}({ status: ${e.status}, body }),\n` +
        `encode: (error: S.${e.className}) => error.body\n` +
        `})),\n` +
        `HttpApiSchema.status(${e.status})\n` +
        `)${e.range !== undefined ? `.annotate({ ${responses.annotationEntry(e.range)} })` : ""}\n`
    )
  }
  for (const o of m.operations) {
    if (o.pagingNames?.path !== undefined) {
      out.push(
        `/** The path parameters of \`${o.name}\`. */\nexport const ${o.pagingNames.path} = Schema.Struct(${
          fields(o.pathParams)
        })\n`
      )
    }
    if (o.pagingNames?.urlParams !== undefined) {
      out.push(
        `/** The query parameters of \`${o.name}\`. */\nexport const ${o.pagingNames.urlParams} = ${
          o.queryCode ?? `Schema.Struct(${fields(o.query)})`
        }\n`
      )
    }
    if (o.pagingNames?.headers !== undefined) {
      out.push(
        `/** The header parameters of \`${o.name}\`. */\nexport const ${o.pagingNames.headers} = Schema.Struct(${
          fields(o.headers)
        })\n`
      )
    }
  }
  out.push(...code.payloadSchemas(m))
  if (m.noBody !== undefined) out.push(optionalBody.definition(m.noBody, syntax.effect4))
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
          ops.length > 0 ? `.add(${ops.map((o) => o.name).join(", ")})` : ""
        } {}\n`
    )
  }
  out.push(
    `${code.apiDoc(m)}export class ${m.names.api} extends HttpApi.make(${str(names.camel(apiName))})${
      m.groups.length > 0 ? `.add(${m.groups.map((g) => g.className).join(", ")})` : ""
    } {}\n`
  )
  return out.join("\n")
}

/**
 * A `…Stream` method: `ApiClient.paginate` over the operation's GET. The path parameters are
 * percent-encoded as one segment each by `ApiClient.path`, and the query is sent as the
 * endpoint sends it (each value as a string, arrays repeated, `undefined` left out).
 */
const streamMethod = (o: model.Operation, paging: model.Paging | undefined, pn: model.PagingNames): string => {
  const args = [
    ...(pn.path !== undefined ? [`readonly params: typeof ${pn.path}.Type`] : []),
    ...(pn.urlParams !== undefined ? [`readonly query: typeof ${pn.urlParams}.Type`] : []),
    ...(pn.headers !== undefined ? [`readonly headers: typeof ${pn.headers}.Type`] : [])
  ]
  // the headers as the endpoint sends them: each value a string, in its style
  const options = [
    ...(pn.urlParams !== undefined
      ? [
        o.queryCode !== undefined
          ? `urlParams: Schema.encodeSync(${pn.urlParams})(request.query)`
          : `urlParams: request.query`
      ]
      : []),
    ...(pn.headers !== undefined
      ? [
        `headers: Schema.encodeSync(Schema.toCodecStringTree(${pn.headers}))(request.headers) as Record<string, string>`
      ]
      : [])
  ]
  const request = `HttpClientRequest.get(${code.streamUrl(o, "request.params")}${
    options.length > 0 ? `, { ${options.join(", ")} }` : ""
  })`
  if (paging === undefined && responses.isUpload(o)) {
    const upload = responses.uploadMethod(
      o,
      args,
      "",
      (body) =>
        `${
          request.replace("HttpClientRequest.get(", `HttpClientRequest.make(${str(o.method.toUpperCase())})(`)
        }.pipe(${body})`
    )
    return `${code.methodDoc(o, true)}${pn.method}: ${upload}`
  }
  return `${code.methodDoc(o, true)}${pn.method}: (${args.length > 0 ? `request: { ${args.join("; ")} }` : ""}) => ${
    paging === undefined
      ? responses.downloadCall(request)
      : `ApiClient.paginate(steady, ${request}, ${pn.page}, ${code.pagingOptions(paging, pn)})`
  }`
}

const clientFile = (m: model.Model, apiName: string): string => {
  const Name = m.names.service
  const paged = m.operations.filter((o) => o.paging !== undefined)
  // paginated GETs and downloads: a `…Stream` method each, on a steady client of its own
  const streamed = m.operations.filter((o) => o.pagingNames !== undefined)
  const uploads = streamed.filter(responses.isUpload)
  const credentials = code.credentialsOf(m.security, { string: "Config.String", redacted: "Config.Redacted" })
  const prefix = names.constant(apiName)
  const baseUrl = m.baseUrl !== undefined ? `baseUrl: ${str(m.baseUrl)}, ` : ""
  const out: Array<string> = [code.header(m)]
  out.push(
    `import { ApiClient, ${credentials !== undefined ? "Auth, " : ""}ConnectionPool${
      paged.length > 0 ? ", Pagination" : ""
    }${model.multipartOf(m).length > 0 ? ", ParamStyle" : ""}${
      optionalBody.any(m) ? ", Policy" : ""
    } } from "@steady/client"\n` +
      `import { Config, Context, Effect, Layer, Option${credentials !== undefined ? ", type Redacted" : ""}${
        paged.some((o) => o.successes[0]?.code.includes("Schema.") === true) ||
          streamed.some((o) => o.headers.length > 0 || o.queryCode !== undefined) ||
          uploads.some((o) => o.successes[0]?.code.includes("Schema.") === true)
          ? ", Schema"
          : ""
      }${uploads.length > 0 ? ", Stream" : ""} } from "effect"\n` +
      (streamed.length > 0 || optionalBody.any(m)
        ? `import { ${
          [...(optionalBody.any(m) ? ["HttpBody"] : []), ...(streamed.length > 0 ? ["HttpClientRequest"] : [])]
            .join(", ")
        } } from "effect/http"\n`
        : "") +
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
      `export const ${m.names.options} = Context.Reference<Options>(${
        str(m.names.options)
      }, { defaultValue: () => ({}) })\n`
  )
  const methods: Array<string> = []
  const pages: Array<string> = []
  for (const o of m.operations) {
    methods.push(
      `${code.methodDoc(o, false)}${o.name}: ${
        o.body?.optional === true ? optionalBody.method(o) : code.method(o, ["payload", "responseMode"])
      }`
    )
    if (o.paging === undefined && o.pagingNames !== undefined) methods.push(streamMethod(o, undefined, o.pagingNames))
    if (o.paging === undefined || o.pagingNames === undefined) continue
    pages.push(`/** A page of \`${o.name}\`. */\nconst ${o.pagingNames.page} = ${o.successes[0].code}\n`)
    methods.push(streamMethod(o, o.paging, o.pagingNames))
  }
  out.push(...pages)
  if (optionalBody.any(m)) out.push(optionalBody.helpers(m), optionalBody.policy4)
  out.push(
    `${code.serviceDoc(m)}export class ${Name} extends Context.Service<${Name}>()(${str(Name)}, {\n` +
      `make: Effect.gen(function*() {\n` +
      `const { ${
        paged.length > 0 ? "maxPages = 100" : "maxPages: _maxPages"
      }, ...options } = yield* ${m.names.options}\n` +
      `${
        m.operations.length > 0 ? "const client = " : ""
      }yield* ApiClient.httpApi(${m.names.api}, { ${baseUrl}...options${code.endpointOptions(m)}${
        optionalBody.any(m) ? ", policies: [noBody, ...(options.policies ?? [])]" : ""
      } })\n` +
      (streamed.length > 0 ? `const steady = yield* ApiClient.make({ ${baseUrl}...options })\n` : "") +
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
      `Layer.effect(${Name}, ${Name}.make).pipe(Layer.provide(Layer.succeed(${m.names.options}, options))${
        credentials !== undefined ? `, Layer.provide(${credentials.layer})` : ""
      }, Layer.provide(ConnectionPool.layer()))\n`
  )
  out.push(
    code.layerConfigDoc(m, credentials, prefix) +
      `export const layerConfig = (prefix = ${str(prefix)}): Layer.Layer<${Name}, Config.ConfigError> =>\n` +
      `Layer.unwrap(Effect.map(Config.all({ baseUrl: Config.option(Config.String("BASE_URL"))${
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

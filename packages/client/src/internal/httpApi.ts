/**
 * `ApiClient.httpApi`: the typed client of an `HttpApi` whose every call runs through a
 * steady client. Each endpoint gets its own `HttpApiClient.endpoint` over the steady client
 * (with the endpoint's own call options): a failure whose status the endpoint declares an
 * error schema for is handed back to the platform as a response, so it decodes into the
 * declared error; every other failure stays the `ApiError` it is; the platform's own errors
 * (a body that does not match, a request that cannot be encoded, an undeclared 2xx) become
 * `ApiError` members too.
 *
 * Paths are steady's, as on the Effect 3 line: each path parameter is percent-encoded as one
 * segment, as `ApiClient.path` does (RFC 6570 `{var}`), so no value changes the path's shape;
 * a value that would make a segment empty, `.` or `..` is refused before anything is sent;
 * `::` is a colon of the path's own text, and a parameter may end inside a segment
 * (`/models/:model([^/]+?)::generate`), as in the server's router. The platform's client
 * encodes each parameter with `encodeURIComponent` too, but sends `::` as it is and throws (a
 * defect) on a `.` or `..` value: the client it is given sees a view of the API whose paths
 * spell colons once and whose parameters are checked first.
 *
 * @internal
 */
import { redactUrl } from "@steady/core/Redaction"
import * as StatusRange from "@steady/core/StatusRange"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import type * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import type * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpApiSchema from "effect/http-api/HttpApiSchema"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as SchemaGetter from "effect/SchemaGetter"
import * as SchemaIssue from "effect/SchemaIssue"
import type * as ApiClient from "../ApiClient.js"
import * as ApiError from "../ApiError.js"
import { undecodedBodies } from "./attempt.js"
import { excerpt } from "./decode.js"
import { formatIssue, statusMessage } from "./errorMessage.js"
import * as pathInternal from "./path.js"
import { errorBodyLimit } from "./transportFailure.js"

/**
 * The last response an endpoint call received, to describe a decode failure, with the body
 * of a declared error (the platform reads that response's body once).
 */
interface Last {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly body: string | undefined
  /** The status error a declared error's response was made from. */
  readonly error?: ApiError.StatusError | undefined
  /** The status the platform was shown (a range's representative, for a status the range takes). */
  readonly shown?: number | undefined
}

/**
 * The cell of one endpoint call: its last response, provided around the call (the Effect 3
 * line sets a fiber ref; Effect 4 has no settable fiber-local state).
 */
const LastResponse = Context.Reference<{ last: Last | undefined } | undefined>(
  "@steady/client/httpApi/lastResponse",
  { defaultValue: () => undefined }
)

/**
 * A declared error, given back to the platform as the response it came from (at `status`: the
 * representative of the range that takes it, when the endpoint declares the range, not the status).
 */
const asResponse = (
  error: ApiError.StatusError,
  request: Parameters<typeof HttpClientResponse.fromWeb>[0],
  status: number = error.status
) =>
  HttpClientResponse.fromWeb(
    request,
    new Response(status === 204 || status === 304 ? null : error.body, {
      status,
      headers: error.headers
    })
  )

const utf8 = new TextEncoder()

/**
 * Whether an error's body may have been cut: steady keeps the first `errorBodyLimit` bytes of
 * a non-2xx body (a longer one, or one that inflates past that, is cut there), and a cut body
 * must not be decoded as if it were whole.
 */
const mayBeCut = (error: ApiError.StatusError): boolean => {
  const declared = Number(error.headers["content-length"])
  return declared > errorBodyLimit || utf8.encode(error.body).byteLength >= errorBodyLimit
}

/** A declared error whose body is over the bound: `TooLarge`, with its status, as for any body. */
const declaredTooLarge = (error: ApiError.StatusError) =>
  new ApiError.DecodeError({
    request: error.request,
    attempts: error.attempts,
    reason: "TooLarge",
    status: error.status,
    body: error.body,
    issue: Option.none(),
    detail: `the body of a declared ${error.status} is decoded only when under ${errorBodyLimit} bytes`
  })

/** A declared error whose body did not decode: `Read`, with its status, as for any body. */
const declaredUndecoded = (error: ApiError.StatusError, coding: string) =>
  new ApiError.DecodeError({
    request: error.request,
    attempts: error.attempts,
    reason: "Read",
    status: error.status,
    body: error.body,
    issue: Option.none(),
    detail: `the body of a declared ${error.status} did not decode (content-encoding: ${coding})`
  })

const requestInfo = (response: HttpClientResponse.HttpClientResponse | undefined, fallback: string) =>
  response === undefined
    ? { method: "?", url: fallback }
    : { method: response.request.method, url: redactUrl(response.request.url) }

const isJsonText = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/**
 * The failure of a call the platform ended, as one error: a declared status whose body does
 * not decode fails with the status error and the schema error together; the schema error says
 * more.
 */
const mainFailure = (cause: Cause.Cause<unknown>): Option.Option<unknown> => {
  const errors = cause.reasons.filter(Cause.isFailReason).map((reason) => reason.error)
  const schemaError = errors.find(Schema.isSchemaError)
  return schemaError !== undefined ? Option.some(schemaError) : Option.fromUndefinedOr(errors[0])
}

/**
 * A declared error the platform decoded from a status error's response, told as steady tells its
 * own: the request and the attempts set on it, and a message that says them (method, URL, status,
 * request id, attempts); a range's error gets the status it was received with. The error was made
 * by this call's decode: it is set in place.
 */
const describe = (e: unknown, last: Last | undefined): void => {
  const from = last?.error
  if (
    from === undefined || ApiError.isApiError(e) || !Predicate.hasProperty(e, "status") ||
    (e.status !== from.status && e.status !== last?.shown)
  ) {
    return
  }
  try {
    Object.assign(e, { request: from.request, attempts: from.attempts, status: from.status })
    Object.defineProperty(e, "message", { value: statusMessage(from), configurable: true, writable: true })
  } catch {
    // a frozen error is left as the platform made it
  }
}

/** The platform's errors, as `ApiError` members. */
const toApiError = (
  cause: unknown,
  last: Last | undefined,
  info: EndpointInfo
): Effect.Effect<ApiError.ApiError> => {
  const name = `${info.group}.${info.name}`
  const response = last?.response
  if (ApiError.isApiError(cause)) return Effect.succeed(cause)
  if (Schema.isSchemaError(cause)) {
    const detail = formatIssue(cause.issue)
    if (response === undefined) {
      // the request could not be encoded: nothing was sent
      return Effect.succeed(
        new ApiError.ConnectionError({
          request: { method: "?", url: name },
          attempts: 0,
          reason: "InvalidRequest",
          sent: false,
          detail: `the request does not match the endpoint's schema: ${detail}`
        })
      )
    }
    // a declared error's body is the error's; a success's is read again (steady's responses are buffered)
    const text = last?.body !== undefined ? Effect.succeed(last.body) : Effect.orElseSucceed(response.text, () => "")
    return Effect.map(text, (body) => {
      // a JSON body that is not JSON is InvalidJson, as for any body; one that is, and does not match, SchemaMismatch
      const invalidJson = info.json.has(response.status) && body !== "" && !isJsonText(body)
      return new ApiError.DecodeError({
        request: requestInfo(response, name),
        attempts: 1,
        reason: invalidJson ? "InvalidJson" : "SchemaMismatch",
        status: response.status,
        body: excerpt(body),
        issue: invalidJson ? Option.none() : Option.some(cause.issue),
        detail: invalidJson ? "the body is not JSON" : detail
      })
    })
  }
  if (HttpClientError.isHttpClientError(cause) && cause.reason._tag === "StatusCodeError" && response !== undefined) {
    // a status the endpoint declares neither as a success nor as an error (e.g. an undeclared 2xx)
    return Effect.succeed(
      new ApiError.UnexpectedStatusError({
        request: requestInfo(response, name),
        attempts: 1,
        status: response.status,
        headers: {},
        body: "",
        requestId: Option.none(),
        retryAfter: Option.none()
      })
    )
  }
  return Effect.succeed(
    new ApiError.ConnectionError({
      request: requestInfo(response, name),
      attempts: 0,
      reason: "InvalidRequest",
      sent: false,
      detail: cause instanceof Error ? cause.message : String(cause)
    })
  )
}

interface EndpointInfo {
  readonly group: string
  readonly topLevel: boolean
  readonly name: string
  readonly declared: ReadonlySet<number>
  /** The statuses whose declared body is JSON. */
  readonly json: ReadonlySet<number>
  /** The ranges (`4XX`, `5XX`, `default`) the endpoint declares, each at its representative status. */
  readonly ranges: ReadonlyMap<StatusRange.Range, number>
}

/** A path template in the router's syntax, in pieces: text (`::` read as `:`), and parameters. */
type Piece = { readonly text: string } | { readonly param: string; readonly optional: boolean }

/**
 * The pieces of a path. `names` are the parameters the endpoint declares (`undefined`: any
 * name is one, as the platform reads a path whose parameters are a record); another `:name`
 * is text, as the platform sends it.
 */
const pieces = (path: string, names: ReadonlySet<string> | undefined): Array<Piece> => {
  const out: Array<Piece> = []
  let text = ""
  for (let i = 0; i < path.length;) {
    if (path[i] === ":" && path[i + 1] === ":") {
      text += ":"
      i += 2
      continue
    }
    const name = path[i] === ":" ? /^\w+/.exec(path.slice(i + 1)) : null
    if (name === null || (names !== undefined && !names.has(name[0]))) {
      text += path[i++]
      continue
    }
    out.push({ text })
    text = ""
    i += 1 + name[0].length
    let optional = false
    for (let more = true; more;) {
      more = false
      if (path[i] === "?") {
        optional = true
        i++
        more = true
      } else if (path[i] === "(") {
        // the router's pattern for the parameter: skipped, the value is the caller's
        for (let depth = 0; i < path.length; i++) {
          if (path[i] === "(") depth++
          else if (path[i] === ")" && --depth === 0) break
        }
        i++
        more = true
      }
    }
    out.push({ param: name[0], optional })
  }
  out.push({ text })
  return out
}

/** The parameter names a params schema declares, as the platform reads them (`undefined`: any). */
const paramNames = (schema: Schema.Top): ReadonlySet<string> | undefined => {
  let ast = schema.ast
  for (let depth = 0; ast.encoding !== undefined && depth < 100; depth++) ast = ast.encoding[ast.encoding.length - 1].to
  return SchemaAST.isObjects(ast) && ast.indexSignatures.length === 0
    ? new Set(ast.propertySignatures.map((ps) => String(ps.name)))
    : undefined
}

/**
 * Checks the values the endpoint's schema encoded as `ApiClient.path` builds a path from them
 * (each percent-encoded as one segment; a value that would make a segment empty, `.` or `..`
 * is refused; an optional parameter without a value is left out with its slash): the message
 * of the refusal, if any. A `.` or `..` inside a segment is refused too: the platform's client
 * throws on one, wherever it is.
 */
const refusal = (template: ReadonlyArray<Piece>, values: Readonly<Record<string, unknown>>): string | undefined => {
  const strings: Array<string> = [""]
  const args: Array<unknown> = []
  for (const piece of template) {
    if ("text" in piece) {
      strings[strings.length - 1] += piece.text
      continue
    }
    const value = values[piece.param]
    if (value === undefined && piece.optional) {
      strings[strings.length - 1] = strings[strings.length - 1].replace(/\/$/, "")
      continue
    }
    if (value === "." || value === "..") {
      return `ApiClient.httpApi: the path parameter ${piece.param} is ${JSON.stringify(value)}`
    }
    args.push(value)
    strings.push("")
  }
  try {
    pathInternal.path(strings, args)
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

/** A copy of `self` with `patch` over it: the platform's objects keep their prototype (and their other fields). */
const withFields = <A extends object>(self: A, patch: Partial<A>): A =>
  Object.assign(Object.create(Object.getPrototypeOf(self)), self, patch)

/**
 * An endpoint as the platform's client sees it: its path with colons spelled once, and its
 * parameters renamed `<prefix>0`, `<prefix>1`… (a prefix no text of the path holds after a
 * colon, so a colon of the text is never read as a parameter), checked before the platform
 * builds the path from them.
 */
const viewEndpoint = (endpoint: HttpApiEndpoint.Top): HttpApiEndpoint.Top => {
  const own = endpoint.params
  const template = pieces(endpoint.path, own === undefined ? new Set() : paramNames(own))
  const texts = template.flatMap((piece) => ("text" in piece ? [piece.text] : []))
  if (own === undefined) {
    // no parameter: the platform sends the path as it is
    return withFields(endpoint, { path: texts.join("") as HttpApiEndpoint.Top["path"] })
  }
  let prefix = "steady"
  while (texts.some((text) => text.includes(`:${prefix}`))) prefix += "_"
  const params = template.flatMap((piece) => ("param" in piece ? [piece] : []))
  let path = ""
  let n = 0
  for (const piece of template) {
    // the platform sends text as it is (its `::` too): a colon is written once
    path += "text" in piece ? piece.text : `:${prefix}${n++}${piece.optional ? "?" : ""}`
  }
  const fields: Record<string, Schema.Top> = {}
  params.forEach((piece, i) => {
    fields[`${prefix}${i}`] = piece.optional ? Schema.optionalKey(Schema.String) : Schema.String
  })
  const renamed = Schema.Struct(fields).pipe(Schema.decodeTo(own as Schema.Codec<unknown, unknown>, {
    decode: SchemaGetter.forbidden(() => "a client's path is not decoded"),
    encode: SchemaGetter.transformEffect((values: unknown) => {
      const record = values as Readonly<Record<string, unknown>>
      const refused = refusal(template, record)
      if (refused !== undefined) return Effect.fail(new SchemaIssue.InvalidValue({ message: refused }, values))
      const out: Record<string, string> = {}
      params.forEach((piece, i) => {
        const value = record[piece.param]
        if (value !== undefined) out[`${prefix}${i}`] = String(value)
      })
      return Effect.succeed(out)
    })
  }))
  return withFields(endpoint, { path: path as HttpApiEndpoint.Top["path"], params: renamed })
}

/** The API as the platform's client sees it: the same groups, errors and annotations, each endpoint's path steady's. */
const view = (api: HttpApi.Top): HttpApi.Top => {
  const groups: Record<string, HttpApiGroup.Top> = {}
  for (const [key, group] of Object.entries(api.groups as Record<string, HttpApiGroup.Top>)) {
    const endpoints: Record<string, HttpApiEndpoint.Top> = {}
    for (const [name, endpoint] of Object.entries(group.endpoints as Record<string, HttpApiEndpoint.Top>)) {
      endpoints[name] = viewEndpoint(endpoint)
    }
    groups[key] = withFields(group, { endpoints } as Partial<HttpApiGroup.Top>)
  }
  return withFields(api, { groups } as Partial<HttpApi.Top>)
}

/** The range an error schema takes (a generated client's `4XX`, `5XX` or `default`), from its annotation. */
const rangeOf = (schema: Schema.Top): StatusRange.Range | undefined => {
  const value = schema.ast.annotations?.[StatusRange.annotation]
  return typeof value === "string" ? StatusRange.parse(value) : undefined
}

/**
 * The status a status error is shown to the platform with: its own when the endpoint declares it,
 * else the representative of the range that takes it; `undefined` when neither does.
 */
const shownStatus = (info: EndpointInfo, status: number): number | undefined =>
  info.declared.has(status) ? status : StatusRange.pick(status, info.ranges)

/** Whether a declared response's body is JSON (not an empty one). */
const isJsonBody = (schema: Schema.Top): boolean => {
  if (HttpApiSchema.isNoContent(schema.ast)) return false
  try {
    return HttpApiSchema.getResponseEncodingSchema(schema)._tag === "Json"
  } catch {
    return false
  }
}

/** @internal */
export const make = (
  api: HttpApi.Top,
  steady: ApiClient.Client,
  perEndpoint: Readonly<Record<string, ApiClient.CallOptions | undefined>> | undefined,
  withOptions: (client: ApiClient.Client, options: ApiClient.CallOptions) => ApiClient.Client
): Effect.Effect<Record<string, any>, never, any> =>
  Effect.gen(function*() {
    const infos: Array<EndpointInfo> = []
    HttpApi.reflect(api as HttpApi.HttpApi<string, any>, {
      onGroup() {},
      onEndpoint({ endpoint, errors, group, successes }) {
        const json = new Set<number>()
        for (const [status, schemas] of [...errors, ...successes]) {
          if (schemas.some(isJsonBody)) json.add(status)
        }
        const ranges = new Map<StatusRange.Range, number>()
        for (const [status, schemas] of errors) {
          for (const schema of schemas) {
            const range = rangeOf(schema)
            if (range !== undefined && StatusRange.covers(range, status)) ranges.set(range, status)
          }
        }
        infos.push({
          group: group.identifier,
          topLevel: (group as { readonly topLevel?: boolean }).topLevel === true,
          name: endpoint.identifier,
          // a success outside 2xx (a 304 Not Modified) is given back to the platform as its error statuses are
          declared: new Set([...errors.keys(), ...[...successes.keys()].filter((s) => s < 200 || s >= 300)]),
          json,
          ranges
        })
      }
    })
    const known = new Set(infos.map((i) => `${i.group}.${i.name}`))
    for (const key of Object.keys(perEndpoint ?? {})) {
      if (!known.has(key)) {
        throw new TypeError(
          `ApiClient.httpApi: endpoints.${key} is not an endpoint of the API (known: ${[...known].join(", ")})`
        )
      }
    }
    const seen = view(api)
    // own properties only, on objects without a prototype: an endpoint or a group named
    // `constructor` or `__proto__` is a method like any other
    const client: Record<string, any> = Object.create(null)
    const define = (target: Record<string, any>, key: string, value: unknown) =>
      Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true })
    for (const info of infos) {
      const own = perEndpoint?.[`${info.group}.${info.name}`]
      const base = own === undefined ? steady : withOptions(steady, own)
      const httpClient = HttpClient.transform(base, (effect, request) =>
        effect.pipe(
          Effect.map((response): Last => ({ response, body: undefined })),
          Effect.catchIf(
            (e): e is ApiError.StatusError => ApiError.isStatusError(e) && shownStatus(info, e.status) !== undefined,
            (e) => {
              const coding = undecodedBodies.get(e)
              const shown = shownStatus(info, e.status)
              return coding !== undefined
                ? Effect.fail(declaredUndecoded(e, coding))
                : mayBeCut(e)
                ? Effect.fail(declaredTooLarge(e))
                : Effect.succeed<Last>({ response: asResponse(e, request, shown), body: e.body, error: e, shown })
            }
          ),
          Effect.tap((last) =>
            Effect.withFiber((fiber) => {
              const cell = fiber.getRef(LastResponse)
              if (cell !== undefined) cell.last = last
              return Effect.void
            })
          ),
          Effect.map((last) => last.response)
        ))
      const method = yield* HttpApiClient.endpoint(seen as HttpApi.HttpApi<string, any>, {
        group: info.group,
        endpoint: info.name,
        httpClient
      } as any) as Effect.Effect<(request: unknown) => Effect.Effect<unknown, unknown>>
      const call = (request: unknown) =>
        Effect.suspend(() => {
          const cell: { last: Last | undefined } = { last: undefined }
          return Effect.provideService(
            Effect.catchCause(method(request), (cause) => {
              const failure = mainFailure(cause)
              if (Option.isNone(failure)) return Effect.failCause(cause)
              if (isDeclared(failure.value)) {
                describe(failure.value, cell.last)
                return Effect.failCause(cause)
              }
              return Effect.flip(toApiError(failure.value, cell.last, info))
            }),
            LastResponse,
            cell
          )
        })
      if (info.topLevel) define(client, info.name, call)
      else {
        if (!Object.prototype.hasOwnProperty.call(client, info.group)) define(client, info.group, Object.create(null))
        define(client[info.group], info.name, call)
      }
    }
    return client
  })

/**
 * A failure that is already typed: an `ApiError`, or one of the API's declared errors
 * (anything that is neither a platform error nor a parse error).
 */
const isDeclared = (e: unknown): boolean => {
  if (ApiError.isApiError(e)) return true
  if (Schema.isSchemaError(e)) return false
  return !HttpClientError.isHttpClientError(e)
}

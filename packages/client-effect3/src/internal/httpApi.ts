/**
 * `ApiClient.httpApi`: the typed client of an `HttpApi` whose every call runs through a
 * steady client. Each endpoint gets its own `HttpApiClient.endpoint` over the steady client
 * (with the endpoint's own call options): a failure whose status the endpoint declares an
 * error schema for is handed back to the platform as a response, so it decodes into the
 * declared error; every other failure stays the `ApiError` it is; the platform's own errors
 * (a body that does not match, a request that cannot be encoded, an undeclared 2xx) become
 * `ApiError` members too.
 *
 * Paths are built here, not by the platform (which pastes values in as they are): each path
 * parameter is percent-encoded as one segment, as `ApiClient.path` does (RFC 6570 `{var}`), so
 * no value changes the path's shape; `::` is a colon of the path's own text, and a parameter may
 * end inside a segment (`/models/:model([^/]+?)::generate`), as in the server's router.
 *
 * @internal
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import type * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import type * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { redactUrl } from "@steady/core/Redaction"
import * as StatusRange from "@steady/core/StatusRange"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import type * as ApiClient from "../ApiClient.js"
import * as ApiError from "../ApiError.js"
import { undecodedBodies } from "./attempt.js"
import { excerpt } from "./decode.js"
import { statusMessage } from "./errorMessage.js"
import * as pathInternal from "./path.js"
import { errorBodyLimit } from "./transportFailure.js"

/**
 * The last response this fiber's endpoint call received, to describe a decode failure, with
 * the body of a declared error (the platform reads that response's body once).
 */
interface Last {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly body: string | undefined
  /** The status error a declared error's response was made from. */
  readonly error?: ApiError.StatusError | undefined
  /** The status the platform was shown (a range's representative, for a status the range takes). */
  readonly shown?: number | undefined
}
const lastResponse = globalValue(
  "@steady/client-effect3/httpApi/lastResponse",
  () => FiberRef.unsafeMake<Last | undefined>(undefined)
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
 * A declared error the platform decoded from a status error's response, told as steady tells its
 * own: the request and the attempts set on it, and a message that says them (method, URL, status,
 * request id, attempts); a range's error gets the status it was received with. The error was made
 * by this call's decode: it is set in place.
 */
const described = (e: unknown, last: Last | undefined): unknown => {
  const from = last?.error
  if (
    from === undefined || ApiError.isApiError(e) || !Predicate.hasProperty(e, "status") ||
    (e.status !== from.status && e.status !== last?.shown)
  ) {
    return e
  }
  try {
    Object.assign(e, { request: from.request, attempts: from.attempts, status: from.status })
    Object.defineProperty(e, "message", { value: statusMessage(from), configurable: true, writable: true })
  } catch {
    // a frozen error is left as the platform made it
  }
  return e
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
  if (ParseResult.isParseError(cause)) {
    const detail = ParseResult.TreeFormatter.formatIssueSync(cause.issue)
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
  if (Predicate.hasProperty(cause, "_tag") && cause._tag === "ResponseError" && response !== undefined) {
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

/**
 * The range an error schema takes (a generated client's `4XX`, `5XX` or `default`), from its
 * annotation: on the schema, or on a member of the union the status's schemas make (the API's own
 * `HttpApiDecodeError` is a 400 too).
 */
const rangeOf = (ast: Option.Option<AST.AST>): StatusRange.Range | undefined => {
  if (Option.isNone(ast)) return undefined
  for (const member of ast.value._tag === "Union" ? ast.value.types : [ast.value]) {
    const value = member.annotations[StatusRange.annotation]
    if (typeof value === "string") return StatusRange.parse(value)
  }
  return undefined
}

/**
 * The status a status error is shown to the platform with: its own when the endpoint declares it,
 * else the representative of the range that takes it; `undefined` when neither does.
 */
const shownStatus = (info: EndpointInfo, status: number): number | undefined =>
  info.declared.has(status) ? status : StatusRange.pick(status, info.ranges)

/** A path template in the router's syntax, in pieces: text (`::` read as `:`), and parameters. */
type Piece = { readonly text: string } | { readonly param: string; readonly optional: boolean }

const pieces = (path: string): Array<Piece> => {
  const out: Array<Piece> = []
  let text = ""
  for (let i = 0; i < path.length;) {
    if (path[i] === ":" && path[i + 1] === ":") {
      text += ":"
      i += 2
      continue
    }
    const name = path[i] === ":" ? /^\w+/.exec(path.slice(i + 1)) : null
    if (name === null) {
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

/** The one parameter of a view's path: the whole path, built by `encodePath`. */
const wholePath = "steadyPath"

/**
 * The path, from the values the endpoint's schema encoded: each one percent-encoded as one
 * segment by `ApiClient.path` (which refuses a value that would make a segment empty, `.` or
 * `..`); an optional parameter without a value is left out with its slash.
 */
const encodePath = (template: ReadonlyArray<Piece>, values: Readonly<Record<string, unknown>>): string => {
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
    args.push(value)
    strings.push("")
  }
  return pathInternal.path(strings, args)
}

/** The path schema of a view: the endpoint's own, then the whole path as `steadyPath` (without its first `/`). */
const viewPathSchema = (endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps, template: ReadonlyArray<Piece>) => {
  const built = Schema.transformOrFail(
    Schema.Struct({ [wholePath]: Schema.String }),
    Schema.Record({ key: Schema.String, value: Schema.Unknown }),
    {
      strict: false,
      decode: (_, __, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, _, "a client's path is not decoded")),
      encode: (values, _, ast) => {
        try {
          return ParseResult.succeed({ [wholePath]: encodePath(template, values).replace(/^\//, "") })
        } catch (e) {
          return ParseResult.fail(new ParseResult.Type(ast, values, e instanceof Error ? e.message : String(e)))
        }
      }
    }
  )
  const own = Option.getOrElse(
    endpoint.pathSchema as Option.Option<Schema.Schema<any, any>>,
    () => Schema.Record({ key: Schema.String, value: Schema.Unknown })
  )
  return Schema.compose(built, own, { strict: false })
}

/** A copy of `self` with `patch` over it: the platform's objects keep their prototype (and their other fields). */
const withFields = <A extends object>(self: A, patch: Partial<A>): A =>
  Object.assign(Object.create(Object.getPrototypeOf(self)), self, patch)

/**
 * The API as the platform's client sees it: the same groups, errors and annotations, but each
 * endpoint's path built by `encodePath`. An endpoint without parameters keeps its path, its
 * `::` read as a colon.
 */
const view = (api: HttpApi.HttpApi.Any): HttpApi.HttpApi.Any => {
  const self = api as unknown as HttpApi.HttpApi<string, HttpApiGroup.HttpApiGroup.AnyWithProps>
  const groups: Record<string, HttpApiGroup.HttpApiGroup.AnyWithProps> = {}
  for (const [key, group] of Object.entries(self.groups as Record<string, HttpApiGroup.HttpApiGroup.AnyWithProps>)) {
    const endpoints: Record<string, HttpApiEndpoint.HttpApiEndpoint.AnyWithProps> = {}
    for (const [name, endpoint] of Object.entries(group.endpoints)) {
      const template = pieces(endpoint.path)
      endpoints[name] = template.length === 1
        ? withFields(endpoint, { path: (template[0] as { text: string }).text as HttpApiEndpoint.PathSegment })
        : withFields(endpoint, {
          path: `/:${wholePath}`,
          pathSchema: Option.some(viewPathSchema(endpoint, template) as Schema.Schema<any, any>)
        })
    }
    groups[key] = withFields(group, { endpoints } as any)
  }
  return withFields(self, { groups } as any) as unknown as HttpApi.HttpApi.Any
}

/** @internal */
export const make = (
  api: HttpApi.HttpApi.Any,
  steady: ApiClient.Client,
  perEndpoint: Readonly<Record<string, ApiClient.CallOptions | undefined>> | undefined,
  withOptions: (client: ApiClient.Client, options: ApiClient.CallOptions) => ApiClient.Client
): Effect.Effect<Record<string, any>, never, any> =>
  Effect.gen(function*() {
    const infos: Array<EndpointInfo> = []
    const isJsonBody = (ast: Option.Option<AST.AST>) =>
      Option.isSome(ast) && HttpApiSchema.getEncoding(ast.value).kind === "Json"
    HttpApi.reflect(api as HttpApi.HttpApi<string, any, any, any>, {
      onGroup() {},
      onEndpoint({ endpoint, errors, group, successes }) {
        const json = new Set<number>()
        for (const [status, { ast }] of [...errors, ...successes]) if (isJsonBody(ast)) json.add(status)
        const ranges = new Map<StatusRange.Range, number>()
        for (const [status, { ast }] of errors) {
          const range = rangeOf(ast)
          if (range !== undefined && StatusRange.covers(range, status)) ranges.set(range, status)
        }
        infos.push({
          group: group.identifier,
          topLevel: group.topLevel,
          name: endpoint.name,
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
      const name = `${info.group}.${info.name}`
      const own = perEndpoint?.[name]
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
          Effect.tap((last) => FiberRef.set(lastResponse, last)),
          Effect.map((last) => last.response)
        ))
      const method = yield* HttpApiClient.endpoint(seen as HttpApi.HttpApi<string, any, any, any>, {
        group: info.group,
        endpoint: info.name,
        httpClient
      } as any) as Effect.Effect<(request: unknown) => Effect.Effect<unknown, unknown>>
      const call = (request: unknown) =>
        Effect.zipRight(
          FiberRef.set(lastResponse, undefined),
          Effect.catchAll(
            method(request),
            (e) =>
              Effect.flatMap(
                FiberRef.get(lastResponse),
                (last) => isDeclared(e) ? Effect.fail(described(e, last)) : Effect.flip(toApiError(e, last, info))
              )
          )
        )
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
  if (ParseResult.isParseError(e)) return false
  if (Predicate.hasProperty(e, "_tag") && (e._tag === "ResponseError" || e._tag === "RequestError")) {
    return !Predicate.hasProperty(e, "request")
  }
  return true
}

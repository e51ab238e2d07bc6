/**
 * Responses beyond one status each: OpenAPI's `4XX`/`5XX` ranges and `default` as typed errors.
 *
 * Effect's `HttpApi` (on both lines) keys an endpoint's errors by status, so a range cannot be
 * declared as itself. The generated API declares it at one status of its own, its
 * representative (`StatusRange.representative`: a status of the range that no exact response of
 * the operation takes), with the `StatusRange.annotation` naming the range; steady's `httpApi`
 * reads the annotation and hands every error status the endpoint does not declare exactly, and
 * that the range takes, to the platform as that representative, then sets the status it was
 * received with on the decoded error (with the request, the attempts and steady's message, as for
 * a declared error). An exact status wins over a range, a range over `default`; `default` takes
 * error statuses only (400–599): an undeclared 2xx is still an `UnexpectedStatusError`.
 *
 * The error class of a range has `status: Schema.Number` (the status received), the body its
 * schema decodes, and a `statusTag` that says steady's tag for that status (`NotFoundError` for a
 * 404 that fell to `4XX`), so `ApiError.optional("NotFoundError")` still matches it.
 *
 * @internal
 */
import * as StatusRange from "@steady/core/StatusRange"
import * as escape from "./escape.js"
import type * as model from "./model.js"

export type Range = StatusRange.Range

/** The range a response key names (`4XX`, `4xx`, `5XX`, `default`), or `undefined`. */
export const rangeOf = (key: string): Range | undefined => StatusRange.parse(key)

/** The base name of a range's error class. */
export const className = (range: Range): string =>
  range === "4XX" ? "Status4xx" : range === "5XX" ? "Status5xx" : "StatusDefault"

/** A range and the JSON schema of its body, as the spec declares them for one operation. */
export interface Declared<S> {
  readonly range: Range
  readonly schema: S
}

/**
 * Each declared range with its representative status (ranges in the order `4XX`, `5XX`,
 * `default`, each taking the first status of its span that the operation's exact statuses and the
 * ranges before it leave free); a range whose span is all taken is left out.
 */
export const place = <S>(
  declared: ReadonlyArray<Declared<S>>,
  exact: ReadonlyArray<number>
): Array<Declared<S> & { readonly status: number }> => {
  const taken = new Set(exact)
  const out: Array<Declared<S> & { readonly status: number }> = []
  for (const range of ["4XX", "5XX", "default"] as const) {
    const found = declared.find((d) => d.range === range)
    if (found === undefined) continue
    const status = StatusRange.representative(range, taken)
    if (status === undefined) continue
    taken.add(status)
    out.push({ ...found, status })
  }
  return out
}

/** The tags of steady's `ApiError` members for 4xx statuses (as `ApiError.fromStatus` picks them). */
const clientTags: ReadonlyArray<readonly [number, string]> = [
  [400, "BadRequestError"],
  [401, "AuthenticationError"],
  [403, "PermissionDeniedError"],
  [404, "NotFoundError"],
  [409, "ConflictError"],
  [422, "UnprocessableEntityError"],
  [429, "RateLimitError"]
]

/**
 * The helper schemas.ts declares once when it has a range's error class: steady's tag for a
 * 4xx status. (A camel-case name: every component and error class name is Pascal case.)
 */
export const clientTagHelper = (m: model.Model): string =>
  m.errorClasses.some((e) => e.range !== undefined && e.range !== "5XX")
    ? `/** The tag of steady's error for a 4xx status (\`ApiError.fromStatus\`'s). */\n` +
      `const clientTag = (status: number) => ${
        clientTags.map(([s, tag]) => `status === ${s} ? ${escape.stringLiteral(tag)} as const : `).join("")
      }"ClientError" as const\n`
    : ""

/** The `statusTag` getter of a range's error class. */
const statusTag = (range: Range): string =>
  range === "5XX"
    ? `get statusTag(): "ServerError" {\nreturn "ServerError"\n}\n`
    : range === "4XX"
    ? `get statusTag(): ReturnType<typeof clientTag> {\nreturn clientTag(this.status)\n}\n`
    : `get statusTag(): ReturnType<typeof clientTag> | "ServerError" {\nreturn this.status >= 500 ? "ServerError" : clientTag(this.status)\n}\n`

/**
 * The error class of a range (the same text on both lines): `Schema.TaggedError` with the
 * status received and the decoded `body`, its `statusTag`, and the `request` and `attempts`
 * steady's client sets on it.
 */
export const errorClass = (e: model.ErrorClass & { readonly range: Range }): string => {
  const which = e.range === "default"
    ? "`default` response (every error status it does not declare itself)"
    : `${e.range} responses (each ${e.range === "4XX" ? "4xx" : "5xx"} status it does not declare itself)`
  return `/** The ${which} the spec declares, with its body and the status received: \`statusTag\` says steady's tag for that status. */\n` +
    `export class ${e.className} extends Schema.TaggedError<${e.className}>()(${
      escape.stringLiteral(e.className)
    }, { status: Schema.Number, body: ${e.code} }) {\n` +
    `/** The tag of steady's error for the status received, which \`ApiError.optional\` matches. */\n` +
    statusTag(e.range) +
    `/** The request that failed (its URL redacted as in steady's errors), set by steady's client. */\n` +
    `declare readonly request: { readonly method: string; readonly url: string }\n` +
    `/** How many attempts were made (1 when none was retried), set by steady's client. */\n` +
    `declare readonly attempts: number\n` +
    `}\n`
}

/** The annotation a range's response schema carries in api.ts (the code of an annotations object's entry). */
export const annotationEntry = (range: Range): string =>
  `${escape.stringLiteral(StatusRange.annotation)}: ${escape.stringLiteral(range)}`

/**
 * Whether an operation gets a `…Stream` method that hands its body over as it arrives: a GET
 * without pagination whose success is bytes (an image, a PDF, a download). Its method of the same
 * name still reads the body whole, bounded by `maxResponseBytes`.
 */
export const isDownload = (o: model.Operation): boolean =>
  o.method === "get" && o.paging === undefined && o.body === undefined &&
  o.successes.some((s) => s.encoding === "bytes")

/** The doc comment's first line of a download's `…Stream` method. */
export const downloadDoc = (o: model.Operation): string =>
  `The body of \`${o.name}\` as a stream of bytes, handed over as it arrives (never held whole, so \`maxResponseBytes\` does not bound it; \`timeout.idle\` bounds each wait for a chunk). An error status fails the stream with its \`ApiError\`.`

/** The call of a download's `…Stream` method, on `request` (a request's code). */
export const downloadCall = (request: string): string => `ApiClient.stream(steady.execute(${request}))`

/**
 * Whether an operation gets a `…FromStream` method that sends its body from a stream: a body of
 * bytes (`application/octet-stream`, `image/png`, …), and a success that is JSON or empty. Its
 * method of the same name still takes the bytes (replayable: retried as the method allows).
 */
export const isUpload = (o: model.Operation): boolean =>
  o.body?.encoding === "bytes" && o.body.contentType !== undefined &&
  (o.successes.length === 0 || o.successes[0].encoding === "json" || o.successes[0].encoding === "none")

/** The doc comment's first line of an upload's `…FromStream` method. */
export const uploadDoc = (o: model.Operation): string =>
  `\`${o.name}\` with its body read from a stream as it is sent (never held whole). A stream is sent once: a failure after it may have reached the server is not retried (steady's one-shot rule), whatever the method. An error status is its \`ApiError\`.`

/**
 * An upload's `…FromStream` method (the line's request code: `build(body)` makes the request
 * with the streamed body): the request as the endpoint sends it, the body from `payload` (an
 * Effect `Stream` of bytes, with an optional `contentLength`), the success decoded as JSON (or
 * none).
 */
export const uploadMethod = (
  o: model.Operation,
  args: ReadonlyArray<string>,
  prelude: string,
  request: (body: string) => string
): string => {
  const type = escape.stringLiteral(o.body?.contentType ?? "application/octet-stream")
  const body =
    `HttpClientRequest.bodyStream(request.payload, { contentType: ${type}, contentLength: request.contentLength })`
  const success = o.successes[0]
  const decode = success !== undefined && success.encoding === "json"
    ? `.pipe(ApiClient.json(${success.code}))`
    : `.pipe(Effect.asVoid)`
  const call = `steady.execute(${request(body)})${decode}`
  const all = [
    ...args,
    "readonly payload: Stream.Stream<Uint8Array, unknown>",
    "readonly contentLength?: number | undefined"
  ]
  return `(request: { ${all.join("; ")} }) => ${prelude === "" ? call : `{\n${prelude}return ${call}\n}`}`
}

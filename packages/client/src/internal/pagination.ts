/**
 * The pagination strategies, and the lazy stream of pages behind `ApiClient.paginate`.
 *
 * @internal
 */
import { nextLink } from "@steady/core/LinkHeader"
import { redactUrl } from "@steady/core/Redaction"
import * as Effect from "effect/Effect"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Url from "effect/http/Url"
import * as UrlParams from "effect/http/UrlParams"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as ApiClient from "../ApiClient.js"
import type * as ApiError from "../ApiError.js"
import type * as Pagination from "../Pagination.js"
import * as decode from "./decode.js"
import * as echoed from "./echoed.js"
import { isBufferedResponse } from "./response.js"

const headerOf = (response: HttpClientResponse.HttpClientResponse, name: string): string | undefined => {
  const raw = isBufferedResponse(response) ? response.rawHeaders[name] : response.headers[name]
  return raw === undefined ? undefined : typeof raw === "string" ? raw : raw.join(", ")
}

/** The URL a response came from (after redirects), to resolve a relative link against. */
const urlOf = (response: HttpClientResponse.HttpClientResponse): URL => {
  if (isBufferedResponse(response) && response.sent !== undefined) return response.sent.url
  return new URL(response.request.url)
}

/** @internal */
export const link: Pagination.Strategy<unknown> = {
  name: "link",
  next: ({ request, response }) => {
    const header = headerOf(response, "link")
    const target = header === undefined ? undefined : nextLink(header)
    if (target === undefined) return undefined
    let url: URL
    try {
      url = new URL(target, urlOf(response))
    } catch {
      return undefined
    }
    // the target's query replaces the request's parameters
    return HttpClientRequest.setUrl(request, url)
  }
}

/** A query parameter of the request, from its parameters or from its URL's query. */
const paramOf = (request: HttpClientRequest.HttpClientRequest, name: string): string | undefined => {
  const own = UrlParams.getFirst(request.urlParams, name)
  if (Option.isSome(own)) return own.value
  const q = request.url.indexOf("?")
  return q === -1 ? undefined : new URLSearchParams(request.url.slice(q + 1)).get(name) ?? undefined
}

/** The request with one query parameter set (taken out of the URL's own query if it was there). */
const withParam = (
  request: HttpClientRequest.HttpClientRequest,
  name: string,
  value: string
): HttpClientRequest.HttpClientRequest => {
  const q = request.url.indexOf("?")
  if (q !== -1) {
    const query = new URLSearchParams(request.url.slice(q + 1))
    if (query.has(name)) {
      query.delete(name)
      const rest = query.toString()
      request = HttpClientRequest.setUrl(
        request,
        rest === "" ? request.url.slice(0, q) : `${request.url.slice(0, q)}?${rest}`
      )
    }
  }
  return HttpClientRequest.setUrlParam(request, name, value)
}

const checkParam = (name: string, param: unknown) => {
  if (typeof param !== "string" || param === "") throw new TypeError(`${name}: param must be a non-empty string`)
}

/** @internal */
export const cursor = <P>(options: Pagination.CursorOptions<P>): Pagination.Strategy<P> => {
  checkParam("Pagination.cursor", options.param)
  return {
    name: "cursor",
    next: ({ page, request }) => {
      const next = options.next(page)
      if (next === undefined || next === null || next === "") return undefined
      return options.apply !== undefined ? options.apply(request, next) : withParam(request, options.param, next)
    }
  }
}

/** @internal */
export const numbered = (
  kind: "page" | "offset",
  param: string,
  start: number,
  pageSize: number | undefined
): Pagination.Strategy<unknown> => {
  checkParam(`Pagination.${kind}`, param)
  if (!Number.isInteger(start) || start < 0) throw new RangeError(`Pagination.page: start must be a whole number ≥ 0`)
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) {
    throw new RangeError(`Pagination.${kind}: pageSize must be a whole number > 0, got ${String(pageSize)}`)
  }
  return {
    name: kind,
    next: ({ items, request }) => {
      if (items === 0 || (pageSize !== undefined && items < pageSize)) return undefined
      const raw = paramOf(request, param)
      const current = raw === undefined ? start : Number(raw)
      if (!Number.isFinite(current)) return undefined
      return withParam(request, param, String(kind === "page" ? current + 1 : current + items))
    }
  }
}

/** A request made absolute against the page it came from, with its parameters in its URL. */
const absolute = (
  request: HttpClientRequest.HttpClientRequest,
  previous: HttpClientResponse.HttpClientResponse
): URL | undefined => {
  let base: URL | undefined
  try {
    base = new URL(request.url, urlOf(previous))
  } catch {
    return undefined
  }
  const made = Url.make(base.href, request.urlParams, undefined)
  return made._tag === "Success" ? made.success : undefined
}

/** A request as a `PageLimitError` shows it: absolute when it can be, secrets redacted. */
const shown = (
  request: HttpClientRequest.HttpClientRequest,
  previous: HttpClientResponse.HttpClientResponse
): ApiError.RequestInfo => {
  const url = absolute(request, previous)
  const redactQuery = isBufferedResponse(previous) ? previous.sent?.redactQuery : undefined
  const secrets = echoed.secretsOfResponse(previous)
  return {
    method: request.method,
    url: redactUrl(url ?? request.url, redactQuery, secrets)
  }
}

/**
 * What makes two page requests the same request: method, absolute URL (resolved against the
 * response it came from, or for the first page the one it got) and body. A body that cannot be
 * compared (a stream, a form) makes every request different. Kept as a 53-bit hash, so the set
 * of pages seen costs a number per page whatever the URLs' length.
 */
const fingerprint = (
  request: HttpClientRequest.HttpClientRequest,
  against: HttpClientResponse.HttpClientResponse
): number | undefined => {
  const url = absolute(request, against)
  if (url === undefined) return undefined
  const body = request.body
  const head = `${request.method} ${url.href}\n`
  switch (body._tag) {
    case "Empty":
      return hash53(head, undefined)
    case "Uint8Array":
      return hash53(head, body.body)
    case "Raw":
      return typeof body.body === "string" ? hash53(head + body.body, undefined) : undefined
    default:
      return undefined
  }
}

/** cyrb53, a fast 53-bit hash (public domain), of `text` then `data`. */
const hash53 = (text: string, data: Uint8Array | undefined): number => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  const mix = (c: number) => {
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i))
  if (data !== undefined) { for (let i = 0; i < data.length; i++) mix(data[i]) }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}

interface Step {
  readonly request: HttpClientRequest.HttpClientRequest
  readonly index: number
  readonly previous: HttpClientResponse.HttpClientResponse | undefined
}

/** The pages, fetched one at a time as they are pulled. @internal */
export const pages = <P, RS, A>(
  client: ApiClient.Client,
  request: HttpClientRequest.HttpClientRequest,
  options: {
    readonly schema: Schema.Decoder<P, RS>
    readonly items: (page: P) => ReadonlyArray<A>
    readonly next: Pagination.Strategy<P>
    readonly maxPages: number
  },
  PageLimitError: new(
    args: { maxPages: number; request: ApiError.RequestInfo; cycle?: number | undefined }
  ) => Pagination.PageLimitError
): Stream.Stream<readonly [P, ReadonlyArray<A>], ApiError.ApiError | Pagination.PageLimitError, RS> => {
  const { maxPages, next } = options
  if (!(Number.isInteger(maxPages) && maxPages > 0)) {
    throw new RangeError(`paginate: maxPages must be a whole number > 0, got ${String(maxPages)}`)
  }
  if (typeof next?.next !== "function") throw new TypeError("paginate: next must be a Pagination strategy")
  const decodePage = decode.jsonDecoder(options.schema)
  type Pulled = readonly [readonly [P, ReadonlyArray<A>], Step | undefined] | undefined
  return Stream.suspend(() => {
    // the requests fetched so far (at most maxPages): page numbers by fingerprint
    const seen = new Map<number, number>()
    return Stream.unfold(
      { request, index: 0, previous: undefined } as Step | undefined,
      (step): Effect.Effect<Pulled, ApiError.ApiError | Pagination.PageLimitError, RS> => {
        if (step === undefined) return Effect.succeed(undefined)
        if (step.index >= maxPages) {
          return Effect.fail(new PageLimitError({ maxPages, request: shown(step.request, step.previous!) }))
        }
        const key = step.previous === undefined ? undefined : fingerprint(step.request, step.previous)
        const before = key === undefined ? undefined : seen.get(key)
        if (before !== undefined) {
          // a next link back to a page already read: the listing would never end
          return Effect.fail(
            new PageLimitError({ maxPages, request: shown(step.request, step.previous!), cycle: before })
          )
        }
        return Effect.flatMap(client.execute(step.request), (response) =>
          Effect.map(decodePage(response), (page) => {
            // the first page's own request, resolved against where it went
            const own = key ?? fingerprint(step.request, response)
            if (own !== undefined) seen.set(own, step.index + 1)
            const items = options.items(page)
            const following = next.next({ request: step.request, response, page, items: items.length })
            // the next request may echo this one's credentials: shown with them hidden
            if (following !== undefined) echoed.builtFrom(following, response)
            return (
              [
                [page, items] as const,
                following === undefined ? undefined : { request: following, index: step.index + 1, previous: response }
              ] as const
            )
          }))
      }
    )
  })
}

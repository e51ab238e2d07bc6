/**
 * How a listing endpoint says where its next page is, for `ApiClient.paginate`: the `Link`
 * header (RFC 8288, GitHub), a cursor in the body (Stripe's `starting_after`, `next_cursor`),
 * or page and offset numbers. A strategy looks at one page and returns the request for the
 * next, or `undefined` after the last.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as ApiError from "./ApiError.js"
import * as internal from "./internal/pagination.js"

/**
 * What a strategy sees of one page.
 *
 * @since 0.2.0
 * @category models
 */
export interface PageInfo<P> {
  /** The request that fetched this page. */
  readonly request: HttpClientRequest.HttpClientRequest
  readonly response: HttpClientResponse.HttpClientResponse
  /** The page's body, decoded. */
  readonly page: P
  /** How many items the page held. */
  readonly items: number
}

/**
 * A pagination strategy: the request for the page after this one, or `undefined` when this
 * was the last.
 *
 * @since 0.2.0
 * @category models
 */
export interface Strategy<P> {
  readonly name: string
  readonly next: (info: PageInfo<P>) => HttpClientRequest.HttpClientRequest | undefined
}

/**
 * A strategy of your own.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <P>(
  name: string,
  next: (info: PageInfo<P>) => HttpClientRequest.HttpClientRequest | undefined
): Strategy<P> => ({ name, next })

/**
 * The `Link` header's `rel="next"` target (RFC 8288), as GitHub and many REST APIs send it;
 * a relative target is resolved against the page's URL. The last page has no `next`. A
 * target on another origin is refused by the client's origin lock, like any request.
 *
 * @since 0.2.0
 * @category constructors
 */
export const link = (): Strategy<unknown> => internal.link

/**
 * A cursor read from each page's body and sent as the query parameter `param` of the next
 * request (or set by `apply`, for a cursor that goes in a body). `next` returns `undefined`,
 * `null` or `""` after the last page.
 *
 * @example
 * ```ts
 * import { Pagination } from "@steady/client"
 *
 * // Stripe: `has_more`, and the last item's id as `starting_after`
 * const stripe = Pagination.cursor({
 *   param: "starting_after",
 *   next: (page: { readonly data: ReadonlyArray<{ readonly id: string }>; readonly has_more: boolean }) =>
 *     page.has_more ? page.data.at(-1)?.id : undefined
 * })
 *
 * // Slack and many others: `next_cursor` in the body
 * const slack = Pagination.cursor({
 *   param: "cursor",
 *   next: (page: { readonly response_metadata: { readonly next_cursor: string } }) =>
 *     page.response_metadata.next_cursor
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const cursor = <P>(options: CursorOptions<P>): Strategy<P> => internal.cursor(options)

/**
 * Options of `cursor`.
 *
 * @since 0.2.0
 * @category models
 */
export interface CursorOptions<P> {
  /** The query parameter that carries the cursor. */
  readonly param: string
  /** The cursor of the next page, read from this one: `undefined`, `null` or `""` after the last. */
  readonly next: (page: P) => string | null | undefined
  /** Puts the cursor in the request another way (a body field): instead of `param`. */
  readonly apply?:
    | ((request: HttpClientRequest.HttpClientRequest, cursor: string) => HttpClientRequest.HttpClientRequest)
    | undefined
}

/**
 * Page numbers in the query parameter `param` (default `"page"`): the next page is the
 * current one (read from the request, `start` when it has none; default 1) plus one. It stops
 * after an empty page, or after one with fewer than `pageSize` items when you give it (which
 * saves the request for the empty page).
 *
 * @since 0.2.0
 * @category constructors
 */
export const page = (options: {
  readonly param?: string | undefined
  readonly start?: number | undefined
  readonly pageSize?: number | undefined
} = {}): Strategy<unknown> => internal.numbered("page", options.param ?? "page", options.start ?? 1, options.pageSize)

/**
 * An item offset in the query parameter `param` (default `"offset"`): the next offset is the
 * current one (0 when the request has none) plus the items of this page. It stops like
 * `page`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const offset = (options: {
  readonly param?: string | undefined
  readonly pageSize?: number | undefined
} = {}): Strategy<unknown> => internal.numbered("offset", options.param ?? "offset", 0, options.pageSize)

/**
 * The listing had more pages than `maxPages`, or its next link led back to a page already
 * read (`cycle`: that page's number, from 1), which would never end: the stream fails rather
 * than end as if the listing were complete, or fetch the same pages until the limit. To read
 * only the first pages, take them (`Stream.take`): pages nobody reads are not fetched.
 *
 * @since 0.2.0
 * @category errors
 */
export class PageLimitError extends Data.TaggedError("PageLimitError")<{
  readonly maxPages: number
  /** The request for the page past the limit, or the repeated one, which was not sent. */
  readonly request: ApiError.RequestInfo
  /**
   * Set when the next request is one the listing already made: the number of that page.
   *
   * @since 0.3.0
   */
  readonly cycle?: number | undefined
}> {
  /** @since 0.2.0 */
  override get message(): string {
    const request = `${this.request.method} ${this.request.url} not fetched`
    return this.cycle === undefined
      ? `${request}: the listing has more than maxPages (${this.maxPages}) pages`
      : `${request}: a cycle, the listing's next link leads back to page ${this.cycle}`
  }
}

/**
 * How a listing endpoint says where its next page is, for `ApiClient.paginate`: the `Link`
 * header (RFC 8288, GitHub), a cursor in the body (Stripe's `starting_after`, `next_cursor`),
 * or page and offset numbers. A strategy looks at one page and returns the request for the
 * next, or `undefined` after the last. `Pagination.paginate` runs one over a client as a lazy
 * stream of items (`pages`: of pages).
 *
 * `ApiClient` exports `paginate`, `pages` and their types under the same names (since 0.2).
 *
 * @since 0.2.0
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as ApiClient from "./ApiClient.js"
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
 * import { Pagination } from "@steady/client-effect3"
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

/**
 * Options of `paginate` and `pages`.
 *
 * @since 0.3.0
 * @category pagination
 */
export interface PaginateOptions<P, A> {
  /** The items of a page. Optional when a page is an array of them. */
  readonly items?: ((page: P) => ReadonlyArray<A>) | undefined
  /** Where the next page is: `link()`, `cursor(…)`, `page(…)`, `offset(…)`. */
  readonly next: Strategy<P>
  /**
   * The most pages fetched: a listing with more fails with `PageLimitError` when the stream
   * reaches it, rather than ending as if it were complete. Required: a server that always
   * says there is a next page must not keep a job running forever.
   */
  readonly maxPages: number
}

/**
 * A listing endpoint as a lazy `Stream` of its items: the first request as you built it,
 * then the request the strategy derives from each page. Every page is an ordinary call
 * through the client (retries, timeouts, auth, policies, the origin lock), its body decoded
 * as JSON with `schema`. Pages are fetched as the stream is pulled: `Stream.take(n)` fetches
 * only the pages that hold the first `n` items.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { type ApiClient, Pagination } from "@steady/client-effect3"
 * import { Schema, Stream } from "effect"
 *
 * const Issue = Schema.Struct({ number: Schema.Number, title: Schema.String })
 * declare const github: ApiClient.Client
 *
 * // GitHub: an array per page, the next page in the Link header
 * const issues = Pagination.paginate(
 *   github,
 *   HttpClientRequest.get("/repos/effect-ts/effect/issues", { urlParams: { per_page: 100 } }),
 *   Schema.Array(Issue),
 *   { next: Pagination.link(), maxPages: 50 }
 * )
 * const first250 = issues.pipe(Stream.take(250), Stream.runCollect) // 3 requests
 *
 * // Stripe: the items in `data`, `starting_after` the last one while `has_more`
 * const Customers = Schema.Struct({
 *   data: Schema.Array(Schema.Struct({ id: Schema.String })),
 *   has_more: Schema.Boolean
 * })
 * declare const stripe: ApiClient.Client
 * const customers = Pagination.paginate(stripe, HttpClientRequest.get("/v1/customers"), Customers, {
 *   items: (page) => page.data,
 *   next: Pagination.cursor({ param: "starting_after", next: (page) => page.has_more ? page.data.at(-1)?.id : undefined }),
 *   maxPages: 1000
 * })
 * ```
 *
 * @since 0.3.0
 * @category pagination
 */
export const paginate: {
  <P, I, RS, A>(
    client: ApiClient.Client,
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<P, I, RS>,
    options: PaginateOptions<NoInfer<P>, A> & { readonly items: (page: P) => ReadonlyArray<A> }
  ): Stream.Stream<A, ApiError.ApiError | PageLimitError, RS>
  <A, I, RS>(
    client: ApiClient.Client,
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<ReadonlyArray<A>, I, RS>,
    options: PaginateOptions<NoInfer<ReadonlyArray<A>>, A>
  ): Stream.Stream<A, ApiError.ApiError | PageLimitError, RS>
} = <P, I, RS, A>(
  client: ApiClient.Client,
  request: HttpClientRequest.HttpClientRequest,
  schema: Schema.Schema<P, I, RS>,
  options: PaginateOptions<P, A>
): Stream.Stream<A, ApiError.ApiError | PageLimitError, RS> =>
  Stream.flattenIterables(Stream.map(pages(client, request, schema, options), (page) => page.items))

/**
 * Like `paginate`, a stream of the pages themselves (each decoded page with its items), for
 * a page's own fields (a total count, a cursor to save) or to work a page at a time.
 *
 * @since 0.3.0
 * @category pagination
 */
export const pages = <P, I, RS, A = P extends ReadonlyArray<infer X> ? X : never>(
  client: ApiClient.Client,
  request: HttpClientRequest.HttpClientRequest,
  schema: Schema.Schema<P, I, RS>,
  options: PaginateOptions<NoInfer<P>, A>
): Stream.Stream<Page<P, A>, ApiError.ApiError | PageLimitError, RS> =>
  Stream.map(
    internal.pages(client, request, {
      schema,
      items: options.items ?? ((page: P) => (Array.isArray(page) ? page : []) as ReadonlyArray<A>),
      next: options.next,
      maxPages: options.maxPages
    }, PageLimitError),
    ([page, items]): Page<P, A> => ({ page, items })
  )

/**
 * One page of a listing (`pages`).
 *
 * @since 0.3.0
 * @category pagination
 */
export interface Page<P, A> {
  readonly page: P
  readonly items: ReadonlyArray<A>
}

/**
 * Redirects, followed within one attempt when the client asks for them (`followRedirects`).
 * The policy sits above auth, so credentials are applied again on every hop that stays on the
 * origin, and never on one that leaves it; a redirect to another origin is followed only when
 * the client allows other origins.
 *
 * @internal
 */
import * as redact from "@steady/core/Redaction"
import * as Effect from "effect/Effect"
import * as HttpBody from "effect/http/HttpBody"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import { redirectSources } from "./attempt.js"
import * as bodies from "./body.js"
import * as policy from "./policy.js"

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/**
 * The request a redirect asks for, or `undefined` when it cannot be followed (no or a bad
 * Location, not http(s)). 303, and 301/302 after a POST, become a GET without a body (as
 * browsers and Python's requests do), and the body's headers go with the body; 307/308 keep
 * the method and body. Leaving the origin drops every credential header (Authorization,
 * Proxy-Authorization, Cookie, API-key headers, the `Auth` layer's) and the `Auth` layer is
 * not applied there.
 *
 * @internal
 */
export const next = (
  request: Policy.Request,
  status: number,
  location: string | undefined,
  sensitiveHeaders: ReadonlySet<string> | undefined
): Policy.Request | undefined => {
  if (location === undefined) return undefined
  let url: URL
  try {
    url = new URL(location, request.url)
  } catch {
    return undefined
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
  const toGet = status === 303 || ((status === 301 || status === 302) && request.method === "POST")
  // a redirect that keeps the body cannot send one that is readable only once again
  if (!toGet && request.body._tag !== "Empty" && bodies.isOneShot(request.body)) return undefined
  const headers: Record<string, string> = { ...request.headers }
  const leaves = url.origin !== request.url.origin
  if (leaves) {
    for (const name of Object.keys(headers)) {
      if (redact.sensitiveHeaders.has(name) || sensitiveHeaders?.has(name)) delete headers[name]
    }
  }
  let method = request.method
  let body = request.body
  if (toGet && method !== "GET" && method !== "HEAD") {
    method = "GET"
    body = HttpBody.empty
    delete headers["content-type"]
    delete headers["content-length"]
  }
  return {
    ...request,
    method,
    body,
    url,
    headers,
    hop: request.hop + 1,
    credentials: request.credentials && !leaves
  }
}

const isRedirect = (error: ApiError.ApiError): error is ApiError.UnexpectedStatusError =>
  error._tag === "UnexpectedStatusError" && redirectStatuses.has(error.status)

/** A redirect to another origin, refused: the client was not told it may send requests there. */
const otherOrigin = (request: Policy.Request, status: number, target: Policy.Request): ApiError.ConnectionError =>
  new ApiError.ConnectionError({
    request: policy.requestInfo(request),
    attempts: 1,
    reason: "OriginNotAllowed",
    sent: true,
    detail: `answered ${status} with a redirect to ${
      redact.redactUrl(target.url, target.redactQuery, target.redactValues)
    }, another origin: set allowOtherOrigins: true to follow redirects there (credentials are never sent along)`
  })

/**
 * Follows up to `max` redirects per attempt. The `Location` is read as the server sent it,
 * never from the error's masked copy; the next hop is shown with the credentials of the
 * request that got the redirect hidden. A redirect to another origin is refused unless
 * `allowOtherOrigins`.
 *
 * @internal
 */
export const followRedirects = (
  max: number,
  sensitiveHeaders: ReadonlySet<string> | undefined,
  allowOtherOrigins: boolean
): Policy.Policy =>
  policy.make({
    name: "redirects",
    stage: "attempt",
    wrap: (inner) => {
      const follow = (request: Policy.Request): Effect.Effect<Policy.Response, ApiError.ApiError> =>
        request.hop >= max ? inner(request) : Effect.catchIf(inner(request), isRedirect, (error) => {
          const source = redirectSources.get(error)
          const hop = next(request, error.status, source?.location, sensitiveHeaders)
          if (hop === undefined) return Effect.fail(error)
          const shown: Policy.Request = source === undefined || source.secrets.length === 0
            ? hop
            : { ...hop, redactValues: source.secrets }
          if (!allowOtherOrigins && hop.url.origin !== request.url.origin) {
            return Effect.fail(otherOrigin(request, error.status, shown))
          }
          return follow(shown)
        })
      return follow
    }
  })

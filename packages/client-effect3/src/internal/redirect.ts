/**
 * Redirects, followed within one attempt when the client asks for them (`followRedirects`).
 * The policy sits above auth, so credentials are applied again on every hop that stays on the
 * origin, and never on one that leaves it; a redirect to another origin is followed only when
 * the client allows other origins.
 *
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as Messages from "@steady/core/Messages"
import * as redact from "@steady/core/Redaction"
import * as Effect from "effect/Effect"
import * as ApiError from "../ApiError.js"
import type * as Policy from "../Policy.js"
import { redirectSources, undecodedBodies } from "./attempt.js"
import * as bodies from "./body.js"
import * as policy from "./policy.js"

/**
 * The request a redirect asks for, or why it cannot be followed: no or a bad Location, not
 * http(s) (`NoLocation`); a 307/308 that would send a one-shot body again (`OneShotBody`). 303, and 301/302 after a POST, become a GET without a body (as
 * browsers and Python's requests do), and the body's headers go with the body; 307/308 keep
 * the method and body. Leaving the origin drops every credential header (Authorization,
 * Proxy-Authorization, Cookie, API-key headers, the `Auth` layer's) and the `Auth` layer is
 * not applied there.
 *
 * @internal
 */
export const step = (
  request: Policy.Request,
  status: number,
  location: string | undefined,
  sensitiveHeaders: ReadonlySet<string> | undefined
): Policy.Request | Messages.RedirectStop => {
  if (location === undefined) return "NoLocation"
  let url: URL
  try {
    url = new URL(location, request.url)
  } catch {
    return "NoLocation"
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "NoLocation"
  const toGet = status === 303 || ((status === 301 || status === 302) && request.method === "POST")
  // a redirect that keeps the body cannot send one that is readable only once again
  if (!toGet && request.body._tag !== "Empty" && bodies.isOneShot(request.body)) return "OneShotBody"
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
  error._tag === "UnexpectedStatusError" && Messages.redirectStatuses.has(error.status)

/** The redirect not followed, with what was followed before it and why it stopped there. */
const stopped = (
  error: ApiError.UnexpectedStatusError,
  chain: ReadonlyArray<string>,
  limit: number,
  why: Messages.RedirectStop
): ApiError.UnexpectedStatusError => {
  const out = new ApiError.UnexpectedStatusError({ ...error, redirects: { chain, limit, stopped: why } })
  const undecoded = undecodedBodies.get(error)
  if (undecoded !== undefined) undecodedBodies.set(out, undecoded)
  return out
}

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
 * Follows up to the call's `followRedirects` redirects per attempt (none when it is 0: the
 * request passes through). The `Location` is read as the server sent it, never from the
 * error's masked copy; the next hop is shown with the credentials of the request that got the
 * redirect hidden. A redirect to another origin is refused unless `allowOtherOrigins`. A
 * redirect it stops at (the limit, a one-shot body, no usable `Location`) fails with the
 * chain followed, from the first URL (`UnexpectedStatusError.redirects`).
 *
 * @internal
 */
export const followRedirects = (
  sensitiveHeaders: ReadonlySet<string> | undefined,
  allowOtherOrigins: boolean
): Policy.Policy =>
  policy.make({
    name: "redirects",
    stage: "attempt",
    wrap: (inner) => (first) => {
      const max = first.settings.followRedirects ?? 0
      if (max === 0) return inner(first)
      const follow = (
        request: Policy.Request,
        before: ReadonlyArray<string>
      ): Effect.Effect<Policy.Response, ApiError.ApiError> =>
        Effect.catchIf(inner(request), isRedirect, (error) => {
          const chain = [...before, error.request.url]
          if (request.hop >= max) return Effect.fail(stopped(error, chain, max, "Limit"))
          const source = redirectSources.get(error)
          const hop = step(request, error.status, source?.location, sensitiveHeaders)
          if (typeof hop === "string") return Effect.fail(stopped(error, chain, max, hop))
          const shown: Policy.Request = source === undefined || source.secrets.length === 0
            ? hop
            : { ...hop, redactValues: source.secrets }
          if (!allowOtherOrigins && hop.url.origin !== request.url.origin) {
            return Effect.fail(otherOrigin(request, error.status, shown))
          }
          return follow(shown, chain)
        })
      return follow(first, [])
    }
  })

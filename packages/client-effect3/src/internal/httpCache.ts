/**
 * The HTTP cache policy: the core's RFC 9111 decisions (`@steady/core/HttpCache`) with this
 * line's store effects, coalescing, background refresh, stale-if-error, logs, metrics and
 * span events around them.
 *
 * @internal
 */
import * as Rfc from "@steady/core/HttpCache"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as ApiError from "../ApiError.js"
import type * as HttpCache from "../HttpCache.js"
import type * as Policy from "../Policy.js"
import * as policyInternal from "./policy.js"
import * as key from "./policyKey.js"
import * as retry from "./retry.js"
import * as trace from "./trace.js"

/** @internal */
export const TypeId: typeof HttpCache.TypeId = Symbol.for("@steady/client-effect3/HttpCache") as typeof HttpCache.TypeId

/** @internal */
export const header = "steady-cache"

/** @internal */
export const defaults = {
  maxEntries: 1000,
  maxBytes: 64 * 1024 * 1024,
  maxEntryBytes: 1024 * 1024,
  staleIfError: Duration.zero,
  staleWhileRevalidate: Duration.zero,
  validatorRetention: Duration.hours(24),
  maxInFlight: 1024
} as const

/** @internal */
export class StoreError extends Data.TaggedError("HttpCacheStoreError")<{
  readonly operation: "get" | "set" | "delete"
  readonly cause?: unknown
}> {}

/** Lookups by result (hit, miss, revalidated, stale). @internal */
export const lookupsTotal = Metric.counter("steady_http_cache_lookups_total", {
  description: "Cacheable calls through a steady HTTP cache, by result",
  incremental: true
})

/** Calls that joined an identical request already in flight. @internal */
export const coalescedTotal = Metric.counter("steady_http_cache_coalesced_total", {
  description: "Calls of a steady HTTP cache answered by an identical request already in flight",
  incremental: true
})

/** Store operations that failed (each is a miss, or an entry not kept). @internal */
export const storeFailuresTotal = Metric.counter("steady_http_cache_store_failures_total", {
  description: "Failed operations of a steady HTTP cache's store",
  incremental: true
})

/** The statuses this cache stores: the 2xx answers that are a whole representation. */
const storedStatuses: ReadonlySet<number> = new Set([200, 203, 204])

/** The failures a stale response may stand in for: the upstream's, and the client's own refusals. */
export const isStaleable = (error: ApiError.ApiError): boolean => {
  switch (error._tag) {
    case "ServerError":
    case "TimeoutError":
    case "CircuitOpenError":
    case "RateLimiterRejectedError":
    case "BulkheadRejectedError":
    case "RateLimitError":
      return true
    case "ConnectionError":
      return ApiError.isRetryable(error)
    default:
      return false
  }
}

const sizeOf = (k: string, entry: HttpCache.Entry): number => {
  let n = k.length + entry.body.byteLength + 64
  for (const name in entry.headers) {
    const v = entry.headers[name]
    n += name.length + (v === undefined ? 0 : typeof v === "string" ? v.length : v.join(", ").length)
  }
  for (const name in entry.vary) n += name.length + (entry.vary[name]?.length ?? 0)
  return n
}

interface Slot {
  readonly entry: HttpCache.Entry
  readonly size: number
  readonly expires: number
}

/**
 * The in-memory store: a map in least-recently-used order, bounded by entries and by bytes
 * (body, headers and key), each entry dropped at its TTL.
 *
 * @internal
 */
export const memoryStore = (options: HttpCache.MemoryStoreOptions = {}): HttpCache.Store => {
  const maxEntries = retry.number("HttpCache.memoryStore: maxEntries", options.maxEntries, defaults.maxEntries, {
    min: 1,
    whole: true
  })
  const maxBytes = retry.number("HttpCache.memoryStore: maxBytes", options.maxBytes, defaults.maxBytes, {
    min: 1,
    whole: true
  })
  const slots = new Map<string, Slot>()
  let bytes = 0
  const drop = (k: string) => {
    const slot = slots.get(k)
    if (slot === undefined) return
    slots.delete(k)
    bytes -= slot.size
  }
  return {
    get: (k) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const slot = slots.get(k)
        if (slot === undefined) return undefined
        if (slot.expires <= now) {
          drop(k)
          return undefined
        }
        // most recently used goes last
        slots.delete(k)
        slots.set(k, slot)
        return slot.entry
      }),
    set: (k, entry, ttl) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        drop(k)
        const size = sizeOf(k, entry)
        if (size > maxBytes) return
        slots.set(k, { entry, size, expires: now + Duration.toMillis(ttl) })
        bytes += size
        for (const oldest of slots.keys()) {
          if (slots.size <= maxEntries && bytes <= maxBytes) break
          drop(oldest)
        }
      }),
    delete: (k) => Effect.sync(() => drop(k))
  }
}

/** The values of the request headers that carry credentials, as part of the key. */
const credentialHeaders = ["authorization", "cookie", "proxy-authorization"] as const

/** Requests the caller made conditional or partial itself: the caller handles the answer, the cache stays out. */
const callerConditional = ["if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"]

/** The longest coalescing key (all the request's headers): a longer request is not coalesced. */
const maxCoalesceKey = 8 * 1024

class Cache implements HttpCache.HttpCache {
  readonly [TypeId]: typeof TypeId = TypeId
  readonly [policyInternal.TypeId]: typeof policyInternal.TypeId = policyInternal.TypeId
  readonly stage = "call" as const
  readonly name: string
  readonly store: HttpCache.Store
  private readonly labels: ReadonlyArray<MetricLabel.MetricLabel>
  private readonly allowances: Rfc.Allowances
  private readonly retentionMillis: number
  /** Requests in flight, by coalescing key (bounded by `maxInFlight`). */
  private readonly inFlight = new Map<string, Deferred.Deferred<Policy.Response, ApiError.ApiError>>()
  /** Entries being refreshed in the background (bounded by `maxInFlight`). */
  private readonly refreshing = new Set<string>()
  private warned = false

  constructor(readonly options: HttpCache.Settings) {
    this.name = options.name
    this.store = options.store
    this.labels = [MetricLabel.make("cache", options.name)]
    this.allowances = {
      staleIfError: Duration.toMillis(options.staleIfError),
      staleWhileRevalidate: Duration.toMillis(options.staleWhileRevalidate)
    }
    this.retentionMillis = Duration.toMillis(options.validatorRetention)
  }

  readonly wrap = (next: Policy.Handler, client: Policy.ClientInfo): Policy.Handler => {
    const clientId = client.authenticated === true ? key.clientKey(client) : undefined
    return (request) => {
      const method = request.method
      if (method === "GET" || method === "HEAD") {
        if (request.streaming !== undefined || callerConditional.some((h) => request.headers[h] !== undefined)) {
          return next(request)
        }
        return this.lookup(request, next, clientId)
      }
      if (method === "OPTIONS" || method === "TRACE") return next(request)
      return Effect.tap(next(request), (response) => this.invalidate(request, response, clientId))
    }
  }

  /** The store's key: method, URL, and the credentials the request carries (never shared across them). */
  private keyOf(request: Policy.Request, clientId: string | undefined): string {
    let k = `${request.method} ${request.url.href}`
    if (clientId !== undefined) k += ` client=${clientId}`
    for (const name of credentialHeaders) {
      const v = request.headers[name]
      if (v !== undefined) k += ` ${name}=${v}`
    }
    return k
  }

  private authenticated(request: Policy.Request, clientId: string | undefined): boolean {
    return clientId !== undefined || credentialHeaders.some((name) => request.headers[name] !== undefined)
  }

  private lookup(
    request: Policy.Request,
    next: Policy.Handler,
    clientId: string | undefined
  ): Effect.Effect<Policy.Response, ApiError.ApiError> {
    const asked = Rfc.parseCacheControl(request.headers["cache-control"])
    if (asked.noStore || asked.invalid) return next(request)
    const k = this.keyOf(request, clientId)
    const authenticated = this.authenticated(request, clientId)
    return Effect.flatMap(this.safely("get", this.store.get(k), undefined), (found) => {
      const entry = found !== undefined && Rfc.varyMatches(found.vary, request.headers) ? found : undefined
      if (entry === undefined) {
        return this.report("miss", request, {}).pipe(
          Effect.andThen(this.coalesced(request, k, this.fetch(request, next, k, undefined, asked, authenticated)))
        )
      }
      const now = request.clock.unsafeCurrentTimeMillis()
      const verdict = Rfc.decide(entry, asked, now, this.allowances)
      if (verdict._tag === "Fresh") {
        return Effect.as(this.report("hit", request, { age: verdict.age }), this.serve(entry, verdict.age, "hit", 0))
      }
      if (verdict._tag === "StaleWhileRevalidate") {
        const served = this.serve(entry, verdict.age, "stale; reason=stale-while-revalidate", 0)
        return this.report("stale", request, { age: verdict.age, reason: "stale-while-revalidate" }).pipe(
          Effect.andThen(this.refresh(request, next, k, entry, asked, authenticated)),
          Effect.as(served)
        )
      }
      return this.coalesced(request, k, this.fetch(request, next, k, entry, asked, authenticated))
    })
  }

  /** Refreshes an entry in the background, once at a time per entry; the caller does not wait. */
  private refresh(
    request: Policy.Request,
    next: Policy.Handler,
    k: string,
    entry: HttpCache.Entry,
    asked: Rfc.CacheControl,
    authenticated: boolean
  ): Effect.Effect<void> {
    if (this.refreshing.has(k) || this.refreshing.size >= this.options.maxInFlight) return Effect.void
    this.refreshing.add(k)
    const done = Effect.sync(() => this.refreshing.delete(k))
    return Effect.asVoid(
      Effect.forkDaemon(Effect.ensuring(Effect.ignore(this.fetch(request, next, k, entry, asked, authenticated)), done))
    )
  }

  /**
   * Identical requests (method, URL, every header, credentials) share one request in flight:
   * it runs in a fiber of its own, so a caller that is interrupted stops waiting and the others
   * still get the answer.
   */
  private coalesced(
    request: Policy.Request,
    k: string,
    fetch: Effect.Effect<Policy.Response, ApiError.ApiError>
  ): Effect.Effect<Policy.Response, ApiError.ApiError> {
    if (!this.options.coalesce) return fetch
    let ck = k
    for (const name of Object.keys(request.headers).sort()) {
      ck += `\n${name}: ${request.headers[name]}`
      if (ck.length > maxCoalesceKey) return fetch
    }
    const running = this.inFlight.get(ck)
    if (running !== undefined) {
      coalescedTotal.unsafeUpdate(1, this.labels)
      return Deferred.await(running)
    }
    if (this.inFlight.size >= this.options.maxInFlight) return fetch
    return Effect.uninterruptibleMask((restore) => {
      const shared = Deferred.unsafeMake<Policy.Response, ApiError.ApiError>(FiberId.none)
      this.inFlight.set(ck, shared)
      const settle = (exit: Exit.Exit<Policy.Response, ApiError.ApiError>) =>
        Effect.sync(() => {
          this.inFlight.delete(ck)
          Deferred.unsafeDone(shared, exit)
        })
      return Effect.andThen(
        Effect.forkDaemon(Effect.onExit(Effect.interruptible(fetch), settle)),
        restore(Deferred.await(shared))
      )
    })
  }

  /** Asks the origin (conditionally when there is an entry with validators) and resolves the answer. */
  private fetch(
    request: Policy.Request,
    next: Policy.Handler,
    k: string,
    entry: HttpCache.Entry | undefined,
    asked: Rfc.CacheControl,
    authenticated: boolean
  ): Effect.Effect<Policy.Response, ApiError.ApiError> {
    const conditions = entry === undefined ? undefined : Rfc.validators(entry.headers)
    const sent = conditions === undefined ? request : policyInternal.setHeaders(request, conditions)
    const requestTime = request.clock.unsafeCurrentTimeMillis()
    return Effect.matchEffect(next(sent), {
      onSuccess: (response) => this.received(request, k, response, requestTime, asked, authenticated),
      onFailure: (error) => {
        const now = request.clock.unsafeCurrentTimeMillis()
        if (entry !== undefined && ApiError.isStatusError(error) && error.status === 304) {
          if (!Rfc.notModifiedSelects(entry.headers, error.headers)) {
            // the 304 is for another representation: drop ours and ask again, unconditionally
            return Effect.andThen(
              this.safely("delete", this.store.delete(k), undefined),
              this.fetch(request, next, k, undefined, asked, authenticated)
            )
          }
          const freshened: HttpCache.Entry = {
            ...entry,
            headers: Rfc.freshen(entry.headers, error.headers),
            requestTime,
            responseTime: now
          }
          const age = Rfc.currentAge(freshened, now)
          return this.keep(k, freshened).pipe(
            Effect.andThen(this.report("revalidated", request, { age })),
            Effect.as(this.serve(freshened, age, "revalidated", error.attempts))
          )
        }
        if (entry !== undefined && isStaleable(error) && Rfc.staleIfErrorAllowed(entry, asked, now, this.allowances)) {
          const age = Rfc.currentAge(entry, now)
          return Effect.as(
            this.report("stale", request, { age, reason: "stale-if-error", error: error._tag }),
            this.serve(entry, age, `stale; reason=stale-if-error; error=${error._tag}`, error.attempts)
          )
        }
        return Effect.fail(error)
      }
    })
  }

  /** Stores a fresh answer when it may be, and hands it on marked as a miss. */
  private received(
    request: Policy.Request,
    k: string,
    response: Policy.Response,
    requestTime: number,
    asked: Rfc.CacheControl,
    authenticated: boolean
  ): Effect.Effect<Policy.Response> {
    const marked: Policy.Response = { ...response, headers: { ...response.headers, [header]: "miss" } }
    if (
      response.stream !== undefined || response.undecoded !== undefined || !storedStatuses.has(response.status) ||
      response.body.byteLength > this.options.maxEntryBytes ||
      !Rfc.isStorable({
        method: request.method,
        status: response.status,
        requestCacheControl: asked,
        headers: response.headers,
        authenticated,
        storeAuthenticated: this.options.storeAuthenticated
      })
    ) return Effect.succeed(marked)
    const fields = Rfc.varyFields(response.headers)
    const vary = typeof fields === "object" ? Rfc.varyValues(fields, request.headers) : undefined
    if (vary === undefined) return Effect.succeed(marked)
    const entry: HttpCache.Entry = {
      status: response.status,
      headers: response.headers,
      body: response.body,
      requestTime,
      responseTime: request.clock.unsafeCurrentTimeMillis(),
      vary
    }
    return Effect.as(this.keep(k, entry), marked)
  }

  private keep(k: string, entry: HttpCache.Entry): Effect.Effect<void> {
    const ttl = Rfc.retention(entry, this.allowances, this.retentionMillis)
    if (ttl <= 0) return this.safely("delete", this.store.delete(k), undefined)
    return this.safely("set", this.store.set(k, entry, Duration.millis(ttl)), undefined)
  }

  private invalidate(
    request: Policy.Request,
    response: Policy.Response,
    clientId: string | undefined
  ): Effect.Effect<void> {
    if (!Rfc.invalidates(request.method, response.status)) return Effect.void
    const targets = Rfc.invalidationTargets(request.url, response.headers)
    return Effect.forEach(targets, (url) => {
      const target = new URL(url)
      const keys = [
        this.keyOf({ ...request, method: "GET", url: target }, clientId),
        this.keyOf({ ...request, method: "HEAD", url: target }, clientId)
      ]
      return Effect.forEach(keys, (k) => this.safely("delete", this.store.delete(k), undefined), { discard: true })
    }, { discard: true })
  }

  private serve(entry: HttpCache.Entry, age: number, state: string, attempts: number): Policy.Response {
    return {
      status: entry.status,
      headers: { ...entry.headers, age: Rfc.ageHeader(age), [header]: state },
      body: entry.body,
      attempts
    }
  }

  /** A store operation that fails is a miss (or an entry not kept): counted, and warned about once. */
  private safely<A>(
    operation: "get" | "set" | "delete",
    effect: Effect.Effect<A, HttpCache.StoreError>,
    fallback: A
  ): Effect.Effect<A> {
    return Effect.catchAllCause(effect, () => {
      storeFailuresTotal.unsafeUpdate(1, [...this.labels, MetricLabel.make("operation", operation)])
      if (this.warned) return Effect.succeed(fallback)
      this.warned = true
      return Effect.as(
        Effect.annotateLogs(
          Effect.logWarning(`steady: HTTP cache ${this.name} store failed; calls go to the origin until it answers`),
          { cache: this.name, operation }
        ),
        fallback
      )
    })
  }

  private report(
    result: "hit" | "miss" | "revalidated" | "stale",
    request: Policy.Request,
    details: { readonly age?: number; readonly reason?: string; readonly error?: string }
  ): Effect.Effect<void> {
    lookupsTotal.unsafeUpdate(1, [...this.labels, MetricLabel.make("result", result)])
    return trace.event(`steady.http_cache.${result}`, {
      "steady.http_cache": this.name,
      "http.request.method": request.method,
      ...(details.age !== undefined ? { "steady.http_cache.age_seconds": Math.floor(details.age / 1000) } : {}),
      ...(details.reason !== undefined ? { "steady.http_cache.reason": details.reason } : {}),
      ...(details.error !== undefined ? { "error.type": details.error } : {})
    })
  }
}

let anonymous = 0

/** @internal */
export const unsafeMake = (options: HttpCache.Options = {}): HttpCache.HttpCache => {
  const o = "HttpCache"
  if (options.store !== undefined && (options.maxEntries !== undefined || options.maxBytes !== undefined)) {
    throw new TypeError(`${o}: maxEntries and maxBytes bound the memory store; give them to the store you pass instead`)
  }
  return new Cache({
    name: options.name ?? `cache-${++anonymous}`,
    store: options.store ?? memoryStore({ maxEntries: options.maxEntries, maxBytes: options.maxBytes }),
    maxEntryBytes: retry.number(`${o}: maxEntryBytes`, options.maxEntryBytes, defaults.maxEntryBytes, {
      min: 1,
      whole: true
    }),
    staleIfError: retry.duration(`${o}: staleIfError`, options.staleIfError ?? defaults.staleIfError, false),
    staleWhileRevalidate: retry.duration(
      `${o}: staleWhileRevalidate`,
      options.staleWhileRevalidate ?? defaults.staleWhileRevalidate,
      false
    ),
    validatorRetention: retry.duration(
      `${o}: validatorRetention`,
      options.validatorRetention ?? defaults.validatorRetention,
      false
    ),
    storeAuthenticated: options.storeAuthenticated ?? false,
    coalesce: options.coalesce ?? true,
    maxInFlight: retry.number(`${o}: maxInFlight`, options.maxInFlight, defaults.maxInFlight, { min: 1, whole: true })
  })
}

/** @internal */
export const isHttpCache = (u: unknown): u is HttpCache.HttpCache => typeof u === "object" && u !== null && TypeId in u

/** @internal */
export const tag = Context.GenericTag<HttpCache.HttpCache>("@steady/client-effect3/HttpCache")

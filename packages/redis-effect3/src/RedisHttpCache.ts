/**
 * A store for `HttpCache` on Redis, for a fleet: one process's answer is every process's hit.
 *
 * - Each entry is one Redis string (`<prefix>:httpcache:<sha-256 of the cache key>`: the key
 *   holds the URL and the credentials a request carries, Redis sees only their hash), set with
 *   `PX` from the entry's TTL (its freshness plus its stale allowances), so Redis drops it when
 *   it is no longer of use.
 * - Bodies longer than `maxResponseBytes` are not stored, and a stored value longer than the
 *   bound (or not an entry) is a miss: Redis is not trusted to stay within what was written.
 * - Every command is bounded by the connection's `commandTimeout`. A Redis that is down, slow
 *   or unreachable fails the operation with `HttpCache.StoreError`, which the cache counts and
 *   treats as a miss: the call goes to the origin.
 *
 * @example
 * ```ts
 * import { ApiClient, HttpCache } from "@steady/client-effect3"
 * import { Redis, RedisHttpCache } from "@steady/redis-effect3"
 * import { Config, Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const store = yield* RedisHttpCache.store()
 *   const cache = yield* HttpCache.make({ store, staleIfError: "1 hour" })
 *   return yield* ApiClient.make({ baseUrl: "https://api.example", policies: [cache] })
 * }).pipe(Effect.provide(Redis.layerConfig()))
 * ```
 *
 * @since 0.3.0
 */
import { HttpCache } from "@steady/client-effect3"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { createHash } from "node:crypto"
import * as Redis from "./Redis.js"

/**
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /** A response whose body is longer is not stored, and a longer stored value is not read (≥ 1). Default: 1 MiB. */
  readonly maxResponseBytes?: number | undefined
}

/** What an entry's headers, times and Vary'd values may add to its body, encoded. */
const overhead = 64 * 1024

const hash = (key: string) => createHash("sha256").update(key).digest("base64url")

const isHeaders = (u: unknown): u is HttpCache.Entry["headers"] =>
  typeof u === "object" && u !== null &&
  Object.values(u).every((v) => typeof v === "string" || (Array.isArray(v) && v.every((s) => typeof s === "string")))

const isVary = (u: unknown): u is HttpCache.Entry["vary"] =>
  typeof u === "object" && u !== null && Object.values(u).every((v) => typeof v === "string" || v === null)

/** An entry as stored: the body in base64. */
const encode = (entry: HttpCache.Entry): string =>
  JSON.stringify({
    ...entry,
    body: Buffer.from(entry.body.buffer, entry.body.byteOffset, entry.body.byteLength).toString("base64")
  })

/** A stored value back to an entry; anything else is `undefined` (a miss). */
const decode = (value: string, maxBytes: number): HttpCache.Entry | undefined => {
  if (value.length > Math.ceil(maxBytes / 3) * 4 + overhead) return undefined
  try {
    const u = JSON.parse(value) as Record<string, unknown>
    if (
      typeof u.status !== "number" || typeof u.requestTime !== "number" || typeof u.responseTime !== "number" ||
      typeof u.body !== "string" || !isHeaders(u.headers) || !isVary(u.vary)
    ) return undefined
    const body = new Uint8Array(Buffer.from(u.body, "base64"))
    if (body.byteLength > maxBytes) return undefined
    return {
      status: u.status,
      headers: u.headers,
      body,
      requestTime: u.requestTime,
      responseTime: u.responseTime,
      vary: u.vary
    }
  } catch {
    return undefined
  }
}

const failed = (operation: "get" | "set" | "delete") => (cause: unknown) =>
  new HttpCache.StoreError({ operation, cause })

/**
 * A store on the `Redis` connection in context.
 *
 * @since 0.3.0
 * @category constructors
 */
export const store = (options: Options = {}): Effect.Effect<HttpCache.Store, never, Redis.Redis> =>
  Effect.map(Redis.Redis, (redis) => {
    const maxBytes = options.maxResponseBytes ?? 1024 * 1024
    if (!(Number.isInteger(maxBytes) && maxBytes >= 1)) {
      throw new RangeError(`RedisHttpCache: maxResponseBytes must be a whole number ≥ 1, got ${String(maxBytes)}`)
    }
    const keyOf = (key: string) => `${redis.prefix}:httpcache:${hash(key)}`
    return {
      get: (key) =>
        Effect.tryPromise({ try: () => redis.client.get(keyOf(key)), catch: failed("get") }).pipe(
          Effect.map((value) => (typeof value === "string" ? decode(value, maxBytes) : undefined))
        ),
      set: (key, entry, ttl) => {
        if (entry.body.byteLength > maxBytes) return Effect.void
        const millis = Math.max(1, Math.ceil(Duration.toMillis(ttl)))
        if (!Number.isFinite(millis)) return Effect.void
        return Effect.asVoid(
          Effect.tryPromise({
            try: () => redis.client.set(keyOf(key), encode(entry), "PX", millis),
            catch: failed("set")
          })
        )
      },
      delete: (key) =>
        Effect.asVoid(Effect.tryPromise({ try: () => redis.client.del(keyOf(key)), catch: failed("delete") }))
    }
  })

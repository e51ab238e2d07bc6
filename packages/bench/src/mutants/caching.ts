import { area, client, client4, core, coreTests, src, src4 } from "./types.js"

const both = (file: string, id: string, promise: string, find: string, replace: string) => [
  { id, promise, file: `${src}${file}`, find, replace, tests: client("HttpCache") },
  {
    id: `${id}-effect4`,
    promise: `${promise} (Effect 4)`,
    file: `${src4}${file}`,
    find: find.replace("forkDaemon", "forkDetach").replace("catchAllCause", "catchCause"),
    replace: replace.replace("Effect.fork(", "Effect.forkChild("),
    tests: client4("HttpCache")
  }
]

const redisBoth = (id: string, promise: string, find: string, replace: string) => [
  {
    id,
    promise,
    file: "packages/redis-effect3/src/RedisHttpCache.ts",
    find,
    replace,
    tests: ["packages/redis-effect3/test/RedisHttpCache.test.ts"]
  },
  {
    id: `${id}-effect4`,
    promise: `${promise} (Effect 4)`,
    file: "packages/redis/src/RedisHttpCache.ts",
    find,
    replace,
    tests: ["packages/redis/test/RedisHttpCache.test.ts"]
  }
]

/** The HTTP cache: the core's RFC 9111 decisions, and the policy on both lines. */
export const caching = area("Caching", [
  {
    id: "cache-no-store-stored",
    promise: "a response that says no-store is never stored (RFC 9111 §5.2.2.5)",
    file: `${core}HttpCache.ts`,
    find: "if (cc.invalid || cc.noStore) return false",
    replace: "if (cc.invalid) return false",
    tests: [...coreTests("HttpCache"), ...client("HttpCache")]
  },
  {
    id: "cache-vary-ignored",
    promise: "a stored response answers only requests whose Vary'd headers match (§4.1)",
    file: `${core}HttpCache.ts`,
    find: "if ((normalize(headerValue(requestHeaders, name)) ?? null) !== stored[name]) return false",
    replace: "if (false) return false",
    tests: [...coreTests("HttpCache"), ...client("HttpCache")]
  },
  {
    id: "cache-vary-star-stored",
    promise: "a response with Vary: * is never stored: it can never match (§4.1)",
    file: `${core}HttpCache.ts`,
    find: "if (name === \"*\") return \"*\"",
    replace: "if (false) return \"*\"",
    tests: [...coreTests("HttpCache"), ...client("HttpCache")]
  },
  {
    id: "cache-authorization-stored",
    promise:
      "an answer to a request with credentials is stored only when public, s-maxage, must-revalidate or opted in (§3.5)",
    file: `${core}HttpCache.ts`,
    find: "input.authenticated && !input.storeAuthenticated && !cc.public",
    replace: "false && !input.storeAuthenticated && !cc.public",
    tests: [...coreTests("HttpCache"), ...client("HttpCache")]
  },
  {
    id: "cache-stale-past-allowance",
    promise: "a stale entry stands in for a failure only within its stale-if-error allowance (RFC 5861 §4)",
    file: `${core}HttpCache.ts`,
    find: "return staleness < allowance",
    replace: "return true",
    tests: [...coreTests("HttpCache"), ...client("HttpCache")]
  },
  {
    id: "cache-must-revalidate-stale",
    promise: "must-revalidate forbids serving a stale entry on error (§4.2.4)",
    file: `${core}HttpCache.ts`,
    find: "if (cc.mustRevalidate || cc.invalid) return false",
    replace: "if (cc.invalid) return false",
    tests: coreTests("HttpCache")
  },
  {
    id: "cache-304-not-freshened",
    promise: "a 304 freshens the stored response's headers (§4.3.4)",
    file: `${core}HttpCache.ts`,
    find: "if (!keptOnFreshen.has(name) && notModified[name] !== undefined) out[name] = notModified[name]",
    replace: "if (false) out[name] = notModified[name]",
    tests: [...coreTests("HttpCache"), ...client("HttpCache")]
  },
  ...both(
    "httpCache.ts",
    "cache-coalesced-interrupt-cancels",
    "interrupting the caller that started a coalesced request does not cancel it for the others",
    "Effect.forkDaemon(Effect.onExit(Effect.interruptible(fetch), settle))",
    "Effect.fork(Effect.onExit(Effect.interruptible(fetch), settle))"
  ),
  ...both(
    "httpCache.ts",
    "cache-no-coalescing",
    "identical requests in flight share one request",
    "if (running !== undefined) {",
    "if (false) {"
  ),
  ...both(
    "httpCache.ts",
    "cache-no-invalidation",
    "an unsafe method that succeeds invalidates the URL (§4.4)",
    "if (!Rfc.invalidates(request.method, response.status)) return Effect.void",
    "if (true) return Effect.void"
  ),
  ...both(
    "httpCache.ts",
    "cache-in-flight-unbounded",
    "at most maxInFlight requests are coalesced at once (the in-flight map is bounded)",
    "if (this.inFlight.size >= this.options.maxInFlight) return fetch",
    "if (false) return fetch"
  ),
  ...both(
    "httpCache.ts",
    "cache-coalesce-key-unbounded",
    "a request whose headers pass the coalescing key's bound is not coalesced (the key is bounded)",
    "if (ck.length > maxCoalesceKey) return fetch",
    "if (false) return fetch"
  ),
  ...both(
    "httpCache.ts",
    "cache-invalidation-misses-authenticated",
    "an unsafe method invalidates the entries of a client with an Auth layer too (§4.4)",
    "this.keyOf({ ...request, method: \"GET\", url: target }, clientId)",
    "this.keyOf({ ...request, method: \"GET\", url: target }, undefined)"
  ),
  ...both(
    "httpCache.ts",
    "cache-auth-client-shared",
    "entries of a client with an Auth layer are never served to another client",
    "if (clientId !== undefined) k += ` client=${clientId}`",
    ""
  ),
  ...both(
    "httpCache.ts",
    "cache-refresh-unbounded",
    "stale-while-revalidate refreshes an entry at most once at a time",
    "if (this.refreshing.has(k) ||",
    "if (false ||"
  ),
  ...both(
    "httpCache.ts",
    "cache-store-failure-fails-call",
    "a store that fails is a miss, never a failed call",
    "if (this.warned) return Effect.succeed(fallback)",
    "if (this.warned) return Effect.die(\"store failed\")"
  ),
  ...both(
    "httpCache.ts",
    "cache-warns-every-failure",
    "a failing store is warned about once",
    "this.warned = true",
    "this.warned = false"
  ),
  ...both(
    "httpCache.ts",
    "cache-lru-ignores-use",
    "the memory store drops the least recently used entry, not the oldest stored",
    "slots.delete(k)\n        slots.set(k, slot)",
    ""
  ),
  ...both(
    "httpCache.ts",
    "cache-refresh-cap-ignored",
    "at most maxInFlight entries are refreshed in the background at once (the refreshing set is bounded)",
    " || this.refreshing.size >= this.options.maxInFlight",
    ""
  ),
  ...both(
    "httpCache.ts",
    "cache-lru-set-in-place",
    "the memory store: a key set again moves to most recently used and its old bytes are released",
    "drop(k)\n        const size = sizeOf(k, entry)",
    "const size = sizeOf(k, entry)"
  ),
  ...redisBoth(
    "redis-cache-read-unbounded",
    "a stored value longer than the reader's bound (body plus 64 KiB) is a miss, never parsed",
    "if (value.length > Math.ceil(maxBytes / 3) * 4 + overhead) return undefined",
    ""
  ),
  ...redisBoth(
    "redis-cache-ttl-ignored",
    "a Redis entry expires with its freshness and allowances (the TTL comes from freshness)",
    "\"PX\"",
    "\"EX\""
  ),
  ...redisBoth(
    "redis-cache-key-in-clear",
    "Redis sees a hash of the cache key, never the URL or the credentials in it",
    "`${redis.prefix}:httpcache:${hash(key)}`",
    "`${redis.prefix}:httpcache:${key}`"
  ),
  ...redisBoth(
    "redis-cache-body-unbounded",
    "a body longer than maxResponseBytes is not stored in Redis",
    "if (entry.body.byteLength > maxBytes) return Effect.void",
    "if (false) return Effect.void"
  )
])

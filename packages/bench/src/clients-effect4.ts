/**
 * The Effect 4 rows, run on Node 22 with effect 4 (bench.ts bundles this file with `effect`
 * taken from packages/client): steady's Effect 4 line on its pool and on Effect 4's own fetch
 * client, plain Effect 4 on that fetch client, and raw undici on the same Node, so each line
 * is measured against undici on the Node it runs on.
 */
import {
  ApiClient,
  Auth,
  CircuitBreaker,
  ConnectionPool,
  HttpCache,
  RateLimiter,
  Retry,
  RetryBudget
} from "@steady/client"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Undici from "undici"
import type { Client, Method } from "./measure.js"

const CONNECTIONS = 32
const postBody = { name: "Rex", tag: "dog", status: "available" }
const postText = JSON.stringify(postBody)

class Pet extends Schema.Class<Pet>("Pet")({
  id: Schema.Number,
  name: Schema.String,
  tag: Schema.String,
  status: Schema.String
}) {}

const effectClient = <E, R>(
  layer: Layer.Layer<R, E>,
  build: Effect.Effect<() => Effect.Effect<unknown, unknown>, never, R>
): Client => {
  const runtime = ManagedRuntime.make(layer)
  let send: (() => Effect.Effect<unknown, unknown>) | undefined
  let building: Promise<() => Effect.Effect<unknown, unknown>> | undefined
  return {
    send: () => {
      if (send !== undefined) return runtime.runPromise(send())
      building ??= runtime.runPromise(build)
      return building.then((s) => {
        send = s
        return runtime.runPromise(s())
      })
    },
    close: () => runtime.dispose()
  }
}

/** Effect 4's fetch client on undici's fetch over an Agent of 32 connections. */
const fetchLayer = () => {
  const agent = new Undici.Agent({ connections: CONNECTIONS })
  const fetch = ((input: string | URL | Request, init?: RequestInit) =>
    Undici.fetch(
      input as never,
      { ...(init as object), dispatcher: agent } as never
    )) as unknown as typeof globalThis.fetch
  return FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)))
}

const steadyClient = <E>(
  origin: string,
  method: Method,
  pool: Layer.Layer<HttpClient.HttpClient, E>,
  options: ApiClient.Options = {},
  getPath = "/pets/1"
): Client =>
  effectClient(
    Layer.merge(pool, Auth.layerBearer(Redacted.make("bench-token"))),
    Effect.map(ApiClient.make({ baseUrl: origin, ...options }), (client) => {
      const json = ApiClient.json(Pet)
      const post = HttpClientRequest.post("/pets").pipe(HttpClientRequest.bodyJsonUnsafe(postBody))
      return () => (method === "GET" ? json(client.get(getPath)) : json(client.execute(post)))
    })
  )

export const clients: Record<string, (origin: string, method: Method) => Client> = {
  "undici@node22": (origin, method) => {
    const agent = new Undici.Agent({ connections: CONNECTIONS })
    const url = method === "GET" ? `${origin}/pets/1` : `${origin}/pets`
    return {
      send: async () => {
        const res = await Undici.request(
          url,
          method === "GET"
            ? { dispatcher: agent }
            : { dispatcher: agent, method, headers: { "content-type": "application/json" }, body: postText }
        )
        return res.body.json()
      },
      close: () => agent.close()
    }
  },
  // the floor of any Effect client on undici: one Effect per call around undici.request
  "effect4-undici@effect4": (origin, method) => {
    const agent = new Undici.Agent({ connections: CONNECTIONS })
    const url = method === "GET" ? `${origin}/pets/1` : `${origin}/pets`
    const runtime = ManagedRuntime.make(Layer.empty)
    const call = Effect.promise(async () => {
      const res = await Undici.request(
        url,
        method === "GET"
          ? { dispatcher: agent }
          : { dispatcher: agent, method, headers: { "content-type": "application/json" }, body: postText }
      )
      return res.body.json()
    })
    return {
      send: () => runtime.runPromise(call),
      close: () => Promise.all([agent.close(), runtime.dispose()]).then(() => {})
    }
  },
  "effect4-fetch": (origin, method) =>
    effectClient(
      fetchLayer(),
      Effect.map(HttpClient.HttpClient, (client) => () =>
        (method === "GET"
          ? client.get(`${origin}/pets/1`)
          : client.execute(HttpClientRequest.post(`${origin}/pets`).pipe(HttpClientRequest.bodyJsonUnsafe(postBody))))
          .pipe(Effect.flatMap((r) => r.json)))
    ),
  "steady@effect4": (origin, method) =>
    steadyClient(origin, method, ConnectionPool.layer({ connections: CONNECTIONS })),
  "steady-generic@effect4": (origin, method) => steadyClient(origin, method, fetchLayer()),
  // steady@effect4 with an HttpCache, every GET after the first a hit (public, max-age=3600)
  "steady-cache-hit@effect4": (origin, method) =>
    steadyClient(
      origin,
      method,
      ConnectionPool.layer({ connections: CONNECTIONS }),
      { policies: [HttpCache.unsafeMake()] },
      "/pets/1?cached"
    ),
  // steady@effect4 with a rate limiter and a circuit breaker in memory (a limit high enough never
  // to wait): what the Redis rows are measured against
  "steady-resilient@effect4": (origin, method) => redisClient(origin, method, "memory"),
  // a rate limiter on a local redis-server (the bench starts one: STEADY_BENCH_REDIS_URL), on
  // Effect's Redis RateLimiterStore: with leases of 5 (the default), and without (a round-trip
  // per call)
  "steady-redis@effect4": (origin, method) => redisClient(origin, method, "limiter", 5),
  "steady-redis-lease1@effect4": (origin, method) => redisClient(origin, method, "limiter", 1),
  // the limiter (leases of 5), the circuit breaker (Effect's, on its Redis store) and the retry
  // budget all on Redis: against steady-resilient@effect4
  "steady-redis-all@effect4": (origin, method) => redisClient(origin, method, "all", 5)
}

/**
 * The Redis rows (and their in-memory twin). @steady/redis is loaded only by its own rows, as
 * the Effect 3 rows load @steady/redis-effect3 (clients.ts says why).
 */
function redisClient(origin: string, method: Method, shared: "memory" | "limiter" | "all", lease = 5): Client {
  const url = process.env.STEADY_BENCH_REDIS_URL
  if (shared !== "memory" && url === undefined) {
    throw new Error("steady-redis needs STEADY_BENCH_REDIS_URL (npm run bench starts redis-server)")
  }
  let client: Client | undefined
  const loading = import("@steady/redis").then(({ Redis, RedisCircuitBreaker, RedisRateLimiter, RedisRetryBudget }) => {
    const limit = { limit: 1_000_000, interval: "1 second", key: "origin" } as const
    const policies = shared === "memory"
      ? Layer.mergeAll(
        RateLimiter.layer(limit),
        Layer.succeed(RedisCircuitBreaker.RedisCircuitBreaker, CircuitBreaker.unsafeMake()),
        RetryBudget.layer()
      )
      : Layer.mergeAll(
        RedisRateLimiter.layer({ ...limit, name: "bench", lease }),
        shared === "all"
          ? RedisCircuitBreaker.layer({ name: "bench" })
          : Layer.succeed(RedisCircuitBreaker.RedisCircuitBreaker, CircuitBreaker.unsafeMake()),
        shared === "all" ? RedisRetryBudget.layer({ name: "bench" }) : RetryBudget.layer()
      ).pipe(Layer.provide(Redis.layer({ url: Redacted.make(url!), prefix: `bench-${process.pid}` })))
    return client = effectClient(
      Layer.mergeAll(
        ConnectionPool.layer({ connections: CONNECTIONS }),
        Auth.layerBearer(Redacted.make("bench-token")),
        policies
      ),
      Effect.flatMap(
        Effect.all([RateLimiter.RateLimiter, RedisCircuitBreaker.RedisCircuitBreaker, RetryBudget.RetryBudget]),
        ([limiter, breaker, budget]) =>
          Effect.map(
            ApiClient.make({
              baseUrl: origin,
              // the in-memory twin has both policies; the limiter-only rows the limiter alone
              policies: shared === "limiter" ? [limiter] : [limiter, breaker],
              retry: Retry.standard({ budget })
            }),
            (api) => {
              const json = ApiClient.json(Pet)
              const post = HttpClientRequest.post("/pets").pipe(HttpClientRequest.bodyJsonUnsafe(postBody))
              return () => (method === "GET" ? json(api.get("/pets/1")) : json(api.execute(post)))
            }
          )
      )
    )
  })
  return {
    send: () => (client !== undefined ? client.send() : loading.then((c) => c.send())),
    close: () => loading.then((c) => c.close())
  }
}

/**
 * One function per client under test. Each returns `send`, which makes one request and
 * decodes the JSON body, and `close`. Every client keeps connections alive, at most 32.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import {
  ApiClient,
  Auth,
  CircuitBreaker,
  ConnectionPool,
  HttpCache,
  RateLimiter,
  Retry,
  RetryBudget
} from "@steady/client-effect3"
import axios from "axios"
import { Effect, Layer, ManagedRuntime, Redacted, Schedule, Schema } from "effect"
import got from "got"
import ky from "ky"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Undici from "undici"

import type { Client, Method } from "./measure.js"

export type { Client, Method }

const CONNECTIONS = 32
const postBody = { name: "Rex", tag: "dog", status: "available" }
const postText = JSON.stringify(postBody)

class Pet extends Schema.Class<Pet>("Pet")({
  id: Schema.Number,
  name: Schema.String,
  tag: Schema.String,
  status: Schema.String
}) {}
const PetInput = Schema.Struct({ name: Schema.String, tag: Schema.String, status: Schema.String })

const effectClient = <E, R>(
  layer: Layer.Layer<R, E>,
  build: Effect.Effect<() => Effect.Effect<unknown, unknown>, never, R>
): Client => {
  const runtime = ManagedRuntime.make(layer)
  let send: (() => Effect.Effect<unknown, unknown>) | undefined
  // built on the first call: synchronously when the layers are (every row but Redis's, which
  // connects first), so that no row pays a promise per call for it
  let building: Promise<() => Effect.Effect<unknown, unknown>> | undefined
  return {
    send: () => {
      if (send !== undefined) return runtime.runPromise(send())
      const built = runtime.runSyncExit(build)
      if (built._tag === "Success") {
        send = built.value
        return runtime.runPromise(send())
      }
      building ??= runtime.runPromise(build)
      return building.then((s) => {
        send = s
        return runtime.runPromise(s())
      })
    },
    close: () => runtime.dispose()
  }
}

const undiciLayer = () =>
  NodeHttpClient.layerUndici.pipe(
    Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, new Undici.Agent({ connections: CONNECTIONS })))
  )

export const clients: Record<string, (origin: string, method: Method) => Client> = {
  undici: (origin, method) => {
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
  fetch: (origin, method) => {
    const url = method === "GET" ? `${origin}/pets/1` : `${origin}/pets`
    return {
      send: async () => {
        const res = await fetch(
          url,
          method === "GET" ? undefined : {
            method,
            headers: { "content-type": "application/json" },
            body: postText
          }
        )
        return res.json()
      },
      close: async () => {}
    }
  },
  axios: (origin, method) => {
    const agent = new Http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
    const instance = axios.create({ baseURL: origin, httpAgent: agent })
    return {
      send: async () =>
        (method === "GET" ? await instance.get("/pets/1") : await instance.post("/pets", postBody)).data,
      close: async () => agent.destroy()
    }
  },
  got: (origin, method) => {
    const agent = new Http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
    const instance = got.extend({ prefixUrl: origin, agent: { http: agent }, retry: { limit: 0 } })
    return {
      send: () => (method === "GET" ? instance.get("pets/1").json() : instance.post("pets", { json: postBody }).json()),
      close: async () => agent.destroy()
    }
  },
  ky: (origin, method) => {
    const instance = ky.create({ prefixUrl: origin, retry: 0 })
    return {
      send: () => (method === "GET" ? instance.get("pets/1").json() : instance.post("pets", { json: postBody }).json()),
      close: async () => {}
    }
  },
  "effect-platform": (origin, method) =>
    effectClient(
      undiciLayer(),
      Effect.map(HttpClient.HttpClient, (client) => () =>
        (method === "GET"
          ? client.get(`${origin}/pets/1`)
          : client.execute(HttpClientRequest.post(`${origin}/pets`).pipe(HttpClientRequest.bodyUnsafeJson(postBody))))
          .pipe(Effect.flatMap((r) => r.json)))
    ),
  "effect-pipeline": (origin, method) =>
    effectClient(
      undiciLayer(),
      Effect.map(HttpClient.HttpClient, (base) => {
        const client = base.pipe(
          HttpClient.mapRequest(HttpClientRequest.prependUrl(origin)),
          HttpClient.mapRequest(HttpClientRequest.bearerToken("bench-token")),
          HttpClient.filterStatusOk,
          HttpClient.retryTransient({ schedule: Schedule.exponential("100 millis"), times: 2 })
        )
        const decode = HttpClientResponse.schemaBodyJson(Pet)
        const encode = HttpClientRequest.schemaBodyJson(PetInput)
        return () =>
          (method === "GET"
            ? client.get("/pets/1")
            : Effect.flatMap(encode(HttpClientRequest.post("/pets"), postBody), client.execute))
            .pipe(Effect.flatMap(decode), Effect.timeout("10 seconds"))
      })
    ),
  steady: (origin, method) => steadyClient(origin, method, ConnectionPool.layer({ connections: CONNECTIONS })),
  // steady with a user schedule (Retry.fromSchedule, run through Effect.retry)
  "steady-schedule": (origin, method) =>
    steadyClient(origin, method, ConnectionPool.layer({ connections: CONNECTIONS }), {
      retry: Retry.fromSchedule(
        Schedule.exponential("100 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(2)))
      )
    }),
  // steady with a circuit breaker and a rate limiter (a limit high enough never to wait,
  // learning from every response's headers): what the resilience policies cost per call
  "steady-resilient": (origin, method) =>
    steadyClient(origin, method, ConnectionPool.layer({ connections: CONNECTIONS }), {
      policies: [
        RateLimiter.unsafeMake({ limit: 1_000_000, interval: "1 second" }),
        CircuitBreaker.unsafeMake()
      ]
    }),
  // steady with an HttpCache, every GET after the first a hit (the server says public,
  // max-age=3600): what a hit costs, against undici's request
  "steady-cache-hit": (origin, method) =>
    steadyClient(
      origin,
      method,
      ConnectionPool.layer({ connections: CONNECTIONS }),
      { policies: [HttpCache.unsafeMake()] },
      "/pets/1?cached"
    ),
  // a rate limiter on a local redis-server (the bench starts one: STEADY_BENCH_REDIS_URL),
  // with leases of 5 permits (the default) and without
  "steady-redis": (origin, method) => redisClient(origin, method, 5, false),
  "steady-redis-lease1": (origin, method) => redisClient(origin, method, 1, false),
  // the limiter, the circuit breaker and the retry budget all on Redis: against steady-resilient
  "steady-redis-all": (origin, method) => redisClient(origin, method, 5, true),
  // HTTP/2 against HTTP/1.1, both over TLS (`--http2`): one h2 connection carrying every
  // request as a stream, against 32 HTTP/1.1 connections
  "steady-h2": (_origin, method) =>
    steadyClient(
      tlsOrigin("STEADY_BENCH_H2_ORIGIN"),
      method,
      ConnectionPool.layer({ connections: 1, http2: true, tls: { ca: tlsCa() }, proxy: false })
    ),
  "steady-h1-tls": (_origin, method) =>
    steadyClient(
      tlsOrigin("STEADY_BENCH_TLS_ORIGIN"),
      method,
      ConnectionPool.layer({ connections: CONNECTIONS, tls: { ca: tlsCa() }, proxy: false })
    ),
  // steady on a plain @effect/platform undici client: the generic transport
  "steady-generic": (origin, method) => steadyClient(origin, method, undiciLayer())
}

/**
 * @steady/redis-effect3 is loaded only by its own rows. Imported at the top, it changed how
 * esbuild laid out the bundle, and the steady-generic row measured 12% slower (225.8 → 252.7
 * µs/req over 10 rounds) though it never touches it. An artifact of the bundle, not a cost of the
 * library: run unbundled, steady-generic measured the same with the package (then named
 * @steady/redis) loaded (`--import`) and without (280.8 against 278.4 µs/req, medians of 7;
 * docs/performance.md).
 */
function redisClient(origin: string, method: Method, lease: number, all: boolean): Client {
  const url = process.env.STEADY_BENCH_REDIS_URL
  if (url === undefined) {
    throw new Error("steady-redis needs STEADY_BENCH_REDIS_URL (npm run bench starts redis-server)")
  }
  let client: Client | undefined
  const loading = import("@steady/redis-effect3").then(
    ({ Redis, RedisCircuitBreaker, RedisRateLimiter, RedisRetryBudget }) => {
      const redis = Redis.layer({ url: Redacted.make(url), prefix: `bench-${process.pid}` })
      const limits = RedisRateLimiter.layer({ name: "bench", limit: 1_000_000, interval: "1 second", lease })
      const shared = all
        ? Layer.merge(RedisCircuitBreaker.layer({ name: "bench" }), RedisRetryBudget.layer({ name: "bench" }))
        : Layer.merge(CircuitBreaker.layer(), RetryBudget.layer())
      return client = effectClient(
        Layer.mergeAll(
          ConnectionPool.layer({ connections: CONNECTIONS }),
          Auth.layerBearer(Redacted.make("bench-token")),
          Layer.merge(limits, shared).pipe(Layer.provide(redis))
        ),
        Effect.flatMap(
          Effect.all([RateLimiter.RateLimiter, CircuitBreaker.CircuitBreaker, RetryBudget.RetryBudget]),
          ([limiter, breaker, budget]) =>
            Effect.map(
              ApiClient.make({
                baseUrl: origin,
                policies: all ? [limiter, breaker] : [limiter],
                retry: Retry.standard({ budget })
              }),
              (api) => {
                const json = ApiClient.json(Pet)
                const post = HttpClientRequest.post("/pets").pipe(HttpClientRequest.bodyUnsafeJson(postBody))
                return () => (method === "GET" ? json(api.get("/pets/1")) : json(api.execute(post)))
              }
            )
        )
      )
    }
  )
  return {
    send: () => (client !== undefined ? client.send() : loading.then((c) => c.send())),
    close: () => loading.then((c) => c.close())
  }
}

/** The TLS server of the HTTP/2 rows (bench.ts starts it and sets these). */
const tlsOrigin = (name: string) => {
  const origin = process.env[name]
  if (origin === undefined) throw new Error("the HTTP/2 rows need STEADY_BENCH_TLS_ORIGIN (npm run bench -- --http2)")
  return origin
}
const tlsCa = () => Fs.readFileSync(process.env.STEADY_BENCH_TLS_CERT!, "utf8")

function steadyClient<E>(
  origin: string,
  method: Method,
  pool: Layer.Layer<HttpClient.HttpClient, E>,
  options: ApiClient.Options = {},
  getPath = "/pets/1"
): Client {
  return effectClient(
    Layer.merge(pool, Auth.layerBearer(Redacted.make("bench-token"))),
    Effect.map(ApiClient.make({ baseUrl: origin, ...options }), (client) => {
      const json = ApiClient.json(Pet)
      const post = HttpClientRequest.post("/pets").pipe(HttpClientRequest.bodyUnsafeJson(postBody))
      return () => (method === "GET" ? json(client.get(getPath)) : json(client.execute(post)))
    })
  )
}

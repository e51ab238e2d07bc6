// The consumer test's sample: what a new user writes after `npm install @steady/client-effect3`,
// compiled with tsc --strict (no skipLibCheck) and run with plain node.
import { HttpClient, HttpClientRequest } from "@effect/platform"
import {
  ApiClient,
  ApiError,
  CircuitBreaker,
  ConnectionPool,
  RateLimiter,
  Retry,
  RetryBudget
} from "@steady/client-effect3"
import { Redis, RedisCircuitBreaker, RedisRateLimiter, RedisRetryBudget } from "@steady/redis-effect3"
import { TestServer } from "@steady/testing-effect3"
import { Effect, Layer, Option, Redacted, Schema } from "effect"

const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })

const program = Effect.gen(function*() {
  const server = yield* TestServer.make((request, response) => {
    if (request.path === "/pets/1") {
      return TestServer.json(response, 200, { id: 1, name: "Rex", header: request.headers["x-sample"] ?? "" })
    }
    if (request.path === "/down") return TestServer.json(response, 503, { error: "down" })
    TestServer.json(response, 404, { error: "not found" })
  })
  const breaker = yield* CircuitBreaker.make({ consecutiveFailures: 1 })
  const client = yield* ApiClient.make({ baseUrl: server.url, retry: false, policies: [breaker] })
  const pet = yield* client.get("/pets/1").pipe(ApiClient.json(Pet))
  const missing = yield* client.get("/pets/2").pipe(ApiClient.json(Pet), ApiError.optional("NotFoundError"))
  const status = yield* client.get("/pets/3").pipe(
    Effect.as("ok"),
    Effect.catchTag("NotFoundError", (e) => Effect.succeed(e._tag))
  )
  yield* Effect.either(client.get("/down"))
  const breakerTag = yield* client.get("/down").pipe(
    Effect.as("sent"),
    Effect.catchTag("CircuitOpenError", (e) => Effect.succeed(e._tag))
  )
  // a transformed pool client runs through the generic transport (the pool's fetch client)
  const pool = yield* HttpClient.HttpClient
  const generic = ApiClient.makeWith(
    pool.pipe(HttpClient.mapRequest(HttpClientRequest.setHeader("x-sample", "1"))),
    { baseUrl: server.url }
  )
  const viaGeneric = yield* generic.get("/pets/1").pipe(
    ApiClient.json(Schema.Struct({ name: Schema.String, header: Schema.String }))
  )
  // @steady/redis-effect3 with no Redis to reach: the fleet limiter falls back to local limits, and the
  // call goes through
  // (with the breaker and the retry budget of the fleet too)
  const fleetLimited = yield* Effect.gen(function*() {
    const limiter = yield* RateLimiter.RateLimiter
    const breaker = yield* CircuitBreaker.CircuitBreaker
    const budget = yield* RetryBudget.RetryBudget
    const limited = yield* ApiClient.make({
      baseUrl: server.url,
      policies: [limiter, breaker],
      retry: Retry.standard({ budget })
    })
    return (yield* limited.get("/pets/1")).status
  }).pipe(
    Effect.provide(
      Layer.mergeAll(
        RedisRateLimiter.layer({ name: "sample", limit: 10, interval: "1 second" }),
        RedisCircuitBreaker.layer({ name: "sample" }),
        RedisRetryBudget.layer({ name: "sample" })
      ).pipe(Layer.provide(Redis.layer({ url: Redacted.make("redis://127.0.0.1:1") })))
    )
  )
  return {
    pet,
    missing: Option.isNone(missing) ? "none" : "some",
    status,
    breaker: breakerTag,
    generic: viaGeneric,
    fleetLimited
  }
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(ConnectionPool.layer()))).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)

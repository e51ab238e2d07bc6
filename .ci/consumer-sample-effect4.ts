// The consumer test's sample for the Effect 4 line: what a new user writes from the README after
// `npm install @steady/client effect`, compiled with tsc --strict (no skipLibCheck) and run with
// Node 22 against a loopback server.
import { ApiClient, ApiError, Auth, ConnectionPool, RateLimiter } from "@steady/client"
import { Redis, RedisCircuitBreaker, RedisRateLimiter } from "@steady/redis"
import { TestServer } from "@steady/testing"
import { Config, ConfigProvider, Context, Effect, Layer, Option, Redacted, Schema } from "effect"

class Pet extends Schema.Class<Pet>("Pet")({ id: Schema.Number, name: Schema.String }) {}

const makePetstore = Effect.gen(function*() {
  const client = yield* ApiClient.makeConfig("PETSTORE")
  const getPet = (id: number) => client.get(ApiClient.path`/pets/${id}`).pipe(ApiClient.json(Pet))
  return {
    getPet,
    findPet: (id: number) => getPet(id).pipe(ApiError.optional("NotFoundError"))
  }
})

class Petstore extends Context.Service<Petstore, Effect.Success<typeof makePetstore>>()("Petstore") {
  static readonly layer = Layer.effect(Petstore, makePetstore)
}

const program = Effect.gen(function*() {
  const server = yield* TestServer.make((request, response) => {
    if (request.headers.authorization !== "Bearer s3cret") return TestServer.json(response, 401, {})
    if (request.path === "/pets/1") return TestServer.json(response, 200, { id: 1, name: "Rex" })
    if (request.path === "/pets/3") return TestServer.json(response, 403, { error: "not yours" })
    TestServer.json(response, 404, { error: "not found" })
  })
  const MainLive = Petstore.layer.pipe(
    Layer.provide(Auth.layerBearer(Config.Redacted("PETSTORE_TOKEN"))),
    Layer.provide(ConnectionPool.layer({ connections: 4 })),
    Layer.provide(
      ConfigProvider.layer(
        ConfigProvider.fromEnv({ env: { PETSTORE_BASE_URL: server.url, PETSTORE_TOKEN: "s3cret" } })
      )
    )
  )
  return yield* Effect.gen(function*() {
    const petstore = yield* Petstore
    const pet = yield* petstore.getPet(1)
    const missing = yield* petstore.findPet(2)
    // a 403 stays a typed PermissionDeniedError: not "missing"
    const denied = yield* petstore.findPet(3).pipe(
      Effect.as("found"),
      Effect.catchTag("PermissionDeniedError", (e) => Effect.succeed(`${e._tag} ${e.status}`))
    )
    // @steady/redis with no Redis to reach: the fleet limiter and breaker fall back to local ones,
    // and the call goes through
    const fleet = yield* Effect.gen(function*() {
      const limited = yield* ApiClient.make({
        baseUrl: server.url,
        headers: { authorization: "Bearer s3cret" },
        policies: [yield* RateLimiter.RateLimiter, yield* RedisCircuitBreaker.RedisCircuitBreaker]
      })
      return (yield* limited.get("/pets/1")).status
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          RedisRateLimiter.layer({ name: "sample", limit: 10, interval: "1 second" }),
          RedisCircuitBreaker.layer({ name: "sample" })
        ).pipe(
          Layer.provide(Redis.layer({ url: Redacted.make("redis://127.0.0.1:1") })),
          Layer.merge(ConnectionPool.layer({ connections: 2 }))
        )
      )
    )
    return { pet: { id: pet.id, name: pet.name }, missing: Option.isNone(missing) ? "none" : "some", denied, fleet }
  }).pipe(Effect.provide(MainLive))
})

Effect.runPromise(Effect.scoped(program)).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)

/**
 * A complete client for a small pet-store API, written with steady on Effect 4 the way a user
 * would: a `Context.Service` built with `ApiClient.makeConfig`, Schema models, typed errors,
 * and the credentials and the connection pool supplied as layers. (The Effect 3 version:
 * packages/examples/src/Petstore.ts.)
 */
import { ApiClient, ApiError, Auth, ConnectionPool, Pagination, Resilience } from "@steady/client"
import type { Option } from "effect"
import { Config, Context, Effect, Layer, Schema } from "effect"
import { HttpBody, HttpClientRequest } from "effect/http"

export class Pet extends Schema.Class<Pet>("Pet")({
  id: Schema.Number,
  name: Schema.String,
  status: Schema.Literals(["available", "pending", "sold"])
}) {}

export const NewPet = Schema.Struct({
  name: Schema.NonEmptyString,
  status: Schema.Literals(["available", "pending", "sold"])
})
export type NewPet = typeof NewPet.Type

export const Inventory = Schema.Record(Schema.String, Schema.Number)

/** An event of the adoption feed (`GET /adoptions`, Server-Sent Events). */
export const Adoption = Schema.Struct({ petId: Schema.Number, by: Schema.String })

const make = Effect.gen(function*() {
  // the standard resilience preset, in its order: rate limiter → (total deadline → retry) →
  // circuit breaker → (attempt timeout). The limiter keeps the client inside the API's quota
  // and pauses every caller when the server says so (429 + Retry-After, RateLimit-*); the
  // breaker stops calling when the API is down (10 failed attempts in a row, or half of them
  // over 10 s) and fails calls at once with CircuitOpenError until a probe gets through.
  const policies = yield* Resilience.standard({
    rateLimiter: { limit: 200, interval: "1 second", burst: 50, maxWait: "5 seconds" },
    circuitBreaker: { consecutiveFailures: 10, failureRatio: 0.5, minimumThroughput: 20 }
  })
  // PETSTORE_BASE_URL, PETSTORE_TIMEOUT, PETSTORE_ATTEMPT_TIMEOUT, PETSTORE_MAX_RETRIES
  const client = yield* ApiClient.makeConfig("PETSTORE", {
    headers: { "user-agent": "petstore-example/1.0", accept: "application/json" },
    policies
  })

  const getPet = (id: number) => client.get(ApiClient.path`/pets/${id}`).pipe(ApiClient.json(Pet))
  // the same client, with an Idempotency-Key on every POST and PATCH: those become retryable
  const keyed = ApiClient.withOptions(client, { idempotencyKey: "auto" })

  return {
    /** Fails with `NotFoundError` when there is no such pet. */
    getPet,
    /** `Option.none()` when there is no such pet; every other failure stays typed. */
    findPet: (id: number): Effect.Effect<Option.Option<Pet>, Exclude<ApiError.ApiError, ApiError.NotFoundError>> =>
      getPet(id).pipe(ApiError.optional("NotFoundError")),
    /** Not retried once it may have reached the server: no Idempotency-Key. */
    addPet: (pet: NewPet) => client.post("/pets", { body: HttpBody.jsonUnsafe(pet) }).pipe(ApiClient.json(Pet)),
    /** Carries an Idempotency-Key, the same on every attempt, so it is retried like a GET. */
    addPetSafely: (pet: NewPet) => keyed.post("/pets", { body: HttpBody.jsonUnsafe(pet) }).pipe(ApiClient.json(Pet)),
    /** A 403 is a `PermissionDeniedError`, handled here as a value. */
    deletePet: (id: number) =>
      client.del(ApiClient.path`/pets/${id}`).pipe(
        Effect.as("deleted" as const),
        Effect.catchTag("PermissionDeniedError", () => Effect.succeed("forbidden" as const))
      ),
    inventory: client.get("/store/inventory").pipe(ApiClient.json(Inventory)),
    /**
     * Every pet, a page of `pageSize` at a time as the stream is read (the next page in the
     * Link header); at most 100 pages.
     */
    listPets: (pageSize: number) =>
      ApiClient.paginate(
        client,
        HttpClientRequest.get("/pets", { urlParams: { limit: pageSize } }),
        Schema.Array(Pet),
        { next: Pagination.link(), maxPages: 100 }
      ),
    /**
     * The adoption feed, as it happens: resumed with Last-Event-ID when the connection
     * breaks (up to 3 times in a row).
     */
    adoptions: client.get("/adoptions").pipe(ApiClient.sse(Adoption, { reconnect: 3 }))
  }
})

export class Petstore extends Context.Service<Petstore, Effect.Success<typeof make>>()("Petstore") {
  static readonly layer = Layer.effect(Petstore, make)
}

/** OAuth2 client credentials, read from PETSTORE_TOKEN_URL, PETSTORE_CLIENT_ID, PETSTORE_CLIENT_SECRET. */
export const AuthLive = Layer.unwrap(
  Effect.map(
    Config.all({ tokenUrl: Config.String("PETSTORE_TOKEN_URL"), clientId: Config.String("PETSTORE_CLIENT_ID") }),
    ({ clientId, tokenUrl }) =>
      Auth.layerOAuth2ClientCredentials({
        tokenUrl,
        clientId,
        clientSecret: Config.Redacted("PETSTORE_CLIENT_SECRET"),
        scope: "pets:read pets:write"
      })
  )
)

/** The production wiring: only layers change in tests. */
export const PetstoreLive = Petstore.layer.pipe(
  Layer.provide(AuthLive),
  Layer.provide(ConnectionPool.layer({ connections: 8 }))
)

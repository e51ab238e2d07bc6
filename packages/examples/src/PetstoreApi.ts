/**
 * The pet-store API described once with `HttpApi`: the same definition serves a server
 * (`HttpApiBuilder`, in the tests) and gives a typed client through steady
 * (`ApiClient.httpApi`), with the endpoint's declared errors and steady's policies.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "@effect/platform"
import { ApiClient } from "@steady/client-effect3"
import { Effect, Schema } from "effect"

export class Pet extends Schema.Class<Pet>("Pet")({ id: Schema.Number, name: Schema.String }) {}

export const NewPet = Schema.Struct({ name: Schema.String })

/** 404 on a pet that does not exist: declared, so it arrives as this error, not as NotFoundError. */
export class PetNotFound extends Schema.TaggedError<PetNotFound>()(
  "PetNotFound",
  { id: Schema.Number },
  HttpApiSchema.annotations({ status: 404 })
) {}

/** 409 when the name is taken. */
export class NameTaken extends Schema.TaggedError<NameTaken>()(
  "NameTaken",
  { name: Schema.String },
  HttpApiSchema.annotations({ status: 409 })
) {}

export const PetsGroup = HttpApiGroup.make("pets")
  .add(
    HttpApiEndpoint.get("get", "/pets/:id")
      .setPath(Schema.Struct({ id: Schema.NumberFromString }))
      .addSuccess(Pet)
      .addError(PetNotFound)
  )
  .add(
    HttpApiEndpoint.post("create", "/pets")
      .setPayload(NewPet)
      .addSuccess(Pet, { status: 201 })
      .addError(NameTaken)
  )

export const PetstoreApi = HttpApi.make("petstore").add(PetsGroup)

/**
 * The client: every call through steady (pool, retries, timeouts, auth from the layers), and
 * `pets.create` (a POST) made safe to retry with an automatic Idempotency-Key.
 */
export const makePetstoreClient = (baseUrl: string) =>
  ApiClient.httpApi(PetstoreApi, {
    baseUrl,
    retry: { base: "5 millis", cap: "20 millis" },
    endpoints: { "pets.create": { idempotencyKey: "auto" } }
  })

/** A program that uses it: a missing pet is a value, not a failure. */
export const findPet = (baseUrl: string, id: number) =>
  Effect.flatMap(makePetstoreClient(baseUrl), (client) =>
    client.pets.get({ path: { id } }).pipe(
      Effect.map((pet) => pet.name),
      Effect.catchTag("PetNotFound", (e) => Effect.succeed(`no pet ${e.id}`))
    ))

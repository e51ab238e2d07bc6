/**
 * A program on the Effect 4 clients steady-openapi generated (`--effect 4`) from
 * packages/examples/openapi/petstore.yaml (./petstore) and the wire spec of
 * test/wireSpec.ts (./wire): Effect4.test.ts generates them next to this file, type-checks
 * the lot with `tsc --strict` against effect 4.1.5, bundles it and runs it with Node 22 against
 * its loopback server (argv[2]), and reads the last line printed: the outcomes, as JSON.
 *
 * The annotations are the type tests: a success is the spec's type, a declared error is in the
 * error channel with its decoded body.
 */
import { ApiError } from "@steady/client"
import { Effect, Option, Redacted, Stream } from "effect"
import * as Petstore from "./petstore/index.js"
import * as Wire from "./wire/index.js"

const baseUrl = process.argv[2]
const fast = { base: "1 millis", cap: "5 millis" } as const

const petstore = Effect.gen(function*() {
  const p = yield* Petstore.Petstore
  // typed success: the spec's Pet, decoded
  const pet: Petstore.Schemas.Pet = yield* p.getPet({ params: { petId: 3 } })
  // a declared 404 in steady's words: the request and its attempts (a 503, then the 404), and a message that says them
  const described = yield* Effect.flip(p.getPet({ params: { petId: 404 } })).pipe(
    Effect.map((e) =>
      e instanceof Petstore.Schemas.NotFound
        ? { request: e.request, attempts: e.attempts, statusTag: e.statusTag, message: e.message }
        : String(e)
    )
  )
  // a declared 404: the operation's NotFound, its body decoded as the spec's Problem
  const missing = yield* p.getPet({ params: { petId: 404 } }).pipe(
    Effect.map((): string => "found"),
    Effect.catchTag("NotFound", (e) => {
      const title: string = e.body.title
      return Effect.succeed(`${e._tag} ${e.status} ${title} ${e instanceof Petstore.Schemas.NotFound}`)
    })
  )
  // steady's name for a 404 turns the generated NotFound into None, and takes it out of the error type
  const optional = p.getPet({ params: { petId: 404 } }).pipe(ApiError.optional("NotFoundError"))
  const no404: [Extract<Effect.Error<typeof optional>, { readonly _tag: "NotFound" | "NotFoundError" }>] extends [never]
    ? true
    : false = true
  const found: Option.Option<Petstore.Schemas.Pet> = yield* optional
  // an Idempotency-Key'd POST, retried through 503s with one key
  const created: Petstore.Schemas.Pet = yield* p.createPet({ payload: { name: "Bo", tag: null } })
  // a POST without one: not retried, steady's ServerError
  const adopt = yield* Effect.flip(p.adoptPet({ params: { petId: 1 }, payload: { owner: "Ann" } }))
  const deleted = yield* p.deletePet({ params: { petId: 5 } })
  const photo: string = yield* p.getPetPhotoUrl({ params: { petId: 7 } })
  // …Stream methods: Link headers, and a cursor
  const pets: ReadonlyArray<Petstore.Schemas.Pet> = yield* Stream.runCollect(p.listPetsStream({ query: { limit: 10 } }))
  const owners = yield* Stream.runCollect(p.listOwnersStream({ query: {} }))
  return {
    pet,
    missing,
    described,
    found: no404 && Option.isNone(found),
    created,
    adopt: ApiError.isApiError(adopt) ? { _tag: adopt._tag, attempts: adopt.attempts } : String(adopt),
    deleted: deleted === undefined,
    photo,
    pets: pets.map((x) => x.id),
    owners: owners.map((o) => o.id)
  }
})

const wire = Effect.gen(function*() {
  const w = yield* Wire.Wire
  return {
    generate: yield* w.generateContent({ params: { model: "gemini-pro" } }),
    file: yield* w.getFile({ params: { filePath2: "a/b", filePath: "c?d" } }),
    photo: yield* w.getPhoto({ params: { petId: "7#x" } }),
    bad: yield* Effect.flip(w.getItem({ params: { id: "bad" } })).pipe(
      Effect.map((e) => ("_tag" in e && e._tag === "BadRequest" ? { _tag: e._tag, body: e.body } : String(e)))
    ),
    pages: yield* Stream.runCollect(w.searchStream({ params: { scope: "a/b?c#d%" }, query: {} }))
  }
})

const program = Effect.all({
  petstore: petstore.pipe(
    Effect.provide(Petstore.layer({ baseUrl, token: Redacted.make("s3cret"), retry: fast }))
  ),
  // layerConfig: PETSTORE_BASE_URL and PETSTORE_TOKEN, from the environment the test sets
  configured: Effect.flatMap(Petstore.Petstore, (p) => p.getPet({ params: { petId: 2 } })).pipe(
    Effect.map((pet) => pet.name),
    Effect.provide(Petstore.layerConfig())
  ),
  wire: wire.pipe(Effect.provide(Wire.layer({ baseUrl, retry: false })))
}, { concurrency: 1 }).pipe(Effect.timeout("30 seconds"))

Effect.runPromise(program).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)

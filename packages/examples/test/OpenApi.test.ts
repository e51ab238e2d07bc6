/**
 * The client steady-openapi generated from openapi/petstore.yaml (src/generated/petstore),
 * against a real HttpApiBuilder server made from the same generated `PetstoreApi`, on
 * 127.0.0.1, with injected 503s: the spec's resilience (an idempotent POST retried, one
 * without a key not), its typed errors, and its pagination (Link and cursor).
 */
import { HttpApiBuilder, HttpApp, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { it } from "@effect/vitest"
import { ApiError } from "@steady/client-effect3"
import { ConfigProvider, Context, Effect, Layer, Option, Redacted, Stream } from "effect"
import * as Http from "node:http"
import { describe, expect } from "vitest"
import * as Petstore from "../src/generated/petstore/index.js"

const { PetstoreApi, Schemas } = Petstore

interface Seen {
  readonly method: string
  readonly url: string
  readonly idempotencyKey: string | undefined
  readonly authorization: string | undefined
}

/** Answers 503 to the next `n` requests matching `when`. */
interface Fault {
  n: number
  readonly when: (method: string, path: string) => boolean
}

const serve = (faults: Array<Fault>) =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    const pets = new Map<number, Petstore.Schemas.Pet>()
    for (let id = 1; id <= 25; id++) pets.set(id, { id, name: `pet-${id}`, status: "available" })
    const owners = Array.from({ length: 7 }, (_, i) => ({ id: `o${i}`, name: `owner ${i}`, pets: [i + 1] }))
    const problem = (title: string) => ({ title })
    const PetsLive = HttpApiBuilder.group(PetstoreApi, "pets", (handlers) =>
      handlers
        .handle("listPets", ({ urlParams }) =>
          Effect.gen(function*() {
            const request = yield* HttpServerRequest.HttpServerRequest
            const url = new URL(request.url, "http://x")
            const page = Number(url.searchParams.get("page") ?? "1")
            const limit = urlParams.limit ?? 10
            const all = [...pets.values()]
            const items = all.slice((page - 1) * limit, page * limit)
            if (page * limit < all.length) {
              url.searchParams.set("page", String(page + 1))
              yield* HttpApp.appendPreResponseHandler((_, response) =>
                Effect.succeed(
                  HttpServerResponse.setHeader(response, "link", `<${url.pathname}${url.search}>; rel="next"`)
                )
              )
            }
            return items
          }))
        .handle("createPet", ({ payload }) =>
          Effect.sync(() => {
            const pet: Petstore.Schemas.Pet = { id: pets.size + 1, name: payload.name, status: "available" }
            pets.set(pet.id, pet)
            return pet
          }))
        .handle("getPet", ({ path }) => {
          const pet = pets.get(path.petId)
          return pet === undefined
            ? Effect.fail(new Schemas.NotFound({ status: 404, body: problem(`no pet ${path.petId}`) }))
            : Effect.succeed(pet)
        })
        .handle("deletePet", ({ path }) =>
          pets.delete(path.petId)
            ? Effect.void
            : Effect.fail(new Schemas.NotFound({ status: 404, body: problem(`no pet ${path.petId}`) })))
        .handle("adoptPet", ({ path }) => {
          const pet = pets.get(path.petId)
          if (pet === undefined) return Effect.die("no such pet")
          if (pet.status === "adopted") {
            return Effect.fail(new Schemas.Conflict({ status: 409, body: problem("adopted already") }))
          }
          const adopted = { ...pet, status: "adopted" as const }
          pets.set(pet.id, adopted)
          return Effect.succeed(adopted)
        })
        .handle("getPetPhotoUrl", ({ path }) => Effect.succeed(`https://photos.example/${path.petId}.jpg`)))
    const OwnersLive = HttpApiBuilder.group(PetstoreApi, "owners", (handlers) =>
      handlers.handle("listOwners", ({ urlParams }) => {
        const start = urlParams.cursor === undefined ? 0 : Number(urlParams.cursor)
        const next = start + 3 < owners.length ? String(start + 3) : null
        return Effect.succeed({ items: owners.slice(start, start + 3), next_cursor: next })
      }))
    const faulty = (app: HttpApp.Default) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        seen.push({
          method: request.method,
          url: request.url,
          idempotencyKey: request.headers["idempotency-key"],
          authorization: request.headers["authorization"]
        })
        const path = new URL(request.url, "http://x").pathname
        const fault = faults.find((f) =>
          f.n > 0 && f.when(request.method, path)
        )
        if (fault !== undefined) {
          fault.n--
          return HttpServerResponse.text("busy", { status: 503 })
        }
        return yield* app
      })
    const context = yield* Layer.build(
      HttpApiBuilder.serve(faulty).pipe(
        Layer.provide(HttpApiBuilder.api(PetstoreApi).pipe(Layer.provide(Layer.merge(PetsLive, OwnersLive)))),
        Layer.provideMerge(NodeHttpServer.layer(() =>
          Http.createServer(), { port: 0, host: "127.0.0.1" }))
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    const baseUrl = address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "http://invalid"
    return { seen, baseUrl }
  })

/** The generated service, on the test server, through the generated `layer`. */
const petstore = <A, E>(baseUrl: string, use: (petstore: Petstore.Petstore) => Effect.Effect<A, E>) =>
  Effect.flatMap(Petstore.Petstore, use).pipe(
    Effect.provide(Petstore.layer({ baseUrl, token: Redacted.make("s3cret"), retry: { base: "1 millis" } }))
  )

describe("a client generated from openapi/petstore.yaml", () => {
  it.scopedLive("createPet declares an Idempotency-Key: one is sent, and the same one again after a 503", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* serve([{ n: 2, when: (m) => m === "POST" }])
      const pet = yield* petstore(baseUrl, (p) => p.createPet({ payload: { name: "Bo" } }))
      expect(pet).toMatchObject({ id: 26, name: "Bo", status: "available" })
      expect(seen).toHaveLength(3)
      const keys = seen.map((s) => s.idempotencyKey)
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
      expect(new Set(keys).size).toBe(1)
      expect(seen.every((s) => s.authorization === "Bearer s3cret")).toBe(true)
    }))

  it.scopedLive("adoptPet declares no key: a 503 is not retried, and the error is steady's ServerError", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* serve([{ n: 1, when: (m) => m === "POST" }])
      const error = yield* petstore(
        baseUrl,
        (p) => Effect.flip(p.adoptPet({ path: { petId: 1 }, payload: { owner: "Ann" } }))
      )
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, attempts: 1 })
      expect(seen).toHaveLength(1)
      expect(seen[0].idempotencyKey).toBeUndefined()
    }))

  it.scopedLive("a GET is retried through 503s; declared errors are typed, with their decoded body", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* serve([{ n: 2, when: (m, p) => m === "GET" && p === "/pets/3" }])
      const results = yield* petstore(baseUrl, (p) =>
        Effect.all({
          pet: p.getPet({ path: { petId: 3 } }),
          missing: p.getPet({ path: { petId: 404 } }).pipe(
            Effect.catchTag("NotFound", (e) => Effect.succeed(`${e.status}: ${e.body.title}`))
          ),
          conflict: Effect.zipRight(
            p.adoptPet({ path: { petId: 2 }, payload: { owner: "Ann" } }),
            p.adoptPet({ path: { petId: 2 }, payload: { owner: "Bob" } })
          ).pipe(Effect.catchTag("Conflict", (e) => Effect.succeed(e.body.title))),
          deleted: Effect.zipRight(p.deletePet({ path: { petId: 5 } }), Effect.flip(p.getPet({ path: { petId: 5 } }))),
          photo: p.getPetPhotoUrl({ path: { petId: 7 } })
        }))
      expect(results.pet).toMatchObject({ id: 3, name: "pet-3" })
      expect(seen.filter((s) => s.url === "/pets/3")).toHaveLength(3)
      expect(results.missing).toBe("404: no pet 404")
      expect(results.conflict).toBe("adopted already")
      expect(results.deleted).toMatchObject({ _tag: "NotFound", body: { title: "no pet 5" } })
      expect(results.photo).toBe("https://photos.example/7.jpg")
    }))

  it.scopedLive("a declared error speaks steady's vocabulary: its request and attempts, and ApiError.optional", () =>
    Effect.gen(function*() {
      const { baseUrl } = yield* serve([{ n: 1, when: (m, p) => m === "GET" && p === "/pets/404" }])
      const results = yield* petstore(baseUrl, (p) =>
        Effect.all({
          // a 503 then the declared 404: the error says the request, and that it took two attempts
          error: Effect.flip(p.getPet({ path: { petId: 404 } })),
          // steady's name for a 404 turns the generated NotFound into None too, and takes it out of the type
          found: p.getPet({ path: { petId: 404 } }).pipe(ApiError.optional("NotFoundError"))
        }, { concurrency: 1 }))
      const found: Option.Option<Petstore.Schemas.Pet> = results.found
      expect(found).toEqual(Option.none())
      const error = results.error
      expect(error).toBeInstanceOf(Schemas.NotFound)
      if (!(error instanceof Schemas.NotFound)) return
      expect(error.request).toEqual({ method: "GET", url: `${baseUrl}/pets/404` })
      expect(error.attempts).toBe(2)
      expect(error.statusTag).toBe("NotFoundError")
      expect(error.message).toBe(`GET ${baseUrl}/pets/404 failed: 404 Not Found (2 attempts)`)
      // the type: neither steady's 404 nor the generated one is left in the error channel
      const _rest = Effect.flatMap(Petstore.Petstore, (p) => p.getPet({ path: { petId: 1 } }))
        .pipe(ApiError.optional("NotFoundError"))
      type Left = Extract<Effect.Effect.Error<typeof _rest>, { readonly _tag: "NotFound" | "NotFoundError" }>
      const no404: [Left] extends [never] ? true : false = true
      expect(no404).toBe(true)
    }))

  it.scopedLive("…Stream methods read every page: Link headers for pets, a cursor for owners", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* serve([{ n: 1, when: (m, p) => m === "GET" && p === "/pets" }])
      const { owners, pets } = yield* petstore(baseUrl, (p) =>
        Effect.all({
          pets: Stream.runCollect(p.listPetsStream({ urlParams: { limit: 10 } })),
          owners: Stream.runCollect(p.listOwnersStream({ urlParams: {} }))
        }))
      expect([...pets].map((pet) => pet.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
      // a 503 on the first page, then three pages of 10, 10 and 5
      expect(seen.filter((s) => s.url.startsWith("/pets")).map((s) => s.url)).toEqual([
        "/pets?limit=10",
        "/pets?limit=10",
        "/pets?limit=10&page=2",
        "/pets?limit=10&page=3"
      ])
      expect([...owners].map((o) => o.id)).toEqual(["o0", "o1", "o2", "o3", "o4", "o5", "o6"])
    }))

  it.scopedLive("layerConfig reads the base URL and the token from Config, under the PETSTORE prefix", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* serve([])
      const pet = yield* Effect.flatMap(Petstore.Petstore, (p) => p.getPet({ path: { petId: 1 } })).pipe(
        Effect.provide(Petstore.layerConfig()),
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map([["PETSTORE_BASE_URL", baseUrl], ["PETSTORE_TOKEN", "from-config"]]), {
            pathDelim: "_"
          })
        )
      )
      expect(pet.id).toBe(1)
      expect(seen[0].authorization).toBe("Bearer from-config")
    }))
})

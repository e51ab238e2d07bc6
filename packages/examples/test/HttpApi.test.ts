import {
  HttpApi,
  HttpApiBuilder,
  HttpApiClient,
  HttpApiEndpoint,
  HttpApiError,
  HttpApiGroup,
  type HttpClientResponse,
  HttpServer,
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import type { HttpApp } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { it } from "@effect/vitest"
import { ApiClient, ApiError, ConnectionPool } from "@steady/client-effect3"
import { Context, Effect, Layer, Logger, Schema } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Zlib from "node:zlib"
import { describe, expect, expectTypeOf } from "vitest"
import { findPet, makePetstoreClient, NameTaken, Pet, PetNotFound, PetstoreApi } from "../src/PetstoreApi.js"

interface Seen {
  readonly method: string
  readonly path: string
  readonly idempotencyKey: string | undefined
}

/** The pet-store server, from the same definition, on 127.0.0.1, with injected faults. */
const serve = (faults: { unavailable: number }) =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    const pets = new Map<number, Pet>([[1, new Pet({ id: 1, name: "Rex" })]])
    const PetsLive = HttpApiBuilder.group(PetstoreApi, "pets", (handlers) =>
      handlers
        .handle("get", ({ path }) => {
          const pet = pets.get(path.id)
          return pet === undefined ? Effect.fail(new PetNotFound({ id: path.id })) : Effect.succeed(pet)
        })
        .handle("create", ({ payload }) => {
          if ([...pets.values()].some((p) => p.name === payload.name)) {
            return Effect.fail(new NameTaken({ name: payload.name }))
          }
          const pet = new Pet({ id: pets.size + 1, name: payload.name })
          pets.set(pet.id, pet)
          return Effect.succeed(pet)
        }))
    // every request is recorded; the first `unavailable` answer 503, /pets/999 a body that does not match
    const faulty = (app: HttpApp.Default) =>
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        seen.push({
          method: request.method,
          path: new URL(request.url, "http://x").pathname,
          idempotencyKey: request.headers["idempotency-key"]
        })
        if (faults.unavailable > 0) {
          faults.unavailable--
          return HttpServerResponse.text("busy", { status: 503 })
        }
        if (request.url === "/pets/999") return HttpServerResponse.unsafeJson({ id: "not a number" })
        if (request.url === "/pets/998") return HttpServerResponse.unsafeJson({ _tag: "PetNotFound" }, { status: 404 })
        return yield* app
      })
    const context = yield* Layer.build(
      HttpApiBuilder.serve(faulty).pipe(
        Layer.provide(HttpApiBuilder.api(PetstoreApi).pipe(Layer.provide(PetsLive))),
        Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    return { seen, address }
  })

describe("ApiClient.httpApi against a real HttpApiBuilder server", () => {
  it.scopedLive("a declared 404 is the declared error; undeclared failures stay ApiError", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* serveOn({ unavailable: 0 })
      const client = yield* makePetstoreClient(baseUrl)
      expect(yield* client.pets.get({ path: { id: 1 } })).toEqual(new Pet({ id: 1, name: "Rex" }))
      const missing = yield* Effect.flip(client.pets.get({ path: { id: 7 } }))
      expect(missing).toBeInstanceOf(PetNotFound)
      expect(missing).toMatchObject({ _tag: "PetNotFound", id: 7 })
      expect(yield* findPet(baseUrl, 7)).toBe("no pet 7")
      // a success body that does not match the schema is steady's DecodeError
      const broken = yield* Effect.flip(client.pets.get({ path: { id: 999 } }))
      expect(broken).toMatchObject({ _tag: "DecodeError", reason: "SchemaMismatch", status: 200 })
      // a declared status whose body does not match the declared error is a DecodeError too
      const garbled = yield* Effect.flip(client.pets.get({ path: { id: 998 } }))
      expect(garbled).toMatchObject({ _tag: "DecodeError", reason: "SchemaMismatch", status: 404 })
      // a declared 409 on the POST
      const taken = yield* Effect.flip(client.pets.create({ payload: { name: "Rex" } }))
      expect(taken).toMatchObject({ _tag: "NameTaken", name: "Rex" })
      // two calls (the client, then findPet), one request each: a 404 is never retried
      expect(seen.filter((s) => s.path === "/pets/7")).toHaveLength(2)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("503s are retried by steady before the endpoint's decoding sees the answer", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* serveOn({ unavailable: 2 })
      const client = yield* makePetstoreClient(baseUrl)
      expect((yield* client.pets.get({ path: { id: 1 } })).name).toBe("Rex")
      expect(seen.map((s) => s.path)).toEqual(["/pets/1", "/pets/1", "/pets/1"])
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("the POST declared idempotent is retried with one key; without it, it is sent once", () =>
    Effect.gen(function*() {
      const faults = { unavailable: 1 }
      const { baseUrl, seen } = yield* serveOn(faults)
      const client = yield* makePetstoreClient(baseUrl)
      const created = yield* client.pets.create({ payload: { name: "Bo" } })
      expect(created.name).toBe("Bo")
      const posts = seen.filter((s) => s.method === "POST")
      expect(posts).toHaveLength(2)
      expect(posts[0].idempotencyKey).toBeDefined()
      expect(posts[1].idempotencyKey).toBe(posts[0].idempotencyKey)

      // the same API without the per-endpoint option: a 503 on a POST is not replayed
      faults.unavailable = 1
      const plain = yield* ApiClient.httpApi(PetstoreApi, { baseUrl, retry: { base: "5 millis", cap: "20 millis" } })
      const error = yield* Effect.flip(plain.pets.create({ payload: { name: "Cy" } }))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, attempts: 1 })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("the raw pool under HttpApiClient.make is not silent: it warns, once per pool", () =>
    Effect.gen(function*() {
      const { baseUrl } = yield* serveOn({ unavailable: 0 })
      const lines: Array<string> = []
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ logLevel, message }) => lines.push(`${logLevel.label} ${String(message)}`))
      )
      yield* Effect.gen(function*() {
        // through steady: no warning
        const steady = yield* makePetstoreClient(baseUrl)
        yield* steady.pets.get({ path: { id: 1 } })
        expect(lines.filter((l) => l.includes("called directly"))).toEqual([])
        // the platform's client on the bare pool: the wiring that bypasses steady
        const raw = yield* HttpApiClient.make(PetstoreApi, { baseUrl })
        yield* raw.pets.get({ path: { id: 1 } })
        yield* raw.pets.get({ path: { id: 1 } })
        expect(lines.filter((l) => l.includes("called directly"))).toEqual([
          expect.stringMatching(
            /^WARN steady: the connection pool's HttpClient was called directly.*ApiClient\.httpApi/
          )
        ])
      }).pipe(Effect.provide(logger))
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.effect("endpoint options are keyed by the API's own group.endpoint names", () =>
    Effect.gen(function*() {
      // @ts-expect-error: "pets.delete" is not an endpoint of the API
      const typo = ApiClient.httpApi(PetstoreApi, { endpoints: { "pets.delete": { retry: false } } })
      const exit = yield* Effect.exit(typo.pipe(Effect.provide(ConnectionPool.layer())))
      expect(exit._tag).toBe("Failure")
      expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain("endpoints.pets.delete is not an endpoint")
    }))

  it.scopedLive("the error channel of each method is the declared errors plus ApiError, exactly", () =>
    Effect.gen(function*() {
      type Client = Effect.Effect.Success<ReturnType<typeof makePetstoreClient>>
      type GetError = Effect.Effect.Error<ReturnType<Client["pets"]["get"]>>
      type CreateError = Effect.Effect.Error<ReturnType<Client["pets"]["create"]>>
      // the endpoint's own, and HttpApiDecodeError, which every HttpApi declares (400)
      expectTypeOf<GetError>().toEqualTypeOf<PetNotFound | HttpApiError.HttpApiDecodeError | ApiError.ApiError>()
      expectTypeOf<CreateError>().toEqualTypeOf<NameTaken | HttpApiError.HttpApiDecodeError | ApiError.ApiError>()
      // the method is generic in withResponse: its return type spans both shapes
      expectTypeOf<Effect.Effect.Success<ReturnType<Client["pets"]["get"]>>>().toEqualTypeOf<
        Pet | [Pet, HttpClientResponse.HttpClientResponse]
      >()

      // the same, at run time (expectTypeOf does nothing under vitest): each member arrives as what its type says
      const { baseUrl } = yield* raw((req, res) => {
        const answers: Record<string, [number, unknown]> = {
          "/pets/1": [200, { id: 1, name: "Rex" }],
          "/pets/2": [404, { _tag: "PetNotFound", id: 2 }],
          "/pets/3": [400, { _tag: "HttpApiDecodeError", issues: [], message: "bad id" }],
          "/pets/4": [503, { busy: true }]
        }
        const [status, body] = answers[req.url ?? ""] ?? [500, {}]
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
      })
      const client = yield* ApiClient.httpApi(PetstoreApi, { baseUrl, retry: false })
      expect(yield* client.pets.get({ path: { id: 1 } })).toEqual(new Pet({ id: 1, name: "Rex" }))
      const [pet, response] = yield* client.pets.get({ path: { id: 1 }, withResponse: true })
      expect(pet).toBeInstanceOf(Pet)
      expect(response.status).toBe(200)
      const errors: Array<GetError> = []
      for (const id of [2, 3, 4]) errors.push(yield* Effect.flip(client.pets.get({ path: { id } })))
      expect(errors[0]).toBeInstanceOf(PetNotFound)
      expect(errors[1]).toBeInstanceOf(HttpApiError.HttpApiDecodeError)
      expect(errors[1]).toMatchObject({ message: "bad id" })
      expect(ApiError.isApiError(errors[2])).toBe(true)
      expect(errors[2]).toMatchObject({ _tag: "ServerError", status: 503 })
      // nothing else: each failure is one of the three
      for (const e of errors) {
        expect(e instanceof PetNotFound || e instanceof HttpApiError.HttpApiDecodeError || ApiError.isApiError(e)).toBe(
          true
        )
      }
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("path parameters are percent-encoded as one segment each: a value never changes the path's shape", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* raw((_req, res) =>
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      )
      const Files = HttpApi.make("files").add(
        HttpApiGroup.make("files")
          .add(
            HttpApiEndpoint.get("get", "/2.0/files/:id/content").setPath(Schema.Struct({ id: Schema.String }))
              .addSuccess(
                Schema.Unknown
              )
          )
          .add(
            HttpApiEndpoint.post("generate", "/v1/models/:model([^/]+?)::generateContent").setPath(
              Schema.Struct({ model: Schema.String })
            ).addSuccess(Schema.Unknown)
          )
          .add(HttpApiEndpoint.get("list", "/v1/models::list").addSuccess(Schema.Unknown))
      )
      const client = yield* ApiClient.httpApi(Files, { baseUrl, retry: false })
      for (const id of ["a/b?c=d#e", "100%", "%2F", "é ✓", "a..b", "...", "plain"]) {
        yield* client.files.get({ path: { id } })
      }
      // a Google-style path: the text after the parameter is the path's own, with its colon
      yield* client.files.generate({ path: { model: "gemini-pro" } })
      yield* client.files.list()
      expect(seen).toEqual([
        "/2.0/files/a%2Fb%3Fc%3Dd%23e/content",
        "/2.0/files/100%25/content",
        "/2.0/files/%252F/content",
        "/2.0/files/%C3%A9%20%E2%9C%93/content",
        "/2.0/files/a..b/content",
        "/2.0/files/.../content",
        "/2.0/files/plain/content",
        "/v1/models/gemini-pro:generateContent",
        "/v1/models:list"
      ])
      // a value that would be a segment "..", "." or "" is refused before anything is sent
      for (const id of ["..", ".", ""]) {
        const error = yield* Effect.flip(client.files.get({ path: { id } }))
        expect(error).toMatchObject({ _tag: "ConnectionError", reason: "InvalidRequest", sent: false })
      }
      expect(seen).toHaveLength(9)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("a group or an endpoint named like an Object property is a method, and Object is left alone", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* raw((_req, res) =>
        res.writeHead(200, { "content-type": "application/json" }).end("{}")
      )
      const Odd = HttpApi.make("odd").add(
        HttpApiGroup.make("constructor").add(HttpApiEndpoint.get("list", "/list").addSuccess(Schema.Unknown))
      ).add(
        HttpApiGroup.make("top", { topLevel: true }).add(
          HttpApiEndpoint.get("toString", "/own").addSuccess(Schema.Unknown)
        )
      )
      const client = yield* ApiClient.httpApi(Odd, { baseUrl, retry: false })
      yield* (client as any).constructor.list() as Effect.Effect<unknown>
      yield* client.toString()
      expect(seen).toEqual(["/list", "/own"])
      expect(Object.prototype.hasOwnProperty.call(Object, "list")).toBe(false)
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, "list")).toBe(false)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.scopedLive("a declared 404 whose body is too large, a bomb, not gzip or not JSON is TooLarge, Read or InvalidJson, with its status", () =>
    Effect.gen(function*() {
      const big = JSON.stringify({ _tag: "PetNotFound", id: 2, padding: "x".repeat(20_000) })
      const bomb = Zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024, 32))
      const { baseUrl } = yield* raw((req, res) => {
        const json = { "content-type": "application/json" }
        switch (req.url) {
          case "/pets/2":
            return res.writeHead(404, json).end(big)
          case "/pets/3":
            return res.writeHead(404, { ...json, "content-encoding": "gzip" }).end(bomb)
          case "/pets/4":
            return res.writeHead(404, { ...json, "content-encoding": "gzip" }).end("not gzip at all")
          case "/pets/5":
            return res.writeHead(404, json).end("<html>not found</html>")
          case "/pets/6":
            return res.writeHead(200, json).end("<html>ok</html>")
          default:
            return res.writeHead(404, json).end(JSON.stringify({ _tag: "PetNotFound", id: 7 }))
        }
      })
      const client = yield* ApiClient.httpApi(PetstoreApi, { baseUrl, retry: false })
      const failure = (id: number) => Effect.flip(client.pets.get({ path: { id } }))
      expect(yield* failure(2)).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", status: 404 })
      expect(yield* failure(3)).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", status: 404 })
      expect(yield* failure(4)).toMatchObject({ _tag: "DecodeError", reason: "Read", status: 404 })
      expect(yield* failure(5)).toMatchObject({ _tag: "DecodeError", reason: "InvalidJson", status: 404 })
      expect(yield* failure(6)).toMatchObject({ _tag: "DecodeError", reason: "InvalidJson", status: 200 })
      // the control: a declared 404 that fits is the declared error
      expect(yield* failure(7)).toMatchObject({ _tag: "PetNotFound", id: 7 })
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

/** A plain node:http server on 127.0.0.1 that records each request's raw path (before any parsing). */
const raw = (handler: (req: Http.IncomingMessage, res: Http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{ readonly baseUrl: string; readonly seen: Array<string>; readonly server: Http.Server }>((resume) => {
      const seen: Array<string> = []
      const server = Http.createServer((req, res) => {
        seen.push(req.url ?? "")
        handler(req, res)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({
          baseUrl: `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`,
          seen,
          server
        })))
    }),
    ({ server }) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  )

const serveOn = (faults: { unavailable: number }) =>
  Effect.map(serve(faults), ({ address, seen }) => ({
    seen,
    baseUrl: address._tag === "TcpAddress" ? `http://127.0.0.1:${address.port}` : "http://invalid"
  }))

/**
 * `ApiClient.httpApi` on the Effect 4 line (over `effect/http-api`), against a plain node:http
 * server on 127.0.0.1 that records each request's raw path and answers scripted bodies: the
 * behaviours the Effect 3 line's packages/examples/test/HttpApi.test.ts pins.
 */
import { it } from "@effect/vitest"
import { ApiClient, ApiError, ConnectionPool } from "@steady/client"
import { Duration, Effect, Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Zlib from "node:zlib"
import { describe, expect } from "vitest"

class Pet extends Schema.Class<Pet>("Pet")({ id: Schema.Number, name: Schema.String }) {}

/** 404 on a pet that does not exist: declared, so it arrives as this error, not as NotFoundError. */
class PetNotFound extends Schema.TaggedError<PetNotFound>()("PetNotFound", { id: Schema.Number }, {
  httpApiStatus: 404
}) {}

/** 409 when the name is taken. */
class NameTaken extends Schema.TaggedError<NameTaken>()("NameTaken", { name: Schema.String }, {
  httpApiStatus: 409
}) {}

const PetstoreApi = HttpApi.make("petstore").add(
  HttpApiGroup.make("pets")
    .add(HttpApiEndpoint.get("get", "/pets/:id", { params: { id: Schema.Finite }, success: Pet, error: PetNotFound }))
    .add(
      HttpApiEndpoint.post("create", "/pets", {
        payload: Schema.Struct({ name: Schema.String }),
        success: Pet.pipe(HttpApiSchema.status(201)),
        error: NameTaken
      })
    )
)

/** Fails fast, with a message, where a bug would otherwise hang until vitest's timeout. */
const within = (seconds: number, what: string) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.timeoutOrElse(self, {
    duration: Duration.seconds(seconds),
    orElse: () => Effect.fail(new Error(`${what}: no outcome within ${seconds} s`))
  })

interface Seen {
  readonly method: string
  /** The raw request target, before any parsing. */
  readonly url: string
  readonly idempotencyKey: string | undefined
}

/** A plain node:http server on 127.0.0.1 that records each request's raw path (before any parsing). */
const raw = (handler: (req: Http.IncomingMessage, res: Http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.callback<{ readonly baseUrl: string; readonly seen: Array<Seen>; readonly server: Http.Server }>(
      (resume) => {
        const seen: Array<Seen> = []
        const server = Http.createServer((req, res) => {
          const key = req.headers["idempotency-key"]
          seen.push({
            method: req.method ?? "",
            url: req.url ?? "",
            idempotencyKey: typeof key === "string" ? key : undefined
          })
          req.resume()
          req.on("end", () => handler(req, res))
        })
        server.listen(0, "127.0.0.1", () =>
          resume(Effect.succeed({
            baseUrl: `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`,
            seen,
            server
          })))
      }
    ),
    ({ server }) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  )

const json = { "content-type": "application/json" }
const fast = { base: "5 millis", cap: "20 millis" } as const

describe("ApiClient.httpApi (Effect 4) against a real 127.0.0.1 server", () => {
  it.live("a declared 404 is the declared error; a body that does not match is a DecodeError; others stay ApiError", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* raw((req, res) => {
        const answers: Record<string, [number, unknown]> = {
          "GET /pets/1": [200, { id: 1, name: "Rex" }],
          "GET /pets/7": [404, { _tag: "PetNotFound", id: 7 }],
          "GET /pets/999": [200, { id: "not a number" }],
          "GET /pets/998": [404, { _tag: "PetNotFound" }],
          "GET /pets/4": [503, { busy: true }],
          "POST /pets": [409, { _tag: "NameTaken", name: "Rex" }]
        }
        const [status, body] = answers[`${req.method} ${req.url}`] ?? [500, {}]
        res.writeHead(status, json).end(JSON.stringify(body))
      })
      const client = yield* ApiClient.httpApi(PetstoreApi, { baseUrl, retry: false })
      expect(yield* client.pets.get({ params: { id: 1 } })).toEqual(new Pet({ id: 1, name: "Rex" }))
      const missing = yield* Effect.flip(client.pets.get({ params: { id: 7 } }))
      expect(missing).toBeInstanceOf(PetNotFound)
      expect(missing).toMatchObject({ _tag: "PetNotFound", id: 7 })
      // a success body that does not match the schema is steady's DecodeError
      expect(yield* Effect.flip(client.pets.get({ params: { id: 999 } }))).toMatchObject({
        _tag: "DecodeError",
        reason: "SchemaMismatch",
        status: 200
      })
      // a declared status whose body does not match the declared error is a DecodeError too
      expect(yield* Effect.flip(client.pets.get({ params: { id: 998 } }))).toMatchObject({
        _tag: "DecodeError",
        reason: "SchemaMismatch",
        status: 404
      })
      // an undeclared status is the ApiError member it is for any call
      const busy = yield* Effect.flip(client.pets.get({ params: { id: 4 } }))
      expect(ApiError.isApiError(busy)).toBe(true)
      expect(busy).toMatchObject({ _tag: "ServerError", status: 503 })
      // a declared 409 on the POST
      expect(yield* Effect.flip(client.pets.create({ payload: { name: "Rex" } }))).toMatchObject({
        _tag: "NameTaken",
        name: "Rex"
      })
      expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        "GET /pets/1",
        "GET /pets/7",
        "GET /pets/999",
        "GET /pets/998",
        "GET /pets/4",
        "POST /pets"
      ])
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("503s are retried by steady before the endpoint's decoding sees the answer; a POST only with a key", () =>
    Effect.gen(function*() {
      let unavailable = 2
      const { baseUrl, seen } = yield* raw((req, res) => {
        if (unavailable > 0) {
          unavailable--
          return res.writeHead(503, json).end("{}")
        }
        if (req.method === "POST") return res.writeHead(201, json).end(JSON.stringify({ id: 2, name: "Bo" }))
        return res.writeHead(200, json).end(JSON.stringify({ id: 1, name: "Rex" }))
      })
      const client = yield* ApiClient.httpApi(PetstoreApi, {
        baseUrl,
        retry: fast,
        endpoints: { "pets.create": { idempotencyKey: "auto" } }
      })
      expect((yield* client.pets.get({ params: { id: 1 } })).name).toBe("Rex")
      expect(seen.map((s) => s.url)).toEqual(["/pets/1", "/pets/1", "/pets/1"])
      // the POST declared idempotent is retried with one key
      unavailable = 1
      expect((yield* client.pets.create({ payload: { name: "Bo" } })).name).toBe("Bo")
      const posts = seen.filter((s) => s.method === "POST")
      expect(posts).toHaveLength(2)
      expect(posts[0].idempotencyKey).toBeDefined()
      expect(posts[1].idempotencyKey).toBe(posts[0].idempotencyKey)
      // without it, a 503 on a POST is not replayed
      unavailable = 1
      const plain = yield* ApiClient.httpApi(PetstoreApi, { baseUrl, retry: fast })
      expect(yield* Effect.flip(plain.pets.create({ payload: { name: "Cy" } }))).toMatchObject({
        _tag: "ServerError",
        status: 503,
        attempts: 1
      })
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.effect("endpoint options are keyed by the API's own group.endpoint names", () =>
    Effect.gen(function*() {
      // @ts-expect-error: "pets.delete" is not an endpoint of the API
      const typo = ApiClient.httpApi(PetstoreApi, { endpoints: { "pets.delete": { retry: false } } })
      const exit = yield* Effect.exit(typo.pipe(Effect.provide(ConnectionPool.layer())))
      expect(exit._tag).toBe("Failure")
      expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain("endpoints.pets.delete is not an endpoint")
    }))

  it.live("path parameters are percent-encoded as one segment each: a value never changes the path's shape", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* raw((_req, res) => res.writeHead(200, json).end("{}"))
      const Files = HttpApi.make("files").add(
        HttpApiGroup.make("files")
          .add(
            HttpApiEndpoint.get("get", "/2.0/files/:id/content", {
              params: { id: Schema.String },
              success: Schema.Unknown
            })
          )
          .add(
            HttpApiEndpoint.post("generate", "/v1/models/:model([^/]+?)::generateContent", {
              params: { model: Schema.String },
              success: Schema.Unknown
            })
          )
          .add(HttpApiEndpoint.get("list", "/v1/models::list", { success: Schema.Unknown }))
          .add(
            HttpApiEndpoint.get("page", "/books/:shelf/:book?", {
              params: { shelf: Schema.String, book: Schema.optionalKey(Schema.String) },
              success: Schema.Unknown
            })
          )
      )
      const client = yield* ApiClient.httpApi(Files, { baseUrl, retry: false })
      for (const id of ["a/b?c=d#e", "100%", "%2F", "é ✓", "a..b", "...", "plain"]) {
        yield* client.files.get({ params: { id } })
      }
      // a Google-style path: the text after the parameter is the path's own, with its colon
      yield* client.files.generate({ params: { model: "gemini-pro" } })
      yield* client.files.list()
      // an optional parameter without a value is left out with its slash
      yield* client.files.page({ params: { shelf: "s/1", book: "b 2" } })
      yield* client.files.page({ params: { shelf: "s/1" } })
      expect(seen.map((s) => s.url)).toEqual([
        "/2.0/files/a%2Fb%3Fc%3Dd%23e/content",
        "/2.0/files/100%25/content",
        "/2.0/files/%252F/content",
        "/2.0/files/%C3%A9%20%E2%9C%93/content",
        "/2.0/files/a..b/content",
        "/2.0/files/.../content",
        "/2.0/files/plain/content",
        "/v1/models/gemini-pro:generateContent",
        "/v1/models:list",
        "/books/s%2F1/b%202",
        "/books/s%2F1"
      ])
      // a value that would be a segment "..", "." or "" is refused before anything is sent, as
      // is one that is not well-formed Unicode
      for (const id of ["..", ".", "", "\ud800"]) {
        const error = yield* Effect.flip(client.files.get({ params: { id } }))
        expect(error, JSON.stringify(id)).toMatchObject({
          _tag: "ConnectionError",
          reason: "InvalidRequest",
          sent: false
        })
      }
      expect(seen).toHaveLength(11)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a group or an endpoint named like an Object property is a method, and Object is left alone", () =>
    Effect.gen(function*() {
      const { baseUrl, seen } = yield* raw((_req, res) => res.writeHead(200, json).end("{}"))
      const Odd = HttpApi.make("odd").add(
        HttpApiGroup.make("constructor").add(HttpApiEndpoint.get("list", "/list", { success: Schema.Unknown }))
      ).add(
        HttpApiGroup.make("top", { topLevel: true }).add(
          HttpApiEndpoint.get("toString", "/own", { success: Schema.Unknown })
        )
      )
      const client = yield* ApiClient.httpApi(Odd, { baseUrl, retry: false })
      yield* (client as unknown as { readonly constructor: { readonly list: () => Effect.Effect<unknown> } })
        .constructor.list()
      yield* client.toString()
      expect(seen.map((s) => s.url)).toEqual(["/list", "/own"])
      expect(Object.prototype.hasOwnProperty.call(Object, "list")).toBe(false)
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, "list")).toBe(false)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live(
    "a declared 404 whose body is too large, a bomb, not gzip or not JSON is TooLarge, Read or InvalidJson, with its status",
    () =>
      Effect.gen(function*() {
        const big = JSON.stringify({ _tag: "PetNotFound", id: 2, padding: "x".repeat(20_000) })
        const bomb = Zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024, 32))
        const { baseUrl } = yield* raw((req, res) => {
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
        const failure = (id: number) => Effect.flip(client.pets.get({ params: { id } })).pipe(within(10, `pet ${id}`))
        expect(yield* failure(2)).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", status: 404 })
        expect(yield* failure(3)).toMatchObject({ _tag: "DecodeError", reason: "TooLarge", status: 404 })
        expect(yield* failure(4)).toMatchObject({ _tag: "DecodeError", reason: "Read", status: 404 })
        expect(yield* failure(5)).toMatchObject({ _tag: "DecodeError", reason: "InvalidJson", status: 404 })
        expect(yield* failure(6)).toMatchObject({ _tag: "DecodeError", reason: "InvalidJson", status: 200 })
        // the control: a declared 404 that fits is the declared error
        expect(yield* failure(7)).toMatchObject({ _tag: "PetNotFound", id: 7 })
      }).pipe(Effect.provide(ConnectionPool.layer()))
  )
})

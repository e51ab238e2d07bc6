/**
 * The Effect 4 output (`--effect 4`, the default) on the wire: the pet-store client generated
 * from packages/examples/openapi/petstore.yaml and the wire spec's (wireSpec.ts), with
 * test/effect4/program.ts beside them, type-checked with `tsc --strict` against effect 4.1.5,
 * bundled with esbuild (effect from packages/client) and run with Node 22 against a loopback
 * server here that records each raw request: typed success, a declared 404 arriving as its
 * class, an `Idempotency-Key`'d POST retried with one key (and a POST without one not),
 * path parameters percent-encoded, both `…Stream` strategies, and `layerConfig`.
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { buildDir, typeErrors, write } from "./compile.js"
import { bundle, runNode22 } from "./node22.js"
import { spec as wireSpec } from "./wireSpec.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const petstoreSpec = Path.join(here, "../../examples/openapi/petstore.yaml")

interface Seen {
  readonly method: string
  /** The raw request target, before any parsing. */
  readonly url: string
  readonly idempotencyKey: string | undefined
  readonly authorization: string | undefined
  readonly body: string
}

type Answer = readonly [status: number, body: unknown, headers?: Record<string, string>]

const json = { "content-type": "application/json" }

/** The pet store and the wire spec's API on one server: scripted answers by method and raw URL. */
const answer = (faults: Map<string, number>) => (method: string, url: string): Answer => {
  const key = `${method} ${new URL(url, "http://x").pathname}`
  const left = faults.get(key) ?? 0
  if (left > 0) {
    faults.set(key, left - 1)
    return [503, { busy: true }]
  }
  const query = new URL(url, "http://x").searchParams
  const pet = (id: number) => ({ id, name: `pet-${id}`, status: "available" })
  switch (key) {
    case "GET /pets/3":
    case "GET /pets/2":
      return [200, pet(Number(key.slice(-1)))]
    case "GET /pets/404":
      return [404, { title: "no pet 404" }]
    case "POST /pets":
      return [201, { id: 26, name: "Bo", status: "available" }]
    case "DELETE /pets/5":
      return [204, undefined]
    case "GET /pets/7/photo":
      return [200, "https://photos.example/7.jpg", { "content-type": "text/plain" }]
    case "GET /pets": {
      const page = Number(query.get("page") ?? "1")
      const limit = Number(query.get("limit"))
      const ids = Array.from({ length: 25 }, (_, i) => i + 1).slice((page - 1) * limit, page * limit)
      const next = page * limit < 25 ? { link: `</pets?limit=${limit}&page=${page + 1}>; rel="next"` } : {}
      return [200, ids.map(pet), next]
    }
    case "GET /owners": {
      const start = Number(query.get("cursor") ?? "0")
      const items = Array.from({ length: 7 }, (_, i) => ({ id: `o${i}`, name: `owner ${i}`, pets: [i] }))
      return [200, { items: items.slice(start, start + 3), next_cursor: start + 3 < 7 ? String(start + 3) : null }]
    }
    case "GET /items/bad":
      return [400, { message: "no such item" }]
  }
  if (key.startsWith("GET /search/")) {
    const page = Number(query.get("page") ?? "1")
    return [200, page <= 2 ? [`r${page}`] : []]
  }
  return [200, {}]
}

const serve = (faults: Map<string, number>) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Http.Server; readonly seen: Array<Seen> }>((resume) => {
      const seen: Array<Seen> = []
      const respond = answer(faults)
      const server = Http.createServer((req, res) => {
        let body = ""
        req.setEncoding("utf8")
        req.on("data", (chunk: string) => (body += chunk.slice(0, 10_000)))
        req.on("end", () => {
          const key = req.headers["idempotency-key"]
          seen.push({
            method: req.method ?? "",
            url: req.url ?? "",
            idempotencyKey: typeof key === "string" ? key : undefined,
            authorization: req.headers.authorization,
            body
          })
          const [status, payload, headers = json] = respond(req.method ?? "", req.url ?? "/")
          res.writeHead(status, { ...json, ...headers }).end(
            payload === undefined ? undefined : typeof payload === "string" ? payload : JSON.stringify(payload)
          )
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, seen })))
    }),
    ({ server }) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  )

describe("the Effect 4 output (--effect 4), on Node 22 against a loopback server", () => {
  it.scopedLive(
    "compiles with tsc --strict against effect 4.1.5, and calls the pet store and the wire spec as they declare",
    () =>
      Effect.gen(function*() {
        const dir = buildDir("effect4")
        const petstore = Generator.generate(yield* Generator.load(petstoreSpec), { name: "Petstore" })
        const wire = Generator.generate(wireSpec, { name: "Wire" })
        expect(petstore.files["client.ts"]).toContain(`from "@steady/client"`)
        for (const [folder, files] of [["petstore", petstore.files], ["wire", wire.files]] as const) {
          Fs.mkdirSync(Path.join(dir, folder))
          write(Path.join(dir, folder), files)
        }
        const program = Path.join(dir, "program.ts")
        Fs.copyFileSync(Path.join(here, "effect4/program.ts"), program)
        expect(typeErrors([program], 4)).toEqual([])

        const { seen, server } = yield* serve(
          new Map([["GET /pets/3", 2], ["POST /pets", 2], ["POST /pets/1/adopt", 1], ["GET /pets/404", 1]])
        )
        const baseUrl = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
        const bundled = yield* Effect.promise(() => bundle(program, Path.join(dir, "program.mjs")))
        const run = yield* Effect.promise(() =>
          runNode22(bundled, [baseUrl], { PETSTORE_BASE_URL: baseUrl, PETSTORE_TOKEN: "from-config" })
        )
        expect(run.stderr).toBe("")
        expect(run.code).toBe(0)
        const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null")

        // typed success (the program's annotations are its type test), through two 503s
        expect(result.petstore.pet).toEqual({ id: 3, name: "pet-3", status: "available" })
        expect(seen.filter((s) => s.url === "/pets/3")).toHaveLength(3)
        // the declared 404 is the operation's NotFound class, its body the spec's Problem
        expect(result.petstore.missing).toBe("NotFound 404 no pet 404 true")
        // and it says the request and the attempts, as steady's errors do; ApiError.optional("NotFoundError") matches it
        expect(result.petstore.described).toEqual({
          request: { method: "GET", url: `${baseUrl}/pets/404` },
          attempts: 2,
          statusTag: "NotFoundError",
          message: `GET ${baseUrl}/pets/404 failed: 404 Not Found (2 attempts)`
        })
        expect(result.petstore.found).toBe(true)
        // createPet declares an Idempotency-Key: one is sent, the same one on each of 3 attempts
        expect(result.petstore.created).toEqual({ id: 26, name: "Bo", status: "available" })
        const posts = seen.filter((s) => s.method === "POST" && s.url === "/pets")
        expect(posts).toHaveLength(3)
        expect(posts[0].idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
        expect(new Set(posts.map((s) => s.idempotencyKey)).size).toBe(1)
        expect(JSON.parse(posts[0].body)).toEqual({ name: "Bo", tag: null })
        // adoptPet declares none: a 503 is not retried
        expect(result.petstore.adopt).toEqual({ _tag: "ServerError", attempts: 1 })
        expect(seen.filter((s) => s.url === "/pets/1/adopt").map((s) => s.idempotencyKey)).toEqual([undefined])
        expect(result.petstore.deleted).toBe(true)
        expect(result.petstore.photo).toBe("https://photos.example/7.jpg")
        // …Stream: three pages by Link, three by cursor
        expect(result.petstore.pets).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
        expect(seen.filter((s) => s.url.startsWith("/pets?")).map((s) => s.url)).toEqual([
          "/pets?limit=10",
          "/pets?limit=10&page=2",
          "/pets?limit=10&page=3"
        ])
        expect(result.petstore.owners).toEqual(["o0", "o1", "o2", "o3", "o4", "o5", "o6"])
        expect(seen.filter((s) => s.url.startsWith("/owners")).map((s) => s.url)).toEqual([
          "/owners",
          "/owners?cursor=3",
          "/owners?cursor=6"
        ])
        // every pet-store call carried the bearer token; layerConfig read PETSTORE_BASE_URL and PETSTORE_TOKEN
        const petstoreCalls = seen.filter((s) => /^\/(pets|owners)(\/\d+(\/\w+)?)?(\?|$)/.test(s.url))
        expect(petstoreCalls.filter((s) => s.url !== "/pets/2").every((s) => s.authorization === "Bearer s3cret"))
          .toBe(true)
        expect(result.configured).toBe("pet-2")
        expect(seen.find((s) => s.url === "/pets/2")?.authorization).toBe("Bearer from-config")

        // the wire spec: each path parameter percent-encoded as one segment, the path's own colon kept
        expect(result.wire.bad).toEqual({ _tag: "BadRequest", body: { message: "no such item" } })
        expect(result.wire.pages).toEqual(["r1", "r2"])
        expect(seen.filter((s) => !petstoreCalls.includes(s)).map((s) => s.url)).toEqual([
          "/v1/models/gemini-pro:generateContent",
          "/files/a%2Fb/c%3Fd",
          "/pets/7%23x/photo",
          "/items/bad",
          "/search/a%2Fb%3Fc%23d%25",
          "/search/a%2Fb%3Fc%23d%25?page=2",
          "/search/a%2Fb%3Fc%23d%25?page=3"
        ])
      }),
    180_000
  )
})

/**
 * Generated clients on the wire: a spec with the paths that used to go wrong (a Google-style
 * `{model}:generateContent`, parameters that collide once renamed, a name that is not an
 * identifier) and a declared 400, generated, imported, and called against a loopback server
 * that records each raw request path.
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Chunk, Effect, Stream } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Path from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect } from "vitest"
import { buildDir, write } from "./compile.js"
import { spec } from "./wireSpec.js"

describe("a generated client on the wire", () => {
  it.scopedLive(
    "paths: text after a parameter, collided names, names that are not identifiers, values encoded",
    () =>
      Effect.gen(function*() {
        const seen: Array<string> = []
        const server = yield* Effect.acquireRelease(
          Effect.async<Http.Server>((resume) => {
            const s = Http.createServer((req, res) => {
              seen.push(req.url ?? "")
              const url = new URL(req.url ?? "/", "http://x")
              if (url.pathname.startsWith("/items/bad")) {
                return res.writeHead(400, { "content-type": "application/json" }).end(
                  JSON.stringify({ message: "no such item" })
                )
              }
              if (url.pathname.startsWith("/search/")) {
                const page = Number(url.searchParams.get("page") ?? "1")
                return res.writeHead(200, { "content-type": "application/json" }).end(
                  JSON.stringify(page <= 2 ? [`r${page}`] : [])
                )
              }
              return res.writeHead(200, { "content-type": "application/json" }).end("{}")
            })
            s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
          }),
          (s) => Effect.promise(() => new Promise<void>((resolve) => s.close(() => resolve())))
        )
        const baseUrl = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
        const generated = Generator.generate(spec, { name: "Wire", effect: 3 })
        const dir = buildDir("wire")
        write(dir, generated.files)
        const Wire = yield* Effect.promise(() => import(pathToFileURL(Path.join(dir, "index.ts")).href))
        const results = yield* Effect.flatMap(Wire.Wire as any, (w: any) =>
          Effect.all({
            generate: w.generateContent({ path: { model: "gemini-pro" } }),
            file: w.getFile({ path: { filePath2: "a/b", filePath: "c?d" } }),
            photo: w.getPhoto({ path: { petId: "7#x" } }),
            bad: Effect.flip(w.getItem({ path: { id: "bad" } })),
            pages: Stream.runCollect(w.searchStream({ path: { scope: "a/b?c#d%" }, urlParams: {} }))
          }, { concurrency: 1 })).pipe(Effect.provide(Wire.layer({ baseUrl, retry: false }))) as Effect.Effect<any>
        // a declared 400 is the operation's typed error, not the HttpApi's decode error
        expect(results.bad).toMatchObject({ _tag: "BadRequest", status: 400, body: { message: "no such item" } })
        expect(Chunk.toReadonlyArray(results.pages)).toEqual(["r1", "r2"])
        expect(seen).toEqual([
          "/v1/models/gemini-pro:generateContent",
          "/files/a%2Fb/c%3Fd",
          "/pets/7%23x/photo",
          "/items/bad",
          "/search/a%2Fb%3Fc%23d%25",
          "/search/a%2Fb%3Fc%23d%25?page=2",
          "/search/a%2Fb%3Fc%23d%25?page=3"
        ])
        // in the router's syntax: the colon is the path's own, and the renamed parameter has a name of its own
        expect(generated.files["api.ts"]).toContain(`"/v1/models/:model([^/]+?)::generateContent"`)
        expect(generated.files["api.ts"]).toContain(`"/files/:filePath2/:filePath"`)
      }),
    60_000
  )
})

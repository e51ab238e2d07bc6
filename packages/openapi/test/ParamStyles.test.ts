/**
 * Parameters in every OpenAPI style, on the wire: the client of test/paramStylesSpec.ts (one
 * operation per row of OpenAPI 3.1's style table, in the query, the path, a header and a
 * cookie, `explode` false and true), generated for both Effect lines, type-checked with
 * `tsc --strict`, and called against a loopback server that records each raw request line and its
 * headers. 0.2 sent every query array as repeated keys, typed a `deepObject` range filter as a
 * string, wrote a `label` or `matrix` scalar as plain text, ignored `nullable`, and dropped
 * cookie parameters. Hostile values stay in their own parameter: none adds a parameter, a cookie
 * or a header.
 */
import { it } from "@effect/vitest"
import * as ParamStyle from "@steady/core/ParamStyle"
import { Generator } from "@steady/openapi"
import { Chunk, Effect, Either, Stream } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect } from "vitest"
import { buildDir, typeErrors, write } from "./compile.js"
import { bundle, runNode22 } from "./node22.js"
import { type Call, calls, hostile, spec } from "./paramStylesSpec.js"

const here = Path.dirname(fileURLToPath(import.meta.url))

interface Seen {
  /** The request target as sent: path and query, raw. */
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
}

/** Records each request's target and headers; answers `{}`. */
const serve = Effect.acquireRelease(
  Effect.async<{ readonly server: Http.Server; readonly seen: Array<Seen> }>((resume) => {
    const seen: Array<Seen> = []
    const server = Http.createServer((req, res) => {
      if (seen.length < 1_000) seen.push({ url: req.url ?? "", headers: req.headers })
      req.resume()
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x")
        const page = Number(url.searchParams.get("page") ?? "1")
        res.writeHead(200, { "content-type": "application/json" }).end(
          url.pathname === "/pages" ? JSON.stringify(page <= 2 ? [`e${page}`] : []) : "{}"
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

const baseUrlOf = (server: Http.Server) => `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`

/** A call's request on a line: its one parameter where it goes (a cookie in the `cookie` header's struct). */
const requestOf = (c: Call, effect: 3 | 4): Record<string, unknown> => {
  const value = { color: c.value }
  switch (c.place) {
    case "query":
      return { [effect === 3 ? "urlParams" : "query"]: value }
    case "path":
      return { [effect === 3 ? "path" : "params"]: value }
    case "header":
      return { headers: value }
    case "cookie":
      return { headers: { cookie: value } }
  }
}

/** The generated method's name (the generator camel-cases the operationId). */
const methodOf = (operationId: string) =>
  operationId.split("_").map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("")

/** A query, form-decoded: what a server reads, the table's text. */
const formDecoded = (raw: string) =>
  raw.split("&").map((p) => p.split("=").map((s) => decodeURIComponent(s.replace(/\+/g, " "))).join("=")).join("&")

/** The request the server saw for a call (by its path), or undefined. */
const seenFor = (seen: ReadonlyArray<Seen>, c: Call) =>
  seen.find((s) =>
    c.place === "path" ? s.url.startsWith(`${c.prefix}/`) : s.url === c.prefix || s.url.startsWith(`${c.prefix}?`)
  )

/** What each call must have put on the wire, exactly, and that it reads back as the table says. */
const expectWire = (seen: ReadonlyArray<Seen>) => {
  for (const c of calls) {
    const s = seenFor(seen, c)
    const at = `${c.operationId}: ${JSON.stringify(s)}`
    switch (c.place) {
      case "query":
        expect(s?.url, at).toBe(`${c.prefix}?${c.raw}`)
        expect(formDecoded(c.raw), at).toBe(c.table)
        break
      case "path":
        expect(s?.url, at).toBe(`${c.prefix}/${c.raw}`)
        expect(decodeURIComponent(c.raw), at).toBe(c.table)
        break
      case "header":
        expect(s?.headers.color, at).toBe(c.raw)
        break
      case "cookie":
        expect(s?.headers.cookie, at).toBe(c.raw)
        break
    }
  }
  // a range filter typed as an object, in brackets
  expect(seen.find((s) => s.url.startsWith("/charges?"))?.url).toBe(
    "/charges?created%5Bgte%5D=1&created%5Blt%5D=9&limit=10"
  )
  // a paged GET's …Stream sends its query in its style on every page
  expect(seen.filter((s) => s.url.startsWith("/pages")).map((s) => s.url)).toEqual([
    "/pages?created%5Bgte%5D=1&tags=a%7Cb",
    "/pages?created%5Bgte%5D=1&tags=a%7Cb&page=2",
    "/pages?created%5Bgte%5D=1&tags=a%7Cb&page=3"
  ])
  // null sends nothing (no query parameter, no header, no cookie); values go as any other
  const nullable = seen.filter((s) => s.url.startsWith("/nullable"))
  expect(nullable.map((s) => [s.url, s.headers["x-when"], s.headers.cookie])).toEqual([
    ["/nullable?keep=k", undefined, undefined],
    ["/nullable?q=a&ids=1&ids=2&keep=k", "now", "session=s1; theme=dark"]
  ])
}

/** Hostile values: each in its own parameter, or (a line break in a header) refused with nothing sent. */
const expectHostile = (seen: ReadonlyArray<Seen>) => {
  for (const c of hostile) {
    const at = `${c.operationId}: ${JSON.stringify(c.value)}`
    if (c.place === "query") {
      expect(seen.some((s) => s.url === `${c.prefix}?${c.raw}`), at).toBe(true)
      expect([...new URLSearchParams(c.raw).keys()], at).toEqual(["color"])
    } else if (c.place === "path") {
      expect(seen.some((s) => s.url === `${c.prefix}/${c.raw}`), at).toBe(true)
    } else {
      expect(seen.some((s) => s.headers.cookie === c.raw), at).toBe(true)
      expect(ParamStyle.parseCookie(c.raw), at).toEqual({ color: c.value })
    }
  }
  for (const s of seen) expect(Object.keys(s.headers)).not.toContain("x-injected")
  expect(seen.filter((s) => s.url.startsWith("/header/simple/false/string")).map((s) => s.headers.color)).toEqual([
    "blue"
  ])
}

/** The header call no client may send: a line break in a header's value. */
const crlfHeader = { operationId: "header_simple_false_string", value: "x\r\nX-Injected: 1" }

const allCalls = (effect: 3 | 4) => [
  ...calls.map((c) => ({ operationId: methodOf(c.operationId), request: requestOf(c, effect) })),
  ...hostile.map((c) => ({ operationId: methodOf(c.operationId), request: requestOf(c, effect) })),
  { operationId: methodOf(crlfHeader.operationId), request: { headers: { color: crlfHeader.value } } }
]

describe("parameters in every OpenAPI style", () => {
  it("both lines compile under tsc --strict, their parameters typed as values (a range filter as an object)", () => {
    const dir = buildDir("styles")
    const files: Array<string> = []
    for (const effect of [3, 4] as const) {
      const generated = Generator.generate(spec, { name: "Styles", effect })
      expect(generated.skipped).toEqual([])
      // a matrix path parameter is generated, and reported (steady encodes its `;` and `=` with the segment), as
      // is allowReserved (not honoured)
      expect(generated.reports.map((r) => `${r.operationId} ${r.generated}`).sort()).toEqual(
        [
          ...calls.filter((c) => c.prefix.startsWith("/path/matrix")).map((c) => `${c.operationId} true`),
          "reserved true"
        ].sort()
      )
      const out = Path.join(dir, `e${effect}`)
      Fs.mkdirSync(Path.join(out, "styles"), { recursive: true })
      files.push(...write(Path.join(out, "styles"), generated.files))
      const program = Path.join(out, "program.ts")
      Fs.copyFileSync(Path.join(here, `effect${effect}/styles.ts`), program)
      files.push(program)
    }
    expect(typeErrors(files.filter((f) => f.includes("/e3/")), 3)).toEqual([])
    expect(typeErrors(files.filter((f) => f.includes("/e4/")), 4)).toEqual([])
  }, 300_000)

  it.scopedLive(
    "Effect 3: every row of the table on the wire; hostile values stay in their parameter",
    () =>
      Effect.gen(function*() {
        const { seen, server } = yield* serve
        const dir = buildDir("styles3")
        write(dir, Generator.generate(spec, { name: "Styles", effect: 3 }).files)
        const Styles = yield* Effect.promise(() => import(pathToFileURL(Path.join(dir, "index.ts")).href))
        const outcomes = yield* Effect.flatMap(Styles.Styles as Effect.Effect<any>, (s: any) =>
          Effect.gen(function*() {
            yield* s.listCharges({ urlParams: { created: { gte: 1, lt: 9 }, limit: 10 } })
            yield* s.nullable({
              urlParams: { q: null, ids: null, keep: "k" },
              headers: { "x-when": null, cookie: { session: null } }
            })
            yield* s.nullable({
              urlParams: { q: "a", ids: [1, 2], keep: "k" },
              headers: { "x-when": "now", cookie: { session: "s1", theme: "dark" } }
            })
            const pages = yield* Stream.runCollect(
              s.listPagesStream({ urlParams: { created: { gte: 1 }, tags: ["a", "b"] } })
            )
            const out: Array<string> = [Chunk.toReadonlyArray(pages as Chunk.Chunk<string>).join(",")]
            for (const call of allCalls(3)) {
              const result = yield* Effect.either(s[call.operationId](call.request) as Effect.Effect<unknown, any>)
              out.push(Either.isRight(result) ? "ok" : `failed: ${result.left._tag}`)
            }
            return out
          })).pipe(
            Effect.provide(Styles.layer({ baseUrl: baseUrlOf(server), retry: false })),
            Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => "timed out" })
          ) as Effect.Effect<Array<string>, unknown>
        expect(outcomes[0]).toBe("e1,e2")
        expect(outcomes.slice(1, -1).every((o) => o === "ok")).toBe(true)
        expect(outcomes.at(-1)).toBe("failed: ConnectionError")
        expectWire(seen)
        expectHostile(seen)
      }),
    120_000
  )

  it.scopedLive("Effect 4: the same calls, bundled and run with Node 22", () =>
    Effect.gen(function*() {
      const { seen, server } = yield* serve
      const dir = buildDir("styles4")
      Fs.mkdirSync(Path.join(dir, "styles"))
      write(Path.join(dir, "styles"), Generator.generate(spec, { name: "Styles" }).files)
      const program = Path.join(dir, "program.ts")
      Fs.copyFileSync(Path.join(here, "effect4/styles.ts"), program)
      const callsFile = Path.join(dir, "calls.json")
      Fs.writeFileSync(callsFile, JSON.stringify(allCalls(4)))
      const bundled = yield* Effect.promise(() => bundle(program, Path.join(dir, "program.mjs")))
      const run = yield* Effect.promise(() => runNode22(bundled, [baseUrlOf(server), callsFile]))
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      const outcomes: Array<string> = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "[]")
      expect(outcomes[0]).toBe("e1,e2")
      expect(outcomes.slice(1, -1).every((o) => o === "ok")).toBe(true)
      expect(outcomes.at(-1)).toBe("failed: ConnectionError")
      expectWire(seen)
      expectHostile(seen)
    }), 180_000)
})

/**
 * What 0.2's output did not compile, or sent wrong, generated for both Effect lines from
 * test/bodiesSpec.ts, type-checked with `tsc --strict`, and called against a loopback server that
 * records each raw request: a form body with number, boolean, array, object and `deepObject`
 * fields; path and header parameters that are arrays and objects (in their `simple` style); an
 * OPTIONS with a body (generated without it, and reported); a declared 304 (a success); and a
 * `…Stream` method that sends its header parameter; a multipart upload and an octet-stream body
 * (0.2 left both out). The Effect 3 client runs here; the Effect 4
 * one is bundled with test/effect4/bodies.ts and run with Node 22.
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Chunk, Effect, Stream } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect } from "vitest"
import { spec } from "./bodiesSpec.js"
import { buildDir, typeErrors, write } from "./compile.js"
import { bundle, runNode22 } from "./node22.js"

const here = Path.dirname(fileURLToPath(import.meta.url))

/** A PNG's first bytes, and bytes no UTF-8 text holds. */
const logo = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0xc3]

/** Stripe-style customers, two a page. */
const customerIds = ["c1", "c2", "c3", "c4", "c5"]

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

/** Records each request (its body bounded), and answers as the spec declares. */
const serve = Effect.acquireRelease(
  Effect.async<{ readonly server: Http.Server; readonly seen: Array<Seen> }>((resume) => {
    const seen: Array<Seen> = []
    const server = Http.createServer((req, res) => {
      let body = ""
      req.setEncoding("utf8")
      req.on("data", (chunk: string) => (body += chunk.slice(0, 10_000)))
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
        const url = new URL(req.url ?? "/", "http://x")
        const json = { "content-type": "application/json" }
        if (req.method === "OPTIONS") return res.writeHead(204).end()
        if (url.pathname === "/etag") return res.writeHead(304, { etag: "\"v1\"" }).end()
        if (url.pathname === "/raw") return res.writeHead(204).end()
        if (url.pathname === "/invoices") {
          const offset = Number(url.searchParams.get("offset") ?? "0")
          const numbers = [1, 2, 3, 4, 5].slice(offset, offset + Number(url.searchParams.get("limit")))
          return res.writeHead(200, json).end(
            JSON.stringify({ total_count: 5, invoices: numbers.map((number) => ({ number })) })
          )
        }
        if (url.pathname === "/buckets") {
          const marker = url.searchParams.get("marker")
          const page = marker === null ? 0 : Number(marker.slice(1))
          const buckets = [["b1", "b2"], ["b3"]][page] ?? []
          return res.writeHead(200, json).end(JSON.stringify({ buckets, next_marker: page === 0 ? "m1" : null }))
        }
        if (url.pathname === "/customers") {
          const after = url.searchParams.get("starting_after")
          const start = after === null ? 0 : customerIds.indexOf(after) + 1
          const data = customerIds.slice(start, start + Number(url.searchParams.get("limit")))
          return res.writeHead(200, json).end(
            JSON.stringify({
              object: "list",
              data: data.map((id) => ({ id })),
              has_more: start + data.length < customerIds.length
            })
          )
        }
        if (url.pathname === "/logo") return res.writeHead(200, { "content-type": "image/png" }).end(Buffer.from(logo))
        if (url.pathname.startsWith("/assets/")) return res.writeHead(201, json).end(JSON.stringify({ ok: true }))
        if (url.pathname === "/events") {
          const page = Number(url.searchParams.get("page") ?? "1")
          return res.writeHead(200, json).end(JSON.stringify(page <= 2 ? [`e${page}`] : []))
        }
        return res.writeHead(200, json).end(JSON.stringify({ ok: true }))
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

/** What both lines must have sent. */
const expectWire = (seen: ReadonlyArray<Seen>) => {
  const charge = seen.find((s) => s.url === "/charges")
  expect(charge?.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/)
  // numbers and booleans as text, arrays repeated, deepObject fields in brackets: never [object Object]
  expect(decodeURIComponent((charge?.body ?? "").replace(/\+/g, " ")).split("&")).toEqual([
    "amount=2000",
    "capture=false",
    "description=a b",
    "c=d",
    "tags=x",
    "tags=y",
    "expand[]=tax",
    "items[0][price]=p_1",
    "items[0][quantity]=2",
    "metadata[order]=7"
  ])
  expect(new URLSearchParams(charge?.body).get("description")).toBe("a b&c=d")
  // path: an array and an exploded object, each one segment in the simple style (its commas percent-encoded)
  const colors = seen.find((s) => s.url.startsWith("/colors/"))
  expect(colors?.url).toBe("/colors/3%2C4%2C5/x%3D1%2Cy%3D2")
  expect(colors?.headers["x-tags"]).toBe("a,b")
  expect(colors?.headers["x-range"]).toBe("from,1,to,9")
  // OPTIONS goes without a body
  expect(seen.find((s) => s.method === "OPTIONS")).toMatchObject({ url: "/probe", body: "" })
  // a multipart upload: each field a part, the file with its name, the typed image with the encoding's type
  const asset = seen.find((s) => s.url === "/assets/7")
  expect(asset?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/)
  const parts = (asset?.body ?? "").split(/\r\n--[^\r\n]*(?:--)?\r\n?/).filter((p) => p.includes("Content-Disposition"))
    .map((p) => p.replace(/^--[^\r\n]*\r\n/, "").replace(/\r\n/g, "|"))
  expect(parts).toEqual([
    `Content-Disposition: form-data; name="file"; filename="hello.txt"|Content-Type: text/plain||hello`,
    `Content-Disposition: form-data; name="thumbnail"; filename="thumbnail"|Content-Type: image/png||PN`,
    `Content-Disposition: form-data; name="name"||asset`,
    `Content-Disposition: form-data; name="tags"||a`,
    `Content-Disposition: form-data; name="tags"||b`,
    `Content-Disposition: form-data; name="meta"; filename="blob"|Content-Type: application/json||{"width":2}`
  ])
  // an octet-stream body: the bytes as they are, with their type
  expect(seen.find((s) => s.url === "/raw")).toMatchObject({ method: "PUT", body: "raw bytes" })
  expect(seen.find((s) => s.url === "/raw")?.headers["content-type"]).toBe("application/octet-stream")
  // has_more + starting_after: the last id of each page, until has_more is false
  expect(seen.filter((s) => s.url.startsWith("/customers")).map((s) => s.url)).toEqual([
    "/customers?limit=2",
    "/customers?limit=2&starting_after=c2",
    "/customers?limit=2&starting_after=c4"
  ])
  // offset/limit: advanced by the items read, until an empty page; marker: the response's next_marker
  expect(seen.filter((s) => s.url.startsWith("/invoices")).map((s) => s.url)).toEqual([
    "/invoices?limit=2",
    "/invoices?limit=2&offset=2",
    "/invoices?limit=2&offset=4",
    "/invoices?limit=2&offset=5"
  ])
  expect(seen.filter((s) => s.url.startsWith("/buckets")).map((s) => s.url)).toEqual(["/buckets", "/buckets?marker=m1"])
  // the stream sends its header on every page
  expect(seen.filter((s) => s.url.startsWith("/events")).map((s) => [s.url, s.headers["x-org"]])).toEqual([
    ["/events", "acme"],
    ["/events?page=2", "acme"],
    ["/events?page=3", "acme"]
  ])
}

describe("bodies and parameters 0.2 could not write", () => {
  it("both lines compile under tsc --strict, and the OPTIONS body is reported with its operationId", () => {
    const dir = buildDir("bodies")
    const files: Array<string> = []
    for (const effect of [3, 4] as const) {
      const generated = Generator.generate(spec, { name: "Bodies", effect })
      expect(generated.reports).toEqual([{
        method: "OPTIONS",
        path: "/probe",
        operationId: "probe",
        generated: true,
        reason: "a request body on OPTIONS is not sent (HttpApi sends none with OPTIONS)"
      }])
      expect(generated.skipped).toEqual([])
      Fs.mkdirSync(Path.join(dir, `e${effect}`))
      files.push(...write(Path.join(dir, `e${effect}`), generated.files))
    }
    expect(typeErrors(files.filter((f) => f.includes("/e3/")), 3)).toEqual([])
    expect(typeErrors(files.filter((f) => f.includes("/e4/")), 4)).toEqual([])
  }, 120_000)

  it.scopedLive("Effect 3: on the wire as the spec says; a 304 is a success", () =>
    Effect.gen(function*() {
      const { seen, server } = yield* serve
      const baseUrl = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
      const dir = buildDir("bodies3")
      write(dir, Generator.generate(spec, { name: "Bodies", effect: 3 }).files)
      const Bodies = yield* Effect.promise(() => import(pathToFileURL(Path.join(dir, "index.ts")).href))
      const result = yield* Effect.flatMap(Bodies.Bodies as any, (b: any) =>
        Effect.all({
          charge: b.createCharge({
            payload: {
              amount: 2000,
              capture: false,
              description: "a b&c=d",
              tags: ["x", "y"],
              expand: ["tax"],
              items: [{ price: "p_1", quantity: 2 }],
              metadata: { order: "7" }
            }
          }),
          colors: b.getColors({
            path: { ids: [3, 4, 5], point: { x: 1, y: 2 } },
            headers: { "x-tags": ["a", "b"], "x-range": { from: 1, to: 9 } }
          }),
          probe: b.probe(),
          fresh: b.getEtag({ headers: { "if-none-match": "\"v1\"" } }),
          events: Stream.runCollect(b.listEventsStream({ urlParams: {}, headers: { "x-org": "acme" } })),
          asset: b.uploadAsset({
            path: { id: 7 },
            payload: {
              file: new File(["hello"], "hello.txt", { type: "text/plain" }),
              thumbnail: new Blob([new Uint8Array([80, 78])]),
              name: "asset",
              tags: ["a", "b"],
              meta: { width: 2 }
            }
          }),
          raw: b.putRaw({ payload: new TextEncoder().encode("raw bytes") }),
          logo: b.getLogo(),
          customers: Stream.runCollect(b.listCustomersStream({ urlParams: { limit: 2 } })),
          invoices: Stream.runCollect(b.listInvoicesStream({ urlParams: { limit: 2 } })),
          buckets: Stream.runCollect(b.listBucketsStream({ urlParams: {} }))
        }, { concurrency: 1 })).pipe(
          Effect.provide(Bodies.layer({ baseUrl, retry: false })),
          Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => "timed out" })
        ) as Effect.Effect<any, unknown>
      expect(result.charge).toEqual({ ok: true })
      expect(result.fresh).toBeUndefined()
      expect(Chunk.toReadonlyArray(result.events)).toEqual(["e1", "e2"])
      expect(result.asset).toEqual({ ok: true })
      expect(result.raw).toBeUndefined()
      // a binary response is its bytes, every one of them (0.2 typed it void and dropped the body)
      expect(Chunk.toReadonlyArray(result.customers).map((c: any) => c.id)).toEqual(customerIds)
      expect(Chunk.toReadonlyArray(result.invoices).map((i: any) => i.number)).toEqual([1, 2, 3, 4, 5])
      expect(Chunk.toReadonlyArray(result.buckets)).toEqual(["b1", "b2", "b3"])
      expect(result.logo).toBeInstanceOf(Uint8Array)
      expect(Array.from(result.logo as Uint8Array)).toEqual(logo)
      expectWire(seen)
    }), 60_000)

  it.scopedLive("Effect 4: the same calls, bundled and run with Node 22", () =>
    Effect.gen(function*() {
      const { seen, server } = yield* serve
      const baseUrl = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
      const dir = buildDir("bodies4")
      Fs.mkdirSync(Path.join(dir, "bodies"))
      write(Path.join(dir, "bodies"), Generator.generate(spec, { name: "Bodies" }).files)
      const program = Path.join(dir, "program.ts")
      Fs.copyFileSync(Path.join(here, "effect4/bodies.ts"), program)
      expect(typeErrors([program], 4)).toEqual([])
      const bundled = yield* Effect.promise(() => bundle(program, Path.join(dir, "program.mjs")))
      const run = yield* Effect.promise(() => runNode22(bundled, [baseUrl]))
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      const result = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null")
      expect(result).toEqual({
        charge: { ok: true },
        colors: { ok: true },
        probe: true,
        notModified: true,
        events: ["e1", "e2"],
        asset: { ok: true },
        raw: true,
        logo,
        customers: customerIds,
        invoices: [1, 2, 3, 4, 5],
        buckets: ["b1", "b2", "b3"]
      })
      expectWire(seen)
    }), 180_000)
})

/**
 * Responses 0.2 did not type, generated for both Effect lines from test/responsesSpec.ts,
 * type-checked with `tsc --strict` (with a program on each line that catches each range's error
 * by its tag), and called against a loopback server: a declared 404, a 418 that falls to `4XX`,
 * a 503 to `5XX`, a 400 and a 500 to `default` (an API whose only error is `default`), an
 * undeclared 2xx and a 300 that `default` does not take, a `text/plain` response and one offered as JSON
 * and as text; a download read whole (over `maxResponseBytes`: a `DecodeError`, `TooLarge`) and
 * as a stream (every byte, past that bound); an upload as bytes and from a stream, each received
 * whole, and after a 503 with retries on, the bytes sent again and the stream not (steady's
 * one-shot rule). The Effect 3 program runs here; the Effect 4 one is bundled with
 * test/effect4/responses.ts and run with Node 22.
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect } from "vitest"
import { buildDir, typeErrors, write } from "./compile.js"
import { bundle, runNode22 } from "./node22.js"
import { spec } from "./responsesSpec.js"

const here = Path.dirname(fileURLToPath(import.meta.url))

/** What the server received for each upload (name, bytes, their sum), in order. */
const uploads: Array<{ readonly name: string; readonly received: number; readonly sum: number }> = []

/**
 * An upload: its bytes counted and summed as they arrive (none kept), then a 201 with the count
 * and sum; `flaky-*` is answered 503 the first time.
 */
const upload = (req: Http.IncomingMessage, res: Http.ServerResponse) => {
  const name = decodeURIComponent((req.url ?? "").slice("/uploads/".length))
  let received = 0
  let sum = 0
  req.on("data", (chunk: Buffer) => {
    received += chunk.byteLength
    for (const b of chunk) sum += b
  })
  req.on("end", () => {
    const first = !uploads.some((u) => u.name === name)
    uploads.push({ name, received, sum })
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
    if (name.startsWith("flaky-") && first) return json(503, { title: "try again" })
    return json(201, { received, sum })
  })
}

/** Answers as the spec declares: the status a path or `?status=` names, with its body. */
const serve = Effect.acquireRelease(
  Effect.async<Http.Server>((resume) => {
    const server = Http.createServer((req, res) => {
      if (req.url?.startsWith("/uploads/")) return upload(req, res)
      req.resume()
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x")
        const json = (status: number, body: unknown) =>
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
        if (url.pathname === "/things/ok") return json(200, { id: "ok" })
        if (url.pathname === "/things/404") return json(404, { missing: "404" })
        if (url.pathname === "/things/418") return json(418, { title: "teapot" })
        if (url.pathname === "/things/503") return json(503, { title: "down" })
        if (url.pathname === "/widgets") {
          const status = Number(url.searchParams.get("status"))
          return status < 400 ? json(status, ["a", "b"]) : json(status, { error: { message: `status ${status}` } })
        }
        if (url.pathname === "/files/missing") return json(404, { missing: "file" })
        if (url.pathname.startsWith("/files/")) {
          // byte i is i % 251, written 64 KiB at a time as the socket drains
          const size = Math.min(Number(url.searchParams.get("size")), 4_000_000)
          res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) })
          let sent = 0
          const more = (): void => {
            while (sent < size) {
              const n = Math.min(65_536, size - sent)
              const chunk = Buffer.alloc(n)
              for (let i = 0; i < n; i++) chunk[i] = (sent + i) % 251
              sent += n
              if (!res.write(chunk)) return void res.once("drain", more)
            }
            res.end()
          }
          return more()
        }
        if (url.pathname === "/note") return res.writeHead(200, { "content-type": "text/plain" }).end("hello note")
        if (url.pathname === "/report") return json(200, { id: "r" })
        return json(500, { error: { message: "unknown path" } })
      })
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.promise(() =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
    )
)

/** The sum of the first `size` bytes the server sends for a file. */
const sumOf = (size: number): number => {
  let n = 0
  for (let i = 0; i < size; i++) n += i % 251
  return n
}

/** What both lines' programs must return. */
const expected = (baseUrl: string, effect: 3 | 4) => {
  const failure = (path: string, tag: string, status: number, body: unknown, statusTag: string) => ({
    tag,
    status,
    body,
    statusTag,
    request: { method: "GET", url: `${baseUrl}${path}` },
    attempts: 1,
    messageSaysStatus: true
  })
  return {
    ok: { id: "ok" },
    exact: failure("/things/404", "NotFound", 404, { missing: "404" }, "NotFoundError"),
    range4: { ...failure("/things/418", "Status4xx", 418, { title: "teapot" }, "ClientError"), title: "teapot" },
    range5: failure("/things/503", "Status5xx", 503, { title: "down" }, "ServerError"),
    optional: "None",
    onlyDefault: {
      ...failure("/widgets?status=400", "StatusDefault", 400, { error: { message: "status 400" } }, "BadRequestError"),
      message: "status 400"
    },
    serverDefault: failure(
      "/widgets?status=500",
      "StatusDefault",
      500,
      { error: { message: "status 500" } },
      "ServerError"
    ),
    undeclared2xx: effect === 3 ? "UnexpectedStatusError" : "ConnectionError",
    undeclared3xx: "UnexpectedStatusError",
    widgets: ["a", "b"],
    note: "hello note",
    report: { id: "r" },
    small: sumOf(1000),
    tooLarge: ["DecodeError", "TooLarge"],
    streamed: sumOf(1_000_000),
    streamMissing: "NotFoundError",
    bytesUpload: { received: 1000, sum: sumOf(1000) },
    streamUpload: { received: 1_000_000, sum: sumOf(1_000_000) },
    bytesRetried: { received: 1000, sum: sumOf(1000) },
    streamNotReplayed: ["ServerError", 1]
  }
}

/** What the server received: each upload whole; the bytes twice (retried), the stream once (not replayed). */
const expectUploads = () => {
  const whole = { received: 1_000_000, sum: sumOf(1_000_000) }
  const small = { received: 1000, sum: sumOf(1000) }
  expect(uploads.splice(0)).toEqual([
    { name: "bytes", ...small },
    { name: "stream", ...whole },
    { name: "flaky-bytes", ...small },
    { name: "flaky-bytes", ...small },
    { name: "flaky-stream", ...whole }
  ])
}

/** Generates the client of `effect`'s line into `dir`/responses, with the line's program next to it. */
const generate = (dir: string, effect: 3 | 4): string => {
  const generated = Generator.generate(spec, { name: "Responses", effect })
  expect(generated.reports).toEqual([])
  Fs.mkdirSync(Path.join(dir, "responses"))
  write(Path.join(dir, "responses"), generated.files)
  const program = Path.join(dir, "program.ts")
  Fs.copyFileSync(Path.join(here, `effect${effect}/responses.ts`), program)
  return program
}

describe("responses 0.2 did not type: ranges and default as typed errors, downloads and uploads streamed", () => {
  it.scopedLive(
    "Effect 3: compiles, each range's error caught by its tag, with its status, body and steady's fields",
    () =>
      Effect.gen(function*() {
        const server = yield* serve
        const baseUrl = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
        const dir = buildDir("responses3")
        const program = generate(dir, 3)
        expect(typeErrors([program], 3)).toEqual([])
        const { run } = yield* Effect.promise(() => import(pathToFileURL(program).href))
        const result = yield* (run(baseUrl) as Effect.Effect<unknown, unknown>)
        expect(result).toEqual(expected(baseUrl, 3))
        expectUploads()
      }),
    120_000
  )

  it.scopedLive("Effect 4: the same program, bundled and run with Node 22", () =>
    Effect.gen(function*() {
      const server = yield* serve
      const baseUrl = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
      const dir = buildDir("responses4")
      const program = generate(dir, 4)
      expect(typeErrors([program], 4)).toEqual([])
      const bundled = yield* Effect.promise(() => bundle(program, Path.join(dir, "program.mjs")))
      const run = yield* Effect.promise(() => runNode22(bundled, [baseUrl]))
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null")).toEqual(expected(baseUrl, 4))
      expectUploads()
    }), 180_000)
})

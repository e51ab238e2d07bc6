/**
 * Schemas 0.2 typed `any` or ignored, generated for both Effect lines from test/schemasSpec.ts,
 * type-checked with `tsc --strict` together with test/effect3/schemas.ts and
 * test/effect4/schemas.ts (whose `@ts-expect-error` lines are the type tests), and run against a
 * loopback server that records each raw request: recursive components decode and are typed all
 * the way down; a `readOnly` field is not sent and a `writeOnly` one may be missing from a
 * response; a request body the spec does not require may be left out, and then no body and no
 * `Content-Type` go out. The Effect 3 program runs here; the Effect 4 one is bundled and run with
 * Node 22.
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
import { buildDir, typeAndDeclarationErrors, write } from "./compile.js"
import { bundle, runNode22 } from "./node22.js"
import { spec } from "./schemasSpec.js"

const here = Path.dirname(fileURLToPath(import.meta.url))

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

const tree = {
  name: "root",
  children: [{ name: "a", children: [{ name: "a1", children: [] }] }],
  byKey: { k: { name: "k", children: [{ name: "k1", children: [] }] } }
}
const company = {
  name: "acme",
  staff: [{ name: "ada", employer: { name: "acme", staff: [] } }, { name: "bob" }]
}
const expr = {
  kind: "bin",
  op: "+",
  left: { kind: "num", value: 1 },
  right: { kind: "bin", op: "*", left: { kind: "num", value: 2 }, right: { kind: "num", value: 3 } }
}
/** As a server sends an account: `password` (writeOnly) left out. */
const account = { id: "acc_1", name: "ada", owner: { email: "a@b", since: "2024" } }

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
        const json = (status: number, value: unknown) =>
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value))
        switch (req.url) {
          case "/tree":
            return json(200, tree)
          case "/companies/1":
            return json(200, company)
          case "/expr":
            return json(200, expr)
          case "/accounts":
            return req.method === "POST" ? json(201, account) : json(200, [account])
          case "/teams":
          case "/notes":
            return json(200, { ok: true })
        }
        return json(404, {})
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

/** Generates the client of `effect`'s line into `dir`/shapes, and the line's program beside it. */
const generate = (dir: string, effect: 3 | 4): string => {
  Fs.mkdirSync(Path.join(dir, "shapes"))
  write(Path.join(dir, "shapes"), Generator.generate(spec, { name: "Shapes", effect }).files)
  const program = Path.join(dir, "program.ts")
  Fs.copyFileSync(Path.join(here, `effect${effect}/schemas.ts`), program)
  return program
}

/** What both programs decode. */
const expected = {
  grandchild: "a1",
  byKey: "k1",
  staff: ["acme", undefined],
  left: "num",
  created: { id: "acc_1", name: "ada" },
  listed: ["acc_1"],
  notes: [true, true, true],
  team: true
}

/** What both lines must have sent. */
const expectWire = (seen: ReadonlyArray<Seen>) => {
  // readOnly: neither the account's `id` nor its owner's `since` is sent; writeOnly `password` is
  const account = seen.find((s) => s.method === "POST" && s.url === "/accounts")
  expect(JSON.parse(account?.body ?? "null")).toEqual({ name: "ada", password: "secret", owner: { email: "a@b" } })
  expect(JSON.parse(seen.find((s) => s.url === "/teams")?.body ?? "null")).toEqual({
    name: "core",
    lead: { email: "a@b" }
  })
  // an optional body: left out, no body and no Content-Type; given, JSON (twice left out, once given)
  const notes = seen.filter((s) => s.url === "/notes")
  expect(notes.map((s) => [s.body, s.headers["content-type"]])).toEqual([
    ["", undefined],
    ["{\"text\":\"hi\"}", "application/json"],
    ["", undefined]
  ])
}

describe("schemas 0.2 typed any or ignored", () => {
  for (const effect of [3, 4] as const) {
    it(
      `Effect ${effect}: compiles under tsc --strict (declarations too), and a recursive field is typed (not any)`,
      async () => {
        const line = buildDir(`schemas-e${effect}`)
        const program = generate(line, effect)
        const files = [program, ...Fs.readdirSync(Path.join(line, "shapes")).map((f) => Path.join(line, "shapes", f))]
        expect(await typeAndDeclarationErrors(files, effect)).toEqual([])
      },
      180_000
    )
  }

  it("a recursive component is an interface, and its suspended references are annotated with it", () => {
    for (const effect of [3, 4] as const) {
      const schemas = Generator.generate(spec, { name: "Shapes", effect, format: false }).files["schemas.ts"]
      expect(schemas).not.toContain("<any>")
      expect(schemas).toContain("export interface TreeNode {")
      expect(schemas).toContain(
        effect === 3
          ? "Schema.suspend((): Schema.Schema<TreeNode> => TreeNode)"
          : "Schema.suspend((): Schema.Codec<TreeNode> => TreeNode as unknown as Schema.Codec<TreeNode>)"
      )
      // not on a cycle: as before
      expect(schemas).toContain("export type Note = typeof Note.Type")
    }
  })

  it.scopedLive(
    "Effect 3: recursive values decode; readOnly is not sent; an optional body may be left out",
    () =>
      Effect.gen(function*() {
        const { seen, server } = yield* serve
        const baseUrl = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
        const program = generate(buildDir("schemas3"), 3)
        const mod = yield* Effect.promise(() => import(pathToFileURL(program).href))
        const Schemas = yield* Effect.promise(() =>
          import(pathToFileURL(Path.join(program, "../shapes/index.ts")).href)
        )
        const result = yield* ((mod.program as Effect.Effect<any, unknown, unknown>).pipe(
          Effect.provide(Schemas.layer({ baseUrl, retry: false })),
          Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => "timed out" })
        ) as Effect.Effect<any, unknown>)
        const { unused: _, ...decoded } = result
        expect(decoded).toEqual(expected)
        expectWire(seen)
      }),
    60_000
  )

  it.scopedLive("Effect 4: the same program, bundled and run with Node 22", () =>
    Effect.gen(function*() {
      const { seen, server } = yield* serve
      const baseUrl = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
      const dir = buildDir("schemas4")
      const program = generate(dir, 4)
      const bundled = yield* Effect.promise(() => bundle(program, Path.join(dir, "program.mjs")))
      const run = yield* Effect.promise(() => runNode22(bundled, [baseUrl]))
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
      const { unused: _, ...decoded } = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "null")
      expect(decoded).toEqual({ ...expected, staff: ["acme", null] })
      expectWire(seen)
    }), 180_000)
})

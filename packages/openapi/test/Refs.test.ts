/**
 * Where a spec's `$ref`s may read from: files inside the spec's folder and the folders the user
 * allows, URLs only when allowed and never on a private address. Every refusal is a `SpecError`
 * that names the `$ref` and shows nothing of what it holds. No test here reaches the network:
 * the remote refs point at a loopback server, which must see no request.
 */
import SwaggerParser from "@apidevtools/swagger-parser"
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Effect, Exit } from "effect"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import * as refs from "../src/internal/refs.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const SECRET = "SECRET-CONTENT-7c1f"

const spec = (schema: unknown) => ({
  openapi: "3.0.3",
  info: { title: "T", version: "1" },
  paths: {
    "/x": {
      get: {
        operationId: "x",
        responses: { 200: { description: "ok", content: { "application/json": { schema } } } }
      }
    }
  }
})

/** A folder with the spec in `spec/` and a YAML file beside that folder (outside it). */
const layout = () => {
  const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-refs-"))
  Fs.mkdirSync(Path.join(root, "spec"))
  Fs.mkdirSync(Path.join(root, "shared"))
  const yaml = `type: object\nproperties:\n  ${SECRET}:\n    type: string\n`
  Fs.writeFileSync(Path.join(root, "outside.yaml"), yaml)
  Fs.writeFileSync(Path.join(root, "shared", "pet.yaml"), yaml)
  const write = (name: string, schema: unknown) => {
    const file = Path.join(root, "spec", name)
    Fs.writeFileSync(file, JSON.stringify(spec(schema)))
    return file
  }
  return { root, write, done: () => Fs.rmSync(root, { recursive: true, force: true }) }
}

/** The load's failure: a SpecError (not a defect) that names `ref` and holds nothing of the file. */
const refused = (file: string, ref: string, options?: Generator.LoadOptions) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(Generator.load(file, options))
    if (Exit.isSuccess(exit)) throw new Error(`${ref} was read`)
    expect(exit.cause._tag).toBe("Fail")
    const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    expect(error).toMatchObject({ _tag: "SpecError", spec: file })
    expect(error!.message).toContain(ref)
    expect(error!.message).not.toContain(SECRET)
    expect(error!.message).not.toMatch(/root:x:0:0/)
    return error!.message
  })

/** A loopback server that counts the requests it gets (it should get none). */
const counting = Effect.acquireRelease(
  Effect.async<{ readonly origin: string; readonly hits: () => number; readonly server: Http.Server }>((resume) => {
    let hits = 0
    const server = Http.createServer((req, res) => {
      hits++
      res.setHeader("content-type", "application/json")
      if (req.url === "/api.json") {
        res.end(JSON.stringify(spec({ $ref: "pet.json" })))
      } else if (req.url === "/loop.json") {
        res.writeHead(302, { location: "/loop.json" }).end()
      } else if (req.url === "/file.json") {
        res.end(JSON.stringify(spec({ $ref: "file:///etc/passwd" })))
      } else if (req.url === "/pet.json") {
        res.end(JSON.stringify({ type: "object", properties: { fromUrl: { type: "string" } } }))
      } else res.end(JSON.stringify({ type: "object", properties: { [SECRET]: { type: "string" } } }))
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        origin: `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`,
        hits: () => hits,
        server
      })))
  }),
  ({ server }) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
)

describe("$ref confinement", () => {
  it.effect("$ref: /etc/passwd is refused with a SpecError that names it, not read into a TypeError", () =>
    Effect.gen(function*() {
      const { done, write } = layout()
      const message = yield* refused(write("api.json", { $ref: "/etc/passwd" }), "/etc/passwd")
      expect(message).toMatch(/outside the spec's folder/)
      done()
    }))

  it.effect("a YAML file outside the spec's folder is refused; --allow-ref-dir allows its folder", () =>
    Effect.gen(function*() {
      const { done, root, write } = layout()
      const file = write("api.json", { $ref: "../outside.yaml" })
      yield* refused(file, Path.join(root, "outside.yaml"))
      const shared = write("shared.json", { $ref: "../shared/pet.yaml" })
      yield* refused(shared, Path.join(root, "shared", "pet.yaml"))
      // the user names the folder: read, and bundled in
      const document = yield* Generator.load(shared, { allowRefDirs: [Path.join(root, "shared")] })
      expect(Generator.generate(document, { name: "T" }).files["api.ts"]).toContain(SECRET)
      // only that folder: the file beside it is still refused
      yield* refused(file, Path.join(root, "outside.yaml"), { allowRefDirs: [Path.join(root, "shared")] })
      done()
    }))

  it.effect("a symbolic link inside the folder to a file outside it is refused", () =>
    Effect.gen(function*() {
      const { done, root, write } = layout()
      Fs.symlinkSync(Path.join(root, "outside.yaml"), Path.join(root, "spec", "link.yaml"))
      yield* refused(write("api.json", { $ref: "link.yaml" }), "link.yaml")
      done()
    }))

  it.effect("a file in the folder that is not JSON or YAML is a SpecError that quotes nothing of it", () =>
    Effect.gen(function*() {
      const { done, root, write } = layout()
      Fs.writeFileSync(Path.join(root, "spec", "broken.yaml"), `a: [${SECRET}\n  b: {{`)
      const message = yield* refused(write("api.json", { $ref: "broken.yaml" }), "broken.yaml")
      expect(message).toMatch(/is not JSON or YAML/)
      done()
    }))

  it.effect("a file over 128 MiB is refused before it is read", () =>
    Effect.gen(function*() {
      const { done, root, write } = layout()
      // sparse: its size is told at once, and nothing is written
      const big = Path.join(root, "spec", "big.yaml")
      Fs.writeFileSync(big, "")
      Fs.truncateSync(big, refs.maxBytes + 1)
      expect(yield* refused(write("api.json", { $ref: "big.yaml" }), "big.yaml")).toMatch(
        /is larger than 134217728 bytes/
      )
      done()
    }))

  it.scopedLive("a remote spec that drips is cut off at its deadline (the whole exchange, not each wait)", () =>
    Effect.gen(function*() {
      const server = yield* Effect.acquireRelease(
        Effect.async<Http.Server>((resume) => {
          const s = Http.createServer((_req, res) => {
            res.writeHead(200, { "content-type": "application/json" })
            // a byte every 20 ms: never silent long enough for an idle timeout
            const timer = setInterval(() => res.write(" "), 20)
            res.on("close", () => clearInterval(timer))
          })
          s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
        }),
        (s) =>
          Effect.promise(() =>
            new Promise<void>((resolve) => {
              s.closeAllConnections()
              s.close(() => resolve())
            })
          )
      )
      const url = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}/api.json`
      const confined = refs.options(url, {}, 300)
      const outcome = yield* Effect.either(
        Effect.tryPromise(() => SwaggerParser.bundle(url, confined.parserOptions as any) as unknown as Promise<unknown>)
      ).pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("still reading after 10 s") }))
      expect(outcome._tag).toBe("Left")
      // the deadline (on a stalled machine the silence timeout may come first: cut off either way)
      expect(confined.refused()?.message).toMatch(/: (not read|nothing received) in 0\.3 s$/)
    }))

  it.scoped("a remote $ref is refused unless allowed, and even then never on a loopback or private address", () =>
    Effect.gen(function*() {
      const { done, write } = layout()
      const { hits, origin } = yield* counting
      const port = new URL(origin).port
      const remote = write("remote.json", { $ref: `${origin}/secret.json` })
      expect(yield* refused(remote, `${origin}/secret.json`)).toMatch(/remote \$refs are off/)
      for (
        const url of [
          `${origin}/secret.json`,
          `http://localhost:${port}/secret.json`,
          `http://[::1]:${port}/secret.json`,
          `http://[::ffff:127.0.0.1]:${port}/secret.json`,
          "http://169.254.169.254/latest/meta-data.json",
          "http://10.0.0.1/secret.json",
          "http://192.168.1.1/secret.json"
        ]
      ) {
        const file = write("remote.json", { $ref: url })
        expect(yield* refused(file, new URL(url).href, { allowRemoteRefs: true })).toMatch(/not a public address/)
      }
      expect(hits()).toBe(0)
      done()
    }))

  it.scoped("a spec given as a URL reads the $refs beside it (the user named that server), following 5 redirects at most", () =>
    Effect.gen(function*() {
      const { hits, origin } = yield* counting
      const document = yield* Generator.load(`${origin}/api.json`)
      expect(Generator.generate(document, { name: "T" }).files["api.ts"]).toContain("fromUrl")
      expect(hits()).toBe(2)
      // but not files on this machine
      const local = yield* Effect.flip(Generator.load(`${origin}/file.json`))
      expect(local.message).toMatch(/"\/etc\/passwd": a spec read from a URL cannot read local files/)
      // redirects are followed 5 times, each checked as the first
      const before = hits()
      const loop = yield* Effect.flip(Generator.load(`${origin}/loop.json`))
      expect(loop.message).toBe(`$ref ${JSON.stringify(`${origin}/loop.json`)}: more than 5 redirects`)
      expect(hits() - before).toBe(6)
    }))

  it("addresses a remote $ref must not reach", () => {
    for (
      const address of [
        "127.0.0.1",
        "0.0.0.0",
        "10.1.2.3",
        "100.64.0.1",
        "169.254.169.254",
        "172.16.0.1",
        "192.168.0.1",
        "224.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:7f00:1",
        "not an address"
      ]
    ) expect([address, refs.isPrivateAddress(address)]).toEqual([address, true])
    for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"]) {
      expect([address, refs.isPrivateAddress(address)]).toEqual([address, false])
    }
  })

  it.live(
    "the CLI: an outside $ref exits 1 with the reason; --allow-ref-dir lets it through; a YAML bomb is refused",
    () =>
      Effect.gen(function*() {
        const { done, root, write } = layout()
        const file = write("api.json", { $ref: "../shared/pet.yaml" })
        const out = Path.join(root, "out")
        const cli = (args: ReadonlyArray<string>) =>
          Effect.promise(() =>
            new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
              execFile(
                process.execPath,
                ["--import", "tsx", "--conditions=@steady/source", Path.join(here, "../src/cli.ts"), ...args],
                { timeout: 30_000 },
                (error, stdout, stderr) =>
                  resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr })
              )
            )
          )
        const refusedRun = yield* cli([file, "--out", out, "--name", "T"])
        expect(refusedRun.code).toBe(1)
        expect(refusedRun.stderr).toMatch(/^steady-openapi: \$ref ".*pet\.yaml" is outside the spec's folder/)
        expect(refusedRun.stderr).not.toContain(SECRET)
        const allowed = yield* cli([file, "--out", out, "--name", "T", "--allow-ref-dir", Path.join(root, "shared")])
        expect(allowed.code).toBe(0)
        expect(Fs.readFileSync(Path.join(out, "api.ts"), "utf8")).toContain(SECRET)
        // a YAML bomb: nine lines whose aliases stand for 10⁹ nodes (the $ref bundler walked them
        // all, for ever); in a child process, so that a bug is a killed process, not a hung test
        const bomb = Path.join(root, "spec", "bomb.yaml")
        Fs.writeFileSync(
          bomb,
          [
            "openapi: 3.0.3",
            "info: { title: T, version: '1' }",
            "paths: {}",
            "x-a0: &a0 { type: string }",
            ...Array.from({ length: 9 }, (_, i) =>
              `x-a${i + 1}: &a${i + 1} { type: object, properties: { ${
                Array.from({ length: 10 }, (_, j) => `p${j}: *a${i}`).join(", ")
              } } }`),
            "components: { schemas: { Bomb: *a9 } }"
          ].join("\n")
        )
        const bombed = yield* cli([bomb, "--out", out, "--name", "T"])
        expect(bombed.code).toBe(1)
        expect(bombed.stderr).toMatch(/bomb\.yaml": its YAML aliases stand for more than 5000000 nodes/)
        done()
      }),
    60_000
  )
})

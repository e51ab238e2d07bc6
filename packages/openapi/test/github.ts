/**
 * GitHub's whole REST spec on both Effect lines: the one helper of GitHub.test.ts (`--effect 3`)
 * and GitHub4.test.ts (`--effect 4`, the default), which are thin. Each generates the spec,
 * type-checks the output with `tsc --strict` on its line together with the line's program
 * (test/effect3/github.ts, test/effect4/github.ts: the same calls in each line's API), runs the
 * program against Prism's mock of the spec, and checks the same outcomes and the same exchanges.
 * The time, the memory and the compile time of each step are printed (`github …:` lines): the
 * figures of docs/openapi.md.
 *
 * Heavy (a minute or more per line on two cores: 1,222 operations type-checked), so it runs on
 * purpose only: `npm run test:github` (after `eval "$(.ci/github-tools.sh)"`), which sets
 * `STEADY_GITHUB=1`; elsewhere the suites are skipped. The spec and Prism come from
 * `.ci/github-tools.sh` (outside the workspace: the spec package is 385 MB):
 * `STEADY_GITHUB_SPEC` and `STEADY_PRISM`.
 *
 * Prism runs on a free loopback port with `--errors` (a request that does not validate against
 * the spec is an error, not a mock answer), behind a loopback proxy that records each exchange.
 * Prism answers every list with its example `Link` header, which names api.github.com; the
 * proxy rewrites that origin to its own, as the real API's links name the API itself (steady
 * refuses to follow a link to another origin).
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { buildDir, typeErrors } from "./compile.js"

const spec = process.env.STEADY_GITHUB_SPEC
const prism = process.env.STEADY_PRISM
const wanted = process.env.STEADY_GITHUB === "1"
if (wanted && !(spec !== undefined && prism !== undefined && Fs.existsSync(spec) && Fs.existsSync(prism))) {
  throw new Error("STEADY_GITHUB_SPEC and STEADY_PRISM are not set: run eval \"$(.ci/github-tools.sh)\" first")
}

const here = Path.dirname(fileURLToPath(import.meta.url))

interface Seen {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly authorization: string | undefined
}

interface Mock {
  /** The proxy's origin: the base URL of the client under test. */
  readonly origin: string
  /** Every exchange through the proxy, in order. */
  readonly seen: Array<Seen>
  readonly stop: () => Promise<void>
}

/** Prism on a free loopback port: resolves with its origin once it says it listens (bounded: 3 min). */
const startPrism = (started: (child: ChildProcess) => void) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(prism!, ["mock", "-h", "127.0.0.1", "-p", "0", "--errors", spec!], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    started(child)
    let log = ""
    const timer = setTimeout(() => reject(new Error(`prism did not start in 3 min:\n${log.slice(-2000)}`)), 180_000)
    const onData = (d: Buffer) => {
      log += d.toString()
      const m = /Prism is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
      if (m !== null) {
        clearTimeout(timer)
        child.stdout.off("data", onData)
        child.stdout.resume()
        resolve(m[1])
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-10_000)))
    child.once("exit", (code) => reject(new Error(`prism exited with ${code}:\n${log.slice(-2000)}`)))
  })

/**
 * Prism's example links name `https://api.github.com/resource?page=N`; the real API's name the
 * listing itself with the next page's query. Each link becomes this listing on this origin, with
 * the example link's query parameters.
 */
const local = (link: string, requested: string, origin: string) =>
  link.replace(/<([^>]+)>/g, (_, target: string) => {
    const url = new URL(requested, origin)
    for (const [k, v] of new URL(target).searchParams) url.searchParams.set(k, v)
    return `<${url.href}>`
  })

/** A loopback proxy to Prism that records each exchange and points Link headers at itself. */
const startProxy = (target: string, seen: Array<Seen>) =>
  new Promise<{ readonly origin: string; readonly server: Http.Server }>((resolve) => {
    let origin = ""
    const server = Http.createServer((req, res) => {
      const upstream = Http.request(
        `${target}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (answer) => {
          seen.push({
            method: req.method ?? "",
            url: req.url ?? "",
            status: answer.statusCode ?? 0,
            authorization: req.headers.authorization
          })
          const headers = { ...answer.headers }
          if (typeof headers.link === "string") headers.link = local(headers.link, req.url ?? "/", origin)
          res.writeHead(answer.statusCode ?? 502, headers)
          answer.pipe(res)
        }
      )
      upstream.on("error", () => res.destroy())
      req.pipe(upstream)
    })
    server.listen(0, "127.0.0.1", () => {
      origin = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
      resolve({ origin, server })
    })
  })

/** Prism and its proxy; `stop` ends both. */
const start = async (): Promise<Mock> => {
  let child: ChildProcess | undefined
  const seen: Array<Seen> = []
  try {
    const target = await startPrism((c) => (child = c))
    const { origin, server } = await startProxy(target, seen)
    return {
      origin,
      seen,
      stop: async () => {
        child?.kill("SIGTERM")
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
    }
  } catch (e) {
    child?.kill("SIGTERM")
    throw e
  }
}

/** Peak RSS of this process so far, in MiB (generation and type check run in it). */
const peakMiB = () => Math.round(process.resourceUsage().maxRSS / 1024)

/** Runs `f`, and prints how long it took and the peak RSS after it: the figures of docs/openapi.md. */
const timed = async <A>(line: 3 | 4, what: string, f: () => Promise<A>): Promise<A> => {
  const started = performance.now()
  try {
    return await f()
  } finally {
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(`github effect ${line}: ${what} in ${seconds} s, peak RSS ${peakMiB()} MiB`)
  }
}

/** What each line's program prints: the same calls, so the same outcomes. */
const outcome = (first: number) => ({
  repo: { fullName: "string", ownerLogin: "string" },
  issue: "number",
  missing: "NotFound 404: string",
  first,
  items: first + 1
})

/**
 * The suite of one line: `run` runs the program (at `program`, beside the generated client in
 * ./github) against `origin`, and returns what it printed, parsed.
 */
export const suite = (line: 3 | 4, run: (program: string, origin: string) => Promise<unknown>): void => {
  describe.skipIf(!wanted)(
    `a client generated for Effect ${line} from GitHub's REST spec, against Prism's mock`,
    () => {
      it.live(
        `compiles with tsc --strict on the Effect ${line} line, and its calls validate against the spec`,
        () =>
          Effect.promise(async () => {
            // Prism reads the spec while the client is generated and checked
            const starting = timed(line, "prism started", () => start())
            starting.catch(() => undefined)
            try {
              const dir = buildDir(`github${line}`)
              const generated = await timed(
                line,
                "generated",
                () =>
                  Effect.runPromise(Generator.run(spec!, Path.join(dir, "github"), { name: "GitHub", effect: line }))
              )
              expect(generated.operations).toBeGreaterThan(1000)
              const program = Path.join(dir, "program.ts")
              Fs.copyFileSync(Path.join(here, `effect${line}/github.ts`), program)
              expect(await timed(line, "type-checked", async () => typeErrors([program], line))).toEqual([])
              const mock = await starting
              const result: any = await timed(line, "ran", () => run(program, mock.origin))
              expect(result).toEqual(outcome(result.first))
              expect(result.first).toBeGreaterThan(0)
              // the one page of the stream after the first: fetched as the stream is read, no more
              expect(mock.seen.map((s) => `${s.method} ${s.url} ${s.status}`)).toEqual([
                "GET /repos/octocat/hello-world 200",
                "POST /repos/octocat/hello-world/issues 201",
                "GET /repos/octocat/missing 404",
                "GET /repos/octocat/hello-world/issues?per_page=2 200",
                "GET /repos/octocat/hello-world/issues?per_page=2 200",
                "GET /repos/octocat/hello-world/issues?per_page=2&page=2 200"
              ])
              // GitHub's spec declares no security scheme: the token is an Auth layer of the program's
              expect(mock.seen.every((s) => s.authorization === "Bearer gh-token")).toBe(true)
              // the calls validated: Prism refuses a query that does not (the control), with a 422
              const refused = await fetch(`${mock.origin}/repos/octocat/hello-world/issues?per_page=abc`)
              expect(refused.status).toBe(422)
            } finally {
              await (await starting.catch(() => undefined))?.stop()
            }
          }),
        900_000
      )
    }
  )
}

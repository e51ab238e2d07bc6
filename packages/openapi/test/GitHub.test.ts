/**
 * GitHub's whole REST spec, generated, and a handful of its operations called through the
 * generated client against Prism's mock of the same spec (started here on 127.0.0.1, with
 * `--errors`: a request that does not validate against the spec is an error, not a mock answer).
 *
 * The spec and Prism come from `.ci/github-tools.sh` (outside the workspace: the spec package is
 * 385 MB): `STEADY_GITHUB_SPEC` and `STEADY_PRISM`. Without them the suite is skipped, except
 * under `CI=true`, where it fails.
 *
 * Prism answers every list with its example `Link` header, which names api.github.com; a
 * loopback proxy in front of it rewrites that origin to its own, as the real API's links name
 * the API itself (steady refuses to follow a link to another origin).
 */
import { it } from "@effect/vitest"
import { Auth } from "@steady/client-effect3"
import { Generator } from "@steady/openapi"
import { Effect, Redacted, Stream } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect } from "vitest"

const spec = process.env.STEADY_GITHUB_SPEC
const prism = process.env.STEADY_PRISM
const available = spec !== undefined && prism !== undefined && Fs.existsSync(spec) && Fs.existsSync(prism)
if (!available && process.env.CI === "true") {
  throw new Error("STEADY_GITHUB_SPEC and STEADY_PRISM are not set: .ci/run gets them from .ci/github-tools.sh")
}

const here = Path.dirname(fileURLToPath(import.meta.url))
const out = Path.join(here, "../build/github-client")

interface Seen {
  readonly method: string
  readonly url: string
  readonly status: number
  readonly authorization: string | undefined
}

let mock: ChildProcess | undefined
let proxy: Http.Server | undefined
let origin = ""
const seen: Array<Seen> = []
let GitHub: any

/** Prism on a free loopback port: resolves with its origin once it says it listens (bounded: 3 min). */
const startPrism = () =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(prism!, ["mock", "-h", "127.0.0.1", "-p", "0", "--errors", spec!], {
      stdio: ["ignore", "pipe", "pipe"]
    })
    mock = child
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
    child.stderr.on("data", (d: Buffer) => (log += d.toString()))
    child.once("exit", (code) => reject(new Error(`prism exited with ${code}:\n${log.slice(-2000)}`)))
  })

/**
 * Prism's example links name `https://api.github.com/resource?page=N`; the real API's name the
 * listing itself with the next page's query. Each link becomes this listing on this origin, with
 * the example link's query parameters.
 */
const local = (link: string, requested: string) =>
  link.replace(/<([^>]+)>/g, (_, target: string) => {
    const url = new URL(requested, origin)
    for (const [k, v] of new URL(target).searchParams) url.searchParams.set(k, v)
    return `<${url.href}>`
  })

/** A loopback proxy to Prism that records each exchange and points Link headers at itself. */
const startProxy = (target: string) =>
  new Promise<string>((resolve) => {
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
          if (typeof headers.link === "string") headers.link = local(headers.link, req.url ?? "/")
          res.writeHead(answer.statusCode ?? 502, headers)
          answer.pipe(res)
        }
      )
      upstream.on("error", () => res.destroy())
      req.pipe(upstream)
    })
    proxy = server
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`))
  })

describe.skipIf(!available)("a client generated from GitHub's REST spec, against Prism's mock of it", () => {
  beforeAll(async () => {
    const [, target] = await Promise.all([
      Effect.runPromise(Generator.run(spec!, out, { name: "GitHub", effect: 3 })),
      startPrism()
    ])
    origin = await startProxy(target)
    GitHub = await import(pathToFileURL(Path.join(out, "index.ts")).href)
  }, 240_000)

  afterAll(async () => {
    mock?.kill("SIGTERM")
    await new Promise<void>((resolve) => (proxy === undefined ? resolve() : proxy.close(() => resolve())))
  })

  // GitHub's spec declares no security scheme: the token is an Auth layer of the caller's
  const call = <A, E>(use: (github: any) => Effect.Effect<A, E>, headers: Record<string, string> = {}) =>
    Effect.flatMap(GitHub.GitHub as any, use).pipe(
      Effect.provide(GitHub.layer({ baseUrl: origin, headers, retry: { base: "1 millis" } })),
      Effect.provide(Auth.layerBearer(Redacted.make("gh-token")))
    ) as Effect.Effect<A, E>

  it.live("repos/get: a repository that matches the spec, decoded", () =>
    Effect.gen(function*() {
      // the spec's own example for this operation lacks `language`, which its schema requires
      // (Prism says so under --errors); a response generated from the schema is asked for instead
      const repo: any = yield* call((g) => g.reposGet({ path: { owner: "octocat", repo: "hello-world" } }), {
        prefer: "dynamic=true"
      })
      expect(repo.full_name).toBeTypeOf("string")
      expect(repo.owner.login).toBeTypeOf("string")
      expect(seen.at(-1)).toMatchObject({
        method: "GET",
        url: "/repos/octocat/hello-world",
        status: 200,
        authorization: "Bearer gh-token"
      })
    }))

  it.live("issues/create: a POST with a JSON body, answered 201 with the created issue", () =>
    Effect.gen(function*() {
      const issue: any = yield* call((g) =>
        g.issuesCreate({
          path: { owner: "octocat", repo: "hello-world" },
          payload: { title: "Found a bug", labels: ["bug"] }
        })
      )
      expect(issue.number).toBeTypeOf("number")
      expect(seen.at(-1)).toMatchObject({ method: "POST", status: 201 })
    }))

  it.live("a 404 the spec declares is the operation's typed NotFound, with GitHub's error body", () =>
    Effect.gen(function*() {
      const message = yield* call(
        (g) =>
          Effect.catchTag(
            g.reposGet({ path: { owner: "octocat", repo: "missing" } }) as Effect.Effect<unknown, any>,
            "NotFound",
            (e: any) => Effect.succeed(`${e.status}: ${e.body.message}`)
          ),
        { prefer: "code=404" }
      )
      expect(message).toMatch(/^404: /)
      expect(seen.at(-1)).toMatchObject({ url: "/repos/octocat/missing", status: 404 })
    }))

  it.live("issues/list-for-repo…Stream follows the Link header, fetching only the pages it reads", () =>
    Effect.gen(function*() {
      const before = seen.length
      const first = yield* call<Array<unknown>, unknown>((g) =>
        g.issuesListForRepo({ path: { owner: "octocat", repo: "hello-world" }, urlParams: { per_page: 2 } })
      )
      const want = first.length + 1 // one item of page 2
      const items = yield* call((g) =>
        Stream.runCollect(
          Stream.take(
            g.issuesListForRepoStream({ path: { owner: "octocat", repo: "hello-world" }, urlParams: { per_page: 2 } }),
            want
          )
        )
      )
      expect([...(items as Iterable<unknown>)]).toHaveLength(want)
      // the calls validated: Prism refuses a query that does not (the control), with a 422
      const refused = yield* Effect.promise(() => fetch(`${origin}/repos/octocat/hello-world/issues?per_page=abc`))
      expect(refused.status).toBe(422)
      expect(seen.slice(before + 1, before + 3).map((s) => `${s.url} ${s.status}`)).toEqual([
        "/repos/octocat/hello-world/issues?per_page=2 200",
        "/repos/octocat/hello-world/issues?per_page=2&page=2 200"
      ])
    }))
})

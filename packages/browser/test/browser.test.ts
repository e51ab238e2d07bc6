/**
 * The behaviour suite in a real browser, on both Effect lines: src/suite.ts (the Effect 3
 * line, @steady/client-effect3 on @effect/platform's FetchHttpClient) and src/suite4.ts (the
 * Effect 4 line, @steady/client on effect/http's FetchHttpClient), each bundled for the
 * browser and run in Debian's Chromium (installed by .ci/run), driven by playwright-core, the
 * page on one loopback origin and the API (a CORS server, one per line) on another. Outside
 * CI, without /usr/bin/chromium, it is skipped and says why.
 */
import * as esbuild from "esbuild"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { chromium } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Verdict } from "../src/suite.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
const available = Fs.existsSync(executablePath)
if (!available && process.env.CI === "true") throw new Error(`${executablePath} is missing: .ci/run installs chromium`)

interface Seen {
  readonly method: string
  readonly path: string
  readonly key: string | null
  readonly headers: Http.IncomingHttpHeaders
  aborted: boolean
}

const listen = (server: Http.Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`))
  )

/** The API: CORS for the page's origin (but on /nocors), and the routes the suite calls. */
const apiServer = (seen: Array<Seen>, pageOrigin: () => string) => {
  const counts = new Map<string, number>()
  let tokens = 0
  return Http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    const cors: Record<string, string> = url.pathname === "/nocors" ? {} : {
      "access-control-allow-origin": pageOrigin(),
      "access-control-expose-headers": "link, retry-after, retry-after-ms, x-request-id"
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        ...cors,
        "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE",
        "access-control-allow-headers": "authorization, content-type, idempotency-key, accept, last-event-id"
      })
      return void res.end()
    }
    const entry: Seen = {
      method: req.method ?? "GET",
      path: url.pathname,
      key: url.searchParams.get("key"),
      headers: req.headers,
      aborted: false
    }
    seen.push(entry)
    res.on("close", () => {
      if (!res.writableFinished) entry.aborted = true
    })
    const n = (counts.get(url.pathname + url.search) ?? 0) + 1
    counts.set(url.pathname + url.search, n)
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...cors, "content-type": "application/json", ...headers })
      res.end(JSON.stringify(body))
    }
    req.resume()
    req.on("end", () => {
      switch (url.pathname) {
        case "/flaky":
          return n === 1 ? json(503, { error: "busy" }) : json(200, { id: 1, name: "Rex" })
        case "/orders":
          return n === 1 ? json(503, { error: "busy" }) : json(201, { id: 9 })
        case "/limited":
          return n === 1 ? json(429, { error: "slow down" }, { "retry-after-ms": "300" }) : json(200, {})
        case "/slow":
          return // never answers
        case "/pets/404":
          return json(404, { error: "no such pet" })
        case "/pets/1":
          return req.method === "DELETE" ? json(403, { error: "forbidden" }) : json(200, { id: 1, name: "Rex" })
        case "/token":
          return json(200, { access_token: `t${++tokens}`, token_type: "Bearer", expires_in: 3600 })
        case "/secure":
          return req.headers.authorization === "Bearer t2"
            ? json(200, { ok: true })
            : json(401, { error: "invalid_token" })
        case "/redirect":
          res.writeHead(302, { ...cors, location: "/pets/1" })
          return res.end()
        case "/nocors":
          return json(200, { leaked: false })
        case "/events":
          res.writeHead(200, { ...cors, "content-type": "text/event-stream" })
          res.write("data: one\n\nda")
          return setTimeout(() => res.end("ta: two\n\n: a comment\ndata: three\n\n"), 20)
        case "/list": {
          const page = Number(url.searchParams.get("page") ?? "1")
          const link = page < 3 ? { link: `</list?page=${page + 1}>; rel="next"` } : undefined
          return json(200, [{ id: 2 * page - 1, name: "a" }, { id: 2 * page, name: "b" }], link)
        }
      }
      json(404, { error: "no route" })
    })
    return undefined
  })
}

/** Resolves `effect` from `dir` wherever it is imported, so the bundle has one copy of it. */
const effectOf = (dir: string): esbuild.Plugin => ({
  name: "effect-of",
  setup(b) {
    b.onResolve(
      { filter: /^effect(\/.*)?$/ },
      (args) =>
        args.pluginData === "effect-of" ? undefined : b.resolve(args.path, {
          kind: args.kind,
          resolveDir: dir,
          pluginData: "effect-of"
        })
    )
  }
})

/** The two Effect lines: the suite's entry, how it resolves `effect`, and the core it must bundle. */
const lines = [
  {
    name: "the Effect 3 line, on @effect/platform's FetchHttpClient",
    entry: "../src/suite.ts",
    plugins: [],
    core: "client-effect3/src/core.ts",
    effect: Path.join(here, "../../../node_modules/effect/")
  },
  {
    name: "the Effect 4 line, on effect/http's FetchHttpClient",
    entry: "../src/suite4.ts",
    // effect 4 as packages/client has it (nested there; the root's effect is the Effect 3 line's)
    plugins: [effectOf(Path.join(here, "../../client"))],
    core: "client/src/core.ts",
    effect: Path.join(here, "../../client/node_modules/effect/")
  }
] as const

for (const line of lines) {
  describe.skipIf(!available)(`steady in Chromium, ${line.name}`, () => {
    const seen: Array<Seen> = []
    let api: Http.Server
    let pages: Http.Server
    let apiOrigin = ""
    let pageOrigin = ""
    let closedOrigin = ""
    let bundle = ""
    let inputs: ReadonlyArray<string> = []

    beforeAll(async () => {
      // the suite as a browser bundles it: the `browser` condition picks steady's core
      const built = await esbuild.build({
        entryPoints: [Path.join(here, line.entry)],
        bundle: true,
        write: false,
        format: "esm",
        platform: "browser",
        target: "es2022",
        conditions: ["@steady/source"],
        metafile: true,
        plugins: [...line.plugins],
        logLevel: "silent"
      })
      bundle = built.outputFiles[0].text
      inputs = Object.keys(built.metafile.inputs)
      api = apiServer(seen, () => pageOrigin)
      apiOrigin = await listen(api)
      pages = Http.createServer((req, res) => {
        if (req.url === "/suite.js") {
          res.writeHead(200, { "content-type": "text/javascript" })
          return void res.end(bundle)
        }
        res.writeHead(200, { "content-type": "text/html" })
        res.end("<!doctype html><title>steady</title>")
      })
      pageOrigin = await listen(pages)
      // an origin nothing listens on: a port bound, then released
      const probe = Http.createServer()
      closedOrigin = await listen(probe)
      await new Promise((resolve) => probe.close(resolve))
    })

    afterAll(async () => {
      api?.closeAllConnections()
      pages?.closeAllConnections()
      await Promise.all([api, pages].map((s) => s === undefined ? undefined : new Promise((r) => s.close(r))))
    })

    it("the core bundles for a browser with no Node-only module", () => {
      expect(inputs.some((i) => i.includes("node_modules/undici/"))).toBe(false)
      expect(inputs.some((i) => i.startsWith("node:") || i.includes("platform-node"))).toBe(false)
      expect(inputs.some((i) => i.endsWith(line.core))).toBe(true)
      // one copy of effect, the line's own
      const effects = inputs.filter((i) => /node_modules\/effect\//.test(i))
      expect(effects.length).toBeGreaterThan(0)
      expect(effects.filter((i) => !Path.resolve(i).startsWith(line.effect))).toEqual([])
    })

    it("every behaviour holds in the browser, and the server saw what the client claims", async () => {
      const browser = await chromium.launch({
        executablePath,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync"
        ]
      })
      try {
        const page = await browser.newPage()
        await page.goto(`${pageOrigin}/`)
        // a string, so that the test runner's transform leaves the page's dynamic import alone
        const verdicts: ReadonlyArray<Verdict> = await page.evaluate(
          `import("/suite.js").then((m) => m.run(${JSON.stringify(apiOrigin)}, ${JSON.stringify(closedOrigin)}))`
        )
        const failed = verdicts.filter((v) => !v.ok).map((v) => `${v.name}: ${v.detail}`)
        expect(failed).toEqual([])
        expect(verdicts.length).toBe(14)
      } finally {
        await browser.close()
      }
      const at = (path: string, key?: string) =>
        seen.filter((s) => s.path === path && (key === undefined || s.key === key))
      expect(at("/flaky", "get")).toHaveLength(2)
      expect(at("/orders", "unkeyed")).toHaveLength(1)
      const keyed = at("/orders", "keyed").map((s) => s.headers["idempotency-key"])
      expect(keyed).toHaveLength(2)
      expect(keyed[0]).toBeDefined()
      expect(keyed[1]).toBe(keyed[0])
      // the attempt timeout aborted the fetch: the server saw each /slow request go away
      expect(at("/slow").length).toBeGreaterThanOrEqual(2)
      expect(at("/slow").every((s) => s.aborted)).toBe(true)
      // a CORS refusal: the POST did reach the server, which is why it says sent: true
      expect(at("/nocors", "post")).toHaveLength(1)
      // the token endpoint's second token after the 401, and the replay with it
      expect(at("/secure").map((s) => s.headers.authorization)).toEqual(["Bearer t1", "Bearer t2"])
      expect(at("/list")).toHaveLength(3)
    })
  })
}

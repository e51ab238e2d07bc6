/**
 * `npm run bench`: client CPU per request, side by side, in one run.
 *
 * The clients and the server are bundled to plain JavaScript first (esbuild). The server runs
 * in its own process (pinned to CPU 1 with taskset where it exists); each
 * client runs in a fresh process (pinned to CPU 0) with the same workload; rounds are
 * interleaved and the table shows medians. Flags:
 *   --requests N   measured requests per run (default 20000)
 *   --rounds R     rounds (default 3)
 *   --clients a,b  which clients (default all; the Effect 4 rows, named …@effect4 and
 *                  undici@node22, run on Node 22 with effect 4)
 *   --methods M    GET,POST (default both)
 *   --rss          also check RSS growth of steady over 200,000 requests
 *   --http2        HTTP/2 against HTTP/1.1, both over TLS to a node:http2 server (a certificate
 *                  made by openssl): steady-h2 (one connection, requests as streams) and
 *                  steady-h1-tls (32 connections); the same as --clients steady-h1-tls,steady-h2
 *   --write        replace the table in docs/performance.md
 */
import * as esbuild from "esbuild"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { node22 } from "../../../.ci/node22.mjs"
import { clients } from "./clients.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "20000" },
    rounds: { type: "string", default: "3" },
    clients: { type: "string", default: "" },
    methods: { type: "string", default: "GET,POST" },
    rss: { type: "boolean", default: false },
    http2: { type: "boolean", default: false },
    write: { type: "boolean", default: false }
  }
})
const requests = Number(values.requests)
const rounds = Number(values.rounds)
const hasRedis = (() => {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()
/**
 * The Effect 4 rows (clients-effect4.ts): run on Node 22 with effect 4, against raw undici on
 * that Node (`undici@node22`). Listed here rather than imported: that module loads effect 4.
 */
const effect4Clients = [
  "undici@node22",
  "effect4-undici@effect4",
  "effect4-fetch",
  "steady@effect4",
  "steady-generic@effect4",
  "steady-resilient@effect4",
  "steady-cache-hit@effect4",
  "steady-redis@effect4",
  "steady-redis-lease1@effect4",
  "steady-redis-all@effect4"
]
const isEffect4 = (name: string) => effect4Clients.includes(name)
/** The rows that need the TLS server (`--http2`); not in the default run. */
const tlsClients = ["steady-h1-tls", "steady-h2"]
// every client by default; the Redis rows when redis-server is installed
const names = values.http2
  ? tlsClients
  : values.clients !== ""
  ? values.clients.split(",")
  : [...Object.keys(clients), ...effect4Clients].filter((n) =>
    (hasRedis || !n.startsWith("steady-redis")) && !tlsClients.includes(n)
  )
const methods = values.methods.split(",")
for (const n of names) {
  if (!(n in clients) && !isEffect4(n)) {
    throw new Error(`unknown client ${n}; known: ${[...Object.keys(clients), ...effect4Clients].join(", ")}`)
  }
}
const node22Path = names.some(isEffect4) ? node22() : undefined
if (!(requests >= 1000 && requests <= 1_000_000)) throw new Error("--requests must be from 1000 to 1000000")
if (!(rounds >= 1 && rounds <= 20)) throw new Error("--rounds must be from 1 to 20")

// Every client runs as plain JavaScript, bundled once, the way an application ships: running
// TypeScript sources through a loader (tsx) wraps each named closure in a helper call, which
// would bill the TypeScript-sourced clients for the loader's work.
const build = Path.join(here, "../build/bench")
await esbuild.build({
  entryPoints: { runner: Path.join(here, "runner.ts"), server: Path.join(here, "server.ts") },
  outdir: build,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  // the workspace's sources, not a dist/ that may be stale or absent
  conditions: ["@steady/source"],
  format: "esm",
  target: "node20",
  logLevel: "warning",
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" }
})
/** Resolves `effect` and `effect/*` as `dir` does: from its own node_modules (effect 4). */
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
if (names.some(isEffect4)) {
  // the Effect 4 line, with effect 4 from packages/client (one copy, as an application has)
  await esbuild.build({
    entryPoints: { "runner-effect4": Path.join(here, "runner-effect4.ts") },
    outdir: build,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    conditions: ["@steady/source"],
    plugins: [effectOf(Path.join(here, "../../client"))],
    format: "esm",
    target: "node22",
    logLevel: "warning",
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" }
  })
}

const hasTaskset = (() => {
  try {
    execFileSync("taskset", ["-c", "0", "true"])
    return Os.availableParallelism() >= 2
  } catch {
    return false
  }
})()
const pinned = (cpu: number, args: ReadonlyArray<string>, node = process.execPath): [string, Array<string>] =>
  hasTaskset ? ["taskset", ["-c", String(cpu), node, ...args]] : [node, [...args]]

/** A self-signed certificate for 127.0.0.1, for the HTTP/2 rows (their server and clients read the files). */
if (names.some((n) => tlsClients.includes(n))) {
  const cert = Path.join(build, "tls-cert.pem")
  const key = Path.join(build, "tls-key.pem")
  execFileSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1"
  ], { stdio: "ignore", timeout: 20_000 })
  process.env.STEADY_BENCH_TLS_CERT = cert
  process.env.STEADY_BENCH_TLS_KEY = key
}

const startServer = () =>
  new Promise<{ origin: string; child: ChildProcess }>((resolve, reject) => {
    const [cmd, args] = pinned(1, [Path.join(build, "server.mjs")])
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] })
    const timer = setTimeout(() => reject(new Error("the server did not start in 10 s")), 10_000)
    child.stdout!.once("data", (d: Buffer) => {
      clearTimeout(timer)
      const [port, httpsPort, h2Port] = d.toString().trim().split(" ")
      if (httpsPort !== undefined) process.env.STEADY_BENCH_TLS_ORIGIN = `https://127.0.0.1:${httpsPort}`
      if (h2Port !== undefined) process.env.STEADY_BENCH_H2_ORIGIN = `https://127.0.0.1:${h2Port}`
      resolve({ origin: `http://127.0.0.1:${port}`, child })
    })
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)))
  })

interface Result {
  readonly client: string
  readonly method: string
  readonly cpuMicrosPerRequest: number
  readonly requestsPerSecond: number
  readonly p50: number
  readonly p99: number
  readonly peakRssMiB: number
  readonly connectionsOpened: number
  readonly rss: Record<string, number>
  readonly heap: Record<string, number>
}

const runClient = (
  origin: string,
  client: string,
  method: string,
  count: number,
  extra: ReadonlyArray<string> = [],
  checkpoints = ""
) =>
  new Promise<Result>((resolve, reject) => {
    const [cmd, args] = pinned(0, [
      ...extra,
      Path.join(build, isEffect4(client) ? "runner-effect4.mjs" : "runner.mjs"),
      client,
      method,
      origin,
      String(count),
      "32",
      checkpoints
    ], isEffect4(client) ? node22Path : process.execPath)
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000)
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()))
    child.once("exit", (code) => {
      clearTimeout(timer)
      if (code !== 0) return reject(new Error(`${client} ${method} exited with ${code}`))
      resolve(JSON.parse(out.trim().split("\n").pop()!))
    })
  })

const ratio = (x: number, base: number | undefined) => (base === undefined ? "–" : (x / base).toFixed(2))

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** A redis-server for the steady-redis rows, on a free port, pinned beside the HTTP server. */
const startRedis = async (): Promise<ChildProcess | undefined> => {
  if (!names.some((n) => n.startsWith("steady-redis"))) return undefined
  const port = await new Promise<number>((resolve) => {
    const probe = Net.createServer().listen(0, "127.0.0.1", () => {
      const p = (probe.address() as Net.AddressInfo).port
      probe.close(() => resolve(p))
    })
  })
  const [cmd, args] = hasTaskset
    ? ["taskset", ["-c", "1", "redis-server"]]
    : ["redis-server", [] as Array<string>]
  const child = spawn(
    cmd,
    [...args, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore"
    }
  )
  // ready when the port accepts a connection (bounded: 10 s)
  for (let i = 0;; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = Net.connect(port, "127.0.0.1")
      const done = (ok: boolean) => {
        clearTimeout(timer)
        socket.destroy()
        resolve(ok)
      }
      const timer = setTimeout(() => done(false), 200)
      socket.once("connect", () => done(true)).once("error", () => done(false))
    })
    if (up) break
    if (i >= 50) throw new Error(`redis-server did not listen on ${port} within 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  process.env.STEADY_BENCH_REDIS_URL = `redis://127.0.0.1:${port}`
  return child
}
const redisServer = await startRedis()

const { child: server, origin } = await startServer()
try {
  const results: Array<Result> = []
  for (let round = 0; round < rounds; round++) {
    for (const method of methods) {
      // rotate the order each round so no client always runs first or last
      const order = names.map((_, i) => names[(i + round) % names.length])
      for (const name of order) {
        process.stderr.write(`round ${round + 1}/${rounds} ${method} ${name}… `)
        const r = await runClient(origin, name, method, requests)
        process.stderr.write(`${r.cpuMicrosPerRequest.toFixed(1)} µs/req\n`)
        results.push(r)
      }
    }
  }
  const cpuModel = Os.cpus()[0]?.model ?? "unknown CPU"
  const lines = [
    `Run ${new Date().toISOString().slice(0, 10)} on Node ${process.version}${
      node22Path === undefined ? "" : " (the Effect 4 rows and undici@node22 on Node 22)"
    }, ${cpuModel}, ${Os.availableParallelism()} cores;`,
    `${requests} measured requests per run after a warm-up, 32 in flight, ${rounds} interleaved rounds, medians;`,
    hasTaskset
      ? "client pinned to CPU 0, server (node:http) pinned to CPU 1."
      : "no taskset: client and server not pinned.",
    ""
  ]
  for (const method of methods) {
    const rows = names.map((name) => {
      const rs = results.filter((r) => r.client === name && r.method === method)
      return {
        name,
        cpu: median(rs.map((r) => r.cpuMicrosPerRequest)),
        rps: median(rs.map((r) => r.requestsPerSecond)),
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        rss: median(rs.map((r) => r.peakRssMiB)),
        conns: median(rs.map((r) => r.connectionsOpened))
      }
    })
    // each row against undici on its own Node: Node 20 for the Effect 3 line and the peers,
    // Node 22 for the Effect 4 line
    const undiciOf = (name: string) => rows.find((r) => r.name === (isEffect4(name) ? "undici@node22" : "undici"))
    const steady = rows.find((r) => r.name === "steady")
    lines.push(
      `### ${method} (JSON${method === "POST" ? " body both ways" : " response"})`,
      "",
      "| client | CPU µs/req | × undici | × steady | req/s | p50 ms | p99 ms | peak RSS MiB (× undici) | new connections while measured |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...rows.map((r) =>
        `| ${r.name} | ${r.cpu.toFixed(1)} | ${ratio(r.cpu, undiciOf(r.name)?.cpu)} | ${
          steady ? (r.cpu / steady.cpu).toFixed(2) : "–"
        } | ${Math.round(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${Math.round(r.rss)} (${
          ratio(r.rss, undiciOf(r.name)?.rss)
        }) | ${r.conns} |`
      ),
      ""
    )
  }
  if (values.rss) {
    // steady beside raw undici: what the process does anyway, and what steady adds
    lines.push(
      "### Memory",
      "",
      "GET, 200,000 measured requests, figures taken after a forced GC.",
      "",
      "| client | RSS at 20k | RSS at 200k | growth | heap used at 20k | heap used at 200k | growth |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for (const name of ["undici", "steady"]) {
      process.stderr.write(`memory check: ${name}, 200,000 requests… `)
      const r = await runClient(origin, name, "GET", 200_000, ["--expose-gc"], "20000,200000")
      process.stderr.write("done\n")
      const mib = (n: number) => n / 1024 / 1024
      const growth = (a: number, b: number) => `${b >= a ? "+" : ""}${((b / a - 1) * 100).toFixed(1)}%`
      lines.push(
        `| ${name} | ${mib(r.rss["20000"]).toFixed(1)} MiB | ${mib(r.rss["200000"]).toFixed(1)} MiB | ${
          growth(r.rss["20000"], r.rss["200000"])
        } | ${mib(r.heap["20000"]).toFixed(1)} MiB | ${mib(r.heap["200000"]).toFixed(1)} MiB | ${
          growth(r.heap["20000"], r.heap["200000"])
        } |`
      )
    }
    lines.push("")
  }
  const table = lines.join("\n")
  console.log(table)
  if (values.write) {
    const file = Path.join(here, "../../../docs/performance.md")
    const text = Fs.readFileSync(file, "utf8")
    const start = text.indexOf("<!-- bench:start -->")
    const end = text.indexOf("<!-- bench:end -->")
    if (start === -1 || end === -1) throw new Error("docs/performance.md has no bench markers")
    Fs.writeFileSync(file, text.slice(0, start + 20) + "\n" + table + "\n" + text.slice(end))
  }
} finally {
  server.kill("SIGTERM")
  redisServer?.kill("SIGTERM")
}

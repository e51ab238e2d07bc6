/**
 * `npm run bench:download`: memory while streaming a large download (default 1 GiB) over
 * loopback, steady's `ApiClient.stream` beside undici's own `request` stream, each in a fresh
 * process, the server in another. RSS is sampled every 64 MiB received; "growth" is the
 * largest sample over the first one (taken after 64 MiB, once the pool and buffers exist).
 *   --bytes N   bytes to download (default 1073741824)
 *   --rounds R  rounds, interleaved (default 1)
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const here = Path.dirname(fileURLToPath(import.meta.url))
const sample = 64 * 1024 * 1024

interface Result {
  readonly client: string
  readonly bytes: number
  readonly seconds: number
  /** CPU time (user + system) of the whole download. */
  readonly cpuSeconds: number
  readonly firstRssMiB: number
  readonly maxRssMiB: number
  readonly maxHeapMiB: number
}

const mib = (n: number) => n / 1024 / 1024

/** The child: downloads with one client, prints a Result as JSON. */
const child = async (client: string, origin: string, bytes: number) => {
  const samples: Array<number> = []
  const heaps: Array<number> = []
  let received = 0
  let next = sample
  const count = (n: number) => {
    received += n
    if (received >= next) {
      next += sample
      const m = process.memoryUsage()
      samples.push(m.rss)
      heaps.push(m.heapUsed)
    }
  }
  // the modules load before the clock starts
  const Undici = await import("undici")
  const { ApiClient, ConnectionPool } = await import("@steady/client-effect3")
  const { Effect, Stream } = await import("effect")
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  if (client === "undici") {
    const agent = new Undici.Agent({ connections: 1 })
    const { body } = await Undici.request(`${origin}/download?bytes=${bytes}`, { dispatcher: agent })
    for await (const chunk of body) count((chunk as Buffer).length)
    await agent.close()
  } else {
    await Effect.runPromise(
      Effect.gen(function*() {
        const api = yield* ApiClient.make({ baseUrl: origin })
        yield* api.get(`/download?bytes=${bytes}`).pipe(
          ApiClient.stream,
          Stream.runForEach((chunk) => Effect.sync(() => count(chunk.byteLength)))
        )
      }).pipe(Effect.scoped, Effect.provide(ConnectionPool.layer({ connections: 1 })))
    )
  }
  const result: Result = {
    client,
    bytes: received,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: ((c) => (c.user + c.system) / 1e6)(process.cpuUsage(cpu0)),
    firstRssMiB: mib(samples[0] ?? 0),
    maxRssMiB: mib(Math.max(...samples)),
    maxHeapMiB: mib(Math.max(...heaps))
  }
  console.log(JSON.stringify(result))
}

const parent = async () => {
  const { values } = parseArgs({
    options: {
      bytes: { type: "string", default: String(1024 * 1024 * 1024) },
      rounds: { type: "string", default: "1" }
    }
  })
  const bytes = Number(values.bytes)
  const rounds = Number(values.rounds)
  if (!(bytes >= 2 * sample && bytes <= 16 * 1024 ** 3)) throw new Error("--bytes must be from 128 MiB to 16 GiB")
  if (!(rounds >= 1 && rounds <= 10)) throw new Error("--rounds must be from 1 to 10")
  const tsx = ["--import", "tsx", "--conditions=@steady/source"]
  const server: ChildProcess = spawn(process.execPath, [...tsx, Path.join(here, "server.ts")], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const port = await new Promise<string>((resolve, reject) => {
    server.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()))
    server.once("exit", () => reject(new Error("the server exited")))
  })
  const origin = `http://127.0.0.1:${port}`
  const results: Array<Result> = []
  try {
    for (let r = 0; r < rounds; r++) {
      for (const client of ["undici", "steady"]) {
        const out = execFileSync(process.execPath, [
          ...tsx,
          fileURLToPath(import.meta.url),
          "--child",
          client,
          origin,
          String(bytes)
        ], {
          encoding: "utf8",
          timeout: 10 * 60_000
        })
        results.push(JSON.parse(out.trim().split("\n").pop()!) as Result)
      }
    }
  } finally {
    server.kill("SIGTERM")
  }
  console.log(`streaming ${mib(bytes).toFixed(0)} MiB over loopback, RSS sampled every 64 MiB (${rounds} round(s))\n`)
  console.log(
    "| client | MiB/s | CPU s per GiB | RSS after 64 MiB | largest RSS sample | growth | largest heap sample |"
  )
  console.log("|---|---:|---:|---:|---:|---:|---:|")
  for (const r of results) {
    console.log(
      `| ${r.client} | ${(mib(r.bytes) / r.seconds).toFixed(0)} | ${
        (r.cpuSeconds / (r.bytes / 1024 ** 3)).toFixed(2)
      } | ${r.firstRssMiB.toFixed(1)} MiB | ${r.maxRssMiB.toFixed(1)} MiB | +${
        (r.maxRssMiB - r.firstRssMiB).toFixed(1)
      } MiB | ${r.maxHeapMiB.toFixed(1)} MiB |`
    )
  }
  for (const r of results) {
    if (r.bytes !== bytes) throw new Error(`${r.client} received ${r.bytes} bytes of ${bytes}`)
  }
}

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4], Number(process.argv[5]))
else await parent()

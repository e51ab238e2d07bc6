/**
 * Runs one client in this process: a warm-up, then `requests` requests with `concurrency`
 * in flight, and prints one JSON line of figures. The entry of each Effect line (runner.ts,
 * runner-effect4.ts) calls it with its table of clients. Arguments:
 * <client> <GET|POST> <origin> <requests> <concurrency> [rssCheckpoints]
 */
import * as Http from "node:http"

export type Method = "GET" | "POST"

export interface Client {
  readonly send: () => Promise<unknown>
  readonly close: () => Promise<void>
}

export const measure = async (clients: Record<string, (origin: string, method: Method) => Client>) => {
  const [name, method, origin, requestsText, concurrencyText, checkpointsText] = process.argv.slice(2)
  const requests = Number(requestsText)
  const concurrency = Number(concurrencyText)
  const checkpoints = (checkpointsText ?? "").split(",").filter((s) => s !== "").map(Number)

  const stats = () =>
    new Promise<number>((resolve, reject) => {
      Http.get(`${origin}/__stats`, { agent: false }, (res) => {
        let text = ""
        res.on("data", (c) => (text += c))
        res.on("end", () => resolve(JSON.parse(text).connections))
      }).on("error", reject)
    })

  const make = clients[name]
  if (make === undefined) {
    console.error(`unknown client ${name}; known: ${Object.keys(clients).join(", ")}`)
    process.exit(2)
  }
  const client = make(origin, method as Method)

  const drive = async (count: number, latencies?: Float64Array, onDone?: (n: number) => void) => {
    let next = 0
    let done = 0
    const worker = async () => {
      while (next < count) {
        const i = next++
        const t0 = performance.now()
        await client.send()
        if (latencies) latencies[i] = performance.now() - t0
        done++
        onDone?.(done)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
  }

  // warm-up: JIT, connections, caches
  await drive(Math.min(5_000, Math.max(1_000, requests / 10)))
  const connectionsBefore = await stats()
  const latencies = new Float64Array(requests)
  const rss: Record<string, number> = {}
  const heap: Record<string, number> = {}
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await drive(requests, latencies, (n) => {
    if (checkpoints.includes(n)) {
      globalThis.gc?.()
      const usage = process.memoryUsage()
      rss[n] = usage.rss
      heap[n] = usage.heapUsed
    }
  })
  const elapsed = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const connectionsAfter = await stats()
  latencies.sort()
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
  await client.close()
  console.log(JSON.stringify({
    client: name,
    method,
    requests,
    node: process.version,
    cpuMicrosPerRequest: (cpu.user + cpu.system) / requests,
    requestsPerSecond: requests / (elapsed / 1000),
    p50: pick(0.5),
    p99: pick(0.99),
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    // the stats request itself opens one connection
    connectionsOpened: connectionsAfter - connectionsBefore - 1,
    rss,
    heap
  }))
  process.exit(0)
}

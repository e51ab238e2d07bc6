/**
 * A fleet shares one quota: 4 worker processes, each with many fibers, call a loopback API
 * through steady with a limit of 100 requests a second; the server counts what arrives in a 5 s
 * window. On Redis the fleet sends 500 (±5%); with local limits only, each process sends its own
 * 500.
 */
import { it } from "@effect/vitest"
import { TestServer } from "@steady/testing"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import * as RedisServer from "./redisServer.js"
import { spawnWorker } from "./worker.process.js"

const workers = 4
const seconds = 5
const limit = 100

interface Report {
  readonly ok: number
  readonly failed: number
  readonly fallbacks: number
}

const spawnFleetWorker = (redis: string, api: string) =>
  spawnWorker<Report>("worker.ts", [redis, api, String(limit), String(seconds), "10"])

/** Runs the fleet; the requests the server received inside the window, and the workers' reports. */
const fleet = (redis: string) =>
  Effect.gen(function*() {
    const server = yield* TestServer.make({ record: true }, (_, res) => TestServer.json(res, 200, { ok: true }))
    const all = Array.from({ length: workers }, () => spawnFleetWorker(redis, server.url))
    // every process is up (tsx takes a while each) before the window opens
    yield* Effect.promise(() => Promise.all(all.map((w) => w.ready)))
    const startAt = Date.now() + 300
    for (const w of all) w.signal(String(startAt))
    const reports = yield* Effect.promise(() => Promise.all(all.map((w) => w.done)))
    const inWindow = server.requests.filter((r) => {
      const at = performance.timeOrigin + r.at
      return at >= startAt && at < startAt + seconds * 1000
    }).length
    return { inWindow, reports }
  })

describe.skipIf(!RedisServer.available)("a fleet of 4 processes", () => {
  it.scopedLive(
    "on Redis shares one quota: 500 requests in 5 s at 100/s (±5%); local limits send about 4×",
    () =>
      Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const shared = yield* fleet(redis.url)
        const local = yield* fleet("local")
        console.log(`fleet: shared ${shared.inWindow}, local ${local.inWindow} requests in ${seconds} s`)
        expect(shared.reports.map((r) => [r.failed, r.fallbacks])).toEqual(shared.reports.map(() => [0, 0]))
        expect(shared.inWindow).toBeGreaterThanOrEqual(limit * seconds * 0.95)
        expect(shared.inWindow).toBeLessThanOrEqual(limit * seconds * 1.05)
        // each process its own quota (a loaded machine may not reach all four)
        expect(local.inWindow).toBeGreaterThan(shared.inWindow * 2)
      }),
    120_000
  )
})

/**
 * The reliability run: a client with steady's default policies against a ChaosServer that
 * injects every fault kind, with the figures that prove nothing hangs, nothing leaks and
 * nothing is sent twice. Used by the test suite (a bounded run) and by `npm run chaos`.
 */
import { ApiClient, ApiError, ConnectionPool } from "@steady/client-effect3"
import { ChaosServer } from "@steady/testing-effect3"
import { Cause, Effect, Exit, Metric, Schema } from "effect"

/**
 * Timeouts and backoff scaled down from the defaults (10 s / 30 s / 500 ms / 8 s) so a run
 * stays short, but not so far that a busy machine's scheduler could time out a healthy
 * attempt: the attempt timeout is 1.5 s, and the injected delay (2.5 s) passes it by a wide
 * margin. Only injected faults fail an attempt.
 */
export const policy = {
  timeout: { attempt: "1500 millis", total: "6 seconds" },
  retry: { base: "25 millis", cap: "400 millis" }
} as const satisfies ApiClient.Options

export const deadlineMillis = 6_000

export interface Options {
  readonly requests: number
  /** The share of attempts that meet a fault on the main routes. */
  readonly faultRate: number
  readonly seed: number
  readonly concurrency: number
  readonly connections: number
  readonly onProgress?: ((done: number) => void) | undefined
}

export interface Report {
  readonly requests: number
  readonly succeeded: number
  readonly failedByTag: Readonly<Record<string, number>>
  readonly get: { readonly calls: number; readonly succeeded: number }
  readonly postWithoutKey: { readonly calls: number; readonly succeeded: number }
  readonly postWithKey: { readonly calls: number; readonly succeeded: number }
  readonly serverRequests: number
  readonly retries: number
  readonly budgetRefusals: number
  readonly maxLatencyMillis: number
  readonly deadlineMillis: number
  readonly overDeadline: number
  readonly defects: number
  readonly untyped: number
  readonly connectionsOpened: number
  readonly peakConnectionsOpen: number
  readonly connectionsOpenAfterClose: number
  readonly duplicatePostsWithoutKey: number
  readonly duplicatesWithKey: number
  readonly injected: Readonly<Record<string, number>>
  readonly rssStartMiB: number
  readonly rssEndMiB: number
  readonly rssPeakMiB: number
  readonly elapsedMillis: number
}

/** Transient faults, each a share of the fault rate. Every one of them is safe to retry for a GET. */
const transientFaults: ReadonlyArray<readonly [ChaosServer.Fault, number]> = [
  [ChaosServer.status(503), 0.25],
  [ChaosServer.status(502), 0.05],
  [ChaosServer.status(429, { "retry-after": "0" }), 0.1],
  [ChaosServer.resetBeforeHeaders, 0.15],
  [ChaosServer.resetAfterHeaders, 0.1],
  [ChaosServer.truncate, 0.1],
  [ChaosServer.delay(2_500), 0.1],
  [ChaosServer.stallBody, 0.1],
  [ChaosServer.status(500, { "retry-after-ms": "30" }), 0.05]
]

const Pet = Schema.Struct({ ok: Schema.Boolean, path: Schema.String })

const scaled = (rate: number) => transientFaults.map(([fault, share]) => [fault, share * rate] as const)

/** "ok", the failure's tag, "defect" (not a plain failure) or "untyped" (a failure that is not an ApiError). */
const summarise = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None" || !Cause.isFailType(exit.cause)) return "defect"
  return ApiError.isApiError(failure.value) ? failure.value._tag : "untyped"
}

/** RSS after a full collection when the process runs with --expose-gc (npm run chaos does). */
const rssAfterGc = () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().rss
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

export const run = (options: Options): Effect.Effect<Report> =>
  Effect.gen(function*() {
    const started = performance.now()
    const rssStart = rssAfterGc()
    let rssPeak = rssStart
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
    }, 100)
    const retriesBefore = (yield* Metric.value(ApiClient.metrics.retries)).count
    const refusalsBefore = (yield* Metric.value(ApiClient.metrics.budgetRefusals)).count

    const failedByTag: Record<string, number> = {}
    const count = { get: [0, 0], post: [0, 0], keyed: [0, 0], report: [0, 0] } as Record<string, [number, number]>
    let succeeded = 0
    let defects = 0
    let untyped = 0
    let maxLatency = 0
    let overDeadline = 0
    const tally = (kind: string, result: string, millis: number) => {
      count[kind][0]++
      maxLatency = Math.max(maxLatency, millis)
      if (millis > deadlineMillis + 500) overDeadline++
      if (result === "ok") {
        succeeded++
        count[kind][1]++
      } else if (result === "defect") defects++
      else if (result === "untyped") untyped++
      else failedByTag[result] = (failedByTag[result] ?? 0) + 1
    }
    let serverRequests = 0
    // receptions per call (POSTs carry x-call-id): one byte a call
    const unkeyedPosts = new Uint8Array(options.requests)
    const keyedPosts = new Uint8Array(options.requests)
    const outcome = yield* Effect.scoped(Effect.gen(function*() {
      const server = yield* ChaosServer.make({
        seed: options.seed,
        // count what the checks need instead of keeping every request: memory stays flat
        record: false,
        onRequest: (r) => {
          serverRequests++
          if (r.method !== "POST") return
          const id = Number(r.headers["x-call-id"])
          const seen = r.idempotencyKey === undefined ? unkeyedPosts : keyedPosts
          if (seen[id] < 255) seen[id]++
        },
        routes: {
          "GET /pets/:id": { faults: scaled(options.faultRate) },
          "POST /orders": {
            faults: scaled(options.faultRate),
            answer: { status: 201, json: { ok: true, path: "/orders" } }
          },
          // faults no retry can mend, on a route of their own
          "GET /reports/:id": {
            faults: [[ChaosServer.malformedJson, 0.05], [ChaosServer.oversized(2 * 1024 * 1024), 0.02]]
          }
        }
      })
      const result = yield* Effect.scoped(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: server.url, ...policy, maxResponseBytes: 1024 * 1024 })
          const keyed = yield* ApiClient.make({ baseUrl: server.url, ...policy, idempotencyKey: "auto" })
          let done = 0
          let next = 0
          const call = (i: number) => {
            const kind = i % 10 < 6 ? "get" : i % 10 < 8 ? "post" : i % 10 < 9 ? "keyed" : "report"
            const effect = kind === "get"
              ? client.get(`/pets/${i}`).pipe(ApiClient.json(Pet))
              : kind === "report"
              ? client.get(`/reports/${i}`).pipe(ApiClient.json(Pet))
              : (kind === "post" ? client : keyed).post("/orders", {
                body: undefined,
                headers: { "x-call-id": String(i) }
              })
                .pipe(ApiClient.json(Pet))
            const t0 = performance.now()
            return Effect.map(Effect.exit(effect), (exit) => {
              if (++done % 1000 === 0) options.onProgress?.(done)
              tally(kind, summarise(exit), performance.now() - t0)
            })
          }
          // workers pull the next call: nothing is kept per call, so memory stays flat
          const worker = Effect.whileLoop({
            while: () => next < options.requests,
            body: () => call(next++),
            step: () => {}
          })
          yield* Effect.all(Array.from({ length: options.concurrency }, () => worker), { concurrency: "unbounded" })
          return { peak: server.peakConnectionsOpen, opened: server.connectionsOpened }
        }).pipe(Effect.provide(ConnectionPool.layer({ connections: options.connections })))
      )
      // the pool's scope is closed: every connection must be gone
      yield* Effect.promise(() => server.waitUntil((s) => s.connectionsOpen === 0, 2_000))
      return { ...result, server, openAfter: server.connectionsOpen }
    }))
    clearInterval(sampler)

    let duplicatePostsWithoutKey = 0
    for (const n of unkeyedPosts) if (n > 1) duplicatePostsWithoutKey += n - 1
    let duplicatesWithKey = 0
    for (const n of keyedPosts) if (n > 1) duplicatesWithKey += n - 1

    return {
      requests: options.requests,
      succeeded,
      failedByTag,
      get: { calls: count.get[0], succeeded: count.get[1] },
      postWithoutKey: { calls: count.post[0], succeeded: count.post[1] },
      postWithKey: { calls: count.keyed[0], succeeded: count.keyed[1] },
      serverRequests,
      retries: (yield* Metric.value(ApiClient.metrics.retries)).count - retriesBefore,
      budgetRefusals: (yield* Metric.value(ApiClient.metrics.budgetRefusals)).count - refusalsBefore,
      maxLatencyMillis: Math.round(maxLatency),
      deadlineMillis,
      overDeadline,
      defects,
      untyped,
      connectionsOpened: outcome.opened,
      peakConnectionsOpen: outcome.peak,
      connectionsOpenAfterClose: outcome.openAfter,
      duplicatePostsWithoutKey,
      duplicatesWithKey,
      injected: { ...outcome.server.injected },
      rssStartMiB: mib(rssStart),
      rssEndMiB: mib(rssAfterGc()),
      rssPeakMiB: mib(rssPeak),
      elapsedMillis: Math.round(performance.now() - started)
    }
  })

/** The failure probability the retry policy promises for a GET: all 3 attempts meet a fault. */
export const promisedGetFailure = (faultRate: number) => faultRate ** 3

/** Prints a report as a Markdown table. */
export const table = (report: Report, options: Options): string => {
  const rows: Array<readonly [string, string]> = [
    ["requests (calls)", String(report.requests)],
    ["fault rate per attempt (main routes)", `${Math.round(options.faultRate * 100)}%`],
    ["succeeded", `${report.succeeded} (${pct(report.succeeded, report.requests)})`],
    ["GET succeeded", `${report.get.succeeded}/${report.get.calls} (${pct(report.get.succeeded, report.get.calls)})`],
    [
      "POST without key succeeded",
      `${report.postWithoutKey.succeeded}/${report.postWithoutKey.calls} (${
        pct(report.postWithoutKey.succeeded, report.postWithoutKey.calls)
      })`
    ],
    [
      "POST with key succeeded",
      `${report.postWithKey.succeeded}/${report.postWithKey.calls} (${
        pct(report.postWithKey.succeeded, report.postWithKey.calls)
      })`
    ],
    ...Object.entries(report.failedByTag).sort().map(([tag, n]) => [`failed: ${tag}`, String(n)] as const),
    ["requests seen by the server", String(report.serverRequests)],
    ["retries", String(report.retries)],
    ["retry budget refusals", String(report.budgetRefusals)],
    ["max latency / total deadline", `${report.maxLatencyMillis} ms / ${report.deadlineMillis} ms`],
    ["calls over deadline + 500 ms", String(report.overDeadline)],
    ["defects / untyped failures", `${report.defects} / ${report.untyped}`],
    ["connections opened (pool size)", `${report.connectionsOpened} (${options.connections})`],
    ["peak connections open", String(report.peakConnectionsOpen)],
    ["connections open after the scope closed", String(report.connectionsOpenAfterClose)],
    ["POSTs without key received twice", String(report.duplicatePostsWithoutKey)],
    ["keyed POSTs received again (retries, same key)", String(report.duplicatesWithKey)],
    ["RSS start / peak / end", `${report.rssStartMiB} / ${report.rssPeakMiB} / ${report.rssEndMiB} MiB`],
    ["elapsed", `${(report.elapsedMillis / 1000).toFixed(1)} s`]
  ]
  return ["| figure | value |", "| --- | --- |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n")
}

const pct = (n: number, d: number) => (d === 0 ? "n/a" : `${((n / d) * 100).toFixed(2)}%`)

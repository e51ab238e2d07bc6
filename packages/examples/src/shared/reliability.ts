/**
 * The reliability run's plan and its bookkeeping, the same on both Effect lines: the policy,
 * the fault mix, the mix of calls, the tally of what happened, the report and its table. No
 * effect import: each line's reliability.ts makes the calls and hands their outcomes here.
 */

/**
 * Timeouts and backoff scaled down from the defaults (10 s / 30 s / 500 ms / 8 s) so a run
 * stays short, but not so far that a busy machine's scheduler could time out a healthy
 * attempt: the attempt timeout is 1.5 s, and the injected delay (2.5 s) passes it by a wide
 * margin. Only injected faults fail an attempt.
 */
export const policy = {
  timeout: { attempt: "1500 millis", total: "6 seconds" },
  retry: { base: "25 millis", cap: "400 millis" }
} as const

export const deadlineMillis = 6_000

/** The cap on a response body of the clients of the run (the oversized fault passes it). */
export const maxResponseBytes = 1024 * 1024

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

/** A line's ChaosServer fault constructors, as much of them as the run uses (both lines have them). */
export interface Faults<F> {
  readonly status: (status: number, headers?: Readonly<Record<string, string>>) => F
  readonly delay: (millis: number) => F
  readonly resetBeforeHeaders: F
  readonly resetAfterHeaders: F
  readonly truncate: F
  readonly stallBody: F
  readonly malformedJson: F
  readonly oversized: (bytes: number) => F
}

/** A request as the server reports it to `onRequest` (a subset of ChaosServer.ChaosRequest). */
export interface Received {
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly idempotencyKey: string | undefined
}

/**
 * The server's routes: transient faults (each a share of the fault rate, every one of them
 * safe to retry for a GET) on the pets and the orders, and faults no retry can mend on a
 * route of their own.
 */
export const routes = <F>(chaos: Faults<F>, faultRate: number) => {
  const transient: ReadonlyArray<readonly [F, number]> = [
    [chaos.status(503), 0.25],
    [chaos.status(502), 0.05],
    [chaos.status(429, { "retry-after": "0" }), 0.1],
    [chaos.resetBeforeHeaders, 0.15],
    [chaos.resetAfterHeaders, 0.1],
    [chaos.truncate, 0.1],
    [chaos.delay(2_500), 0.1],
    [chaos.stallBody, 0.1],
    [chaos.status(500, { "retry-after-ms": "30" }), 0.05]
  ]
  const scaled = transient.map(([fault, share]) => [fault, share * faultRate] as const)
  return {
    "GET /pets/:id": { faults: scaled },
    "POST /orders": { faults: scaled, answer: { status: 201, json: { ok: true, path: "/orders" } } },
    "GET /reports/:id": {
      faults: [[chaos.malformedJson, 0.05], [chaos.oversized(2 * 1024 * 1024), 0.02]] as ReadonlyArray<
        readonly [F, number]
      >
    }
  }
}

/** The kinds of call, by share: 60% GET, 20% POST without a key, 10% POST with one, 10% GET of a report. */
export type Kind = "get" | "post" | "keyed" | "report"

/** The kind of the `i`-th call. */
export const kindOf = (i: number): Kind => (i % 10 < 6 ? "get" : i % 10 < 8 ? "post" : i % 10 < 9 ? "keyed" : "report")

/** The header that names a POST's call, so the server can count what it received per call. */
export const CALL_ID = "x-call-id"

/** RSS after a full collection when the process runs with --expose-gc (npm run chaos does). */
export const rssAfterGc = () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  return process.memoryUsage().rss
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

/**
 * The tally of a run: what each call ended with, what the server received, and the memory
 * the process held. Nothing is kept per call but one byte per POST, so memory stays flat.
 */
export const tally = (options: Options) => {
  const started = performance.now()
  const rssStart = rssAfterGc()
  let rssPeak = rssStart
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
  }, 100)
  const failedByTag: Record<string, number> = {}
  const count: Record<Kind, [number, number]> = { get: [0, 0], post: [0, 0], keyed: [0, 0], report: [0, 0] }
  let succeeded = 0
  let defects = 0
  let untyped = 0
  let maxLatency = 0
  let overDeadline = 0
  let done = 0
  let serverRequests = 0
  // receptions per call (POSTs carry x-call-id): one byte a call
  const unkeyedPosts = new Uint8Array(options.requests)
  const keyedPosts = new Uint8Array(options.requests)
  return {
    /**
     * A call ended: `result` is "ok", the failure's tag, "defect" (not a plain failure) or
     * "untyped" (a failure that is not an ApiError).
     */
    call: (kind: Kind, result: string, millis: number) => {
      if (++done % 1000 === 0) options.onProgress?.(done)
      count[kind][0]++
      maxLatency = Math.max(maxLatency, millis)
      if (millis > deadlineMillis + 500) overDeadline++
      if (result === "ok") {
        succeeded++
        count[kind][1]++
      } else if (result === "defect") defects++
      else if (result === "untyped") untyped++
      else failedByTag[result] = (failedByTag[result] ?? 0) + 1
    },
    /** The server received a request. */
    received: (r: Received) => {
      serverRequests++
      if (r.method !== "POST") return
      const id = Number(r.headers[CALL_ID])
      const seen = r.idempotencyKey === undefined ? unkeyedPosts : keyedPosts
      if (seen[id] < 255) seen[id]++
    },
    /** The run is over: the report, with what only the line knows (metrics, the server's counts). */
    report: (line: {
      readonly retries: number
      readonly budgetRefusals: number
      readonly connectionsOpened: number
      readonly peakConnectionsOpen: number
      readonly connectionsOpenAfterClose: number
      readonly injected: Readonly<Record<string, number>>
    }): Report => {
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
        retries: line.retries,
        budgetRefusals: line.budgetRefusals,
        maxLatencyMillis: Math.round(maxLatency),
        deadlineMillis,
        overDeadline,
        defects,
        untyped,
        connectionsOpened: line.connectionsOpened,
        peakConnectionsOpen: line.peakConnectionsOpen,
        connectionsOpenAfterClose: line.connectionsOpenAfterClose,
        duplicatePostsWithoutKey,
        duplicatesWithKey,
        injected: { ...line.injected },
        rssStartMiB: mib(rssStart),
        rssEndMiB: mib(rssAfterGc()),
        rssPeakMiB: mib(rssPeak),
        elapsedMillis: Math.round(performance.now() - started)
      }
    }
  }
}

/** The failure probability the retry policy promises for a GET: all 3 attempts meet a fault. */
export const promisedGetFailure = (faultRate: number) => faultRate ** 3

/** Whether the run kept the promises `npm run chaos` exits non-zero on (the zero rows, and the pool's cap). */
export const kept = (report: Report, options: Options): boolean =>
  report.defects === 0 && report.untyped === 0 && report.duplicatePostsWithoutKey === 0 &&
  report.overDeadline === 0 && report.connectionsOpenAfterClose === 0 &&
  report.peakConnectionsOpen <= options.connections

const pct = (n: number, d: number) => (d === 0 ? "n/a" : `${((n / d) * 100).toFixed(2)}%`)

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

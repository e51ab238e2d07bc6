/**
 * What `npm run demo` says and checks, the same on both Effect lines: the flags, the
 * misbehaving server's script, each act's narration and check, and the summary table. No
 * effect import: each line's demo.ts runs the acts as Effects and hands what it observed to
 * the functions here.
 */
import { numberFlag, parseFlags } from "./cli.js"

export const usage = `npm run demo -- [flags]: the pet-store client against a misbehaving server, narrated

  --effect 3|4      the Effect line to run it on (default 4, under Node 22)
  --requests N      GETs in the pooled-session act (default 400)
  --fault-rate R    share of those that meet a fault, 0 to 0.9 (default 0.1)
  --seed S          seed of the faults and of the retry jitter (default 1)
  --trace           instead: one call that is retried, drawn as a waterfall of its spans
  --help            this text

Exits 0 when the client behaved as promised, 1 otherwise.`

export interface Settings {
  readonly trace: boolean
  /** GETs in the pooled-session act. */
  readonly requests: number
  readonly faultRate: number
  readonly seed: number
}

/**
 * The demo's flags from the command line (`--effect` is the launcher's, and gone by now):
 * `--help` prints the usage and exits 0; an unknown or bad flag exits 2 and says why.
 */
export const settings = (): Settings => {
  const values = parseFlags(usage, { requests: "400", "fault-rate": "0.1", seed: "1", trace: false })
  return {
    trace: values.trace,
    requests: Math.floor(numberFlag("requests", values.requests, 1, 1_000_000)),
    faultRate: numberFlag("fault-rate", values["fault-rate"], 0, 0.9),
    seed: Math.floor(numberFlag("seed", values.seed, 0, 2 ** 31))
  }
}

/** The pool's size in the demo. */
export const CONNECTIONS = 8
/** The pets `GET /pets` lists, a page at a time. */
export const PETS = 95

/** A line's ChaosServer fault constructors, as much of them as the demo uses (both lines have them). */
export interface Faults<F> {
  readonly status: (status: number, headers?: Readonly<Record<string, string>>) => F
  readonly delay: (millis: number) => F
  readonly dropStream: (after: number) => F
  readonly resetBeforeHeaders: F
}

/** A request as the demo's answers read it (a subset of TestServer.ReceivedRequest). */
export interface Request {
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: Readonly<Record<string, string>>
}

/** A healthy answer (ChaosServer.Answer). */
export interface Answer {
  readonly status?: number | undefined
  readonly json?: unknown
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly events?: ReadonlyArray<{ readonly id: string; readonly retry: number; readonly data: string }> | undefined
}

/** A route's script (ChaosServer.Script). */
export interface Script<F> {
  readonly answer?: Answer | ((request: Request) => Answer) | undefined
  readonly sequence?: ReadonlyArray<F | "ok"> | undefined
  readonly faults?: ReadonlyArray<readonly [F, number]> | undefined
}

/** The demo's server: its routes, and the tokens its OAuth2 endpoint issued. */
export interface Server<F> {
  readonly routes: Readonly<Record<string, Script<F>>>
  /** Tokens requested so far. */
  readonly tokenRequests: () => number
}

const pet = (id: number) => ({ id, name: `Pet ${id}`, status: "available" })

/**
 * The script of the misbehaving pet store: a 503 then a 429 on two pets, a 404, a 403, a POST
 * that fails twice, a slow endpoint, short-lived OAuth2 tokens, a paged listing whose second
 * page fails once, an event stream that breaks, and `faultRate` faults on every other pet.
 */
export const server = <F>(chaos: Faults<F>, faultRate: number): Server<F> => {
  const issued = new Set<string>()
  let tokenRequests = 0
  let menuRequests = 0
  const authorized = (headers: Readonly<Record<string, string>>) =>
    issued.has((headers.authorization ?? "").replace(/^Bearer /, ""))
  const guarded = (answer: Answer) => (req: Request): Answer =>
    authorized(req.headers) ? answer : { status: 401, json: { error: "invalid_token" } }
  const routes: Record<string, Script<F>> = {
    "POST /oauth/token": {
      answer: () => {
        const token = `demo-token-${++tokenRequests}`
        issued.add(token)
        // a short-lived token, so the demo sees it expire
        return { json: { access_token: token, token_type: "Bearer", expires_in: 2 } }
      }
    },
    "GET /pets/1001": { sequence: [chaos.status(503)], answer: guarded({ json: pet(1001) }) },
    "GET /pets/1002": {
      sequence: [chaos.status(429, { "retry-after": "1" })],
      answer: guarded({ json: pet(1002) })
    },
    "GET /pets/404": { answer: guarded({ status: 404, json: { error: "not found" } }) },
    "GET /pets/77": { answer: guarded({ json: pet(77) }) },
    "GET /pets/:id": {
      faults: [
        [chaos.status(503), faultRate * 0.5],
        [chaos.resetBeforeHeaders, faultRate * 0.25],
        [chaos.status(502), faultRate * 0.25]
      ],
      answer: (req) => guarded({ json: pet(Number(req.path.split("/")[2])) })(req)
    },
    // today's menu: fresh for no time, but good for an hour if the upstream fails; and then it does
    "GET /menu": {
      answer: () =>
        ++menuRequests === 1
          ? { json: { specials: ["kibble", "catnip"] }, headers: { "cache-control": "max-age=0, stale-if-error=3600" } }
          : { status: 503, json: { error: "down" } }
    },
    "DELETE /pets/:id": { answer: guarded({ status: 403, json: { error: "forbidden" } }) },
    "POST /pets": {
      sequence: [chaos.status(503), chaos.status(503)],
      answer: guarded({ status: 201, json: pet(2001) })
    },
    "GET /store/inventory": { sequence: [chaos.delay(2_500)], answer: guarded({ json: { available: 3 } }) },
    // 95 pets, a page at a time with a Link to the next; the second page's first answer is a 503
    "GET /pets": {
      sequence: ["ok", chaos.status(503)],
      answer: (req) => {
        const limit = Number(req.query.get("limit") ?? "20")
        const page = Number(req.query.get("page") ?? "1")
        const ids = Array.from({ length: PETS }, (_, i) => i + 1).slice((page - 1) * limit, page * limit)
        const next = page * limit < PETS ? { link: `</pets?limit=${limit}&page=${page + 1}>; rel="next"` } : undefined
        return guarded({ json: ids.map(pet), headers: next })(req)
      }
    },
    // six adoptions as Server-Sent Events; the first connection breaks in the middle of the fourth
    "GET /adoptions": {
      sequence: [chaos.dropStream(3)],
      answer: (req) => {
        const after = Number(req.headers["last-event-id"] ?? "0")
        const events = Array.from({ length: 6 }, (_, i) => i + 1).filter((n) => n > after).map((n) => ({
          id: String(n),
          retry: 50,
          data: JSON.stringify({ petId: 100 + n, by: `family ${n}` })
        }))
        return authorized(req.headers) ? { events } : { status: 401, json: { error: "invalid_token" } }
      }
    }
  }
  return { routes, tokenRequests: () => tokenRequests }
}

/** The configuration the demo's Petstore reads (PETSTORE_*), for the server at `url`. */
export const config = (url: string): Readonly<Record<string, string>> => ({
  PETSTORE_BASE_URL: url,
  PETSTORE_ATTEMPT_TIMEOUT: "1 second",
  PETSTORE_TIMEOUT: "8 seconds",
  PETSTORE_TOKEN_URL: `${url}/oauth/token`,
  PETSTORE_CLIENT_ID: "demo",
  PETSTORE_CLIENT_SECRET: "demo-client-secret"
})

/** The first line of the demo. */
export const title = (line: string, url: string, seed: number) =>
  `steady demo on ${line}: a pet-store client against a misbehaving server at ${url} (seed ${seed})\n`

/** One row of the summary table. */
export interface Check {
  readonly practice: string
  readonly expected: string
  readonly observed: string
  readonly ok: boolean
}

/** What an act prints, and what it checked. */
export interface Act {
  readonly lines: ReadonlyArray<string>
  readonly checks: ReadonlyArray<Check>
}

const say = (n: number | string, title: string, text: string) =>
  `${n === "" ? "   " : `${String(n).padStart(2)}.`} ${title.padEnd(16)} ${text}`

/** A request the server received, as the acts read it. */
export interface Seen {
  /** When it arrived (milliseconds). */
  readonly at: number
  readonly idempotencyKey: string | undefined
  readonly headers: Readonly<Record<string, string>>
}

const gapOf = (requests: ReadonlyArray<Seen>) => (requests.length === 2 ? requests[1].at - requests[0].at : NaN)

/** 1. A 503 retried after a jittered delay: the requests `GET /pets/1001` received. */
export const retried = (requests: ReadonlyArray<Seen>): Act => {
  const gap = gapOf(requests)
  return {
    lines: [
      say(1, "retry", `GET /pets/1001 → 503, retried after ${gap.toFixed(0)} ms (full jitter, U(0, 500 ms)), then 200`)
    ],
    // the delay is drawn (seeded) below 500 ms; the bound leaves a loaded machine a second
    checks: [{
      practice: "503 retried",
      expected: "2 requests, delay < 1.5 s",
      observed: `${requests.length} requests, ${gap.toFixed(0)} ms`,
      ok: requests.length === 2 && gap < 1_500
    }]
  }
}

/** 2. 404 → Option.none(): whether findPet(404) was none, and the requests it made. */
export const notFound = (none: boolean, requests: number): Act => ({
  lines: [say(2, "404", `findPet(404) → ${none ? "Option.none()" : "a pet?"}`)],
  checks: [{
    practice: "404 → none",
    expected: "Option.none(), 1 request",
    observed: `${none ? "none" : "some"}, ${requests} request(s)`,
    ok: none && requests === 1
  }]
})

/** 3. 403 → PermissionDeniedError, handled: what deletePet(7) returned, and the requests it made. */
export const forbidden = (deleted: string, requests: number): Act => ({
  lines: [say(3, "403", `deletePet(7) → PermissionDeniedError, caught with catchTag → "${deleted}"`)],
  checks: [{
    practice: "403 handled",
    expected: "\"forbidden\", not retried",
    observed: `"${deleted}", ${requests} request(s)`,
    ok: deleted === "forbidden" && requests === 1
  }]
})

/**
 * 4. A POST without an idempotency key is not retried; with one it is. `unsafe` is addPet's
 * failure, `posts` the POSTs the server received (addPet's first, then addPetSafely's).
 */
export const idempotency = (
  unsafe: { readonly _tag: string; readonly attempts: number },
  added: { readonly id: number },
  posts: ReadonlyArray<Seen>,
  postsAfterUnsafe: number
): Act => {
  const keyed = posts.slice(postsAfterUnsafe)
  const sameKey = keyed.length >= 2 &&
    keyed.every((r) => r.idempotencyKey !== undefined && r.idempotencyKey === keyed[0].idempotencyKey)
  return {
    lines: [
      say(
        4,
        "idempotency",
        `addPet → ${unsafe._tag} after ${unsafe.attempts} attempt: the server saw the POST ${postsAfterUnsafe} time`
      ),
      say("", "", `addPetSafely → 503, then 201 (pet ${added.id}): ${keyed.length} attempts, one Idempotency-Key`)
    ],
    checks: [
      {
        practice: "POST not retried",
        expected: "1 request",
        observed: String(postsAfterUnsafe),
        ok: postsAfterUnsafe === 1 && unsafe.attempts === 1
      },
      {
        practice: "keyed POST retried",
        expected: "same key each attempt",
        observed: `${keyed.length} attempts${sameKey ? ", same key" : ""}`,
        ok: sameKey
      }
    ]
  }
}

/** 5. Retry-After honoured: the requests `GET /pets/1002` received. */
export const retryAfter = (requests: ReadonlyArray<Seen>): Act => {
  const waited = gapOf(requests)
  return {
    lines: [
      say(5, "Retry-After", `GET /pets/1002 → 429 with Retry-After: 1, waited ${waited.toFixed(0)} ms, then 200`)
    ],
    checks: [{
      practice: "Retry-After",
      expected: "wait ≥ 1000 ms",
      observed: `${waited.toFixed(0)} ms`,
      ok: waited >= 990 && waited < 3_000
    }]
  }
}

/** 6. A slow endpoint cut by the attempt timeout: the attempts the server saw, and how long the call took. */
export const timeout = (attempts: number, tookMillis: number): Act => ({
  lines: [
    say(
      6,
      "timeout",
      `inventory: the first attempt hung past 1 s and was cut; the retry answered (${
        (tookMillis / 1000).toFixed(1)
      } s in all)`
    )
  ],
  // two attempts prove the first was cut: the only way it fails is the 1 s attempt timeout
  checks: [{
    practice: "timeout",
    expected: "cut at 1 s, then 200",
    observed: `${attempts} attempts, ${(tookMillis / 1000).toFixed(1)} s`,
    ok: attempts === 2 && tookMillis < 8_000
  }]
})

/** How many calls act 7 makes at once, after the token has expired. */
export const CONCURRENT_CALLS = 50
/** How long act 7 waits for the token to expire (it lives 2 s; the first acts took more than one). */
export const TOKEN_EXPIRY_WAIT = "1100 millis"

/** 7. An expired token refreshed once for many concurrent calls: the token requests they made. */
export const tokenRefresh = (refreshes: number): Act => ({
  lines: [
    say(7, "token refresh", `the token expired; ${CONCURRENT_CALLS} concurrent calls made ${refreshes} token request`)
  ],
  checks: [{
    practice: "single refresh",
    expected: "1 token request",
    observed: String(refreshes),
    ok: refreshes === 1
  }]
})

/**
 * 8. A listing read page by page, and only as far as it is read: how many pets the first
 * read took and the requests it made, then the same for reading all.
 */
export const pagination = (first: number, requestsForFirst: number, all: number, pagesForAll: number): Act => ({
  lines: [
    say(
      8,
      "pagination",
      `listPets(20): the first 30 pets took ${requestsForFirst} requests (2 pages, a 503 retried); ` +
        `all ${all} took ${pagesForAll} pages, following the Link header`
    )
  ],
  checks: [{
    practice: "pagination",
    expected: `30 → 3 requests; ${PETS} → 5 pages`,
    observed: `${first} → ${requestsForFirst}; ${all} → ${pagesForAll}`,
    ok: first === 30 && requestsForFirst === 3 && all === PETS && pagesForAll === 5
  }]
})

/** 9. A stream of Server-Sent Events that breaks, resumed where it stopped: the events, and the connections made. */
export const sse = (
  events: ReadonlyArray<{ readonly id: string | undefined; readonly data: { readonly petId: number } }>,
  connections: ReadonlyArray<Seen>
): Act => {
  const ids = events.map((e) => e.id).join(",")
  const resumedFrom = connections.map((r) => r.headers["last-event-id"] ?? "-")
  return {
    lines: [
      say(
        9,
        "streaming (SSE)",
        `adoptions: ${events.length} events; the connection broke after event 3, and the client ` +
          `reconnected with Last-Event-ID: ${resumedFrom[1] ?? "?"} (events ${events.map((e) => e.id).join(", ")})`
      )
    ],
    checks: [{
      practice: "SSE resumed",
      expected: "events 1-6 once, 2 connections",
      observed: `${ids}; ${resumedFrom.length} connections`,
      ok: ids === "1,2,3,4,5,6" && resumedFrom.join(",") === "-,3" && events.every((e, i) => e.data.petId === 101 + i)
    }]
  }
}

/** The first pet id of the pooled-session act (its GETs go to pets `FIRST_ID` and up). */
export const FIRST_ID = 10_000
/** How many of the pooled-session act's calls are in flight at once. */
export const CONCURRENCY = 16

/** What the pooled-session act saw. */
export interface Workload {
  /** Calls made. */
  readonly requests: number
  /** The share of requests the server met with a fault (`--fault-rate`). */
  readonly faultRate: number
  readonly failed: number
  /** Failures by tag. */
  readonly failures: Readonly<Record<string, number>>
  /** Calls the client's own breaker or limiter refused without sending them. */
  readonly rejected: number
  /** `GET /pets/:id` requests the server received during the act. */
  readonly received: number
  readonly connectionsOpened: number
  readonly peakConnectionsOpen: number
  /** Retries and budget refusals during the act (the client's metrics). */
  readonly retries: number
  readonly refusals: number
  /** The line's defaults: retries per call, and the retry budget's accounting. */
  readonly times: number
  readonly budget: {
    readonly capacity: number
    readonly retryCost: number
    readonly timeoutRetryCost: number
    readonly successRefund: number
  }
}

/** 10. One pooled session, under load, with faults. */
export const pooled = (w: Workload): Act => {
  const lines = [
    say(
      10,
      "pooled session",
      `${w.requests} GETs over ${w.connectionsOpened} keep-alive connections (pool of ${CONNECTIONS}; a reset ` +
        `costs one), ${w.requests - w.failed} succeeded, ${w.failed} typed failures` +
        (w.failed === 0
          ? ""
          : ` (${Object.entries(w.failures).map(([tag, n]) => `${n} ${tag}`).join(", ")})`)
    )
  ]
  // the retry policy promises p³ failures while its budget lasts; past that, the budget
  // promises to stop retrying: every retry is paid for, so the retries the server saw are
  // at most what the budget could pay (its capacity, plus what successes gave back).
  // Calls refused by the breaker or limiter were never sent: they take no first attempt.
  const extra = w.received - (w.requests - w.rejected)
  const refundable = (w.requests - w.failed) * Math.max(w.times * w.budget.timeoutRetryCost, w.budget.successRefund)
  const payable = Math.floor((w.budget.capacity + refundable) / w.budget.retryCost)
  const promise = w.requests * w.faultRate ** 3 + 4 * Math.sqrt(w.requests * w.faultRate ** 3) + 2
  if (w.refusals > 0) {
    lines.push(say("", "", `the retry budget refused ${w.refusals} retries: the outage was not multiplied`))
  }
  if (w.rejected > 0) {
    lines.push(say("", "", `the circuit breaker or rate limiter refused ${w.rejected} calls without sending them`))
  }
  return {
    lines,
    checks: [
      {
        practice: "pooled session",
        expected: `peak open ≤ ${CONNECTIONS}`,
        observed: `peak ${w.peakConnectionsOpen}`,
        ok: w.peakConnectionsOpen <= CONNECTIONS
      },
      {
        practice: "retries (workload)",
        expected: w.refusals > 0
          ? `retries ≤ ${payable} (what the budget can pay)`
          : `failures ≤ ${promise.toFixed(0)} (p³)`,
        observed: w.refusals > 0 ? `${extra} retries, ${w.refusals} refused` : `${w.failed} failures, ${extra} retries`,
        ok: w.refusals > 0 ? Math.max(extra, w.retries) <= payable : w.failed - w.rejected <= promise
      }
    ]
  }
}

/** 11. The calls made to `GET /menu` once the upstream is down. */
export const MENU_CALLS = 5

/** What one call to `GET /menu` got: the cache's account (`steady-cache`) and the age. */
export interface Served {
  readonly state: string | undefined
  readonly age: string | undefined
}

/**
 * 11. The upstream goes down: a cache in front of a breaker serves the last good menu, stale,
 * with its age and the reason. `served` are the calls made once it is down; `requests` what the
 * server received for `/menu` in all (the first, good answer included).
 */
export const staleServed = (
  served: ReadonlyArray<Served>,
  requests: number,
  logged: ReadonlyArray<string> = []
): Act => {
  const reasons: Record<string, number> = {}
  for (const s of served) {
    const error = /error=(\w+)/.exec(s.state ?? "")?.[1] ?? "none"
    reasons[error] = (reasons[error] ?? 0) + 1
  }
  const stale = served.filter((s) => s.state?.startsWith("stale; reason=stale-if-error") === true).length
  return {
    lines: [
      say(
        11,
        "stale if error",
        `the upstream goes down: ${stale} of ${served.length} calls to GET /menu served the last good menu, ` +
          `stale (age ${served[0]?.age ?? "?"} s), instead of ${
            Object.entries(reasons).map(([tag, n]) => `${n} ${tag}`).join(", ")
          }; the open circuit kept ${served.length - (requests - 1)} of them off the wire`
      ),
      ...logged.map((line) => say("", "", `logged: ${line}`))
    ],
    checks: [{
      practice: "stale if error",
      expected: `${served.length} served stale, ≤ 3 requests`,
      observed: `${stale} stale, ${requests} requests`,
      ok: stale === served.length && requests <= 3
    }]
  }
}

/** Whether the pooled-session act shows progress (it is long). */
export const showsProgress = (requests: number) => requests >= 2000

/** The checks as a table. */
export const table = (rows: ReadonlyArray<Check>): string => {
  const head = ["practice", "expected", "observed", "ok"]
  const cells = rows.map((r) => [r.practice, r.expected, r.observed, r.ok ? "yes" : "NO"])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c: ReadonlyArray<string>) => "| " + c.map((x, i) => x.padEnd(widths[i])).join(" | ") + " |"
  return [line(head), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...cells.map(line)].join("\n")
}

/** Prints the table and the verdict; the exit code: 0 when every check held. */
export const summary = (checks: ReadonlyArray<Check>): 0 | 1 => {
  console.log("\n" + table(checks))
  const ok = checks.every((c) => c.ok)
  console.log(ok ? "\nsteady behaved as promised." : "\nsteady did NOT behave as promised.")
  return ok ? 0 : 1
}

/** The first line of `--trace`. */
export const traceTitle = (line: string, url: string) =>
  `steady demo --trace on ${line}: GET /pets/1 against ${url}, answered 503 once\n`

/** The last line of `--trace`. */
export const traceFooter =
  "\nSpans follow the OpenTelemetry HTTP conventions: see docs/observability.md to export them."

/** `--trace`'s server: `GET /pets/1` answers 503 once, then the pet. */
export const traceRoutes = <F>(chaos: Faults<F>): Readonly<Record<string, Script<F>>> => ({
  "GET /pets/1": { sequence: [chaos.status(503)], answer: { json: { id: 1, name: "Rex" } } }
})

/** `--trace`'s call: a secret in the query, which no span may carry. */
export const tracePath = "/pets/1?api_key=demo-secret"

/**
 * `npm run demo`: the pet-store client of Petstore.ts against an embedded ChaosServer that
 * misbehaves, with a short account of each practice as it happens and a summary table.
 * Flags: --requests N (default 400), --fault-rate R (default 0.1), --seed S (default 1).
 * Exits 0 when the client behaved as promised, 1 otherwise.
 */
import { ApiClient, ApiError, ConnectionPool, RetryBudget } from "@steady/client-effect3"
import { ChaosServer } from "@steady/testing-effect3"
import { Chunk, ConfigProvider, Effect, Layer, Metric, Option, Random, Stream } from "effect"
import { numberFlag, parseFlags, progress, progressDone } from "./cli.js"
import { AuthLive, Petstore } from "./Petstore.js"
import * as Waterfall from "./waterfall.js"

const values = parseFlags(
  `npm run demo -- [flags]: the pet-store client against a misbehaving server, narrated

  --requests N      GETs in the pooled-session act (default 400)
  --fault-rate R    share of those that meet a fault, 0 to 0.9 (default 0.1)
  --seed S          seed of the faults and of the retry jitter (default 1)
  --trace           instead: one call that is retried, drawn as a waterfall of its spans
  --help            this text

Exits 0 when the client behaved as promised, 1 otherwise.`,
  { requests: "400", "fault-rate": "0.1", seed: "1", trace: false }
)
if (values.trace) {
  // one call against a server that answers 503 once: the call span, its two requests, and the
  // retry between them, recorded by a tracer that exports to this terminal
  const traced = Effect.scoped(
    Effect.gen(function*() {
      const server = yield* ChaosServer.make({
        routes: { "GET /pets/1": { sequence: [ChaosServer.status(503)], answer: { json: { id: 1, name: "Rex" } } } }
      })
      const { rows, tracer } = yield* Waterfall.recorder
      const client = yield* ApiClient.make({ baseUrl: server.url })
      yield* client.get("/pets/1?api_key=demo-secret").pipe(Effect.withTracer(tracer))
      console.log(`steady demo --trace: GET /pets/1 against ${server.url}, answered 503 once\n`)
      for (const line of Waterfall.draw(rows())) console.log(line)
      console.log("\nSpans follow the OpenTelemetry HTTP conventions: see docs/observability.md to export them.")
    }).pipe(Effect.provide(ConnectionPool.layer()))
  )
  await Effect.runPromise(traced)
  process.exit(0)
}

const requests = Math.floor(numberFlag("requests", values.requests, 1, 1_000_000))
const faultRate = numberFlag("fault-rate", values["fault-rate"], 0, 0.9)
const seed = Math.floor(numberFlag("seed", values.seed, 0, 2 ** 31))
const CONNECTIONS = 8
const PETS = 95

interface Check {
  readonly practice: string
  readonly expected: string
  readonly observed: string
  readonly ok: boolean
}
const checks: Array<Check> = []
const say = (n: number | string, title: string, text: string) =>
  console.log(`${n === "" ? "   " : `${String(n).padStart(2)}.`} ${title.padEnd(16)} ${text}`)
const check = (practice: string, expected: string, observed: string, ok: boolean) =>
  checks.push({ practice, expected, observed, ok })

const issued = new Set<string>()
let tokenRequests = 0
const authorized = (headers: Readonly<Record<string, string>>) =>
  issued.has((headers.authorization ?? "").replace(/^Bearer /, ""))
const pet = (id: number) => ({ id, name: `Pet ${id}`, status: "available" })
const guarded = (answer: ChaosServer.Answer) => (req: { headers: Readonly<Record<string, string>> }) =>
  authorized(req.headers) ? answer : { status: 401, json: { error: "invalid_token" } }

const program = Effect.gen(function*() {
  const server = yield* ChaosServer.make({
    seed,
    routes: {
      "POST /oauth/token": {
        answer: () => {
          const token = `demo-token-${++tokenRequests}`
          issued.add(token)
          // a short-lived token, so the demo sees it expire
          return { json: { access_token: token, token_type: "Bearer", expires_in: 2 } }
        }
      },
      "GET /pets/1001": { sequence: [ChaosServer.status(503)], answer: guarded({ json: pet(1001) }) },
      "GET /pets/1002": {
        sequence: [ChaosServer.status(429, { "retry-after": "1" })],
        answer: guarded({ json: pet(1002) })
      },
      "GET /pets/404": { answer: guarded({ status: 404, json: { error: "not found" } }) },
      "GET /pets/77": { answer: guarded({ json: pet(77) }) },
      "GET /pets/:id": {
        faults: [
          [ChaosServer.status(503), faultRate * 0.5],
          [ChaosServer.resetBeforeHeaders, faultRate * 0.25],
          [ChaosServer.status(502), faultRate * 0.25]
        ],
        answer: (req) => guarded({ json: pet(Number(req.path.split("/")[2])) })(req)
      },
      "DELETE /pets/:id": { answer: guarded({ status: 403, json: { error: "forbidden" } }) },
      "POST /pets": {
        sequence: [ChaosServer.status(503), ChaosServer.status(503)],
        answer: guarded({ status: 201, json: pet(2001) })
      },
      "GET /store/inventory": { sequence: [ChaosServer.delay(2_500)], answer: guarded({ json: { available: 3 } }) },
      // 95 pets, a page at a time with a Link to the next; the second page's first answer is a 503
      "GET /pets": {
        sequence: ["ok", ChaosServer.status(503)],
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
        sequence: [ChaosServer.dropStream(3)],
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
  })
  const config = ConfigProvider.fromMap(
    new Map([
      ["PETSTORE_BASE_URL", server.url],
      ["PETSTORE_ATTEMPT_TIMEOUT", "1 second"],
      ["PETSTORE_TIMEOUT", "8 seconds"],
      ["PETSTORE_TOKEN_URL", `${server.url}/oauth/token`],
      ["PETSTORE_CLIENT_ID", "demo"],
      ["PETSTORE_CLIENT_SECRET", "demo-client-secret"]
    ]),
    { pathDelim: "_" }
  )
  console.log(`steady demo: a pet-store client against a misbehaving server at ${server.url} (seed ${seed})\n`)

  const Live = Petstore.Default.pipe(
    Layer.provide(AuthLive),
    Layer.provide(ConnectionPool.layer({ connections: CONNECTIONS }))
  )

  yield* Effect.gen(function*() {
    const petstore = yield* Petstore
    const at = (path: string, method = "GET") => server.requests.filter((r) => r.path === path && r.method === method)

    // 1. a 503 retried after a jittered delay
    yield* petstore.getPet(1001)
    const r1001 = at("/pets/1001")
    const gap = r1001.length === 2 ? r1001[1].at - r1001[0].at : NaN
    say(1, "retry", `GET /pets/1001 → 503, retried after ${gap.toFixed(0)} ms (full jitter, U(0, 500 ms)), then 200`)
    // the delay is drawn (seeded) below 500 ms; the bound leaves a loaded machine a second
    check(
      "503 retried",
      "2 requests, delay < 1.5 s",
      `${r1001.length} requests, ${gap.toFixed(0)} ms`,
      r1001.length === 2 && gap < 1_500
    )

    // 2. 404 → Option.none()
    const missing = yield* petstore.findPet(404)
    say(2, "404", `findPet(404) → ${Option.isNone(missing) ? "Option.none()" : "a pet?"}`)
    check(
      "404 → none",
      "Option.none(), 1 request",
      `${Option.isNone(missing) ? "none" : "some"}, ${at("/pets/404").length} request(s)`,
      Option.isNone(missing) && at("/pets/404").length === 1
    )

    // 3. 403 → PermissionDeniedError, handled
    const deleted = yield* petstore.deletePet(7)
    say(3, "403", `deletePet(7) → PermissionDeniedError, caught with catchTag → "${deleted}"`)
    check(
      "403 handled",
      "\"forbidden\", not retried",
      `"${deleted}", ${at("/pets/7", "DELETE").length} request(s)`,
      deleted === "forbidden" && at("/pets/7", "DELETE").length === 1
    )

    // 4. a POST without an idempotency key is not retried; with one it is
    const unsafe = yield* Effect.flip(petstore.addPet({ name: "Rex", status: "available" }))
    const postsAfterUnsafe = at("/pets", "POST").length
    say(
      4,
      "idempotency",
      `addPet → ${unsafe._tag} after ${unsafe.attempts} attempt: the server saw the POST ${postsAfterUnsafe} time`
    )
    const added = yield* petstore.addPetSafely({ name: "Rex", status: "available" })
    const keyed = at("/pets", "POST").slice(1)
    const sameKey = keyed.length >= 2 &&
      keyed.every((r) => r.idempotencyKey !== undefined && r.idempotencyKey === keyed[0].idempotencyKey)
    say("", "", `addPetSafely → 503, then 201 (pet ${added.id}): ${keyed.length} attempts, one Idempotency-Key`)
    check("POST not retried", "1 request", String(postsAfterUnsafe), postsAfterUnsafe === 1 && unsafe.attempts === 1)
    check(
      "keyed POST retried",
      "same key each attempt",
      `${keyed.length} attempts${sameKey ? ", same key" : ""}`,
      sameKey
    )

    // 5. Retry-After honoured
    yield* petstore.getPet(1002)
    const r1002 = at("/pets/1002")
    const waited = r1002.length === 2 ? r1002[1].at - r1002[0].at : NaN
    say(5, "Retry-After", `GET /pets/1002 → 429 with Retry-After: 1, waited ${waited.toFixed(0)} ms, then 200`)
    check("Retry-After", "wait ≥ 1000 ms", `${waited.toFixed(0)} ms`, waited >= 990 && waited < 3_000)

    // 6. a slow endpoint cut by the attempt timeout
    const t0 = performance.now()
    yield* petstore.inventory
    const took = performance.now() - t0
    say(
      6,
      "timeout",
      `inventory: the first attempt hung past 1 s and was cut; the retry answered (${
        (took / 1000).toFixed(1)
      } s in all)`
    )
    // two attempts prove the first was cut: the only way it fails is the 1 s attempt timeout
    check(
      "timeout",
      "cut at 1 s, then 200",
      `${at("/store/inventory").length} attempts, ${(took / 1000).toFixed(1)} s`,
      at("/store/inventory").length === 2 && took < 8_000
    )

    // 7. an expired token refreshed once for many concurrent calls
    yield* Effect.sleep("1100 millis")
    const before = tokenRequests
    yield* Effect.forEach(Array.from({ length: 50 }, () => 77), petstore.findPet, {
      concurrency: "unbounded"
    })
    const refreshes = tokenRequests - before
    say(7, "token refresh", `the token expired; 50 concurrent calls made ${refreshes} token request`)
    check("single refresh", "1 token request", String(refreshes), refreshes === 1)

    // 8. a listing read page by page, and only as far as it is read
    const first30 = yield* petstore.listPets(20).pipe(Stream.take(30), Stream.runCollect)
    const pagesForFirst30 = at("/pets").length
    const everyPet = yield* petstore.listPets(20).pipe(Stream.runCollect)
    const pagesForAll = at("/pets").length - pagesForFirst30
    say(
      8,
      "pagination",
      `listPets(20): the first 30 pets took ${pagesForFirst30} requests (2 pages, a 503 retried); ` +
        `all ${Chunk.size(everyPet)} took ${pagesForAll} pages, following the Link header`
    )
    check(
      "pagination",
      `30 → 3 requests; ${PETS} → 5 pages`,
      `${Chunk.size(first30)} → ${pagesForFirst30}; ${Chunk.size(everyPet)} → ${pagesForAll}`,
      Chunk.size(first30) === 30 && pagesForFirst30 === 3 && Chunk.size(everyPet) === PETS && pagesForAll === 5
    )

    // 9. a stream of Server-Sent Events that breaks, resumed where it stopped
    const adoptions = Chunk.toArray(yield* Stream.runCollect(petstore.adoptions))
    const resumedFrom = at("/adoptions").map((r) => r.headers["last-event-id"] ?? "-")
    say(
      9,
      "streaming (SSE)",
      `adoptions: ${adoptions.length} events; the connection broke after event 3, and the client ` +
        `reconnected with Last-Event-ID: ${resumedFrom[1] ?? "?"} (events ${adoptions.map((e) => e.id).join(", ")})`
    )
    check(
      "SSE resumed",
      "events 1-6 once, 2 connections",
      `${adoptions.map((e) => e.id).join(",")}; ${resumedFrom.length} connections`,
      adoptions.map((e) => e.id).join(",") === "1,2,3,4,5,6" && resumedFrom.join(",") === "-,3" &&
        adoptions.every((e, i) => e.data.petId === 101 + i)
    )

    // 10. one pooled session, under load, with faults
    const requestsBefore = server.requests.length
    const retriesBefore = (yield* Metric.value(ApiClient.metrics.retries)).count
    const refusalsBefore = (yield* Metric.value(ApiClient.metrics.budgetRefusals)).count
    let done = 0
    let failed = 0
    // refused by the client's own breaker or limiter (a high --fault-rate opens the breaker)
    let rejected = 0
    const failures: Record<string, number> = {}
    yield* Effect.forEach(
      Array.from({ length: requests }, (_, i) => 10_000 + i),
      (id) =>
        petstore.getPet(id).pipe(
          Effect.catchAll((e) =>
            Effect.sync(() => {
              failed++
              if (ApiError.isRejectedError(e)) rejected++
              failures[e._tag] = (failures[e._tag] ?? 0) + 1
            })
          ),
          Effect.tap(() => {
            if (++done % 500 === 0 && requests >= 2000) progress(`   ${done}/${requests} requests`)
          })
        ),
      { concurrency: 16, discard: true }
    )
    if (requests >= 2000) progressDone()
    const opened = server.connectionsOpened
    say(
      10,
      "pooled session",
      `${requests} GETs over ${opened} keep-alive connections (pool of ${CONNECTIONS}; a reset costs one), ` +
        `${requests - failed} succeeded, ${failed} typed failures` +
        (failed === 0
          ? ""
          : ` (${Object.entries(failures).map(([tag, n]) => `${n} ${tag}`).join(", ")})`)
    )
    // the retry policy promises p³ failures while its budget lasts; past that, the budget
    // promises to stop retrying: every retry is paid for, so the retries the server saw are
    // at most what the budget could pay (its capacity, plus what successes gave back)
    const refusals = (yield* Metric.value(ApiClient.metrics.budgetRefusals)).count - refusalsBefore
    const retries = (yield* Metric.value(ApiClient.metrics.retries)).count - retriesBefore
    // calls refused by the breaker or limiter were never sent: they take no first attempt
    const extra = server.requests.slice(requestsBefore).filter((r) => r.path.startsWith("/pets/")).length -
      (requests - rejected)
    const budget = RetryBudget.defaults
    const refundable = (requests - failed) *
      Math.max(ApiClient.defaults.times * budget.timeoutRetryCost, budget.successRefund)
    const payable = Math.floor((budget.capacity + refundable) / budget.retryCost)
    const promise = requests * faultRate ** 3 + 4 * Math.sqrt(requests * faultRate ** 3) + 2
    if (refusals > 0) say("", "", `the retry budget refused ${refusals} retries: the outage was not multiplied`)
    if (rejected > 0) say("", "", `the circuit breaker or rate limiter refused ${rejected} calls without sending them`)
    check(
      "pooled session",
      `peak open ≤ ${CONNECTIONS}`,
      `peak ${server.peakConnectionsOpen}`,
      server.peakConnectionsOpen <= CONNECTIONS
    )
    check(
      "retries (workload)",
      refusals > 0 ? `retries ≤ ${payable} (what the budget can pay)` : `failures ≤ ${promise.toFixed(0)} (p³)`,
      refusals > 0 ? `${extra} retries, ${refusals} refused` : `${failed} failures, ${extra} retries`,
      refusals > 0 ? Math.max(extra, retries) <= payable : failed - rejected <= promise
    )
  }).pipe(Effect.provide(Live), Effect.withConfigProvider(config))
})

const table = (rows: ReadonlyArray<Check>) => {
  const head = ["practice", "expected", "observed", "ok"]
  const cells = rows.map((r) => [r.practice, r.expected, r.observed, r.ok ? "yes" : "NO"])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c: ReadonlyArray<string>) => "| " + c.map((x, i) => x.padEnd(widths[i])).join(" | ") + " |"
  return [line(head), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...cells.map(line)].join("\n")
}

// seeded jitter: the same seed gives the same delays (and the same server faults)
const exit = await Effect.runPromiseExit(Effect.scoped(program).pipe(Effect.withRandom(Random.make(seed))))
if (exit._tag === "Failure") {
  console.error("\nthe demo failed:", exit.cause)
  process.exit(1)
}
console.log("\n" + table(checks))
const ok = checks.every((c) => c.ok)
console.log(ok ? "\nsteady behaved as promised." : "\nsteady did NOT behave as promised.")
process.exit(ok ? 0 : 1)

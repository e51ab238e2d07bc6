/**
 * `npm run demo`: the pet-store client of Petstore.ts, on the Effect 4 line (under Node 22),
 * against an embedded ChaosServer that misbehaves, with a short account of each practice as
 * it happens and a summary table. What it says and checks is shared with the Effect 3 line
 * (packages/examples/src/shared/demo.ts); this file runs the acts. Flags: see `--help`.
 * Exits 0 when the client behaved as promised, 1 otherwise.
 */
import { ApiClient, ApiError, CircuitBreaker, ConnectionPool, HttpCache, RetryBudget } from "@steady/client"
import { progress, progressDone } from "@steady/examples/src/shared/cli.js"
import * as Demo from "@steady/examples/src/shared/demo.js"
import { ChaosServer } from "@steady/testing"
import { ConfigProvider, Effect, Layer, Logger, Metric, Option, Random, Stream } from "effect"
import { AuthLive, Petstore } from "./Petstore.js"
import * as Waterfall from "./waterfall.js"

const LINE = "Effect 4"
const settings = Demo.settings()

if (settings.trace) {
  // one call against a server that answers 503 once: the call span, its two requests, and the
  // retry between them, recorded by a tracer that exports to this terminal
  const traced = Effect.scoped(
    Effect.gen(function*() {
      const server = yield* ChaosServer.make({ routes: Demo.traceRoutes(ChaosServer) })
      const { rows, tracer } = yield* Waterfall.recorder
      const client = yield* ApiClient.make({ baseUrl: server.url })
      yield* client.get(Demo.tracePath).pipe(Effect.withTracer(tracer))
      console.log(Demo.traceTitle(LINE, server.url))
      for (const line of Waterfall.draw(rows())) console.log(line)
      console.log(Demo.traceFooter)
    }).pipe(Effect.provide(ConnectionPool.layer()))
  )
  await Effect.runPromise(traced)
  process.exit(0)
}

const checks: Array<Demo.Check> = []
const tell = (act: Demo.Act) => {
  for (const line of act.lines) console.log(line)
  checks.push(...act.checks)
}

const program = Effect.gen(function*() {
  const script = Demo.server(ChaosServer, settings.faultRate)
  const server = yield* ChaosServer.make({ seed: settings.seed, routes: script.routes })
  const config = ConfigProvider.layer(ConfigProvider.fromEnv({ env: Demo.config(server.url) }))
  console.log(Demo.title(LINE, server.url, settings.seed))

  const Live = Petstore.layer.pipe(
    Layer.provide(AuthLive),
    Layer.provide(ConnectionPool.layer({ connections: Demo.CONNECTIONS })),
    Layer.provide(config)
  )

  yield* Effect.gen(function*() {
    const petstore = yield* Petstore
    const at = (path: string, method = "GET") => server.requests.filter((r) => r.path === path && r.method === method)

    // 1. a 503 retried after a jittered delay
    yield* petstore.getPet(1001)
    tell(Demo.retried(at("/pets/1001")))

    // 2. 404 → Option.none()
    const missing = yield* petstore.findPet(404)
    tell(Demo.notFound(Option.isNone(missing), at("/pets/404").length))

    // 3. 403 → PermissionDeniedError, handled
    const deleted = yield* petstore.deletePet(7)
    tell(Demo.forbidden(deleted, at("/pets/7", "DELETE").length))

    // 4. a POST without an idempotency key is not retried; with one it is
    const unsafe = yield* Effect.flip(petstore.addPet({ name: "Rex", status: "available" }))
    const postsAfterUnsafe = at("/pets", "POST").length
    const added = yield* petstore.addPetSafely({ name: "Rex", status: "available" })
    tell(Demo.idempotency(unsafe, added, at("/pets", "POST"), postsAfterUnsafe))

    // 5. Retry-After honoured
    yield* petstore.getPet(1002)
    tell(Demo.retryAfter(at("/pets/1002")))

    // 6. a slow endpoint cut by the attempt timeout
    const t0 = performance.now()
    yield* petstore.inventory
    tell(Demo.timeout(at("/store/inventory").length, performance.now() - t0))

    // 7. an expired token refreshed once for many concurrent calls
    yield* Effect.sleep(Demo.TOKEN_EXPIRY_WAIT)
    const before = script.tokenRequests()
    yield* Effect.forEach(Array.from({ length: Demo.CONCURRENT_CALLS }, () => 77), petstore.findPet, {
      concurrency: "unbounded"
    })
    tell(Demo.tokenRefresh(script.tokenRequests() - before))

    // 8. a listing read page by page, and only as far as it is read
    const first30 = yield* petstore.listPets(20).pipe(Stream.take(30), Stream.runCollect)
    const pagesForFirst30 = at("/pets").length
    const everyPet = yield* petstore.listPets(20).pipe(Stream.runCollect)
    tell(Demo.pagination(first30.length, pagesForFirst30, everyPet.length, at("/pets").length - pagesForFirst30))

    // 9. a stream of Server-Sent Events that breaks, resumed where it stopped
    const adoptions = yield* Stream.runCollect(petstore.adoptions)
    tell(Demo.sse(adoptions, at("/adoptions")))

    // 10. one pooled session, under load, with faults
    const { requests } = settings
    const requestsBefore = server.requests.length
    const retriesBefore = (yield* Metric.value(ApiClient.metrics.retries)).count
    const refusalsBefore = (yield* Metric.value(ApiClient.metrics.budgetRefusals)).count
    let done = 0
    let failed = 0
    // refused by the client's own breaker or limiter (a high --fault-rate opens the breaker)
    let rejected = 0
    const failures: Record<string, number> = {}
    yield* Effect.forEach(
      Array.from({ length: requests }, (_, i) => Demo.FIRST_ID + i),
      (id) =>
        petstore.getPet(id).pipe(
          Effect.catch((e) =>
            Effect.sync(() => {
              failed++
              if (ApiError.isRejectedError(e)) rejected++
              failures[e._tag] = (failures[e._tag] ?? 0) + 1
            })
          ),
          Effect.tap(() =>
            Effect.sync(() => {
              if (++done % 500 === 0 && Demo.showsProgress(requests)) progress(`   ${done}/${requests} requests`)
            })
          )
        ),
      { concurrency: Demo.CONCURRENCY, discard: true }
    )
    if (Demo.showsProgress(requests)) progressDone()
    tell(Demo.pooled({
      requests,
      faultRate: settings.faultRate,
      failed,
      failures,
      rejected,
      received: server.requests.slice(requestsBefore).filter((r) => r.path.startsWith("/pets/")).length,
      connectionsOpened: server.connectionsOpened,
      peakConnectionsOpen: server.peakConnectionsOpen,
      retries: (yield* Metric.value(ApiClient.metrics.retries)).count - retriesBefore,
      refusals: (yield* Metric.value(ApiClient.metrics.budgetRefusals)).count - refusalsBefore,
      times: ApiClient.defaults.times,
      budget: RetryBudget.defaults
    }))

    // 11. the upstream goes down: the last good page, served stale with its age and the reason
    const logged: Array<string> = []
    const served = yield* Effect.gen(function*() {
      const cache = yield* HttpCache.make({ name: "demo" })
      const breaker = yield* CircuitBreaker.make({ name: "menu", consecutiveFailures: 2, openDuration: "1 minute" })
      const menu = yield* ApiClient.make({ baseUrl: server.url, retry: false, policies: [cache, breaker] })
      yield* menu.get("/menu")
      return yield* Effect.forEach(
        Array.from({ length: Demo.MENU_CALLS }),
        () => Effect.map(menu.get("/menu"), (r) => ({ state: r.headers[HttpCache.header], age: r.headers["age"] }))
      )
    }).pipe(
      Effect.provide(ConnectionPool.layer()),
      // the breaker's warning is part of the story: told with the act, not printed in its middle
      Effect.provide(Logger.layer([Logger.make(({ message }) => {
        logged.push(String(Array.isArray(message) ? message[0] : message))
      })]))
    )
    tell(Demo.staleServed(served, at("/menu").length, logged))
  }).pipe(Effect.provide(Live))
})

// seeded jitter: the same seed gives the same delays (and the same server faults)
const exit = await Effect.runPromiseExit(Effect.scoped(program).pipe(Random.withSeed(settings.seed)))
if (exit._tag === "Failure") {
  console.error("\nthe demo failed:", exit.cause)
  process.exit(1)
}
process.exit(Demo.summary(checks))

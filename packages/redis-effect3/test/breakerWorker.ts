/**
 * One process of a fleet (test/RedisCircuitBreaker.test.ts): a client with a breaker on Redis.
 * It prints "ready" once it has synced, waits for "opened" on its stdin (the parent has opened
 * the circuit, and Redis has it), waits for two more syncs of its own, calls the API once and
 * prints what happened: the call's outcome, the syncs it waited, and the milliseconds from
 * "opened" to the call.
 * Arguments: <redis url> <api url>
 */
import { ApiClient, CircuitBreaker, ConnectionPool } from "@steady/client-effect3"
import { Redis, RedisCircuitBreaker } from "@steady/redis-effect3"
import { Effect, Either, Layer, Redacted } from "effect"
import * as Readline from "node:readline"

const [redisUrl, api] = process.argv.slice(2)

const opened = new Promise<void>((resolve) =>
  Readline.createInterface({ input: process.stdin }).once("line", () => resolve())
)

/** Waits (bounded: 10 s) until the store has completed `target` syncs. */
const syncedTo = (store: RedisCircuitBreaker.Store, target: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 2000 && store.syncs < target; i++) yield* Effect.sleep("5 millis")
    if (store.syncs < target) return yield* Effect.dieMessage(`only ${store.syncs} of ${target} syncs in 10 s`)
  })

const program = Effect.gen(function*() {
  const store = yield* RedisCircuitBreaker.store({ name: "fleet" })
  const breaker = yield* CircuitBreaker.make({ key: "origin", consecutiveFailures: 3, openDuration: "1 minute", store })
  const client = yield* ApiClient.make({ baseUrl: api, retry: false, policies: [breaker] })
  // the circuit is in use here (a view, and syncs of it) before the parent opens it
  yield* Effect.either(client.get("/warm-up"))
  yield* syncedTo(store, store.syncs + 1)
  console.log("ready")
  yield* Effect.promise(() => opened)
  const start = Date.now()
  const from = store.syncs
  yield* syncedTo(store, from + 2)
  const syncs = store.syncs - from
  const result = yield* Effect.either(client.get("/x"))
  const outcome = Either.match(result, {
    onRight: () => "ok",
    onLeft: (e) => (e._tag === "CircuitOpenError" ? `open:${e.state}` : e._tag)
  })
  console.log(JSON.stringify({ outcome, syncs, millis: Date.now() - start }))
}).pipe(
  Effect.scoped,
  Effect.provide(Layer.merge(
    Redis.layer({ url: Redacted.make(redisUrl), prefix: "t", commandTimeout: "5 seconds" }),
    ConnectionPool.layer()
  ))
)

await Effect.runPromise(program)
process.exit(0)

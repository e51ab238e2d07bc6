/**
 * One process of a fleet (test/RedisCircuitBreaker.test.ts): a client with the fleet's breaker
 * on Redis. It calls the API once while it is up (the circuit is in use here), prints "ready",
 * waits for "opened" on its stdin (the parent has opened the circuit, and Redis has it), calls
 * the API once and prints what happened: the call's outcome, and the milliseconds from "opened"
 * to the call's answer. There is no sync to wait for: every attempt asks Redis.
 * Arguments: <redis url> <api url>
 */
import { ApiClient, ConnectionPool } from "@steady/client"
import { Redis, RedisCircuitBreaker } from "@steady/redis"
import { Effect, Layer, Redacted, Result } from "effect"
import { CircuitBreaker } from "effect/persistence"
import * as Readline from "node:readline"

const [redisUrl, api] = process.argv.slice(2)

const opened = new Promise<void>((resolve) =>
  Readline.createInterface({ input: process.stdin }).once("line", () => resolve())
)

const program = Effect.gen(function*() {
  const breaker = yield* RedisCircuitBreaker.make({
    name: "fleet",
    tripPolicy: CircuitBreaker.consecutive(3),
    openDuration: "1 minute"
  })
  const client = yield* ApiClient.make({ baseUrl: api, retry: false, policies: [breaker] })
  yield* Effect.result(client.get("/warm-up"))
  console.log("ready")
  yield* Effect.promise(() => opened)
  const start = Date.now()
  const result = yield* Effect.result(client.get("/x"))
  const outcome = Result.match(result, {
    onSuccess: () => "ok",
    onFailure: (e) => (e._tag === "CircuitOpenError" ? `open:${e.state}` : e._tag)
  })
  console.log(JSON.stringify({ outcome, millis: Date.now() - start }))
}).pipe(
  Effect.scoped,
  Effect.provide(Layer.merge(
    Redis.layer({ url: Redacted.make(redisUrl), prefix: "t", commandTimeout: "5 seconds" }),
    ConnectionPool.layer()
  ))
)

await Effect.runPromise(program)
process.exit(0)

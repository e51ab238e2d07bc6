/**
 * One of the processes that hammer one key (test/RedisRateLimiter.test.ts): takes permits with
 * no wait, as fast as it can, for `millis`; prints how many it was granted and refused, and
 * when it started and stopped.
 * Arguments: <redis url> <emission ms> <burst> <lease> <millis>
 */
import { Redis, RedisRateLimiter } from "@steady/redis-effect3"
import { Effect, Redacted } from "effect"

const [url, emission, burst, lease, millis] = process.argv.slice(2)
const program = Effect.gen(function*() {
  const store = yield* RedisRateLimiter.store({ name: "hammer", lease: Number(lease) })
  const rate = { emissionMillis: Number(emission), burst: Number(burst) }
  let granted = 0
  let refused = 0
  const start = Date.now()
  const end = start + Number(millis)
  while (Date.now() < end) {
    const permit = yield* store.take("one-key", rate, Date.now(), 0)
    if (permit.granted) granted++
    else refused++
  }
  return { granted, refused, start, end: Date.now() }
  // a loaded machine must not turn this into a test of the fallback (a local store's grants)
}).pipe(Effect.provide(Redis.layer({ url: Redacted.make(url), commandTimeout: "5 seconds" })))

console.log(JSON.stringify(await Effect.runPromise(program)))
process.exit(0)

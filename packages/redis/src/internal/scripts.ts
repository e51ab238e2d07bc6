/**
 * The Lua scripts of steady's own, for what Effect 4's persistence stores do not have: each
 * update is one atomic script on one key, run through Effect's `Redis.eval` (loaded once,
 * then `EVALSHA`).
 *
 * @internal
 */
import * as EffectRedis from "effect/persistence/Redis"

/**
 * A retry budget's sync: adds this process's change (ARGV[1], may be negative) to the fleet's
 * balance, kept within [0, capacity (ARGV[2])]; a missing key is a full budget. ARGV[3]: the
 * key's ttl (ms). Returns the balance, as a string (Lua numbers reach Redis as integers).
 * The Effect 3 line's script, unchanged.
 *
 * @internal
 */
export const budgetSync = EffectRedis.script(
  (key: string, delta: number, capacity: number, ttlMillis: number) => [key, delta, capacity, ttlMillis],
  {
    numberOfKeys: 1,
    lua: `
local capacity = tonumber(ARGV[2])
local balance = tonumber(redis.call('GET', KEYS[1]) or ARGV[2]) + tonumber(ARGV[1])
if balance < 0 then balance = 0 end
if balance > capacity then balance = capacity end
redis.call('SET', KEYS[1], tostring(balance), 'PX', ARGV[3])
return tostring(balance)
`
  }
).withReturnType<string>()

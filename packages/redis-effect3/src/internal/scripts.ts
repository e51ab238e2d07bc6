/**
 * The Lua scripts: each update is one atomic script on one key. Time is Redis's own (`TIME`),
 * so every process of the fleet measures on one clock.
 *
 * @internal
 */
import type { Redis } from "ioredis"

/**
 * Defines the scripts as commands of the connection (once per connection: stores share it),
 * and returns it typed with them.
 *
 * @internal
 */
export const define = <C extends Redis>(
  client: Redis,
  commands: Readonly<Record<string, { readonly keys: number; readonly lua: string }>>
): C => {
  for (const [name, { keys, lua }] of Object.entries(commands)) {
    if (typeof (client as unknown as Record<string, unknown>)[name] !== "function") {
      client.defineCommand(name, { numberOfKeys: keys, lua })
    }
  }
  return client as C
}

/**
 * GCRA. KEYS[1]: the key. ARGV: emission (ms), burst, max wait (ms), lease. When the quota
 * has `lease` permits free now (lease > 1), takes them all; else one permit, unless its wait
 * would exceed the max wait (a refusal changes nothing). Returns {granted (0/1), wait in ms,
 * permits taken}. The key expires once it is back to a full burst.
 *
 * @internal
 */
export const take = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local emission = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local taken = 1
local nextTat = tat + emission
if lease > 1 and tat + emission * lease - burst * emission <= now then
  taken = lease
  nextTat = tat + emission * lease
end
local wait = nextTat - burst * emission - now
if taken > 1 or wait < 0 then wait = 0 end
if wait > maxWait then return {0, math.ceil(wait), 0} end
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return {1, math.ceil(wait), taken}
`

/**
 * A pause the server asked for: the first permit after it at `until` (ms from now, ARGV[3]),
 * then the configured rate. ARGV: emission, burst, ms until the end of the pause.
 *
 * @internal
 */
export const pause = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local emission = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local untilAt = now + tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused = untilAt + (burst - 1) * emission
if paused > tat then tat = paused end
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 1000)
return 1
`

/**
 * Reads the fields of a breaker's circuit: `now` (Redis's clock), `untilAt` (0 when closed)
 * and `opens`. Shared by the breaker scripts.
 */
const circuitHead = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilAt = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
local opens = tonumber(redis.call('HGET', KEYS[1], 'opens') or '0')
local function opened()
  return {1, untilAt - now, opens}
end
local function open(base, max, ttl)
  opens = opens + 1
  untilAt = now + math.floor(math.min(max, base * 2 ^ (opens - 1)))
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'until', untilAt, 'opens', opens)
  redis.call('PEXPIRE', KEYS[1], ttl)
  return opened()
end
`

/**
 * A breaker's sync: adds this process's counts (ARGV good, bad) to the circuit's window while
 * it is closed (buckets of ARGV[3] ms, ARGV[4] of them), and opens it when the fleet's ratio
 * trips (ARGV minimum throughput, ratio, open ms, max open ms, key ttl ms). Returns the
 * circuit: {0} closed, or {1, ms until its open period ends (≤ 0: over), opens}.
 *
 * @internal
 */
export const breakerSync = `${circuitHead}
local good = tonumber(ARGV[1])
local bad = tonumber(ARGV[2])
if untilAt == 0 and good + bad > 0 then
  local bucket = math.floor(now / tonumber(ARGV[3]))
  local oldest = bucket - tonumber(ARGV[4])
  if good > 0 then redis.call('HINCRBY', KEYS[1], 'g' .. bucket, good) end
  if bad > 0 then redis.call('HINCRBY', KEYS[1], 'b' .. bucket, bad) end
  local fields = redis.call('HGETALL', KEYS[1])
  local calls, failures = 0, 0
  for i = 1, #fields, 2 do
    local kind = string.sub(fields[i], 1, 1)
    if kind == 'g' or kind == 'b' then
      if tonumber(string.sub(fields[i], 2)) <= oldest then
        redis.call('HDEL', KEYS[1], fields[i])
      else
        local n = tonumber(fields[i + 1])
        calls = calls + n
        if kind == 'b' then failures = failures + n end
      end
    end
  end
  if calls >= tonumber(ARGV[5]) and failures / calls >= tonumber(ARGV[6]) then
    return open(tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]))
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[9])
end
if untilAt == 0 then return {0} end
return opened()
`

/**
 * A process opened the circuit (KEYS[1] the circuit, KEYS[2] its probe lease). One that is
 * open already stays as it is (two processes opening it at once open it once); else it opens
 * for ARGV[1] ms doubled per reopen, up to ARGV[2], and the probe lease is dropped. ARGV[3]:
 * the key's ttl. Returns the circuit as `breakerSync` does.
 *
 * @internal
 */
export const breakerOpen = `${circuitHead}
if untilAt > now then return opened() end
redis.call('DEL', KEYS[2])
return open(tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
`

/**
 * A process asks to probe (ARGV[1] its token, ARGV[2] the lease in ms, ARGV[3] how soon to
 * ask again when busy). Returns {0} closed, {1, ms, opens} open again, {2} probe (the lease is
 * the caller's), or {3, ms} busy: another process holds the lease.
 *
 * @internal
 */
export const breakerProbe = `${circuitHead}
if untilAt == 0 then return {0} end
if untilAt > now then return opened() end
local holder = redis.call('GET', KEYS[2])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return {2}
end
local left = redis.call('PTTL', KEYS[2])
if left < 0 then left = 0 end
return {3, math.min(left, tonumber(ARGV[3]))}
`

/**
 * The probes succeeded: closes the circuit, unless it was opened again meanwhile (then returns
 * it, as `breakerSync` does). Returns {0} once closed.
 *
 * @internal
 */
export const breakerClose = `${circuitHead}
if untilAt > now then return opened() end
redis.call('DEL', KEYS[1], KEYS[2])
return {0}
`

/**
 * A probe ended without a verdict: drops the lease if it is still the caller's (ARGV[1]).
 *
 * @internal
 */
export const breakerRelease = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`

/**
 * A retry budget's sync: adds this process's change (ARGV[1], may be negative) to the fleet's
 * balance, kept within [0, capacity (ARGV[2])]; a missing key is a full budget. ARGV[3]: the
 * key's ttl (ms). Returns the balance, as a string (Lua numbers reach Redis as integers).
 *
 * @internal
 */
export const budgetSync = `
local capacity = tonumber(ARGV[2])
local balance = tonumber(redis.call('GET', KEYS[1]) or ARGV[2]) + tonumber(ARGV[1])
if balance < 0 then balance = 0 end
if balance > capacity then balance = capacity end
redis.call('SET', KEYS[1], tostring(balance), 'PX', ARGV[3])
return tostring(balance)
`

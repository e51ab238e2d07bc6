/**
 * The Lua scripts: each update is one atomic script on one key. Time is Redis's own (`TIME`),
 * so every process of the fleet measures on one clock.
 *
 * @internal
 */

/**
 * GCRA. KEYS[1]: the key. ARGV: emission (ms), burst, max wait (ms), lease. When the quota
 * has \`lease\` permits free now (lease > 1), takes them all; else one permit, unless its wait
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
 * A pause the server asked for: the first permit after it at \`until\` (ms from now, ARGV[3]),
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

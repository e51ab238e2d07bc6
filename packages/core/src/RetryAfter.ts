/**
 * Server retry hints: `retry-after-ms` (milliseconds) and `Retry-After` (RFC 9110 §10.2.3:
 * delay-seconds or an HTTP-date in IMF-fixdate, RFC 850 or asctime form). The current time
 * is an argument, so the lines read it from their clock.
 *
 * @since 0.3.0
 */

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
const shortDays = "(?:mon|tue|wed|thu|fri|sat|sun)"
const longDays = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
const month = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
const time = "(\\d{2}):(\\d{2}):(\\d{2})"

const imfFixdate = new RegExp(`^${shortDays}, (\\d{2}) ${month} (\\d{4}) ${time} gmt$`, "i")
const rfc850 = new RegExp(`^${longDays}, (\\d{2})-${month}-(\\d{2}) ${time} gmt$`, "i")
const asctime = new RegExp(`^${shortDays} ${month} ( \\d|\\d{2}) ${time} (\\d{4})$`, "i")
const delaySeconds = /^\d+(?:\.\d+)?$/

const toMillis = (
  year: number,
  monthName: string,
  day: number,
  hour: number,
  minute: number,
  second: number
): number | undefined => {
  const m = months.indexOf(monthName.toLowerCase())
  if (m < 0 || hour > 23 || minute > 59 || second > 60 || day < 1) return undefined
  const t = Date.UTC(year, m, day, hour, minute, Math.min(second, 59))
  // Reject days that do not exist in the month (Date.UTC would roll them over).
  if (new Date(t).getUTCDate() !== day) return undefined
  return t
}

/**
 * Parses an HTTP-date to epoch milliseconds, or `undefined` when it is not one of the three
 * forms RFC 9110 allows. A day the month does not have, or an hour past 23, is not a date.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parseHttpDate = (value: string, nowMillis: number): number | undefined => {
  const s = value.trim()
  let m = imfFixdate.exec(s)
  if (m !== null) return toMillis(Number(m[3]), m[2], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]))
  m = rfc850.exec(s)
  if (m !== null) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past century.
    const yy = Number(m[3])
    const nowYear = new Date(nowMillis).getUTCFullYear()
    let year = Math.floor(nowYear / 100) * 100 + yy
    if (year > nowYear + 50) year -= 100
    return toMillis(year, m[2], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]))
  }
  m = asctime.exec(s)
  if (m !== null) return toMillis(Number(m[6]), m[1], Number(m[2].trim()), Number(m[3]), Number(m[4]), Number(m[5]))
  return undefined
}

/**
 * The delay the server asked for, in milliseconds, never negative; `undefined` when there
 * is no usable hint. `retry-after-ms` wins over `Retry-After`; garbage is ignored (a bad
 * `retry-after-ms` falls back to `Retry-After`). `nowMillis` is the current epoch time, from
 * which a date is counted.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parse = (
  retryAfterMs: string | undefined,
  retryAfter: string | undefined,
  nowMillis: number
): number | undefined => {
  if (retryAfterMs !== undefined) {
    const s = retryAfterMs.trim()
    if (delaySeconds.test(s)) {
      const ms = Number(s)
      if (Number.isFinite(ms)) return ms
    }
  }
  if (retryAfter !== undefined) {
    const s = retryAfter.trim()
    if (delaySeconds.test(s)) {
      const seconds = Number(s)
      return Number.isFinite(seconds) ? seconds * 1000 : undefined
    }
    const date = parseHttpDate(s, nowMillis)
    if (date !== undefined) return Math.max(0, date - nowMillis)
  }
  return undefined
}

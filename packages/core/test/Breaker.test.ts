import { describe, expect, it } from "vitest"
import * as Breaker from "../src/Breaker.js"

const settings = (more: Partial<Breaker.Settings> = {}): Breaker.Settings => ({
  consecutiveFailures: 5,
  failureRatio: 0.5,
  windowMillis: 10_000,
  windowShown: "10s",
  minimumThroughput: 10,
  openMillis: 5_000,
  maxOpenMillis: 60_000,
  halfOpenProbes: 1,
  shared: false,
  ...more
})

/** Records `n` outcomes of ordinary attempts on `k` at `now`; the last transition. */
const record = (b: Breaker.Circuits, k: string, failed: boolean, now: number, n = 1) => {
  let t: Breaker.Transition | undefined
  for (let i = 0; i < n; i++) t = b.record(k, false, failed, now) ?? t
  return t
}

const state = (b: Breaker.Circuits, k: string) => b.get(k)?.state ?? "closed"

describe("Breaker", () => {
  describe("closed: failures in a row", () => {
    it("opens at exactly consecutiveFailures failures in a row, not one before", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 3, minimumThroughput: 100 }))
      expect(record(b, "k", true, 0, 2)).toBeUndefined()
      expect(state(b, "k")).toBe("closed")
      expect(b.get("k")?.inARow).toBe(2)
      expect(record(b, "k", true, 0)).toEqual({
        key: "k",
        to: "open",
        reason: "3 failures in a row",
        openMillis: 5_000
      })
      expect(state(b, "k")).toBe("open")
    })

    it("a success resets the streak: N-1 failures, a success, N-1 failures stay closed", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 3, minimumThroughput: 100 }))
      record(b, "k", true, 0, 2)
      record(b, "k", false, 0)
      expect(b.get("k")?.inARow).toBe(0)
      expect(record(b, "k", true, 0, 2)).toBeUndefined()
      expect(state(b, "k")).toBe("closed")
      expect(record(b, "k", true, 0)?.to).toBe("open")
    })

    it("an outcome without a verdict (interrupted, a defect) counts for nothing", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 2, minimumThroughput: 100 }))
      record(b, "k", true, 0)
      expect(b.record("k", false, undefined, 0)).toBeUndefined()
      expect(b.get("k")?.inARow).toBe(1)
      expect(b.snapshot(0)[0]).toMatchObject({ calls: 1, failures: 1 })
      // a success never makes a circuit: only a failure is news
      expect(b.record("other", false, false, 0)).toBeUndefined()
      expect(b.record("other", false, undefined, 0)).toBeUndefined()
      expect(b.get("other")).toBeUndefined()
    })
  })

  describe("closed: the failure ratio over the window", () => {
    it("needs minimumThroughput attempts in the window: one fewer, even all failed, does not open", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 100, minimumThroughput: 10, failureRatio: 0.5 }))
      expect(record(b, "k", true, 0, 9)).toBeUndefined()
      expect(record(b, "k", true, 0)).toEqual({
        key: "k",
        to: "open",
        reason: "10 of 10 attempts failed in 10s",
        openMillis: 5_000
      })
    })

    it("opens at the ratio, not below it", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 100, minimumThroughput: 4, failureRatio: 0.5 }))
      // a circuit is made by its first failure (a success is no news)
      record(b, "k", true, 0)
      record(b, "k", false, 0, 3)
      // 2 of 5 is below the ratio; 3 of 6 is exactly it
      expect(record(b, "k", true, 0)).toBeUndefined()
      expect(record(b, "k", true, 0)?.reason).toBe("3 of 6 attempts failed in 10s")
    })

    it("exactly at the ratio with exactly minimumThroughput attempts, it opens", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 100, minimumThroughput: 4, failureRatio: 0.5 }))
      record(b, "k", true, 0)
      record(b, "k", false, 0, 2)
      expect(record(b, "k", true, 0)?.reason).toBe("2 of 4 attempts failed in 10s")
    })

    it("an outcome leaves the window exactly at its end (ten buckets of a tenth each), not a bucket later", () => {
      const at = (now: number) => {
        const b = new Breaker.Circuits(settings({ consecutiveFailures: 100, minimumThroughput: 4, failureRatio: 1 }))
        record(b, "k", true, 0, 3)
        // the first bucket spans [0, 1000): its outcomes are in the window up to 9999, out at 10000
        return record(b, "k", true, now)
      }
      expect(at(9_999)?.to).toBe("open")
      expect(at(10_000)).toBeUndefined()
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 100, minimumThroughput: 100 }))
      record(b, "k", true, 999)
      b.record("k", false, false, 5_000)
      expect(b.snapshot(9_999)[0]).toMatchObject({ calls: 2, failures: 1 })
      expect(b.snapshot(10_000)[0]).toMatchObject({ calls: 1, failures: 0 })
      expect(b.snapshot(14_999)[0]).toMatchObject({ calls: 1, failures: 0 })
      expect(b.snapshot(15_000)[0]).toMatchObject({ calls: 0, failures: 0 })
    })

    it("a circuit that opened and closed starts with an empty window, even on a clock near 0 (a TestClock)", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 100, minimumThroughput: 4, failureRatio: 0.5 }))
      // 3 of 4 fail in the first bucket and the third bucket: it opens at 2 s, for 5 s
      record(b, "k", true, 0, 2)
      record(b, "k", false, 0)
      expect(record(b, "k", true, 2_000)?.to).toBe("open")
      b.admit("k", 7_000, undefined)
      expect(b.record("k", true, false, 7_000)?.to).toBe("closed")
      expect(b.snapshot(7_000)[0]).toMatchObject({ calls: 0, failures: 0 })
      // one failure after the close is 1 of 1, below the throughput: the counts before the opening are gone
      expect(record(b, "k", true, 7_000)).toBeUndefined()
      expect(b.snapshot(7_000)[0]).toMatchObject({ calls: 1, failures: 1 })
    })

    it("a bucket reused after the window counts afresh", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 100, minimumThroughput: 3, failureRatio: 1 }))
      record(b, "k", true, 500, 2)
      record(b, "k", false, 500)
      // bucket 10 shares its slot with bucket 0: the good one must not linger
      expect(record(b, "k", true, 10_500, 2)).toBeUndefined()
      expect(record(b, "k", true, 10_500)?.reason).toBe("3 of 3 attempts failed in 10s")
    })
  })

  describe("open", () => {
    it("refuses until its period ends, saying when; at the end it lets one probe through, half-open", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 1 }))
      record(b, "k", true, 1_000)
      expect(b.admit("k", 1_000, undefined)).toEqual({
        _tag: "Refuse",
        state: "open",
        retryAfterMillis: 5_000,
        transition: undefined
      })
      expect(b.admit("k", 5_999, undefined)).toMatchObject({ _tag: "Refuse", state: "open", retryAfterMillis: 1 })
      expect(b.snapshot(5_999)[0]).toMatchObject({ state: "open", retryAfterMillis: 1 })
      expect(b.snapshot(6_000)[0]).toMatchObject({ state: "half-open", retryAfterMillis: 0 })
      expect(b.admit("k", 6_000, undefined)).toEqual({
        _tag: "Pass",
        probe: true,
        transition: { key: "k", to: "half-open", reason: "open period over" }
      })
      expect(b.admit("k", 6_000, undefined)).toEqual({
        _tag: "Refuse",
        state: "half-open",
        retryAfterMillis: 0,
        transition: undefined
      })
    })

    it("a closed circuit, or none, lets everything through, not as probes", () => {
      const b = new Breaker.Circuits(settings())
      expect(b.admit("k", 0, undefined)).toEqual({ _tag: "Pass", probe: false, transition: undefined })
      record(b, "k", true, 0)
      expect(b.admit("k", 0, undefined)).toEqual({ _tag: "Pass", probe: false, transition: undefined })
    })

    it("the period doubles each time a probe fails, up to maxOpenMillis; a close resets it", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 1, openMillis: 1_000, maxOpenMillis: 5_000 }))
      let now = 0
      const periods: Array<number | undefined> = [record(b, "k", true, now)?.openMillis]
      for (let i = 0; i < 4; i++) {
        now = b.get("k")!.openUntil
        expect(b.admit("k", now, undefined)).toMatchObject({ _tag: "Pass", probe: true })
        const t = b.record("k", true, true, now)
        expect(t?.reason).toBe("a probe failed")
        periods.push(t?.openMillis)
        expect(b.get("k")!.openUntil).toBe(now + t!.openMillis!)
      }
      expect(periods).toEqual([1_000, 2_000, 4_000, 5_000, 5_000])
      now = b.get("k")!.openUntil
      b.admit("k", now, undefined)
      expect(b.record("k", true, false, now)).toEqual({ key: "k", to: "closed", reason: "1 probe(s) succeeded" })
      expect(record(b, "k", true, now)?.openMillis).toBe(1_000)
      expect(Breaker.openPeriod(settings({ openMillis: 1_000, maxOpenMillis: 5_000 }), 3)).toBe(4_000)
    })
  })

  describe("half-open", () => {
    it("lets halfOpenProbes through at a time; a probe without a verdict frees its place; as many successes close", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 1, halfOpenProbes: 2 }))
      record(b, "k", true, 0)
      expect(b.admit("k", 5_000, undefined)).toMatchObject({ _tag: "Pass", probe: true })
      expect(b.admit("k", 5_000, undefined)).toMatchObject({ _tag: "Pass", probe: true, transition: undefined })
      expect(b.admit("k", 5_000, undefined)).toMatchObject({ _tag: "Refuse", state: "half-open" })
      expect(b.record("k", true, undefined, 5_000)).toBeUndefined()
      expect(b.admit("k", 5_000, undefined)).toMatchObject({ _tag: "Pass", probe: true })
      expect(b.record("k", true, false, 5_001)).toBeUndefined()
      expect(state(b, "k")).toBe("half-open")
      expect(b.record("k", true, false, 5_002)).toEqual({ key: "k", to: "closed", reason: "2 probe(s) succeeded" })
      expect(b.get("k")).toMatchObject({ state: "closed", inARow: 0, opens: 0, probes: 0 })
    })

    it("one failed probe reopens it; attempts that were no probes do not count while it is not closed", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 1, halfOpenProbes: 2 }))
      record(b, "k", true, 0)
      expect(record(b, "k", true, 1)).toBeUndefined()
      b.admit("k", 5_000, undefined)
      expect(b.record("k", false, true, 5_000)).toBeUndefined()
      expect(b.record("k", true, false, 5_000)).toBeUndefined()
      b.admit("k", 5_000, undefined)
      expect(b.record("k", true, true, 5_000)).toMatchObject({ to: "open", openMillis: 10_000 })
      // a probe that ends after its circuit reopened counts for nothing
      expect(b.record("k", true, false, 5_000)).toBeUndefined()
      expect(state(b, "k")).toBe("open")
    })
  })

  describe("the map of circuits", () => {
    it("is swept of the circuits as good as new once it reaches SWEEP_FLOOR; circuits with news stay", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 2, minimumThroughput: 1000 }))
      record(b, "down", true, 0, 2)
      record(b, "streak", true, 0)
      for (let i = 0; i < Breaker.SWEEP_FLOOR - 3; i++) {
        record(b, `c${i}`, true, 0)
        record(b, `c${i}`, false, 0)
      }
      expect(b.size).toBe(Breaker.SWEEP_FLOOR - 1)
      // the next circuit reaches the floor: a sweep while every c is in the window drops none
      const early = new Breaker.Circuits(b.settings)
      for (let i = 0; i < Breaker.SWEEP_FLOOR; i++) record(early, `c${i}`, true, 0)
      expect(early.size).toBe(Breaker.SWEEP_FLOOR)
      record(b, "recent", true, 20_000)
      // the sweep ran when "recent" was made: the window of every c is over
      expect(b.size).toBe(3)
      expect(b.get("down")?.state).toBe("open")
      expect(b.get("streak")?.inARow).toBe(1)
      expect(b.get("recent")).toBeDefined()
      expect(b.notClosed()).toBe(1)
    })

    it("sweeps again once it has doubled since the last sweep", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 1000, minimumThroughput: 1000 }))
      // 1500 circuits with news survive the sweep at the floor: the next is when the map holds 3000
      for (let i = 0; i < 1_500; i++) record(b, `a${i}`, true, 0)
      expect(b.size).toBe(1_500)
      // their news is gone once the window is over
      for (let i = 0; i < 1_500; i++) b.record(`a${i}`, false, false, 0)
      for (let i = 0; i < 1_545 - 1_000; i++) record(b, `b${i}`, true, 20_000)
      expect(b.size).toBe(2_045)
      record(b, "last", true, 20_000)
      expect(b.size).toBe(546)
    })
  })

  describe("shared circuits", () => {
    it("a circuit the fleet has open is open here; past its period, the store is asked who probes", () => {
      const b = new Breaker.Circuits(settings({ shared: true }))
      expect(b.admit("k", 0, { openUntil: 3_000, opens: 2 })).toEqual({
        _tag: "Refuse",
        state: "open",
        retryAfterMillis: 3_000,
        transition: { key: "k", to: "open", reason: "opened by another process" }
      })
      expect(b.get("k")).toMatchObject({ opens: 2, openUntil: 3_000 })
      // a later view extends it, an earlier one does not shorten it
      expect(b.admit("k", 0, { openUntil: 4_000, opens: 3 })).toMatchObject({ retryAfterMillis: 4_000 })
      expect(b.admit("k", 0, { openUntil: 1_000, opens: 1 })).toMatchObject({ retryAfterMillis: 4_000 })
      expect(b.admit("k", 4_000, undefined)).toEqual({ _tag: "Ask", transition: undefined })
    })

    it("decides on the store's verdict: Probe, Busy, Closed, Open", () => {
      const b = new Breaker.Circuits(settings({ shared: true, consecutiveFailures: 1 }))
      record(b, "k", true, 0)
      expect(b.decide("k", { _tag: "Busy", retryAfterMillis: 100 }, 5_000)).toEqual({
        _tag: "Refuse",
        state: "half-open",
        retryAfterMillis: 100,
        transition: undefined
      })
      expect(b.admit("k", 5_099, undefined)._tag).toBe("Refuse")
      expect(b.admit("k", 5_100, undefined)._tag).toBe("Ask")
      expect(b.decide("k", { _tag: "Probe" }, 5_100)).toMatchObject({
        _tag: "Pass",
        probe: true,
        transition: { to: "half-open" }
      })
      expect(b.decide("k", { _tag: "Probe" }, 5_100)).toMatchObject({ _tag: "Refuse", state: "half-open" })
      expect(b.decide("k", { _tag: "Open", circuit: { openUntil: 9_000, opens: 2 } }, 5_100)).toMatchObject({
        _tag: "Refuse",
        state: "open",
        retryAfterMillis: 3_900,
        transition: { to: "open", reason: "opened again by another process" }
      })
      expect(b.decide("k", { _tag: "Closed" }, 5_100)).toEqual({
        _tag: "Pass",
        probe: false,
        transition: { key: "k", to: "closed", reason: "closed by another process" }
      })
      expect(b.decide("k", { _tag: "Closed" }, 5_100)).toEqual({ _tag: "Pass", probe: false, transition: undefined })
      expect(b.decide("k", { _tag: "Probe" }, 5_100)).toEqual({ _tag: "Pass", probe: false, transition: undefined })
    })

    it("says which call to the store each change needs; the fleet's window counts only attempts in a closed circuit", () => {
      const b = new Breaker.Circuits(settings({ shared: true, consecutiveFailures: 1 }))
      expect(b.counted("k", false, true)).toBe(true)
      expect(b.counted("k", false, undefined)).toBe(false)
      expect(b.counted("k", true, true)).toBe(false)
      const opened = record(b, "k", true, 0)
      const open = b.storeCall("k", false, true, opened, 0)
      expect(open).toMatchObject({ _tag: "Open", local: { openUntil: 5_000, opens: 1 } })
      expect(b.counted("k", false, true)).toBe(false)
      b.opened((open as { circuit: Breaker.Circuit }).circuit, { openUntil: 7_000, opens: 3 })
      expect(b.get("k")).toMatchObject({ openUntil: 7_000, opens: 3 })
      b.decide("k", { _tag: "Probe" }, 7_000)
      // a probe ended without a verdict: the lease goes back, and the next attempt asks again
      expect(b.storeCall("k", true, undefined, b.record("k", true, undefined, 7_001), 7_001)).toEqual({
        _tag: "Release"
      })
      expect(b.get("k")).toMatchObject({ state: "open", openUntil: 7_001 })
      expect(b.admit("k", 7_001, undefined)._tag).toBe("Ask")
      b.decide("k", { _tag: "Probe" }, 7_001)
      const closed = b.record("k", true, false, 7_002)
      const close = b.storeCall("k", true, false, closed, 7_002)
      expect(close).toMatchObject({ _tag: "Close" })
      // the fleet opened it again meanwhile
      expect(b.adopt((close as { circuit: Breaker.Circuit }).circuit, { openUntil: 9_000, opens: 2 }, 7_002, "again"))
        .toEqual({ key: "k", to: "open", reason: "again" })
      expect(b.storeCall("k", false, false, undefined, 7_002)).toBeUndefined()
    })

    it("a half-open circuit stays so while the fleet's period is over; a fleet reopen reopens it", () => {
      const b = new Breaker.Circuits(settings({ consecutiveFailures: 1, shared: true }))
      record(b, "k", true, 0)
      b.decide("k", { _tag: "Probe" }, 5_000)
      expect(b.admit("k", 5_000, { openUntil: 5_000, opens: 1 })).toMatchObject({ _tag: "Refuse", state: "half-open" })
      expect(b.admit("k", 5_000, { openUntil: 6_000, opens: 2 })).toMatchObject({
        _tag: "Refuse",
        state: "open",
        transition: { to: "open" }
      })
    })
  })

  it("isFailure: 5xx, timeouts, transient connection failures; not 4xx, nor the client's own refusals", () => {
    const status = (tag: "ServerError" | "NotFoundError" | "ClientError", s: number) => ({
      _tag: tag,
      status: s,
      headers: {}
    })
    expect(Breaker.isFailure(status("ServerError", 503))).toBe(true)
    expect(Breaker.isFailure(status("NotFoundError", 404))).toBe(false)
    expect(Breaker.isFailure(status("ClientError", 429))).toBe(false)
    expect(Breaker.isFailure({ _tag: "TimeoutError", scope: "attempt" })).toBe(true)
    expect(Breaker.isFailure({ _tag: "TimeoutError", scope: "call" })).toBe(true)
    expect(Breaker.isFailure({ _tag: "ConnectionError", reason: "Refused", sent: false })).toBe(true)
    expect(Breaker.isFailure({ _tag: "ConnectionError", reason: "InvalidUrl", sent: false })).toBe(false)
    expect(Breaker.isFailure({ _tag: "DecodeError", reason: "Body" })).toBe(false)
    expect(Breaker.isFailure({ _tag: "CircuitOpenError", key: "k" })).toBe(false)
  })
})

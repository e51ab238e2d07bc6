import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Reliability from "../src/reliability.js"

describe("reliability suite against a ChaosServer, on Effect 4", () => {
  it("nothing hangs, nothing leaks, nothing is sent twice", async () => {
    const options: Reliability.Options = {
      requests: 3_000,
      faultRate: 0.2,
      seed: 20261128,
      concurrency: 64,
      connections: 16
    }
    const report = await Effect.runPromise(Reliability.run(options))

    // every kind of fault was injected
    for (
      const kind of [
        "Status",
        "Delay",
        "StallBody",
        "Truncate",
        "ResetBeforeHeaders",
        "ResetAfterHeaders",
        "MalformedJson",
        "Oversized"
      ]
    ) expect(report.injected[kind] ?? 0, kind).toBeGreaterThan(0)

    // every call ends within its deadline plus a small slack
    expect(report.overDeadline).toBe(0)
    expect(report.maxLatencyMillis).toBeLessThanOrEqual(report.deadlineMillis + 500)
    // every failure is a typed ApiError
    expect(report.defects).toBe(0)
    expect(report.untyped).toBe(0)
    // a POST without an idempotency key is never received twice
    expect(report.duplicatePostsWithoutKey).toBe(0)
    // the pool's cap holds, and nothing stays open. The server counts a socket until it sees
    // the client's FIN, so a socket the client has just closed can still count while its
    // replacement opens: two of slack for that, where a pool without a cap would open 64.
    expect(report.peakConnectionsOpen).toBeLessThanOrEqual(options.connections + 2)
    expect(report.connectionsOpenAfterClose).toBe(0)
    // the retry policy keeps its promise: a GET fails only when all 3 attempts meet a fault,
    // within four standard deviations. The per-attempt fault rate q is what the server
    // injected on the retried routes (every fault kind there fails its attempt); the
    // reports route (one request a call, a tenth of the calls) injects the rest.
    const reportCalls = options.requests / 10
    const reportFaults = (report.injected.MalformedJson ?? 0) + (report.injected.Oversized ?? 0)
    const injectedFaults = Object.values(report.injected).reduce((a, b) => a + b, 0) - reportFaults
    const q = injectedFaults / (report.serverRequests - reportCalls)
    expect(q).toBeGreaterThan(0.1)
    const expected = report.get.calls * q ** 3
    const allowed = expected + 4 * Math.sqrt(expected) + 2
    expect(report.get.calls - report.get.succeeded).toBeLessThanOrEqual(allowed)
    // a POST without a key is not retried after it may have been sent: about 1 - p succeed
    const postRate = report.postWithoutKey.succeeded / report.postWithoutKey.calls
    expect(postRate).toBeGreaterThan(1 - options.faultRate - 0.06)
    // with a key it is retried like a GET
    expect(report.postWithKey.succeeded / report.postWithKey.calls).toBeGreaterThan(0.97)
    // retries happened and were bounded
    expect(report.retries).toBeGreaterThan(0)
    expect(report.serverRequests).toBeLessThanOrEqual(report.requests * 3)
  }, 60_000)
})

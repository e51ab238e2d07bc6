import { it } from "@effect/vitest"
import { ApiClient, Policy, Retry } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Duration, Effect } from "effect"
import { describe, expect } from "vitest"
import * as options from "../src/internal/options.js"

const base = "https://api.example"

/** What a call policy saw of the last call: its settings and its headers. */
const recorder = () => {
  const seen: Array<Policy.Request> = []
  const policy = Policy.make({
    name: "record",
    stage: "call",
    wrap: (next) => (request) => Effect.suspend(() => (seen.push(request), next(request)))
  })
  return { policy, last: () => seen[seen.length - 1] }
}

/**
 * One value for every key of CallOptions, and how a call shows it took effect. The type is
 * derived from CallOptions: an option added there without a sample here does not compile.
 */
const samples: {
  readonly [K in keyof Required<ApiClient.CallOptions>]: {
    readonly value: Exclude<ApiClient.CallOptions[K], undefined>
    readonly took: (request: Policy.Request) => boolean
  }
} = {
  timeout: {
    value: { attempt: "1234 millis", total: "5678 millis", idle: "910 millis" },
    took: (r) =>
      Duration.toMillis(r.settings.attemptTimeout) === 1234 &&
      Duration.toMillis(r.settings.totalTimeout) === 5678 &&
      Duration.toMillis(r.settings.idleTimeout) === 910
  },
  retry: { value: Retry.none, took: (r) => r.settings.retry._tag === "None" },
  idempotencyKey: { value: "auto", took: (r) => r.headers["idempotency-key"] !== undefined },
  followRedirects: { value: 4, took: (r) => r.settings.followRedirects === 4 }
}
const keys = Object.keys(samples) as ReadonlyArray<keyof ApiClient.CallOptions>

describe("CallOptions: every key survives withOptions and reaches the call", () => {
  it("the merge table has a rule for every key, and no other", () => {
    expect([...options.callOptionKeys].sort()).toEqual([...keys].sort())
  })

  it.effect.each(keys)(
    "%s: set on an inner withOptions, an outer one (and a nested one) keeps it",
    (key) =>
      Effect.gen(function*() {
        const { last, policy } = recorder()
        const { client: http } = yield* MockHttpClient.make(() => 200)
        const client = ApiClient.makeWith(http, { baseUrl: base, policies: [policy] })
        const sample = samples[key]
        // unset: the client's own settings do not show the sample
        yield* client.post("/x")
        expect(sample.took(last())).toBe(false)
        // set inside, merged under an outer withOptions that does not name it
        const inner = ApiClient.withOptions(client, { [key]: sample.value })
        yield* ApiClient.withOptions(inner, {}).post("/x")
        expect(sample.took(last())).toBe(true)
        // set outside, over an inner withOptions that does not name it
        yield* ApiClient.withOptions(ApiClient.withOptions(client, {}), { [key]: sample.value }).post("/x")
        expect(sample.took(last())).toBe(true)
        // per call through the deprecated fiber-wide form, too

        yield* client.post("/x").pipe(ApiClient.withCallOptions({ [key]: sample.value }))
        expect(sample.took(last())).toBe(true)
      })
  )

  it.effect.each(keys)(
    "%s: an outer withOptions that sets it to undefined keeps the inner value",
    (key) =>
      Effect.gen(function*() {
        const { last, policy } = recorder()
        const { client: http } = yield* MockHttpClient.make(() => 200)
        const client = ApiClient.makeWith(http, { baseUrl: base, policies: [policy] })
        const sample = samples[key]
        const inner = ApiClient.withOptions(client, { [key]: sample.value })
        yield* ApiClient.withOptions(inner, { [key]: undefined }).post("/x")
        expect(sample.took(last())).toBe(true)
      })
  )

  it("timeout merges field by field: an outer attempt timeout keeps an inner total deadline", () => {
    expect(options.mergeCallOptions({ timeout: { total: "1 second" } }, { timeout: { attempt: "2 seconds" } }))
      .toEqual({ timeout: { total: "1 second", attempt: "2 seconds" } })
  })
})

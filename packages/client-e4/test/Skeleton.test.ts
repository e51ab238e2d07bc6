import { describe, expect, it } from "@effect/vitest"
import * as Client from "@steady/client-e4"
import { Effect } from "effect"

describe("skeleton", () => {
  it.effect("runs on Effect 4 under Node 22", () =>
    Effect.gen(function*() {
      expect(Client.line).toBe(4)
      expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22)
      const n = yield* Effect.succeed(1)
      expect(n).toBe(1)
    }))
})

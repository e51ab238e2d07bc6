import { it } from "@effect/vitest"
import { Cassette, ChaosServer } from "@steady/testing-effect3"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { AuthLive, Petstore } from "../src/Petstore.js"
import * as Demo from "../src/shared/demo.js"

// The cassette the Effect 4 example recorded (packages/examples-effect4/test/cassettes), replayed
// on the Effect 3 line: the format, the masking and the matching are @steady/core's, one for both.
const path = fileURLToPath(new URL("../../examples-effect4/test/cassettes/petstore.json", import.meta.url))

describe("the pet store from the Effect 4 line's cassette", () => {
  it.scopedLive("replays on Effect 3 what Effect 4 recorded, with no request reaching the server", () =>
    Effect.gen(function*() {
      const server = yield* ChaosServer.make({ seed: 1, routes: Demo.server(ChaosServer, 0).routes })
      const config = Layer.setConfigProvider(ConfigProvider.fromJson(Demo.config(server.url)))
      const Http = Cassette.layer(path, { mode: "replay", origin: false, repeat: true })
      const Live = Petstore.Default.pipe(Layer.provide(AuthLive), Layer.provideMerge(Http), Layer.provide(config))
      const { results, unused } = yield* Effect.gen(function*() {
        const petstore = yield* Petstore
        const retried = yield* petstore.getPet(1001)
        const missing = yield* petstore.findPet(404)
        const pet = yield* petstore.getPet(77)
        const unused = yield* Effect.flatMap(Cassette.Cassette, (c) => c.unused)
        return { results: { retried: retried.id, missing: Option.isNone(missing), pet: pet.id }, unused }
      }).pipe(Effect.provide(Live))
      expect(results).toEqual({ retried: 1001, missing: true, pet: 77 })
      expect(unused).toEqual([])
      expect(server.requests).toEqual([])
    }))
})

import { it } from "@effect/vitest"
import * as Demo from "@steady/examples/src/shared/demo.js"
import { Cassette, ChaosServer } from "@steady/testing"
import { ConfigProvider, Effect, Layer, Option } from "effect"
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect } from "vitest"
import { AuthLive, Petstore } from "../src/Petstore.js"

// The example pet store, recorded once against the example server (the demo's, with no faults
// but its scripted ones) into a committed cassette, and replayed here with no request reaching
// the server. `PETSTORE_RECORD=1 node .ci/test-effect4.mjs PetstoreCassette` records it again
// (refused where CI=true: on CI it only replays).
const path = fileURLToPath(new URL("cassettes/petstore.json", import.meta.url))
const mode = process.env.PETSTORE_RECORD === "1" ? "record" : "replay"

describe("the pet store from a cassette", () => {
  it.live("replays the recorded calls: the OAuth token, a 503 then its retry, a 404, a pet", () =>
    Effect.gen(function*() {
      const server = yield* ChaosServer.make({ seed: 1, routes: Demo.server(ChaosServer, 0).routes })
      const config = ConfigProvider.layer(ConfigProvider.fromEnv({ env: Demo.config(server.url) }))
      // the recording was made against a server on another port: match on everything else. The
      // demo's tokens live 2 seconds: a slow replay may ask for one more, which gets the recorded one
      // again (repeat); every other request is replayed once, in order
      const Http = Cassette.layer(path, { mode, origin: false, repeat: true })
      const Live = Petstore.layer.pipe(Layer.provide(AuthLive), Layer.provideMerge(Http), Layer.provide(config))
      const results = yield* Effect.gen(function*() {
        const petstore = yield* Petstore
        const retried = yield* petstore.getPet(1001)
        const missing = yield* petstore.findPet(404)
        const pet = yield* petstore.getPet(77)
        return { retried: retried.id, missing: Option.isNone(missing), pet: pet.id }
      }).pipe(
        Effect.flatMap((results) =>
          Effect.map(Effect.flatMap(Cassette.Cassette, (c) => c.unused), (unused) => ({ results, unused }))
        ),
        Effect.provide(Live)
      )
      expect(results.results).toEqual({ retried: 1001, missing: true, pet: 77 })
      // every recorded entry was replayed, in order: the token, 503 + 200, 404, 200
      expect(results.unused).toEqual([])
      const entries = JSON.parse(Fs.readFileSync(path, "utf8")).entries as ReadonlyArray<Cassette.Entry>
      expect(entries.map((e) => e.response.status)).toEqual([200, 503, 200, 404, 200])
      if (mode === "replay") expect(server.requests).toEqual([])
      // the committed file holds neither the client secret nor an issued token
      const text = Fs.readFileSync(path, "utf8")
      for (
        const secret of ["demo-client-secret", "demo-token-", Buffer.from("demo:demo-client-secret").toString("base64")]
      ) {
        expect(text).not.toContain(secret)
      }
    }))
})

import { ApiClient, Auth } from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Effect, Layer, Redacted } from "effect"
import { describe, expect, it } from "vitest"

// npm nests a copy of effect 4 in each Effect 4 package; vitest.config.ts (and one-effect.mjs
// for the scripts) resolve every `effect` import to packages/client's, as an application has one
describe("one copy of effect", () => {
  it("a Redacted made here is read by the client (two copies cannot read each other's)", async () => {
    const sent = await Effect.runPromise(
      Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: "https://api.example" })
        yield* client.get("/pets/1")
        return (yield* MockHttpClient.requests).map((r) => r.headers.authorization)
      }).pipe(
        Effect.provide(Layer.merge(MockHttpClient.layer(() => 200), Auth.layerBearer(Redacted.make("t0ken"))))
      )
    )
    expect(sent).toEqual(["Bearer t0ken"])
  })
})

/**
 * `npm run chaos`: the large reliability run on the Effect 4 line (under Node 22), or with
 * `--scenarios` the resilience scenarios (see `--help`, and packages/examples/src/shared/chaos.ts).
 */
import * as Chaos from "@steady/examples/src/shared/chaos.js"
import { Effect, References } from "effect"
import * as Reliability from "./reliability.js"
import * as Scenarios from "./scenarios.js"

await Chaos.main({
  name: "Effect 4",
  // the breaker's state changes would interleave with the tables: only errors are shown
  scenario: (name) =>
    Effect.runPromise(Scenarios.all[name]().pipe(Effect.provideService(References.MinimumLogLevel, "Error"))),
  reliability: (options) => Effect.runPromise(Reliability.run(options))
})

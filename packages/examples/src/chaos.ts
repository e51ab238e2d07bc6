/**
 * `npm run chaos -- --effect 3`: the large reliability run on the Effect 3 line, or with
 * `--scenarios` the resilience scenarios (see `--help`, and shared/chaos.ts).
 */
import { Effect, Logger, LogLevel } from "effect"
import * as Reliability from "./reliability.js"
import * as Scenarios from "./scenarios.js"
import * as Chaos from "./shared/chaos.js"

await Chaos.main({
  name: "Effect 3",
  // the breaker's state changes would interleave with the tables: only errors are shown
  scenario: (name) => Effect.runPromise(Scenarios.all[name]().pipe(Logger.withMinimumLogLevel(LogLevel.Error))),
  reliability: (options) => Effect.runPromise(Reliability.run(options))
})

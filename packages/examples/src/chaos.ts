/**
 * `npm run chaos`: the large reliability run. Flags: --requests N (default 50000),
 * --fault-rate R (default 0.3), --seed S (default 1), --concurrency C (default 64),
 * --connections K (default 32). `--scenarios all` (or a comma-separated list) runs the
 * resilience scenarios instead: breaker, bulkhead, rate limiter and hedging, each off vs on.
 */
import { Effect, Logger, LogLevel } from "effect"
import { numberFlag, parseFlags, progress, progressDone } from "./cli.js"
import * as Reliability from "./reliability.js"
import * as Scenarios from "./scenarios.js"

const values = parseFlags(
  `npm run chaos -- [flags]: the large reliability run against a ChaosServer on 127.0.0.1

  --requests N      calls to make (default 50000)
  --fault-rate R    share of attempts that meet a fault, 0 to 0.9 (default 0.3)
  --seed S          seed of the fault draws (default 1)
  --concurrency C   calls in flight (default 64)
  --connections K   pool size (default 32)
  --scenarios S     run resilience scenarios instead: all, or some of
                    ${Object.keys(Scenarios.all).join(", ")} (about 1 to 35 s each)
  --help            this text`,
  { requests: "50000", "fault-rate": "0.3", seed: "1", concurrency: "64", connections: "32", scenarios: "" }
)

if (values.scenarios !== "") {
  const names = values.scenarios === "all" ? Object.keys(Scenarios.all) : values.scenarios.split(",")
  for (const name of names) {
    if (!(name in Scenarios.all)) {
      console.error(`unknown scenario ${JSON.stringify(name)}; known: ${Object.keys(Scenarios.all).join(", ")}`)
      process.exit(2)
    }
  }
  console.log(`resilience scenarios, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`)
  for (const name of names) {
    progress(`scenario ${name}…`)
    // the breaker's state changes would interleave with the tables: only errors are shown
    const scenario = await Effect.runPromise(
      Scenarios.all[name as keyof typeof Scenarios.all]().pipe(Logger.withMinimumLogLevel(LogLevel.Error))
    )
    progressDone()
    console.log(Scenarios.table(scenario) + "\n")
  }
  process.exit(0)
}

const options: Reliability.Options = {
  requests: Math.floor(numberFlag("requests", values.requests, 1, 1_000_000)),
  faultRate: numberFlag("fault-rate", values["fault-rate"], 0, 0.9),
  seed: Math.floor(numberFlag("seed", values.seed, 0, 2 ** 31)),
  concurrency: Math.floor(numberFlag("concurrency", values.concurrency, 1, 1024)),
  connections: Math.floor(numberFlag("connections", values.connections, 1, 1024)),
  onProgress: (done) => progress(`${done} calls done`)
}

const report = await Effect.runPromise(Reliability.run(options))
progressDone()
console.log(`chaos run, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`)
console.log(Reliability.table(report, options))
const ok = report.defects === 0 && report.untyped === 0 && report.duplicatePostsWithoutKey === 0 &&
  report.overDeadline === 0 && report.connectionsOpenAfterClose === 0 &&
  report.peakConnectionsOpen <= options.connections
process.exit(ok ? 0 : 1)

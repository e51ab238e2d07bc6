/**
 * `npm run chaos`: the large reliability run. Flags: --requests N (default 50000),
 * --fault-rate R (default 0.3), --seed S (default 1), --concurrency C (default 64),
 * --connections K (default 32).
 */
import { Effect } from "effect"
import { numberFlag, parseFlags, progress, progressDone } from "./cli.js"
import * as Reliability from "./reliability.js"

const values = parseFlags(
  `npm run chaos -- [flags]: the large reliability run against a ChaosServer on 127.0.0.1

  --requests N      calls to make (default 50000)
  --fault-rate R    share of attempts that meet a fault, 0 to 0.9 (default 0.3)
  --seed S          seed of the fault draws (default 1)
  --concurrency C   calls in flight (default 64)
  --connections K   pool size (default 32)
  --help            this text`,
  { requests: "50000", "fault-rate": "0.3", seed: "1", concurrency: "64", connections: "32" }
)

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

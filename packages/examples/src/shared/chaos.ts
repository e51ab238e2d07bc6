/**
 * `npm run chaos`, the same on both Effect lines: the flags, the runs in order, the tables and
 * the exit code. No effect import: each line's chaos.ts hands over how it runs a scenario and
 * the reliability run.
 */
import { numberFlag, parseFlags, progress, progressDone } from "./cli.js"
import * as Reliability from "./reliability.js"
import * as Scenarios from "./scenarios.js"

export const usage = `npm run chaos -- [flags]: the large reliability run against a ChaosServer on 127.0.0.1

  --effect 3|4      the Effect line to run it on (default 4, under Node 22)
  --requests N      calls to make (default 50000)
  --fault-rate R    share of attempts that meet a fault, 0 to 0.9 (default 0.3)
  --seed S          seed of the fault draws (default 1)
  --concurrency C   calls in flight (default 64)
  --connections K   pool size (default 32)
  --scenarios S     run resilience scenarios instead: all, or some of
                    ${Scenarios.names.join(", ")} (about 1 to 35 s each)
  --help            this text`

/** How a line runs what `npm run chaos` asks for. */
export interface Line {
  /** "Effect 3" or "Effect 4". */
  readonly name: string
  readonly scenario: (name: Scenarios.Name) => Promise<Scenarios.Scenario>
  readonly reliability: (options: Reliability.Options) => Promise<Reliability.Report>
}

const header = (what: string, line: Line) =>
  `${what}, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${line.name}\n`

/** Parses the command line (`--effect` is the launcher's, and gone by now), runs, and exits. */
export const main = async (line: Line): Promise<never> => {
  const values = parseFlags(usage, {
    requests: "50000",
    "fault-rate": "0.3",
    seed: "1",
    concurrency: "64",
    connections: "32",
    scenarios: ""
  })

  if (values.scenarios !== "") {
    const names = values.scenarios === "all" ? Scenarios.names : values.scenarios.split(",")
    const known = (name: string): name is Scenarios.Name => (Scenarios.names as ReadonlyArray<string>).includes(name)
    for (const name of names) {
      if (!known(name)) {
        console.error(`unknown scenario ${JSON.stringify(name)}; known: ${Scenarios.names.join(", ")}`)
        process.exit(2)
      }
    }
    console.log(header("resilience scenarios", line))
    for (const name of names.filter(known)) {
      progress(`scenario ${name}…`)
      const scenario = await line.scenario(name)
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
  const report = await line.reliability(options)
  progressDone()
  console.log(header("chaos run", line))
  console.log(Reliability.table(report, options))
  process.exit(Reliability.kept(report, options) ? 0 : 1)
}

/**
 * `npm run demo` and `npm run chaos`: `launch.ts demo|chaos [--effect 3|4] [flags]` runs the
 * demo or the chaos run on one Effect line, the other flags passed on.
 *
 * - `--effect 4` (the default): packages/examples-effect4, under Node 22 (Effect 4 needs Node
 *   ≥ 22.19; .ci/node22.mjs fetches it from the npm registry the first time), from its
 *   TypeScript sources through tsx, with one copy of effect (one-effect.mjs).
 * - `--effect 3`: this package's Effect 3 version, in this process (Node 20 and up).
 *
 * `--help` prints the usage without starting either; a bad `--effect` exits 2 and says why.
 */
import { spawn } from "node:child_process"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { node22 } from "../../../.ci/node22.mjs"
import * as Chaos from "./shared/chaos.js"
import * as Demo from "./shared/demo.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const effect4 = Path.resolve(here, "../../examples-effect4")

const [command, ...args] = process.argv.slice(2)
const usages: Record<string, string> = { demo: Demo.usage, chaos: Chaos.usage }
const usage = usages[command ?? ""]
if (usage === undefined) {
  console.error(`launch.ts: the first argument is demo or chaos, got ${JSON.stringify(command ?? "")}`)
  process.exit(2)
}

/** The Effect line asked for, and the other arguments. */
const choose = (args: ReadonlyArray<string>): { readonly line: string; readonly rest: ReadonlyArray<string> } => {
  let line = "4"
  const rest: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === "--") {
      rest.push(...args.slice(i))
      break
    }
    if (arg === "--effect") line = args[++i] ?? ""
    else if (arg.startsWith("--effect=")) line = arg.slice("--effect=".length)
    else rest.push(arg)
  }
  return { line, rest }
}

const { line, rest } = choose(args)
if (line !== "3" && line !== "4") {
  console.error(`--effect must be 3 or 4, got ${JSON.stringify(line)}\n\n${usage}`)
  process.exit(2)
}
if (rest.includes("--help")) {
  console.log(usage)
  process.exit(0)
}

if (line === "3") {
  // the Effect 3 version reads its flags from process.argv, as when it is run by itself
  const script = Path.join(here, `${command}.ts`)
  process.argv = [process.argv[0], script, ...rest]
  await import(pathToFileURL(script).href)
} else {
  let node: string
  try {
    node = node22()
  } catch (error) {
    console.error(
      `The Effect 4 line needs Node ≥ 22.19, and none could be found or fetched: ${
        error instanceof Error ? error.message : String(error)
      }\n(Set STEADY_NODE22 to a Node 22 binary, or run the Effect 3 line on this Node: --effect 3.)`
    )
    process.exit(1)
  }
  const child = spawn(
    node,
    [
      "--conditions=@steady/source",
      ...(command === "chaos" ? ["--expose-gc"] : []),
      "--import",
      "tsx",
      "--import",
      "./one-effect.mjs",
      Path.join("src", `${command}.ts`),
      ...rest
    ],
    { cwd: effect4, stdio: "inherit" }
  )
  // Ctrl-C reaches both processes (one process group): this one waits for the child's exit
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal))
  child.on("error", (error) => {
    console.error(`could not start ${node}: ${error.message}`)
    process.exit(1)
  })
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal === null ? 0 : Os.constants.signals[signal])))
}

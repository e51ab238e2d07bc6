/**
 * `npm run bench:openapi`: steady-openapi on GitHub's whole REST spec, beside
 * @tim-smart/openapi-gen on the same spec, measured the same way: generation time and memory,
 * emitted size, then `tsc --strict` on each output (time, memory, errors).
 *
 * GitHub's spec comes from .ci/github-tools.sh (the version the tests use, in a folder outside the
 * workspace: @octokit/openapi is 385 MB unpacked); @tim-smart/openapi-gen goes into a temporary
 * folder. The outputs are compiled inside the workspace
 * (build/openapi-github) so that they resolve effect, @effect/platform and @steady/client-effect3 as a
 * user's project would (the client's built `dist` types: this script builds them first).
 * Flags: --write replaces the table in docs/openapi.md; --keep keeps the temporary folder.
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const TIM = "@tim-smart/openapi-gen@0.4.13"

const { values } = parseArgs({
  options: { write: { type: "boolean", default: false }, keep: { type: "boolean", default: false } }
})
const here = Path.dirname(fileURLToPath(import.meta.url))
const root = Path.join(here, "../../..")
const work = Path.join(here, "../build/openapi-github")
const temp = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-openapi-github-"))

const hasTime = spawnSync("/usr/bin/time", ["-f", "%e", "true"]).status === 0

interface Run {
  readonly seconds: number
  readonly maxRssMiB: number | undefined
  readonly stdout: string
  readonly stderr: string
  readonly status: number
}

/** Runs a command; wall seconds and peak RSS (with GNU time, when the machine has it). */
const measure = (command: string, args: ReadonlyArray<string>, options: { cwd?: string } = {}): Run => {
  const started = performance.now()
  const result = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "@@time %e %M", command, ...args], {
      cwd: options.cwd,
      encoding: "utf8",
      maxBuffer: 1 << 30,
      timeout: 20 * 60_000
    })
    : spawnSync(command, [...args], { cwd: options.cwd, encoding: "utf8", maxBuffer: 1 << 30, timeout: 20 * 60_000 })
  const seconds = (performance.now() - started) / 1000
  const line = result.stderr.split("\n").find((l) => l.startsWith("@@time "))
  const [, wall, rss] = line?.split(" ") ?? []
  return {
    seconds: wall !== undefined ? Number(wall) : seconds,
    maxRssMiB: rss !== undefined ? Number(rss) / 1024 : undefined,
    stdout: result.stdout,
    stderr: result.stderr.split("\n").filter((l) => !l.startsWith("@@time ")).join("\n"),
    status: result.status ?? 1
  }
}

const size = (dir: string) =>
  Fs.readdirSync(dir).reduce((n, f) => n + Fs.statSync(Path.join(dir, f)).size, 0) / (1024 * 1024)

const lines = (dir: string) =>
  Fs.readdirSync(dir).reduce((n, f) => n + Fs.readFileSync(Path.join(dir, f), "utf8").split("\n").length, 0)

try {
  const tools = execFileSync(Path.join(root, ".ci/github-tools.sh"), {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
  const spec = /STEADY_GITHUB_SPEC='([^']+)'/.exec(tools)?.[1]
  if (spec === undefined) throw new Error(`.ci/github-tools.sh printed no STEADY_GITHUB_SPEC:\n${tools}`)
  const octokit = JSON.parse(Fs.readFileSync(Path.join(spec, "../../package.json"), "utf8")).version
  console.error(`installing ${TIM} into ${temp}…`)
  execFileSync("npm", ["install", "--prefix", temp, "--no-save", "--no-audit", "--no-fund", TIM], { stdio: "inherit" })
  console.error("building the packages (the outputs compile against their dist types)…")
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" })

  Fs.rmSync(work, { recursive: true, force: true })
  Fs.mkdirSync(Path.join(work, "tim"), { recursive: true })
  Fs.writeFileSync(Path.join(work, "package.json"), JSON.stringify({ type: "module", private: true }))
  const tsconfig = (entry: string) => ({
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: "NodeNext",
      moduleResolution: "NodeNext",
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      types: []
    },
    files: [entry]
  })

  console.error("generating with steady-openapi…")
  const steadyGen = measure(process.execPath, [
    Path.join(root, "packages/openapi/dist/cli.js"),
    spec,
    "--out",
    Path.join(work, "steady"),
    "--name",
    "GitHub"
  ])
  if (steadyGen.status !== 0) throw new Error(`steady-openapi failed: ${steadyGen.stderr}`)
  console.error(steadyGen.stdout.trim())
  console.error("generating with @tim-smart/openapi-gen…")
  const timGen = measure(process.execPath, [
    Path.join(temp, "node_modules/@tim-smart/openapi-gen/main.js"),
    "-s",
    spec,
    "-n",
    "GitHub"
  ])
  if (timGen.status !== 0) throw new Error(`openapi-gen failed: ${timGen.stderr}`)
  Fs.writeFileSync(Path.join(work, "tim/index.ts"), timGen.stdout)

  const tsc = Path.join(root, "node_modules/typescript/bin/tsc")
  const compile = (name: string, entry: string) => {
    Fs.writeFileSync(Path.join(work, `tsconfig.${name}.json`), JSON.stringify(tsconfig(entry), null, 2))
    console.error(`tsc --strict on the ${name} output…`)
    // tsc's heap: GitHub's whole API needs more than Node's default on some machines
    return measure(process.execPath, ["--max-old-space-size=8192", tsc, "-p", `tsconfig.${name}.json`], { cwd: work })
  }
  const steadyTsc = compile("steady", "steady/index.ts")
  const timTsc = compile("tim", "tim/index.ts")
  const errors = (r: Run) => (r.stdout.match(/error TS\d+/g) ?? []).length

  const operations = /(\d+) operations, (\d+) schemas/.exec(steadyGen.stdout)
  const mib = (n: number | undefined) => (n === undefined ? "–" : `${n.toFixed(0)} MiB`)
  const table = [
    `Run ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${
      Os.cpus()[0]?.model.split(" ").slice(0, 2).join(" ")
    }, ${Os.availableParallelism()} cores; @octokit/openapi@${octokit} (\`generated/api.github.com.json\`: ${
      operations?.[1]
    } operations, ${operations?.[2]} component schemas), TypeScript ${
      JSON.parse(Fs.readFileSync(Path.join(root, "node_modules/typescript/package.json"), "utf8")).version
    }, \`tsc --strict --skipLibCheck --noEmit\`.`,
    "",
    "| generator | generation | its peak RSS | emitted | lines | tsc | tsc peak RSS | tsc errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| steady-openapi | ${steadyGen.seconds.toFixed(1)} s | ${mib(steadyGen.maxRssMiB)} | ${
      size(Path.join(work, "steady")).toFixed(1)
    } MiB (4 files) | ${lines(Path.join(work, "steady"))} | ${steadyTsc.seconds.toFixed(1)} s | ${
      mib(steadyTsc.maxRssMiB)
    } | ${errors(steadyTsc)} |`,
    `| ${TIM} | ${timGen.seconds.toFixed(1)} s | ${mib(timGen.maxRssMiB)} | ${
      size(Path.join(work, "tim")).toFixed(1)
    } MiB (1 file) | ${lines(Path.join(work, "tim"))} | ${timTsc.seconds.toFixed(1)} s | ${mib(timTsc.maxRssMiB)} | ${
      errors(timTsc)
    } |`
  ].join("\n")
  console.log(table)
  if (errors(steadyTsc) > 0) {
    console.error(steadyTsc.stdout.split("\n").filter((l) => l.includes("error TS")).slice(0, 20).join("\n"))
  }
  if (values.write) {
    const doc = Path.join(root, "docs/openapi.md")
    const text = Fs.readFileSync(doc, "utf8")
    const start = text.indexOf("<!-- github:start -->")
    const end = text.indexOf("<!-- github:end -->")
    if (start < 0 || end < 0) throw new Error("docs/openapi.md has no github:start/github:end markers")
    Fs.writeFileSync(doc, `${text.slice(0, start + 21)}\n${table}\n${text.slice(end)}`)
    console.error("docs/openapi.md updated")
  }
  if (errors(steadyTsc) > 0) process.exitCode = 1
} finally {
  if (!values.keep) Fs.rmSync(temp, { recursive: true, force: true })
}

import { spawnSync } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/**
 * Runs a script of this package as `npm run demo` does, bounded in time: from its sources
 * through tsx on this Node (22, as .ci/test-effect4.mjs runs the tests), with one copy of effect.
 */
const script = (file: string, args: ReadonlyArray<string>, timeout: number) =>
  spawnSync(
    process.execPath,
    ["--conditions=@steady/source", "--import", "tsx", "--import", "./one-effect.mjs", file, ...args],
    { cwd: root, encoding: "utf8", timeout }
  )

/** `npm run demo -- …` (packages/examples/src/launch.ts), bounded in time. */
const launch = (args: ReadonlyArray<string>, timeout: number) =>
  spawnSync(
    process.execPath,
    ["--conditions=@steady/source", "--import", "tsx", "src/launch.ts", ...args],
    { cwd: Path.join(root, "../examples"), encoding: "utf8", timeout }
  )

describe("npm run demo, on Effect 4", () => {
  it("--trace draws one retried call: the call, two requests, the retry between them", () => {
    const run = script("src/demo.ts", ["--trace"], 60_000)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain("on Effect 4")
    const lines = run.stdout.split("\n").filter((l) => l.includes("│"))
    expect(lines.map((l) => l.split("│")[0].trim().replace(/ \/.*$/, ""))).toEqual([
      "http.client GET",
      "GET request 1",
      "◆ event",
      "GET request 2 (resend 1)"
    ])
    expect(lines[0]).toMatch(/200, 2 attempt\(s\)$/)
    expect(lines[1]).toMatch(/ 503$/)
    expect(lines[2]).toContain("retry: ServerError(503), waits")
    expect(lines[3]).toMatch(/ 200$/)
    // the query's secret is redacted in what the spans carry
    expect(run.stdout).toContain("api_key=<redacted>")
    expect(run.stdout).not.toContain("demo-secret")
  }, 60_000)

  it("is what npm run demo runs by default: every practice against the ChaosServer, and exits 0", () => {
    const run = launch(["demo", "--requests", "200", "--seed", "3"], 60_000)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain("steady demo on Effect 4")
    expect(run.stdout).toContain("steady behaved as promised.")
    // every practice was checked, and every check held
    const rows = run.stdout.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| practice"))
    const verdicts = Object.fromEntries(rows.map((l) => l.split("|").map((c) => c.trim())).map((c) => [c[1], c[4]]))
    expect(verdicts).toEqual({
      "503 retried": "yes",
      "404 → none": "yes",
      "403 handled": "yes",
      "POST not retried": "yes",
      "keyed POST retried": "yes",
      "Retry-After": "yes",
      "timeout": "yes",
      "single refresh": "yes",
      "pagination": "yes",
      "SSE resumed": "yes",
      "pooled session": "yes",
      "retries (workload)": "yes",
      "stale if error": "yes"
    })
    // the breaker's warning is told with act 11, not printed loose in the middle of the acts
    expect(run.stdout).toContain("logged: steady: circuit breaker menu opened")
    expect(run.stdout + run.stderr).not.toMatch(/WARN/)
    // the pooled-session line says what failed in words, no stray JSON
    const pooled = run.stdout.split("\n").find((l) => l.includes("pooled session") && l.includes("keep-alive"))
    expect(pooled).toBeDefined()
    expect(pooled).not.toMatch(/\{\}\s*$/)
    // the demo's client secret never shows
    expect(run.stdout + run.stderr).not.toContain("demo-client-secret")
  }, 60_000)

  it("--help prints the usage and exits 0; an unknown or bad flag says so, with the usage, and exits 2", () => {
    const help = script("src/demo.ts", ["--help"], 30_000)
    expect(help.status).toBe(0)
    expect(help.stdout).toContain("--fault-rate R")
    expect(help.stderr).not.toContain("    at ")
    const unknown = script("src/demo.ts", ["--fast"], 30_000)
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain("Unknown option '--fast'")
    expect(unknown.stderr).toContain("--requests N")
    expect(unknown.stderr).not.toContain("    at ")
    const bad = script("src/demo.ts", ["--fault-rate", "2"], 30_000)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain("--fault-rate must be a number from 0 to 0.9")
  }, 60_000)

  it("npm run chaos prints one progress line per step when stderr is not a terminal, and keeps its zero rows", () => {
    const run = script("src/chaos.ts", ["--requests", "2000", "--seed", "5"], 60_000)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr.split("\n").filter((l) => l.endsWith("calls done"))).toEqual([
      "1000 calls done",
      "2000 calls done"
    ])
    expect(run.stdout).toContain("Effect 4")
    for (
      const row of [
        "| calls over deadline + 500 ms | 0 |",
        "| defects / untyped failures | 0 / 0 |",
        "| POSTs without key received twice | 0 |",
        "| connections open after the scope closed | 0 |"
      ]
    ) expect(run.stdout).toContain(row)
  }, 60_000)
})

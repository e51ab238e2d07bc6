import { spawnSync } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/** Runs a script of this package with tsx, bounded in time. */
const script = (file: string, args: ReadonlyArray<string>, timeout: number) =>
  spawnSync(process.execPath, ["--conditions=@steady/source", "--import", "tsx", file, ...args], {
    cwd: root,
    encoding: "utf8",
    timeout
  })

describe("npm run demo -- --effect 3", () => {
  it("--trace draws one retried call: the call, two requests, the retry between them", () => {
    const run = script("src/demo.ts", ["--trace"], 60_000)
    expect(run.status, run.stderr).toBe(0)
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
  })

  it("runs every practice against the ChaosServer and exits 0", () => {
    const run = script("src/demo.ts", ["--requests", "200", "--seed", "3"], 60_000)
    expect(run.status, run.stderr).toBe(0)
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

  it("--help prints the usage and exits 0", () => {
    const help = script("src/demo.ts", ["--help"], 30_000)
    expect(help.status).toBe(0)
    expect(help.stdout).toContain("--fault-rate R")
    expect(help.stderr).not.toContain("    at ")
  }, 30_000)

  it("npm run chaos -- --effect 3: a progress line per step off a terminal, and the zero rows", () => {
    // through the launcher, as npm run chaos runs it
    const run = script("src/launch.ts", ["chaos", "--effect", "3", "--requests", "2000", "--seed", "5"], 60_000)
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr.split("\n").filter((l) => l.endsWith("calls done"))).toEqual([
      "1000 calls done",
      "2000 calls done"
    ])
    expect(run.stdout).toContain("Node v20")
    expect(run.stdout).toContain("Effect 3")
    for (
      const row of [
        "| calls over deadline + 500 ms | 0 |",
        "| defects / untyped failures | 0 / 0 |",
        "| POSTs without key received twice | 0 |",
        "| connections open after the scope closed | 0 |"
      ]
    ) expect(run.stdout).toContain(row)
  }, 60_000)

  it("the launcher: --effect takes 3 or 4 and refuses anything else; --help starts neither line", () => {
    const bad = script("src/launch.ts", ["demo", "--effect", "5"], 30_000)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain("--effect must be 3 or 4, got \"5\"")
    expect(bad.stderr).toContain("--requests N")
    expect(bad.stderr).not.toContain("    at ")
    // the usage comes from the launcher: no line runs, no Node 22 is needed
    const help = script("src/launch.ts", ["chaos", "--help"], 30_000)
    expect(help.status).toBe(0)
    expect(help.stdout).toContain("--effect 3|4")
    expect(help.stdout).toContain("--scenarios S")
    // an unknown flag reaches the line, which says so, with the usage
    const unknown = script("src/launch.ts", ["demo", "--effect=3", "--fast"], 30_000)
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain("Unknown option '--fast'")
    expect(unknown.stderr).toContain("--requests N")
    expect(unknown.stderr).not.toContain("    at ")
  }, 60_000)

  it("refuses a bad flag with a clear message", () => {
    const run = script("src/demo.ts", ["--fault-rate", "2"], 30_000)
    expect(run.status).toBe(2)
    expect(run.stderr).toContain("--fault-rate must be a number from 0 to 0.9")
  }, 30_000)
})

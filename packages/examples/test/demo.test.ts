import { spawnSync } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

describe("npm run demo", () => {
  it("runs every practice against the ChaosServer and exits 0", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/demo.ts", "--requests", "200", "--seed", "3"], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000
    })
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
      "pooled session": "yes",
      "retries (workload)": "yes"
    })
    // the demo's client secret never shows
    expect(run.stdout + run.stderr).not.toContain("demo-client-secret")
  }, 60_000)

  it("refuses a bad flag with a clear message", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/demo.ts", "--fault-rate", "2"], {
      cwd: root,
      encoding: "utf8",
      timeout: 30_000
    })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain("--fault-rate must be a number from 0 to 0.9")
  }, 30_000)
})

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
    for (
      const step of ["retry", "404", "403", "idempotency", "Retry-After", "timeout", "token refresh", "pooled session"]
    ) {
      expect(run.stdout).toContain(step)
    }
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

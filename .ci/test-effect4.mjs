// Runs the tests of the Effect 4 packages (packages/client, packages/testing, packages/redis, packages/examples-effect4) on their own vitest 5, under Node 22
// (Effect 4 needs Node >= 22.19; the Effect 3 packages stay tested on the root's Node 20).
// Node 22 comes from .ci/node22.mjs.
// Extra arguments go to each vitest run (e.g. a test file filter). Exits non-zero if any fails.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { node22 } from "./node22.mjs"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const packages = ["packages/client", "packages/testing", "packages/redis", "packages/examples-effect4"]

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: "inherit", ...options })
  if (result.error !== undefined) throw result.error
  return result.status ?? 1
}

const node = node22()
const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim()
process.stderr.write(`test-effect4: ${node} (${version})\n`)

const failed = []
for (const pkg of packages) {
  const cwd = join(root, pkg)
  const vitest = join(cwd, "node_modules", "vitest", "vitest.mjs")
  if (!existsSync(vitest)) {
    failed.push(`${pkg} (no vitest 5 in ${pkg}/node_modules: run npm install)`)
    continue
  }
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ""}` }
  const extra = process.argv.slice(2)
  // a filter may match files in one package only
  const args = extra.length > 0 ? ["run", "--passWithNoTests", ...extra] : ["run"]
  if (run(node, [vitest, ...args], { cwd, env }) !== 0) failed.push(pkg)
}
if (failed.length > 0) {
  process.stderr.write(`test-effect4: failed: ${failed.join(", ")}\n`)
  process.exit(1)
}

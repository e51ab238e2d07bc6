// Runs the tests of the Effect 4 packages (packages/*-e4) on their own vitest 5, under Node 22
// (Effect 4 needs Node >= 22.19; the Effect 3 packages stay tested on the root's Node 20).
// Node 22: $STEADY_NODE22 if set; else /tmp/steady-node22/package/bin/node if present; else the
// registry's node-<platform>-<arch> package, unpacked into ${TMPDIR:-/tmp}/steady-node22.
// Extra arguments go to each vitest run (e.g. a test file filter). Exits non-zero if any fails.
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const NODE_VERSION = "22.23.5"
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const packages = ["packages/client", "packages/testing"]

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: "inherit", ...options })
  if (result.error !== undefined) throw result.error
  return result.status ?? 1
}

const findNode = () => {
  if (process.env.STEADY_NODE22) return process.env.STEADY_NODE22
  const local = "/tmp/steady-node22/package/bin/node"
  if (existsSync(local)) return local
  const dir = join(process.env.TMPDIR || tmpdir(), "steady-node22")
  const bin = join(dir, "package", "bin", "node")
  if (existsSync(bin)) return bin
  mkdirSync(dir, { recursive: true })
  const name = `node-${process.platform}-${process.arch}@${NODE_VERSION}`
  process.stderr.write(`test-effect4: fetching ${name} into ${dir}\n`)
  if (run("npm", ["pack", name, "--silent", "--pack-destination", dir], { cwd: dir }) !== 0) {
    throw new Error(`npm pack ${name} failed`)
  }
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))
  if (tarball === undefined) throw new Error(`npm pack ${name} left no tarball in ${dir}`)
  if (run("tar", ["-xzf", tarball], { cwd: dir }) !== 0) throw new Error(`could not unpack ${tarball}`)
  if (!existsSync(bin)) throw new Error(`${name} has no bin/node`)
  return bin
}

const node = findNode()
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

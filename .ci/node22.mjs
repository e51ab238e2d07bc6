// Node 22 for the Effect 4 line (Effect 4 needs Node >= 22.19; the machine's Node is 20):
// $STEADY_NODE22 if set; else this Node if it is 22.19 or later; else the registry's
// node-<platform>-<arch>@22.23.5 package, unpacked once into ${TMPDIR:-/tmp}/steady-node22
// (outside the workspace, as .ci/github-tools.sh installs its tools). Used by
// .ci/test-effect4.mjs, the consumer test, the bench, and npm run demo / chaos (packages/examples/src/launch.ts).
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const NODE22_VERSION = "22.23.5"

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], ...options })
  if (result.error !== undefined) throw result.error
  return result.status ?? 1
}

/** The path of a Node 22 binary, fetched from the npm registry the first time. */
export const node22 = () => {
  if (process.env.STEADY_NODE22) return process.env.STEADY_NODE22
  const [major, minor] = process.versions.node.split(".").map(Number)
  if (major > 22 || (major === 22 && minor >= 19)) return process.execPath
  const dir = join(process.env.TMPDIR || tmpdir(), "steady-node22")
  const bin = join(dir, "package", "bin", "node")
  if (existsSync(bin)) return bin
  mkdirSync(dir, { recursive: true })
  const name = `node-${process.platform}-${process.arch}@${NODE22_VERSION}`
  process.stderr.write(`node22: fetching ${name} into ${dir}\n`)
  if (run("npm", ["pack", name, "--silent", "--pack-destination", dir], { cwd: dir }) !== 0) {
    throw new Error(`npm pack ${name} failed`)
  }
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))
  if (tarball === undefined) throw new Error(`npm pack ${name} left no tarball in ${dir}`)
  if (run("tar", ["-xzf", tarball], { cwd: dir }) !== 0) throw new Error(`could not unpack ${tarball}`)
  if (!existsSync(bin)) throw new Error(`${name} has no bin/node`)
  return bin
}

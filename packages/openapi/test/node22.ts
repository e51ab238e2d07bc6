/**
 * Test helpers for Effect 4 output, which cannot run here (vitest 3 on Node 20, effect 3): a
 * program is bundled with esbuild, `effect` resolved from packages/client (effect 4.1.5, one
 * copy, as packages/bench/src/bench.ts does) and `@steady/client` from its source, then run
 * with Node 22 (.ci/node22.mjs) as a child process, bounded by a timeout.
 */
import * as esbuild from "esbuild"
import { execFile } from "node:child_process"
import * as Path from "node:path"
import { node22 } from "../../../.ci/node22.mjs"
import { client4 } from "./compile.js"

/** Resolves `effect` and `effect/*` from `dir`, so that the bundle has one copy: packages/client's. */
const effectOf = (dir: string): esbuild.Plugin => ({
  name: "effect-of",
  setup(b) {
    b.onResolve(
      { filter: /^effect(\/.*)?$/ },
      (args) =>
        args.pluginData === "effect-of"
          ? undefined
          : b.resolve(args.path, { kind: args.kind, resolveDir: dir, pluginData: "effect-of" })
    )
  }
})

/** Bundles `entry` (TypeScript importing effect 4 and `@steady/client`) into `outfile`, an ES module for Node 22. */
export const bundle = async (entry: string, outfile: string): Promise<string> => {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    conditions: ["@steady/source"],
    plugins: [effectOf(client4)],
    logLevel: "silent",
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" }
  })
  return outfile
}

/** What a run printed, and how it ended. */
export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `file` with Node 22, killed after `timeout` ms (a bug fails with what it printed, not by vitest's timeout). */
export const runNode22 = (
  file: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
  timeout = 60_000
): Promise<Run> =>
  new Promise((resolve) =>
    execFile(
      node22(),
      [file, ...args],
      { timeout, env: { ...process.env, ...env }, cwd: Path.dirname(file), maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    )
  )

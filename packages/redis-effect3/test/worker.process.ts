/**
 * A worker process of a fleet test: a TypeScript file run with tsx on the workspace's sources.
 * It prints "ready" once it is set up, reads one line from its stdin (the parent's signal), and
 * prints its report as the last line of its stdout, as JSON. A worker that hangs is killed after
 * `timeoutMillis`, and its promise fails with what it wrote to stderr.
 */
import { spawn } from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const here = Path.dirname(fileURLToPath(import.meta.url))

export interface Worker<R> {
  /** Resolves once the worker printed "ready" (or once it died: then `done` fails). */
  readonly ready: Promise<void>
  /** Writes the signal line and closes its stdin. */
  readonly signal: (line: string) => void
  readonly done: Promise<R>
}

export const spawnWorker = <R>(file: string, args: ReadonlyArray<string>, timeoutMillis = 90_000): Worker<R> => {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@steady/source", Path.join(here, file), ...args],
    { stdio: ["pipe", "pipe", "pipe"] }
  )
  let out = ""
  let err = ""
  let onReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => (onReady = resolve))
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString()
    if (out.includes("ready\n")) onReady()
  })
  child.stderr.on("data", (d: Buffer) => (err += d.toString()))
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMillis)
  const done = new Promise<R>((resolve, reject) =>
    child.once("exit", (code) => {
      clearTimeout(timer)
      if (code !== 0) return reject(new Error(`${file} exited with ${code}: ${err}`))
      resolve(JSON.parse(out.trim().split("\n").pop()!))
    })
  )
  done.catch(() => onReady())
  return { ready, signal: (line) => child.stdin.end(`${line}\n`), done }
}

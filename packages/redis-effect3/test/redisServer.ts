/**
 * A redis-server of the test's own, on a free loopback port: started for the test, stopped
 * (and its process reaped) when the scope closes; `kill` and `restart` for the tests of a
 * Redis that goes away. Debian's redis-server (.ci/run installs it).
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { Redis as IORedis } from "ioredis"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as Net from "node:net"

export interface RedisServer {
  readonly url: string
  readonly port: number
  /** SIGKILL: the server vanishes mid-run, as a crashed one does. */
  readonly kill: () => Promise<void>
  /** Starts it again on the same port. */
  readonly restart: () => Promise<void>
}

export const executable = process.env.REDIS_SERVER ?? "redis-server"

/**
 * Whether redis-server is installed. Outside CI the Redis tests are skipped without it (the
 * README says how to install it); under `CI=true` its absence fails them.
 */
export const available = spawnSync(executable, ["--version"], { stdio: "ignore" }).status === 0
if (!available && process.env.CI === "true") throw new Error(`${executable} is missing: .ci/run installs redis-server`)

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

/** Resolves once the port accepts a connection (bounded: 5 s). */
const ready = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const started = Date.now()
    const attempt = () => {
      const socket = Net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        resolve()
      })
      socket.once("error", () => {
        socket.destroy()
        if (Date.now() - started > 5_000) reject(new Error(`redis-server did not listen on ${port} within 5 s`))
        else setTimeout(attempt, 20)
      })
    }
    attempt()
  })

const start = (port: number): ChildProcess =>
  spawn(executable, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore"
  })

const stop = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill(signal)
  })

export const make: Effect.Effect<RedisServer, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => {
    const port = await freePort()
    let child = start(port)
    await ready(port)
    const server: RedisServer & { child: () => ChildProcess } = {
      url: `redis://127.0.0.1:${port}`,
      port,
      kill: () => stop(child, "SIGKILL"),
      restart: async () => {
        child = start(port)
        await ready(port)
      },
      child: () => child
    }
    return server
  }),
  (server) => Effect.promise(() => stop((server as RedisServer & { child: () => ChildProcess }).child(), "SIGTERM"))
)

/** One command on a connection of its own (for tests that read or seed keys). */
export const command = async (server: RedisServer, ...args: ReadonlyArray<string>): Promise<unknown> => {
  const client = new IORedis(server.port, "127.0.0.1", { lazyConnect: true, maxRetriesPerRequest: 0 })
  try {
    await client.connect()
    return await client.call(args[0], ...args.slice(1))
  } finally {
    client.disconnect()
  }
}

/** A key's value as a string, or `null`. */
export const get = (server: RedisServer, key: string) => command(server, "GET", key) as Promise<string | null>

import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Undici from "undici"
import type * as ConnectionPool from "../ConnectionPool.js"
import { FastPathTypeId } from "./transport.js"

/** @internal */
export const defaults = {
  connections: 32,
  keepAliveTimeout: Duration.seconds(4),
  keepAliveMaxTimeout: Duration.minutes(10),
  connectTimeout: Duration.seconds(10)
} as const

const agentOptions = (options: ConnectionPool.Options): Undici.Agent.Options => {
  const connections = options.connections ?? defaults.connections
  if (!Number.isInteger(connections) || connections < 1) {
    throw new RangeError(`ConnectionPool: connections must be a whole number ≥ 1, got ${connections}`)
  }
  return {
    connections,
    keepAliveTimeout: Duration.toMillis(options.keepAliveTimeout ?? defaults.keepAliveTimeout),
    keepAliveMaxTimeout: Duration.toMillis(options.keepAliveMaxTimeout ?? defaults.keepAliveMaxTimeout),
    connect: { timeout: Duration.toMillis(options.connectTimeout ?? defaults.connectTimeout) },
    // The client's attempt timeout is the only clock.
    headersTimeout: 0,
    bodyTimeout: 0
  }
}

/** @internal */
export const make = (options: ConnectionPool.Options) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new Undici.Agent(agentOptions(options))),
      (agent) => Effect.promise(() => agent.destroy())
    ),
    (agent): HttpClient.HttpClient => Object.assign(NodeHttpClient.makeUndici(agent), { [FastPathTypeId]: agent })
  )

/** @internal */
export const layer = (options: ConnectionPool.Options) => Layer.scoped(HttpClient.HttpClient, make(options))

/** @internal */
export const layerConfig = (options: Config.Config.Wrap<ConnectionPool.Options>) =>
  Layer.scoped(HttpClient.HttpClient, Effect.flatMap(Config.unwrap(options), make))

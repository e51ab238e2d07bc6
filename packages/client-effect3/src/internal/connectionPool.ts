import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as Network from "@steady/core/Network"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as MetricLabel from "effect/MetricLabel"
import * as Redacted from "effect/Redacted"
import * as Undici from "undici"
import type * as ConnectionPool from "../ConnectionPool.js"
import type * as Transport from "../Transport.js"
import * as network from "./network.js"
import { PoolDispatcher } from "./poolDispatcher.js"
import * as trace from "./trace.js"
import * as transport from "./transport.js"
import * as undiciTransport from "./undiciTransport.js"

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

/** The pool's network settings, its secrets unwrapped only here, to hand to undici. */
const networkSettings = (options: ConnectionPool.Options): network.Settings => {
  const proxy = options.proxy ?? "env"
  const tls = options.tls
  return {
    agent: agentOptions(options),
    connectTimeout: Duration.toMillis(options.connectTimeout ?? defaults.connectTimeout),
    proxy: proxy === "env" || proxy === false
      ? proxy
      : typeof proxy === "string"
      ? { url: proxy, auth: undefined, noProxy: undefined }
      : {
        url: proxy.url,
        auth: proxy.auth === undefined ? undefined : Redacted.value(proxy.auth),
        noProxy: proxy.noProxy
      },
    tls: tls === undefined ? undefined : {
      ...tls,
      key: tls.key === undefined ? undefined : Redacted.value<string | Uint8Array>(tls.key),
      passphrase: tls.passphrase === undefined ? undefined : Redacted.value(tls.passphrase)
    },
    http2: options.http2 ?? false,
    env: options.env ?? process.env
  }
}

/** @effect/platform's fetch client, whichever `fetch` the fiber's context provides. */
let fetchClient: HttpClient.HttpClient | undefined
const platformFetchClient = () =>
  fetchClient ??= Effect.runSync(Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer))

/**
 * The pool's `HttpClient`, for whatever does not take the fast path (a transformed client,
 * your own use of `HttpClient`): @effect/platform's fetch client on undici's `fetch` over the
 * pool's Agent, so it shares the pool's connections and needs nothing Node-specific from
 * @effect/platform-node.
 */
const httpClientOf = (agent: Undici.Dispatcher, name: string): HttpClient.HttpClient => {
  const fetch = ((input: string | URL, init?: Undici.RequestInit) =>
    // never following redirects itself: steady's redirect stage decides, with its origin lock
    Undici.fetch(input, { ...init, redirect: "manual", dispatcher: agent })) as unknown as typeof globalThis.fetch
  // Called directly (not by a steady client), the pool is a bare HttpClient: no retries, no
  // timeouts, no auth. That is sometimes meant, but it is also what HttpApiClient.make over
  // ConnectionPool.layer silently does: say so, once per pool.
  let warned = false
  const direct = Effect.suspend(() => {
    if (warned) return Effect.void
    warned = true
    return Effect.annotateLogs(
      Effect.logWarning(
        "steady: the connection pool's HttpClient was called directly: no retries, timeouts, auth or typed " +
          "errors apply. For an HttpApi use ApiClient.httpApi; for your own calls, ApiClient.make."
      ),
      { pool: name }
    )
  })
  return HttpClient.transform(platformFetchClient(), (effect) =>
    Effect.withFiberRuntime((fiber) => {
      const run = Effect.provideService(effect, FetchHttpClient.Fetch, fetch)
      return fiber.getFiberRef(trace.viaSteady) ? run : Effect.zipRight(direct, run)
    }))
}

let pools = 0

/**
 * Counts the pool's connections as they open and close (undici's connect and disconnect
 * events), on each dispatcher that opens them: the direct Agent, each origin's pool behind a
 * proxy, and those of a spare (see `PoolDispatcher`). One count per pool.
 */
const counter = (name: string) => {
  const labels = [MetricLabel.make("pool", name)]
  let open = 0
  trace.openConnections.unsafeUpdate(0, labels)
  return (dispatcher: Undici.Dispatcher): void => {
    dispatcher.on("connect", () => trace.openConnections.unsafeUpdate(++open, labels))
    dispatcher.on("disconnect", () => trace.openConnections.unsafeUpdate(open = Math.max(0, open - 1), labels))
  }
}

/** Said once per pool when a request reopens it after its scope closed (see `PoolDispatcher`). */
const reopenedWarning = (name: string) =>
  `steady: connection pool ${name} was used after the scope that provided it had closed, and reopened. ` +
  "Its new connections close when idle, not with a scope. Provide ConnectionPool.layer to the layer or " +
  "program that makes the calls (e.g. Petstore.Default.pipe(Layer.provide(ConnectionPool.layer()))), not " +
  "around ApiClient.make or a service's constructor alone: Effect.provide closes it as soon as they return."

/**
 * The pool's transport: the fast path on the pool's dispatcher, and a warning, once, when a
 * request finds the pool's scope closed (it is sent on a spare Agent: see `PoolDispatcher`).
 */
const poolTransport = (
  pool: PoolDispatcher,
  name: string,
  proxyOf: ((url: URL) => Network.ProxyTarget | undefined) | undefined
): Transport.Transport => {
  // fetch (the generic transport) on the pool's dispatcher, marking its errors for the
  // classification; the fast path on the pool's dispatcher itself
  const fast = undiciTransport.make(pool, httpClientOf(network.marking(pool, proxyOf), name), proxyOf)
  let warned = false
  const warn = Effect.suspend(() => {
    if (warned) return Effect.void
    warned = true
    return Effect.annotateLogs(Effect.logWarning(reopenedWarning(name)), { pool: name })
  })
  return {
    ...fast,
    send: (request) => pool.closed && !warned ? Effect.andThen(warn, fast.send(request)) : fast.send(request)
  }
}

/** The pool's `Transport`; its `httpClient` is the pool's `HttpClient`. @internal */
export const makeTransport = (options: ConnectionPool.Options) =>
  Effect.map(
    Effect.tap(
      Effect.acquireRelease(
        Effect.sync(() => {
          const name = options.name ?? `pool-${++pools}`
          const settings = networkSettings(options)
          const count = counter(name)
          const built = network.build(settings, count)
          // the pool's dispatcher first; a spare with the same settings if it is used after its
          // scope closed (see PoolDispatcher)
          let first: Undici.Dispatcher | undefined = built.dispatcher
          const pool = new PoolDispatcher(() => {
            if (first !== undefined) {
              const dispatcher = first
              first = undefined
              return dispatcher
            }
            return network.build(settings, count).dispatcher
          })
          return { built, pool, name }
        }),
        ({ pool }) => Effect.promise(() => pool.shut())
      ),
      ({ built, name }) =>
        built.warnings.length === 0 ? Effect.void : Effect.annotateLogs(
          Effect.forEach(built.warnings, (warning) => Effect.logWarning(`steady: ${warning}`), { discard: true }),
          { pool: name }
        )
    ),
    ({ built, name, pool }): Transport.Transport => poolTransport(pool, name, built.proxyOf)
  )

/** @internal */
export const make = (options: ConnectionPool.Options) =>
  Effect.map(makeTransport(options), (t) => t.httpClient as HttpClient.HttpClient)

const contextOf = (t: Transport.Transport) =>
  Context.make(transport.tag, t).pipe(Context.add(HttpClient.HttpClient, t.httpClient as HttpClient.HttpClient))

/** @internal */
export const layer = (options: ConnectionPool.Options) =>
  Layer.scopedContext(Effect.map(makeTransport(options), contextOf))

/** @internal */
export const layerConfig = (options: Config.Config.Wrap<ConnectionPool.Options>) =>
  Layer.scopedContext(
    Effect.map(Effect.flatMap(Config.unwrap(options), makeTransport), contextOf)
  )

/**
 * A real HTTP/1.1 server on 127.0.0.1 (port 0) for tests of what crosses the wire: it
 * records every request, counts the connections it accepted and those still open, and
 * notices requests whose client went away before the response was complete.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"

/**
 * A request as the test kit saw it: the one shape of a received request, which
 * `MockHttpClient` records (`MockHttpClient.RecordedRequest`), `TestServer` receives
 * (`ReceivedRequest`, which adds what only a socket knows) and `ChaosServer` reports
 * (`ChaosServer.ChaosRequest`, which adds the fault). Import it rather than declaring a copy.
 *
 * @since 0.3.0
 * @category models
 */
export interface Request {
  readonly method: string
  /**
   * The URL as the receiver saw it: for `TestServer` and `ChaosServer` the request target
   * (path and query, as sent); for `MockHttpClient` the absolute URL, query included.
   */
  readonly url: string
  /** The path, without the query. */
  readonly path: string
  readonly query: URLSearchParams
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>
  /** The body as text ("" when there is none). */
  readonly body: string
}

/**
 * A request as the server received it: the common `Request`, and what the socket tells.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReceivedRequest extends Request {
  /** The body's bytes, as received. */
  readonly bytes: Uint8Array
  /** Which accepted connection carried it (1-based, in order of acceptance). */
  readonly connection: number
  /** When it arrived (`performance.now()`, milliseconds). */
  readonly at: number
}

/**
 * @since 0.1.0
 * @category models
 */
export type Handler = (request: ReceivedRequest, response: Http.ServerResponse) => unknown

/**
 * @since 0.1.0
 * @category models
 */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Every request received so far, in order (empty when made with `record: false`). */
  readonly requests: ReadonlyArray<ReceivedRequest>
  /** Connections accepted since the start. */
  readonly connectionsOpened: number
  /** Connections open now (accepted, and neither ended by the client nor closed). */
  readonly connectionsOpen: number
  /** The most connections open at once. */
  readonly peakConnectionsOpen: number
  /** Requests whose client closed the connection before the response was complete. */
  readonly abortedRequests: number
  /** Waits (on real time, bounded by `timeoutMillis`) until `predicate` holds. */
  readonly waitUntil: (predicate: (server: TestServer) => boolean, timeoutMillis?: number) => Promise<boolean>
}

/**
 * Starts a server; it is closed, and its connections destroyed, when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  (handler: Handler): Effect.Effect<TestServer, never, Scope.Scope>
  (options: { readonly record?: boolean | undefined }, handler: Handler): Effect.Effect<TestServer, never, Scope.Scope>
} = (
  ...args: [Handler] | [{ readonly record?: boolean | undefined }, Handler]
): Effect.Effect<TestServer, never, Scope.Scope> => {
  const [options, handler] = args.length === 1 ? [{}, args[0]] : args
  return makeWith(options.record ?? true, handler)
}

const makeWith = (record: boolean, handler: Handler): Effect.Effect<TestServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Http.Server; readonly state: TestServer }>((resume) => {
      const requests: Array<ReceivedRequest> = []
      const sockets = new Set<Net.Socket>()
      const ids = new WeakMap<Net.Socket, number>()
      let opened = 0
      let peak = 0
      let aborted = 0
      const server = Http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
        const at = performance.now()
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "http://127.0.0.1")
          const bytes = Buffer.concat(chunks)
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(req.headers)) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v
          }
          const received: ReceivedRequest = {
            method: req.method ?? "GET",
            url: req.url ?? "/",
            path: url.pathname,
            query: url.searchParams,
            headers,
            body: bytes.toString("utf8"),
            bytes,
            connection: ids.get(req.socket) ?? 0,
            at
          }
          if (record) requests.push(received)
          res.on("close", () => {
            if (!res.writableFinished) aborted++
          })
          // a handler that throws, as one that rejects, answers 500 (a throw here would escape
          // the request's "end" listener, and the client would wait for an answer forever)
          new Promise((resolve) => resolve(handler(received, res))).catch(() => {
            if (!res.headersSent) res.writeHead(500)
            res.end()
          })
        })
      })
      server.on("connection", (socket) => {
        opened++
        ids.set(socket, opened)
        sockets.add(socket)
        // A socket is the client's until the client ends it (FIN) or it closes. The peak is
        // sampled after the current I/O phase, so that an end that arrived together with a
        // new connection is counted first, as the client saw it.
        setImmediate(() => {
          peak = Math.max(peak, sockets.size)
        })
        const gone = () => sockets.delete(socket)
        socket.on("end", gone)
        socket.on("close", gone)
        socket.on("error", gone)
      })
      const state: TestServer = {
        url: "",
        port: 0,
        get requests() {
          return requests
        },
        get connectionsOpened() {
          return opened
        },
        get connectionsOpen() {
          return sockets.size
        },
        get peakConnectionsOpen() {
          return peak
        },
        get abortedRequests() {
          return aborted
        },
        waitUntil: (predicate, timeoutMillis = 2_000) =>
          new Promise((resolve) => {
            const started = Date.now()
            const check = () => {
              if (predicate(state)) return resolve(true)
              if (Date.now() - started > timeoutMillis) return resolve(false)
              setTimeout(check, 5)
            }
            check()
          })
      }
      ;(state as { destroyAll?: () => void }).destroyAll = () => {
        for (const s of sockets) s.destroy()
      }
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as Net.AddressInfo).port
        Object.assign(state, { url: `http://127.0.0.1:${port}`, port })
        resume(Effect.succeed({ server, state }))
      })
    }),
    ({ server, state }) =>
      Effect.async<void>((resume) => {
        ;(state as { destroyAll?: () => void }).destroyAll?.()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

/**
 * Writes a JSON response.
 *
 * @since 0.1.0
 * @category helpers
 */
export const json = (
  response: Http.ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {}
): void => {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers
  })
  response.end(text)
}

/**
 * A port on 127.0.0.1 that nothing can listen on, for tests of a refused connection: port 0.
 * Binding port 0 always picks another port, so a connection to it is refused whatever else
 * runs on the machine (a port that was bound and released could be taken by another process
 * before the test connects).
 *
 * @since 0.1.0
 * @category helpers
 */
export const closedPort: Effect.Effect<number> = Effect.succeed(0)

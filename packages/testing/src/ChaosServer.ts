/**
 * A real HTTP server on 127.0.0.1 (port 0) that misbehaves on purpose, scripted per route:
 * status sequences and probabilities, Retry-After and other headers, a delay before the
 * headers, a slow or stalled body, a body cut short, a connection reset before or after the
 * headers, malformed JSON, an oversized body, no answer at all (the faults of `Fault`). It
 * records every request and counts the connections it accepted and those still open. Under a
 * seed, the n-th request on a route always meets the same fault.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import * as Faults from "./Fault.js"
import * as Route from "./internal/route.js"
import * as TestServer from "./TestServer.js"

/**
 * What the server does to one request: the test kit's one vocabulary of faults, `Fault.Fault`,
 * which a `MockHttpClient` handler may return too.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault = Faults.Fault

/**
 * Answer with `status` (and headers, e.g. `{ "retry-after": "1" }`). `Fault.status`.
 *
 * @since 0.1.0
 * @category faults
 */
export const status: (status: number, headers?: Readonly<Record<string, string>>, body?: string) => Fault =
  Faults.status

/**
 * Wait `millis` before the headers, then answer normally. `Fault.delay`.
 *
 * @since 0.1.0
 * @category faults
 */
export const delay: (millis: number) => Fault = Faults.delay

/**
 * Answer normally, but send the body in `chunks` pieces `chunkDelayMillis` apart. `Fault.slowBody`.
 *
 * @since 0.1.0
 * @category faults
 */
export const slowBody: (chunks: number, chunkDelayMillis: number) => Fault = Faults.slowBody

/**
 * Send the headers and part of the body, then nothing, ever. `Fault.stallBody`.
 *
 * @since 0.1.0
 * @category faults
 */
export const stallBody: Fault = Faults.stallBody

/**
 * Declare a Content-Length larger than what is sent, then close the connection. `Fault.truncate`.
 *
 * @since 0.1.0
 * @category faults
 */
export const truncate: Fault = Faults.truncate

/**
 * Close the connection without answering. `Fault.resetBeforeHeaders`.
 *
 * @since 0.1.0
 * @category faults
 */
export const resetBeforeHeaders: Fault = Faults.resetBeforeHeaders

/**
 * Send the headers, then close the connection. `Fault.resetAfterHeaders`.
 *
 * @since 0.1.0
 * @category faults
 */
export const resetAfterHeaders: Fault = Faults.resetAfterHeaders

/**
 * Answer 200 with a body that is not JSON. `Fault.malformedJson`.
 *
 * @since 0.1.0
 * @category faults
 */
export const malformedJson: Fault = Faults.malformedJson

/**
 * Answer 200 with a body of `bytes` bytes. `Fault.oversized`.
 *
 * @since 0.1.0
 * @category faults
 */
export const oversized: (bytes: number) => Fault = Faults.oversized

/**
 * For an answer with `events`: send the first `after` events and half of the next, then close
 * the connection (an event stream that breaks mid-event). `Fault.dropStream`.
 *
 * @since 0.2.0
 * @category faults
 */
export const dropStream: (after: number) => Fault = Faults.dropStream

/**
 * Accept the request and never answer: the connection stays open until the client leaves or
 * the server closes. `Fault.hang`.
 *
 * @since 0.3.0
 * @category faults
 */
export const hang: Fault = Faults.hang

/**
 * One Server-Sent Event of an `events` answer.
 *
 * @since 0.2.0
 * @category models
 */
export interface Event {
  readonly data: string
  readonly id?: string | undefined
  readonly event?: string | undefined
  readonly retry?: number | undefined
}

/**
 * The healthy answer of a route.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly status?: number | undefined
  readonly json?: unknown
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Answer with a `text/event-stream` of these events, one write each, instead of JSON. */
  readonly events?: ReadonlyArray<Event> | undefined
}

/**
 * The script of one route: first the `sequence`, in order (`"ok"` for a healthy answer);
 * then, for every later request, each of `faults` with its probability (drawn from the
 * seeded generator), else the healthy `answer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Script {
  readonly answer?: Answer | ((request: TestServer.ReceivedRequest) => Answer) | undefined
  readonly sequence?: ReadonlyArray<Fault | "ok"> | undefined
  readonly faults?: ReadonlyArray<readonly [Fault, number]> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Scripts by `"METHOD /path/:param"` (or `"/path"` for any method). Unmatched requests get 404. */
  readonly routes: Readonly<Record<string, Script>>
  /** The seed of the fault draws. Default `1`. */
  readonly seed?: number | undefined
  /**
   * Keep every request in `requests`. Default `true`; turn it off for long runs and count
   * what you need in `onRequest`.
   */
  readonly record?: boolean | undefined
  /** Called with every request, after the fault is chosen. */
  readonly onRequest?: ((request: ChaosRequest) => void) | undefined
}

/**
 * A request as the server received it, and what it did to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChaosRequest extends TestServer.ReceivedRequest {
  readonly idempotencyKey: string | undefined
  /** `"ok"`, or the tag of the fault injected. */
  readonly fault: Fault["_tag"] | "ok" | "NoRoute"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ChaosServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Every request received, in order. */
  readonly requests: ReadonlyArray<ChaosRequest>
  readonly connectionsOpened: number
  readonly connectionsOpen: number
  readonly peakConnectionsOpen: number
  /** Requests whose client went away before the response was complete. */
  readonly abortedRequests: number
  /** How many times each fault was injected. */
  readonly injected: Readonly<Record<string, number>>
  /** Waits (real time, bounded) until `predicate` holds. */
  readonly waitUntil: (predicate: (server: ChaosServer) => boolean, timeoutMillis?: number) => Promise<boolean>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const ChaosServer: Context.Service<ChaosServer, ChaosServer> = Context.Service<ChaosServer>(
  "@steady/testing/ChaosServer"
)

interface Healthy {
  readonly status: number
  readonly json: unknown
  readonly headers: Readonly<Record<string, string>> | undefined
  readonly events: ReadonlyArray<Event> | undefined
}

const healthy = (request: TestServer.ReceivedRequest, script: Script): Healthy => {
  const answer = typeof script.answer === "function" ? script.answer(request) : script.answer
  return {
    status: answer?.status ?? 200,
    json: answer?.json ?? { ok: true, path: request.path },
    headers: answer?.headers,
    events: answer?.events
  }
}

const eventBlock = (event: Event): string =>
  (event.retry !== undefined ? `retry: ${event.retry}\n` : "") +
  (event.id !== undefined ? `id: ${event.id}\n` : "") +
  (event.event !== undefined ? `event: ${event.event}\n` : "") +
  event.data.split("\n").map((line) => `data: ${line}\n`).join("") + "\n"

/** Writes the events one per turn of the event loop; `dropAfter` breaks the stream mid-event. */
const sendEvents = (res: Http.ServerResponse, answer: Healthy, events: ReadonlyArray<Event>, dropAfter?: number) => {
  res.writeHead(answer.status, { "content-type": "text/event-stream", "cache-control": "no-cache", ...answer.headers })
  let i = 0
  const next = () => {
    if (res.destroyed) return
    if (dropAfter !== undefined && i === dropAfter) {
      const block = i < events.length ? eventBlock(events[i]) : "data: "
      res.write(block.slice(0, Math.ceil(block.length / 2)))
      return void setImmediate(() => res.socket?.destroy())
    }
    if (i >= events.length) return void res.end()
    res.write(eventBlock(events[i++]))
    setImmediate(next)
  }
  next()
}

const send = (res: Http.ServerResponse, answer: Healthy) => {
  if (answer.events !== undefined) return sendEvents(res, answer, answer.events)
  const text = answer.json === undefined ? "" : JSON.stringify(answer.json)
  res.writeHead(answer.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...answer.headers
  })
  res.end(text)
}

const inject = (
  fault: Fault,
  request: TestServer.ReceivedRequest,
  res: Http.ServerResponse,
  script: Script
): void => {
  switch (fault._tag) {
    case "Status": {
      const body = fault.body ?? JSON.stringify({ error: `injected ${fault.status}` })
      res.writeHead(fault.status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        ...fault.headers
      })
      return void res.end(body)
    }
    case "Delay": {
      const timer = setTimeout(() => send(res, healthy(request, script)), fault.millis)
      res.on("close", () => clearTimeout(timer))
      return
    }
    case "SlowBody": {
      const answer = healthy(request, script)
      const text = Buffer.from(JSON.stringify(answer.json ?? {}))
      res.writeHead(answer.status, { "content-type": "application/json", "content-length": text.length })
      const size = Math.ceil(text.length / fault.chunks)
      let offset = 0
      const tick = () => {
        if (res.destroyed) return
        const end = Math.min(text.length, offset + size)
        const last = end >= text.length
        if (last) res.end(text.subarray(offset))
        else res.write(text.subarray(offset, end))
        offset = end
        if (!last) timer = setTimeout(tick, fault.chunkDelayMillis)
      }
      let timer = setTimeout(tick, fault.chunkDelayMillis)
      res.on("close", () => clearTimeout(timer))
      return
    }
    case "StallBody": {
      res.writeHead(200, { "content-type": "application/json", "content-length": "64" })
      return void res.write("{\"stalled\":")
    }
    case "Truncate": {
      res.writeHead(200, { "content-type": "application/json", "content-length": "64" })
      res.write("{\"truncated\":")
      return void setImmediate(() => res.socket?.destroy())
    }
    case "ResetBeforeHeaders":
      return void res.socket?.destroy()
    case "ResetAfterHeaders": {
      res.writeHead(200, { "content-type": "application/json", "content-length": "64" })
      res.flushHeaders()
      return void setImmediate(() => res.socket?.destroy())
    }
    case "MalformedJson": {
      const body = "{\"id\": 1, \"name\": "
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      return void res.end(body)
    }
    case "Hang":
      return
    case "DropStream": {
      const answer = healthy(request, script)
      return sendEvents(res, answer, answer.events ?? [], fault.after)
    }
    case "Oversized": {
      res.writeHead(200, { "content-type": "application/json", "content-length": fault.bytes })
      const chunk = Buffer.alloc(Math.min(fault.bytes, 64 * 1024), 0x20)
      let left = fault.bytes
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          const n = Math.min(left, chunk.length)
          left -= n
          const more = res.write(n === chunk.length ? chunk : chunk.subarray(0, n))
          if (!more) return void res.once("drain", pump)
        }
        if (!res.destroyed) res.end()
      }
      return pump()
    }
  }
}

/**
 * Starts the server; it closes, with every connection, when the scope closes.
 *
 * @example
 * ```ts
 * import { ChaosServer } from "@steady/testing"
 *
 * const server = ChaosServer.make({
 *   seed: 7,
 *   routes: {
 *     "GET /pets/:id": {
 *       sequence: [ChaosServer.status(503), "ok"],
 *       faults: [[ChaosServer.status(503), 0.1], [ChaosServer.resetBeforeHeaders, 0.05]]
 *     }
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<ChaosServer, never, Scope.Scope> =>
  Effect.suspend(() => {
    const seed = options.seed ?? 1
    const routes = Route.compile(
      Object.fromEntries(
        Object.entries(options.routes).map(([key, script], i) => [
          key,
          { script, count: 0, random: Route.prng(seed * 1_000_003 + i) }
        ])
      )
    )
    const records: Array<ChaosRequest> = []
    const injected: Record<string, number> = {}
    const choose = (route: { script: Script; count: number; random: () => number }): Fault | "ok" => {
      const n = route.count++
      const sequence = route.script.sequence ?? []
      if (n < sequence.length) return sequence[n]
      const draw = route.random()
      let acc = 0
      for (const [fault, probability] of route.script.faults ?? []) {
        acc += probability
        if (draw < acc) return fault
      }
      return "ok"
    }
    const record = options.record ?? true
    const note = (request: TestServer.ReceivedRequest, fault: ChaosRequest["fault"]) => {
      injected[fault] = (injected[fault] ?? 0) + 1
      const entry: ChaosRequest = { ...request, idempotencyKey: request.headers["idempotency-key"], fault }
      if (record) records.push(entry)
      options.onRequest?.(entry)
    }
    return Effect.map(
      TestServer.make({ record }, (request, res) => {
        const route = Route.match(routes, request.method, request.path)
        if (route === undefined) {
          note(request, "NoRoute")
          return TestServer.json(res, 404, { error: "no such route" })
        }
        const chosen = choose(route)
        note(request, chosen === "ok" ? "ok" : chosen._tag)
        if (chosen === "ok") return send(res, healthy(request, route.script))
        inject(chosen, request, res, route.script)
      }),
      (server): ChaosServer => {
        const self: ChaosServer = {
          url: server.url,
          get requests() {
            return records
          },
          get connectionsOpened() {
            return server.connectionsOpened
          },
          get connectionsOpen() {
            return server.connectionsOpen
          },
          get peakConnectionsOpen() {
            return server.peakConnectionsOpen
          },
          get abortedRequests() {
            return server.abortedRequests
          },
          injected,
          waitUntil: (predicate, timeoutMillis) => server.waitUntil(() => predicate(self), timeoutMillis)
        }
        return self
      }
    )
  })

/**
 * Supplies a `ChaosServer` for the life of the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ChaosServer> => Layer.effect(ChaosServer, make(options))

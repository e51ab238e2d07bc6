import { it } from "@effect/vitest"
import { TestServer } from "@steady/testing-effect3"
import { Effect } from "effect"
import * as Http from "node:http"
import { describe, expect } from "vitest"

interface Reply {
  readonly status: number
  readonly body: string
}

/** One request on `agent` (a fresh connection without one), bounded: a bug fails in 2 s, not at vitest's timeout. */
const send = (
  url: string,
  options: { readonly method?: string; readonly headers?: Record<string, string>; readonly body?: string } = {},
  agent?: Http.Agent
) =>
  Effect.promise(() =>
    new Promise<Reply | Error>((resolve) => {
      const req = Http.request(url, { method: options.method ?? "GET", headers: options.headers, agent }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }))
        res.on("error", resolve)
      })
      req.setTimeout(2_000, () => req.destroy(new Error("no answer within 2 s")))
      req.on("error", resolve)
      req.end(options.body)
    })
  )

describe("TestServer", () => {
  it.scopedLive("records each request as sent: method, target, path, query, lower-cased headers, body, connection", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_request, res) => TestServer.json(res, 201, { ok: true }))
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
      const reply = yield* send(`${server.url}/pets/7?full=1&x=a%20b`, {
        method: "POST",
        headers: { "X-Trace": "t1", "content-type": "text/plain" },
        body: "héllo"
      })
      expect(reply).toEqual({ status: 201, body: "{\"ok\":true}" })
      const [request] = server.requests
      expect(request).toMatchObject({
        method: "POST",
        url: "/pets/7?full=1&x=a%20b",
        path: "/pets/7",
        body: "héllo",
        connection: 1
      })
      expect(request.query.get("x")).toBe("a b")
      expect(request.headers["x-trace"]).toBe("t1")
      expect(Buffer.from(request.bytes).toString("utf8")).toBe("héllo")
      expect(request.bytes.length).toBe(6)
      // the base shape, TestServer.Request, is what a MockHttpClient records too
      const common: TestServer.Request = request
      expect(common.path).toBe("/pets/7")
    }))

  it.scopedLive("record: false keeps no request, and the handler still sees each", () =>
    Effect.gen(function*() {
      let seen = 0
      const server = yield* TestServer.make({ record: false }, (_request, res) => {
        seen++
        res.end()
      })
      yield* send(server.url)
      yield* send(server.url)
      expect(seen).toBe(2)
      expect(server.requests).toEqual([])
    }))

  it.scopedLive("a handler that throws or rejects answers 500", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((request) => {
        if (request.path === "/throw") throw new Error("boom")
        return Promise.reject(new Error("boom"))
      })
      expect(yield* send(`${server.url}/throw`)).toMatchObject({ status: 500 })
      expect(yield* send(`${server.url}/reject`)).toMatchObject({ status: 500 })
    }))

  it.scopedLive("counts connections opened, open and at peak; numbers each request's connection", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_request, res) => TestServer.json(res, 200, {}))
      const agent = new Http.Agent({ keepAlive: true, maxSockets: 2 })
      yield* Effect.addFinalizer(() => Effect.sync(() => agent.destroy()))
      // two at once need two connections; a third, after, reuses one of them
      yield* Effect.all([send(server.url, {}, agent), send(server.url, {}, agent)], { concurrency: 2 })
      yield* send(server.url, {}, agent)
      expect(server.connectionsOpened).toBe(2)
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.peakConnectionsOpen === 2))).toBe(true)
      expect(new Set(server.requests.map((r) => r.connection))).toEqual(new Set([1, 2]))
      expect(server.connectionsOpen).toBe(2)
      agent.destroy()
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.connectionsOpen === 0))).toBe(true)
    }))

  it.scopedLive("a client that goes away before the response is complete is an aborted request", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_request, res) => {
        res.writeHead(200, { "content-length": "100" })
        res.write("part") // and never the rest
      })
      yield* Effect.promise(() =>
        new Promise<void>((resolve) => {
          const req = Http.request(server.url, (res) => {
            res.once("data", () => {
              req.destroy()
              resolve()
            })
          })
          req.on("error", () => resolve())
          req.end()
        })
      )
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.abortedRequests === 1))).toBe(true)
    }))

  it.scopedLive("waitUntil answers false once its bound has passed", () =>
    Effect.gen(function*() {
      const server = yield* TestServer.make((_request, res) => res.end())
      expect(yield* Effect.promise(() => server.waitUntil(() => false, 20))).toBe(false)
      expect(yield* Effect.promise(() => server.waitUntil((s) => s.requests.length === 0, 20))).toBe(true)
    }))

  it.scopedLive("closedPort is a port no connection reaches", () =>
    Effect.gen(function*() {
      const port = yield* TestServer.closedPort
      const reply = yield* send(`http://127.0.0.1:${port}/`)
      expect(reply).toBeInstanceOf(Error)
    }))

  it.scopedLive("the server is closed, with its connections, when its scope closes", () =>
    Effect.gen(function*() {
      const agent = new Http.Agent({ keepAlive: true })
      yield* Effect.addFinalizer(() => Effect.sync(() => agent.destroy()))
      const url = yield* Effect.scoped(
        Effect.gen(function*() {
          const server = yield* TestServer.make((_request, res) => TestServer.json(res, 200, {}))
          expect(yield* send(server.url, {}, agent)).toMatchObject({ status: 200 })
          return server.url
        })
      )
      expect(yield* send(url, {}, agent)).toBeInstanceOf(Error)
    }))
})

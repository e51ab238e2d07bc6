/**
 * A loopback server (127.0.0.1, port 0) that plays a script: the live backends of both lines
 * serve the cases from it. A delayed answer is dropped if the client left.
 */
import * as Http from "node:http"
import type * as Net from "node:net"
import type { Reply, Script, Seen } from "./Driver.js"

/** A running scripted server. */
export interface ScriptedServer {
  readonly url: string
  readonly seen: () => ReadonlyArray<Seen>
  readonly close: () => Promise<void>
}

/** Sends `reply` on `res` (shared by the server and, for its shape, by the mocks). */
const answer = (res: Http.ServerResponse, reply: Exclude<Reply, "reset">) => {
  if (res.destroyed) return
  if (reply.status === 204 || reply.status === 304) {
    res.writeHead(reply.status, reply.headers).end()
  } else if (reply.body === undefined) {
    const body = JSON.stringify(reply.json ?? {})
    res.writeHead(reply.status, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      ...reply.headers
    })
    res.end(body)
  } else if (reply.stall === true) {
    res.writeHead(reply.status, reply.headers)
    res.write(reply.body)
  } else {
    // chunked: no Content-Length, the body in two writes
    res.writeHead(reply.status, reply.headers)
    res.write(reply.body.slice(0, 1))
    res.end(reply.body.slice(1))
  }
}

/** Starts a server that plays `script`. */
export const scriptedServer = (script: Script): Promise<ScriptedServer> =>
  new Promise((resolve, reject) => {
    const seen: Array<Seen> = []
    const sockets = new Set<Net.Socket>()
    const timers = new Set<ReturnType<typeof setTimeout>>()
    const server = Http.createServer((req, res) => {
      const at = performance.now()
      const chunks: Array<Buffer> = []
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(req.headers)) {
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v
        }
        const url = req.url ?? "/"
        const entry: Seen = {
          method: req.method ?? "GET",
          path: new URL(url, "http://127.0.0.1").pathname,
          url,
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
          at
        }
        seen.push(entry)
        let reply: Reply
        try {
          reply = script(entry, seen.length - 1)
        } catch {
          reply = { status: 500, json: { error: "the script threw" } }
        }
        if (reply === "reset") {
          res.socket?.destroy()
          return
        }
        const send = reply
        if (send.delayMillis === undefined) return answer(res, send)
        const timer = setTimeout(() => {
          timers.delete(timer)
          answer(res, send)
        }, send.delayMillis)
        timers.add(timer)
      })
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as Net.AddressInfo
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        seen: () => seen,
        close: () =>
          new Promise<void>((done) => {
            for (const t of timers) clearTimeout(t)
            for (const s of sockets) s.destroy()
            server.close(() => done())
          })
      })
    })
  })

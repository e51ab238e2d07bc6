/**
 * The benchmark's server: a plain node:http server in its own process, answering
 * `GET /pets/:id` and `POST /pets` with small JSON bodies, and `GET /__stats` with the number
 * of connections it accepted. Prints its port on stdout.
 */
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Http2 from "node:http2"
import * as Https from "node:https"
import type * as Net from "node:net"

let connections = 0
const pet = Buffer.from(JSON.stringify({ id: 1, name: "Rex", tag: "dog", status: "available" }))

const block = Buffer.alloc(64 * 1024, 0x61)

/** `GET /download?bytes=N`: N bytes, written as fast as the client takes them. */
const download = (res: Http.ServerResponse, bytes: number) => {
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes })
  let left = bytes
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, block.length)
      left -= n
      if (!res.write(n === block.length ? block : block.subarray(0, n))) return void res.once("drain", pump)
    }
    res.end()
  }
  pump()
}

const handler = (req: Http.IncomingMessage, res: Http.ServerResponse) => {
  if (req.url?.startsWith("/download?bytes=")) return download(res, Number(req.url.slice("/download?bytes=".length)))
  if (req.url === "/__stats") {
    const body = JSON.stringify({ connections })
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
    return res.end(body)
  }
  if (req.method === "POST") {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.from(JSON.stringify({ id: 2, ...JSON.parse(Buffer.concat(chunks).toString("utf8")) }))
      res.writeHead(201, { "content-type": "application/json", "content-length": body.length })
      res.end(body)
    })
    return undefined
  }
  // the cache-hit rows: an answer any cache may keep for an hour
  const cached = req.url === "/pets/1?cached" ? { "cache-control": "public, max-age=3600" } : {}
  res.writeHead(200, { "content-type": "application/json", "content-length": pet.length, ...cached })
  return res.end(pet)
}
const server = Http.createServer({ keepAliveTimeout: 60_000 }, handler)
server.on("connection", () => {
  connections++
})

/**
 * With STEADY_BENCH_TLS_CERT and STEADY_BENCH_TLS_KEY (files), the same answers over TLS: an
 * HTTPS (HTTP/1.1) server and an HTTP/2 one (the HTTP/2 rows); their ports are printed after
 * the first, and their connections counted with the others.
 */
const tls = process.env.STEADY_BENCH_TLS_CERT === undefined ? undefined : {
  cert: Fs.readFileSync(process.env.STEADY_BENCH_TLS_CERT),
  key: Fs.readFileSync(process.env.STEADY_BENCH_TLS_KEY!)
}
const https = tls === undefined ? undefined : Https.createServer({ ...tls, keepAliveTimeout: 60_000 }, handler)
const h2 = tls === undefined ? undefined : Http2.createSecureServer(
  { ...tls, allowHTTP1: false, settings: { maxConcurrentStreams: 128 } },
  handler as unknown as (req: Http2.Http2ServerRequest, res: Http2.Http2ServerResponse) => void
)
https?.on("secureConnection", () => {
  connections++
})
h2?.on("secureConnection", () => {
  connections++
})
h2?.on("sessionError", () => {})
const listen = (s: Net.Server) =>
  new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as Net.AddressInfo).port)))
const port = await listen(server)
const ports = https === undefined || h2 === undefined ? [] : [await listen(https), await listen(h2)]
console.log([port, ...ports].join(" "))
process.on("SIGTERM", () => {
  server.closeAllConnections()
  https?.closeAllConnections()
  h2?.close()
  server.close(() => process.exit(0))
})

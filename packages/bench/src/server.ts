/**
 * The benchmark's server: a plain node:http server in its own process, answering
 * `GET /pets/:id` and `POST /pets` with small JSON bodies, and `GET /__stats` with the number
 * of connections it accepted. Prints its port on stdout.
 */
import * as Http from "node:http"
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

const server = Http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
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
})
server.on("connection", () => {
  connections++
})
server.listen(0, "127.0.0.1", () => {
  console.log(String((server.address() as Net.AddressInfo).port))
})
process.on("SIGTERM", () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})

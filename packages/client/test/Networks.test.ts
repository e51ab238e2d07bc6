/**
 * Enterprise networks against real loopback servers and processes: Debian's tinyproxy (CONNECT
 * tunnels, with and without proxy authentication), node's HTTPS server with certificates made
 * at test time by openssl (a CA, an expired certificate, another host's, a client certificate)
 * and node's HTTP/2 server (stream resets, GOAWAY).
 */
import { it } from "@effect/vitest"
import { type NetworkFixtures, networkFixtures as fx } from "@steady/behaviour"
import { ApiClient, type ApiError, ConnectionPool } from "@steady/client"
import { Effect, Formatter, Metric, Redacted, References } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import * as Fs from "node:fs"
import * as Http2 from "node:http2"
import * as Net from "node:net"
import * as Path from "node:path"
import * as Tls from "node:tls"
import { inspect } from "node:util"
import * as Undici from "undici"
import { afterAll, beforeAll, describe, expect } from "vitest"
import { capturingTracer } from "./spans.js"
import { collectLogs } from "./util.js"

let pki: NetworkFixtures.Pki
beforeAll(async () => {
  pki = await fx.makePki()
}, 30_000)
afterAll(() => pki?.close())

const quickRetry = { times: 2, base: "1 millis", cap: "2 millis" } as const

/** Everything an error shows: its message, its JSON, its inspection (with its cause). */
const shown = (error: { readonly message: string }) =>
  [error.message, JSON.stringify(error), Formatter.format(error), inspect(error, { depth: 8 })].join("\n")

/** A scoped server or proxy, closed with the test's scope. */
const scoped = <A extends { readonly close: () => Promise<void> }>(make: () => Promise<A>) =>
  Effect.acquireRelease(Effect.promise(make), (a) => Effect.promise(() => a.close()))

/** The two transports a pool serves: its fast path, and the generic one (a transformed pool `HttpClient`). */
type Via = "fast" | "generic"
const vias: ReadonlyArray<Via> = ["fast", "generic"]

/**
 * One GET (or `method`) on a pool made with `pool`, bounded: a hang fails with a message.
 * `via: "generic"` sends it through the pool's `HttpClient` transformed (a header added), as a
 * user's own transform does: the generic transport, undici's fetch on the pool's dispatcher.
 */
const call = (
  url: string,
  pool: ConnectionPool.Options,
  options: { readonly method?: "GET" | "POST"; readonly retry?: ApiClient.Options["retry"]; readonly via?: Via } = {}
) =>
  Effect.gen(function*() {
    const retry = options.retry ?? quickRetry
    const client = options.via === "generic"
      ? ApiClient.makeWith(
        (yield* HttpClient.HttpClient).pipe(HttpClient.mapRequest(HttpClientRequest.setHeader("x-via", "transform"))),
        { baseUrl: url, retry }
      )
      : yield* ApiClient.make({ baseUrl: url, retry })
    const response = options.method === "POST" ? client.post("/x") : client.get("/x")
    return yield* response.pipe(Effect.flatMap((r) => r.json))
  }).pipe(
    Effect.timeoutOrElse({ duration: "20 seconds", orElse: () => Effect.die(new Error("the call hung")) }),
    Effect.provide(ConnectionPool.layer({ env: {}, ...pool }))
  )

describe("TLS", () => {
  it.live("mutual TLS: a server that requires a client certificate gets the pool's", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server, pki.ca))
      const body = yield* call(server.url, {
        tls: { ca: pki.ca, cert: pki.client.cert, key: Redacted.make(pki.client.key) }
      })
      expect(body).toEqual({ ok: true, client: "steady client" })
      // an encrypted key opens with its passphrase
      const again = yield* call(server.url, {
        tls: {
          ca: pki.ca,
          cert: pki.client.cert,
          key: Redacted.make(pki.clientEncryptedKey),
          passphrase: Redacted.make(pki.passphrase)
        }
      })
      expect(again).toEqual({ ok: true, client: "steady client" })
    }))

  it.live("without the client certificate the server's refusal (TLS 1.2) is Tls, not retried", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server, pki.ca, { maxVersion: "TLSv1.2" }))
      const error = yield* Effect.flip(call(server.url, { tls: { ca: pki.ca } }))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Tls", sent: false, attempts: 1 })
      expect((error as ApiError.ConnectionError).code).toMatch(/^ERR_SSL_/)
      expect(server.requests()).toHaveLength(0)
      expect(server.connections()).toBe(1)
    }))

  it.live("without the client certificate the server's refusal (TLS 1.3, after the handshake) is Tls, on both transports", () =>
    Effect.gen(function*() {
      // Node's servers and clients speak TLS 1.3 unless told otherwise: the server reads the
      // client's (empty) certificate after the client's handshake has ended, and answers with
      // alert 116 then closes; undici itself reports only the close ("other side closed")
      expect(Tls.DEFAULT_MAX_VERSION).toBe("TLSv1.3")
      const server = yield* scoped(() => fx.httpsServer(pki.server, pki.ca))
      for (const via of vias) {
        const before = server.connections()
        const error = yield* Effect.flip(call(server.url, { tls: { ca: pki.ca } }, { via }))
        expect(error, via).toMatchObject({
          _tag: "ConnectionError",
          reason: "Tls",
          sent: false,
          attempts: 1,
          code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"
        })
        expect(server.connections() - before, via).toBe(1)
      }
      expect(server.requests()).toHaveLength(0)
    }))

  it.live("a certificate of a CA the pool does not trust: Tls with its code, one connection, not retried", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      for (const tls of [undefined, { ca: pki.otherCa }]) {
        const before = server.connections()
        const error = yield* Effect.flip(call(server.url, { tls }))
        expect(error).toMatchObject({
          _tag: "ConnectionError",
          reason: "Tls",
          sent: false,
          attempts: 1,
          code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
        })
        expect(error.message).toContain("TLS handshake failed")
        expect(server.connections() - before).toBe(1)
      }
      expect(server.requests()).toHaveLength(0)
    }))

  it.live("an expired certificate: Tls, CERT_HAS_EXPIRED, not retried", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.expired))
      const error = yield* Effect.flip(call(server.url, { tls: { ca: pki.ca } }))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Tls", code: "CERT_HAS_EXPIRED", attempts: 1 })
      expect(server.connections()).toBe(1)
    }))

  it.live("another host's certificate: Tls, ERR_TLS_CERT_ALTNAME_INVALID; `servername` names the host checked", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.wrongHost))
      const error = yield* Effect.flip(call(server.url, { tls: { ca: pki.ca } }))
      expect(error).toMatchObject({ reason: "Tls", code: "ERR_TLS_CERT_ALTNAME_INVALID", attempts: 1 })
      expect(server.connections()).toBe(1)
      const body = yield* call(server.url, { tls: { ca: pki.ca, servername: "wrong.example" } })
      expect(body).toMatchObject({ ok: true })
    }))

  it.live("a pool with its own `ca` still trusts NODE_EXTRA_CA_CERTS (read from the pool's env)", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      const error = yield* Effect.flip(call(server.url, { tls: { ca: pki.otherCa } }))
      expect(error).toMatchObject({ reason: "Tls" })
      const body = yield* call(server.url, { tls: { ca: pki.otherCa }, env: { NODE_EXTRA_CA_CERTS: pki.caFile } })
      expect(body).toMatchObject({ ok: true })
    }))

  it.live("a NODE_EXTRA_CA_CERTS file over 4 MiB is left out, with a warning in the log", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      // the CA, then 5 MiB of text PEM readers skip: trusted if the file were read whole
      const file = Path.join(pki.dir, "big-bundle.pem")
      Fs.writeFileSync(file, pki.ca + "#".repeat(5 * 1024 * 1024) + "\n")
      const lines: Array<string> = []
      const error = yield* Effect.flip(
        call(server.url, { tls: { ca: pki.otherCa }, env: { NODE_EXTRA_CA_CERTS: file } }).pipe(
          Effect.provide(collectLogs(lines))
        )
      )
      expect(error).toMatchObject({ reason: "Tls" })
      expect(lines.join("\n")).toMatch(/NODE_EXTRA_CA_CERTS .* over 4194304: ignored/)
    }))

  it.live("a key that does not open fails the layer with OpenSSL's words, never the passphrase", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(call("https://127.0.0.1:1", {
        tls: {
          cert: pki.client.cert,
          key: Redacted.make(pki.clientEncryptedKey),
          passphrase: Redacted.make("wrong-passphrase-91")
        }
      }))
      const text = inspect(exit, { depth: 8 })
      expect(exit._tag).toBe("Failure")
      expect(text).toContain("tls.ca, tls.cert or tls.key could not be loaded")
      expect(text).not.toContain("wrong-passphrase-91")
    }))

  it.live("per pool, never global: the global dispatcher and the environment stay as they were", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      const dispatcher = Undici.getGlobalDispatcher()
      const env = { ...process.env }
      yield* call(server.url, {
        tls: { ca: pki.ca },
        proxy: { url: "http://127.0.0.1:1", noProxy: "127.0.0.1" },
        http2: true
      })
      expect(Undici.getGlobalDispatcher()).toBe(dispatcher)
      expect(process.env).toEqual(env)
      // and a pool without the CA does not trust it
      const error = yield* Effect.flip(call(server.url, {}))
      expect(error).toMatchObject({ reason: "Tls" })
    }))
})

describe.skipIf(!fx.tinyproxyTests())("proxies (tinyproxy)", () => {
  it.live("HTTPS through the proxy's CONNECT tunnel, set by the pool or by HTTPS_PROXY", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      const proxy = yield* scoped(() => fx.tinyproxy())
      const body = yield* call(server.url, { proxy: proxy.url, tls: { ca: pki.ca } })
      expect(body).toMatchObject({ ok: true })
      expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${server.port}`)
      const tunnels = proxy.log().split(`CONNECT 127.0.0.1:${server.port}`).length - 1
      const viaEnv = yield* call(server.url, { env: { HTTPS_PROXY: proxy.url }, tls: { ca: pki.ca } })
      expect(viaEnv).toMatchObject({ ok: true })
      expect(proxy.log().split(`CONNECT 127.0.0.1:${server.port}`).length - 1).toBe(tunnels + 1)
    }))

  it.live("NO_PROXY takes a host around the proxy; loopback is not special", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      const dead = `http://127.0.0.1:${yield* Effect.promise(fx.freePort)}`
      const bypassed = yield* call(server.url, {
        env: { HTTPS_PROXY: dead, NO_PROXY: "example.com, 127.0.0.1" },
        tls: { ca: pki.ca }
      })
      expect(bypassed).toMatchObject({ ok: true })
      // without NO_PROXY, 127.0.0.1 goes to the (dead) proxy
      const error = yield* Effect.flip(call(server.url, { env: { https_proxy: dead }, tls: { ca: pki.ca } }))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Proxy", sent: false })
      expect(server.connections()).toBe(1)
    }))

  it.live("a proxy that refuses the connection: Proxy, not sent, so even a POST is retried", () =>
    Effect.gen(function*() {
      const dead = `http://127.0.0.1:${yield* Effect.promise(fx.freePort)}`
      const error = yield* Effect.flip(call("https://api.example", { proxy: dead }, { method: "POST" }))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Proxy", sent: false, attempts: 3 })
      expect(error.message).toContain("the proxy refused the connection")
      expect(error.message).toContain(`through the proxy ${dead}/`)
    }))

  it.live("generic transport: a proxy that refuses the connection is Proxy, not sent, so even a POST is retried", () =>
    Effect.gen(function*() {
      const dead = `http://127.0.0.1:${yield* Effect.promise(fx.freePort)}`
      const error = yield* Effect.flip(
        call("https://api.example", { proxy: dead }, { method: "POST", via: "generic" })
      )
      expect(error).toMatchObject({
        _tag: "ConnectionError",
        reason: "Proxy",
        sent: false,
        attempts: 3,
        code: "ECONNREFUSED"
      })
      expect(error.message).toContain("the proxy refused the connection")
      expect(error.message).toContain(`through the proxy ${dead}/`)
    }))

  it.live("generic transport: a 407 on the tunnel is Proxy, not sent, so even a POST is retried; redacted", () =>
    Effect.gen(function*() {
      const password = "s3cret-proxy-pw"
      const wrong = "wr0ng-proxy-pw"
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      const proxy = yield* scoped(() => fx.tinyproxy({ user: "steady", password }))
      const ok = yield* call(server.url, {
        proxy: { url: proxy.url, auth: Redacted.make(`steady:${password}`) },
        tls: { ca: pki.ca }
      }, { method: "POST", via: "generic" })
      expect(ok).toMatchObject({ ok: true })
      for (const url of [proxy.url, `http://steady:${wrong}@127.0.0.1:${proxy.port}`]) {
        const error = yield* Effect.flip(
          call(server.url, { proxy: url, tls: { ca: pki.ca } }, { method: "POST", via: "generic" })
        )
        expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Proxy", sent: false, attempts: 3 })
        // tinyproxy answers a CONNECT without good credentials with 401, others with 407
        expect(error.message).toMatch(/Proxy response \(40[17]\)/)
        for (const secret of [wrong, Buffer.from(`steady:${wrong}`).toString("base64")]) {
          expect(shown(error)).not.toContain(secret)
        }
      }
      expect(server.requests()).toHaveLength(1)
    }))

  it.live("through the tunnel, a TLS 1.3 server's refusal of the missing client certificate is Tls, on both transports", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server, pki.ca))
      const proxy = yield* scoped(() => fx.tinyproxy())
      for (const via of vias) {
        const error = yield* Effect.flip(call(server.url, { proxy: proxy.url, tls: { ca: pki.ca } }, { via }))
        expect(error, via).toMatchObject({
          _tag: "ConnectionError",
          reason: "Tls",
          sent: false,
          attempts: 1,
          code: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"
        })
      }
      expect(server.requests()).toHaveLength(0)
      expect(server.connections()).toBe(2)
    }))

  it.live("the open-connections gauge counts the connections through a proxy, and none once the pool closes", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      const proxy = yield* scoped(() => fx.tinyproxy())
      const gauge = ApiClient.metrics.poolOpenConnections.pipe(Metric.withAttributes({ pool: "proxied" }))
      yield* Effect.scoped(
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: server.url })
          yield* Effect.all([client.get("/a"), client.get("/b"), client.get("/c")], { concurrency: 3 })
          expect(server.connections()).toBeGreaterThan(0)
          expect((yield* Metric.value(gauge)).value).toBe(server.connections())
        }).pipe(
          Effect.provide(ConnectionPool.layer({ name: "proxied", env: {}, proxy: proxy.url, tls: { ca: pki.ca } }))
        )
      )
      expect((yield* Metric.value(gauge)).value).toBe(0)
    }))

  it.live("proxy authentication: the pool's credentials pass; missing or wrong ones are a 407, Proxy, redacted", () =>
    Effect.gen(function*() {
      const password = "s3cret-proxy-pw"
      const server = yield* scoped(() => fx.httpsServer(pki.server))
      const proxy = yield* scoped(() => fx.tinyproxy({ user: "steady", password }))
      const ok = yield* call(server.url, {
        proxy: { url: proxy.url, auth: Redacted.make(`steady:${password}`) },
        tls: { ca: pki.ca }
      })
      expect(ok).toMatchObject({ ok: true })
      const inUrl = yield* call(server.url, {
        proxy: `http://steady:${password}@127.0.0.1:${proxy.port}`,
        tls: { ca: pki.ca }
      })
      expect(inUrl).toMatchObject({ ok: true })

      const lines: Array<string> = []
      const { spans, tracer } = yield* capturingTracer
      const wrong = "wr0ng-proxy-pw"
      for (
        const pool of [
          { proxy: proxy.url },
          { proxy: `http://steady:${wrong}@127.0.0.1:${proxy.port}` },
          { env: { HTTPS_PROXY: `http://steady:${wrong}@127.0.0.1:${proxy.port}` } }
        ] satisfies ReadonlyArray<ConnectionPool.Options>
      ) {
        const error = yield* Effect.flip(call(server.url, { ...pool, tls: { ca: pki.ca } })).pipe(
          Effect.withTracer(tracer),
          Effect.provide(collectLogs(lines)),
          Effect.provideService(References.MinimumLogLevel, "All")
        )
        expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Proxy", sent: false, attempts: 3 })
        // tinyproxy answers a CONNECT without good credentials with 401, others with 407
        expect(error.message).toMatch(/Proxy response \(40[17]\)/)
        for (const secret of [wrong, Buffer.from(`steady:${wrong}`).toString("base64")]) {
          expect(shown(error)).not.toContain(secret)
        }
      }
      expect(server.requests()).toHaveLength(2)
      const everything = [...lines, ...spans.map((s) => inspect(s, { depth: 8 }))].join("\n")
      expect(spans.length).toBeGreaterThan(0)
      expect(lines.some((line) => line.includes("retrying"))).toBe(true)
      expect(everything).not.toContain(wrong)
      expect(everything).not.toContain(Buffer.from(`steady:${wrong}`).toString("base64"))
    }))
})

describe("proxies that fail", () => {
  it.live("a proxy that resets the connection: Proxy, not sent, so even a POST is retried, on both transports", () =>
    Effect.gen(function*() {
      // a "proxy" that accepts each connection and resets it at once
      let accepted = 0
      const proxy = yield* scoped(() =>
        new Promise<{ readonly port: number; readonly close: () => Promise<void> }>((resolve) => {
          const server = Net.createServer((socket) => {
            accepted++
            socket.resetAndDestroy()
          })
          server.listen(0, "127.0.0.1", () =>
            resolve({
              port: (server.address() as Net.AddressInfo).port,
              close: () => new Promise<void>((done) => server.close(() => done()))
            }))
        })
      )
      for (const via of vias) {
        const before = accepted
        const error = yield* Effect.flip(
          call("https://api.example", { proxy: `http://127.0.0.1:${proxy.port}` }, { method: "POST", via })
        )
        expect(error, via).toMatchObject({ _tag: "ConnectionError", reason: "Proxy", sent: false, attempts: 3 })
        expect(error.message, via).toContain(`through the proxy http://127.0.0.1:${proxy.port}/`)
        expect(accepted - before, via).toBe(3)
      }
    }))
})

/** An h2 server that answers the requests after the first normally, and the first with `first`. */
const firstFails =
  (first: (stream: Http2.ServerHttp2Stream, session: Http2.ServerHttp2Session) => void) =>
  (n: number, stream: Http2.ServerHttp2Stream, session: Http2.ServerHttp2Session) => {
    if (n === 1) return first(stream, session)
    stream.respond({ ":status": 200, "content-type": "application/json" })
    stream.end(JSON.stringify({ ok: true, n }))
  }

describe("HTTP/2", () => {
  it.live("http2: true speaks h2 with a node:http2 server: concurrent requests share one connection", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() => fx.http2Server(pki.server))
      const results = yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: server.url })
        // once the connection says it speaks h2, the pool sends every request on it
        yield* client.get("/warm-up")
        return yield* Effect.all(
          Array.from({ length: 16 }, () => Effect.flatMap(client.get("/x"), (r) => r.json)),
          { concurrency: "unbounded" }
        )
      }).pipe(Effect.provide(ConnectionPool.layer({ env: {}, http2: true, tls: { ca: pki.ca } })))
      expect(results).toHaveLength(16)
      expect(server.requests().every((r) => r.version === "2.0")).toBe(true)
      expect(server.connections()).toBe(1)
    }))

  it.live("a stream the server refused (REFUSED_STREAM) was not processed: even a POST is retried", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() =>
        fx.http2Server(pki.server, firstFails((stream) => stream.close(Http2.constants.NGHTTP2_REFUSED_STREAM)))
      )
      const body = yield* call(server.url, { http2: true, tls: { ca: pki.ca } }, { method: "POST" })
      expect(body).toMatchObject({ ok: true, n: 2 })
    }))

  it.live("a stream reset after the request arrived is a Reset that may have been sent: a POST is not retried", () =>
    Effect.gen(function*() {
      const server = yield* scoped(() =>
        fx.http2Server(pki.server, firstFails((stream) => stream.close(Http2.constants.NGHTTP2_INTERNAL_ERROR)))
      )
      const error = yield* Effect.flip(call(server.url, { http2: true, tls: { ca: pki.ca } }, { method: "POST" }))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Reset", sent: true, attempts: 1 })
      // a GET is retried, as after a connection reset
      const body = yield* call(server.url, { http2: true, tls: { ca: pki.ca } })
      expect(body).toMatchObject({ ok: true })
    }))

  it.live("GOAWAY is a connection reset: a POST that may have been processed is not retried, a GET is", () =>
    Effect.gen(function*() {
      const goaway = firstFails((stream, session) => session.goaway(Http2.constants.NGHTTP2_INTERNAL_ERROR, stream.id))
      const post = yield* scoped(() => fx.http2Server(pki.server, goaway))
      const error = yield* Effect.flip(call(post.url, { http2: true, tls: { ca: pki.ca } }, { method: "POST" }))
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "Reset", sent: true, attempts: 1 })
      expect(post.requests()).toHaveLength(1)
      const get = yield* scoped(() => fx.http2Server(pki.server, goaway))
      const body = yield* call(get.url, { http2: true, tls: { ca: pki.ca } })
      expect(body).toMatchObject({ ok: true, n: 2 })
    }))
})

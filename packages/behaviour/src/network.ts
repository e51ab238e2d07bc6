/**
 * Fixtures for the network tests of both Effect lines: certificates made at test time with the
 * `openssl` CLI, Debian's tinyproxy started on a free loopback port, and TLS and HTTP/2
 * servers on 127.0.0.1. Every process started here is stopped by its `close`; every wait is
 * bounded. `.ci/run` installs openssl and tinyproxy.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Http2 from "node:http2"
import * as Https from "node:https"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import type * as Tls from "node:tls"

const run = (file: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<void>((resolve, reject) => {
    execFile(file, args, { cwd, timeout: 20_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(" ")} failed: ${stderr || error.message}`))
      else resolve()
    })
  })

/** A certificate and its key, PEM. */
export interface KeyPair {
  readonly cert: string
  readonly key: string
}

/** What the TLS tests need, made in a temporary directory. */
export interface Pki {
  readonly dir: string
  /** The CA that signed every certificate below (PEM), and its file. */
  readonly ca: string
  readonly caFile: string
  /** Another CA, which signed nothing here. */
  readonly otherCa: string
  /** For localhost and 127.0.0.1. */
  readonly server: KeyPair
  /** For localhost and 127.0.0.1, expired in 2020. */
  readonly expired: KeyPair
  /** For wrong.example only. */
  readonly wrongHost: KeyPair
  /** A client certificate (clientAuth). */
  readonly client: KeyPair
  /** The client key, encrypted with `passphrase`. */
  readonly clientEncryptedKey: string
  readonly passphrase: string
  readonly close: () => void
}

const caConfig = (dir: string) =>
  `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}
certificate = ${dir}/ca.pem
private_key = ${dir}/ca.key
serial = ${dir}/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
[ server_ext ]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
[ wrong_ext ]
basicConstraints = CA:FALSE
subjectAltName = DNS:wrong.example
extendedKeyUsage = serverAuth
[ client_ext ]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
`

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

/** Makes the CAs and certificates (a few seconds at most: EC keys). */
export const makePki = async (): Promise<Pki> => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-pki-"))
  const read = (name: string) => Fs.readFileSync(Path.join(dir, name), "utf8")
  try {
    Fs.writeFileSync(Path.join(dir, "index.txt"), "")
    Fs.writeFileSync(Path.join(dir, "serial"), "1000\n")
    Fs.writeFileSync(Path.join(dir, "ca.cnf"), caConfig(dir))
    const selfSigned = (name: string, cn: string) =>
      run("openssl", [
        "req",
        "-x509",
        ...ecKey,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.pem`,
        "-days",
        "2",
        "-subj",
        `/CN=${cn}`,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign"
      ], dir)
    await selfSigned("ca", "steady test CA")
    await selfSigned("other-ca", "steady other CA")
    // one at a time: `openssl ca` keeps its serial and index in files
    const signed = async (name: string, cn: string, ext: string, dates: ReadonlyArray<string>) => {
      await run("openssl", [
        "req",
        "-new",
        ...ecKey,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        `/CN=${cn}`
      ], dir)
      await run("openssl", [
        "ca",
        "-batch",
        "-notext",
        "-config",
        "ca.cnf",
        "-extensions",
        ext,
        ...dates,
        "-in",
        `${name}.csr`,
        "-out",
        `${name}.pem`
      ], dir)
    }
    await signed("server", "localhost", "server_ext", ["-days", "2"])
    await signed("expired", "localhost", "server_ext", ["-startdate", "20200101000000Z", "-enddate", "20200102000000Z"])
    await signed("wrong", "wrong.example", "wrong_ext", ["-days", "2"])
    await signed("client", "steady client", "client_ext", ["-days", "2"])
    const passphrase = "pki-passphrase-7f3a"
    await run("openssl", [
      "pkey",
      "-in",
      "client.key",
      "-aes256",
      "-passout",
      `pass:${passphrase}`,
      "-out",
      "client.enc.key"
    ], dir)
    const pair = (name: string): KeyPair => ({ cert: read(`${name}.pem`), key: read(`${name}.key`) })
    return {
      dir,
      ca: read("ca.pem"),
      caFile: Path.join(dir, "ca.pem"),
      otherCa: read("other-ca.pem"),
      server: pair("server"),
      expired: pair("expired"),
      wrongHost: pair("wrong"),
      client: pair("client"),
      clientEncryptedKey: read("client.enc.key"),
      passphrase,
      close: () => Fs.rmSync(dir, { recursive: true, force: true })
    }
  } catch (error) {
    Fs.rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/** A loopback server and what it saw. */
export interface TestServer {
  readonly port: number
  readonly url: string
  /** TLS handshakes begun (a connection the client gave up on during the handshake counts). */
  readonly connections: () => number
  /** Requests that reached a handler. */
  readonly requests: () => ReadonlyArray<{ readonly method: string; readonly path: string; readonly version: string }>
  readonly close: () => Promise<void>
}

const listen = (server: Net.Server) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve((server.address() as Net.AddressInfo).port))
  })

/**
 * An HTTPS server on 127.0.0.1 with `pair`; with `ca`, it requires a client certificate that
 * CA signed. It answers `{"ok":true,"client":<the client certificate's CN or null>}`.
 */
export const httpsServer = async (
  pair: KeyPair,
  ca?: string,
  options: { readonly maxVersion?: Tls.SecureVersion } = {}
): Promise<TestServer> => {
  let connections = 0
  const seen: Array<{ method: string; path: string; version: string }> = []
  const server = Https.createServer(
    { ...pair, ...options, ...(ca === undefined ? {} : { ca, requestCert: true, rejectUnauthorized: true }) },
    (req, res) => {
      seen.push({ method: req.method ?? "", path: req.url ?? "", version: req.httpVersion })
      const socket = req.socket as Tls.TLSSocket
      const peer = socket.getPeerCertificate()
      const client = peer !== null && typeof peer === "object" && peer.subject !== undefined ? peer.subject.CN : null
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify({ ok: true, client }))
    }
  )
  server.on("connection", () => connections++)
  // a client that refuses the certificate closes the socket: not an error of the test
  server.on("tlsClientError", () => {})
  const port = await listen(server)
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    connections: () => connections,
    requests: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** What an HTTP/2 server does with the request number `n` (from 1). */
export type Http2Behaviour = (n: number, stream: Http2.ServerHttp2Stream, session: Http2.ServerHttp2Session) => void

/**
 * An HTTP/2 server over TLS (ALPN `h2` only, no HTTP/1.1) on 127.0.0.1. By default it answers
 * 200 `{"ok":true,"stream":<id>}`; `behaviour` may reset the stream or send GOAWAY instead.
 */
export const http2Server = async (pair: KeyPair, behaviour?: Http2Behaviour): Promise<TestServer> => {
  let connections = 0
  let n = 0
  const seen: Array<{ method: string; path: string; version: string }> = []
  const sessions = new Set<Http2.ServerHttp2Session>()
  const server = Http2.createSecureServer({ ...pair, allowHTTP1: false })
  server.on("session", (session) => {
    connections++
    sessions.add(session)
    session.on("close", () => sessions.delete(session))
    session.on("error", () => {})
  })
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {})
    seen.push({ method: String(headers[":method"]), path: String(headers[":path"]), version: "2.0" })
    const count = ++n
    if (behaviour !== undefined) return behaviour(count, stream, stream.session as Http2.ServerHttp2Session)
    stream.respond({ ":status": 200, "content-type": "application/json" })
    stream.end(JSON.stringify({ ok: true, stream: stream.id }))
  })
  const port = await listen(server)
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    connections: () => connections,
    requests: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy()
        server.close(() => resolve())
      })
  }
}

/**
 * Whether the tests that need tinyproxy run: when it is installed, and always under `CI=true`
 * (where its absence fails them: .ci/run installs it).
 */
export const tinyproxyTests = (): boolean =>
  process.env.CI === "true" || spawnSync("tinyproxy", ["-v"], { stdio: "ignore" }).status === 0

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = Net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

/** Resolves once the port accepts a connection (bounded: 5 s). */
const ready = (port: number, child: ChildProcess, log: () => string) =>
  new Promise<void>((resolve, reject) => {
    const started = Date.now()
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`tinyproxy exited (${child.exitCode}): ${log()}`))
      const socket = Net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        resolve()
      })
      socket.once("error", () => {
        socket.destroy()
        if (Date.now() - started > 5_000) reject(new Error(`tinyproxy did not listen on ${port} within 5 s: ${log()}`))
        else setTimeout(attempt, 20)
      })
    }
    attempt()
  })

/** A tinyproxy of the test's own. */
export interface Proxy {
  readonly port: number
  /** `http://127.0.0.1:<port>`, without credentials. */
  readonly url: string
  /** The CONNECT tunnels and requests it logged (`CONNECT 127.0.0.1:…`), for "did it go through". */
  readonly log: () => string
  readonly close: () => Promise<void>
}

/**
 * Starts Debian's tinyproxy on 127.0.0.1 on a free port, from a config file of its own in a
 * temporary directory, in the foreground; with `auth`, it requires those Basic credentials.
 * CONNECT is allowed to every port (no `ConnectPort` line).
 */
export const tinyproxy = async (auth?: { readonly user: string; readonly password: string }): Promise<Proxy> => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-tinyproxy-"))
  const port = await freePort()
  const logFile = Path.join(dir, "tinyproxy.log")
  Fs.writeFileSync(
    Path.join(dir, "tinyproxy.conf"),
    [
      `Port ${port}`,
      "Listen 127.0.0.1",
      "Timeout 30",
      `LogFile "${logFile}"`,
      "LogLevel Connect",
      "MaxClients 50",
      "Allow 127.0.0.1",
      "DisableViaHeader Yes",
      ...(auth === undefined ? [] : [`BasicAuth ${auth.user} ${auth.password}`])
    ].join("\n") + "\n"
  )
  const child = spawn("tinyproxy", ["-d", "-c", Path.join(dir, "tinyproxy.conf")], { stdio: "ignore" })
  const log = () => {
    try {
      return Fs.readFileSync(logFile, "utf8")
    } catch {
      return ""
    }
  }
  const close = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        Fs.rmSync(dir, { recursive: true, force: true })
        resolve()
      }
      if (child.exitCode !== null || child.signalCode !== null) return done()
      child.once("exit", done)
      child.kill("SIGTERM")
    })
  try {
    await ready(port, child, log)
  } catch (error) {
    await close()
    throw error
  }
  return { port, url: `http://127.0.0.1:${port}`, log, close }
}

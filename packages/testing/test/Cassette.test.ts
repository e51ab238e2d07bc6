import { it } from "@effect/vitest"
import { ApiClient, Auth, Retry } from "@steady/client"
import * as Core from "@steady/core/Cassette"
import { Cassette, Fault, MockHttpClient, TestServer } from "@steady/testing"
import { Cause, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { HttpBody, HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Zlib from "node:zlib"
import { afterAll, describe, expect, vi } from "vitest"

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-cassette4-"))
afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))
let n = 0
const file = (name: string) => Path.join(dir, `${++n}-${name}.json`)
const readEntries = (path: string) => (JSON.parse(Fs.readFileSync(path, "utf8")) as Core.Cassette).entries
const writeCassette = (path: string, entries: ReadonlyArray<Core.Entry>) =>
  Fs.writeFileSync(path, Core.serialize({ entries }))
const entry = (method: string, url: string, status: number, body = "", delayMillis?: number): Core.Entry => ({
  request: { method, url, headers: {} },
  response: { status, headers: { "content-type": "text/plain" }, body: body === "" ? undefined : { text: body } },
  delayMillis
})

/** The defect a run died with, or fails the test. */
const defectOf = <A, E>(exit: Exit.Exit<A, E>): unknown => {
  if (Exit.isSuccess(exit)) throw new Error("expected a defect, got a success")
  const defect = exit.cause.reasons.find(Cause.isDieReason)
  if (defect === undefined) throw new Error(`expected a defect, got ${Cause.pretty(exit.cause)}`)
  return defect.defect
}

/** Joins a fiber that must have ended by now: a bug fails at once, not at vitest's timeout. */
const joinNow = <A, E>(fiber: Fiber.Fiber<A, E>): Effect.Effect<A, E> =>
  Effect.suspend(() =>
    fiber.pollUnsafe() === undefined
      ? Effect.die(new Error("the call has not ended: it should have"))
      : Fiber.join(fiber)
  )

const binary = new Uint8Array([0, 1, 2, 255, 254, 0x80])

describe("Cassette (Effect 4)", () => {
  it.live("records real traffic through the pool, then replays it byte for byte without the network", () =>
    Effect.gen(function*() {
      const path = file("bytes")
      const server = yield* TestServer.make((req, res) => {
        if (req.path === "/bin") {
          res.writeHead(200, { "content-type": "application/octet-stream", "x-kind": "bin" })
          return res.end(Buffer.from(binary))
        }
        if (req.method === "POST") return TestServer.json(res, 201, { got: req.body })
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8", etag: "\"v1\"" })
        res.end("\uFEFFhé, plain text\n")
      })
      const calls = Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const text = yield* client.get(`${server.url}/text?b=2&a=1`)
        const bin = yield* client.get(`${server.url}/bin`)
        const post = yield* client.post(`${server.url}/pets`, {
          body: HttpBody.text("{\"name\":\"Rex\"}", "application/json")
        })
        return [
          { status: text.status, etag: text.headers.etag, bytes: new Uint8Array(yield* text.arrayBuffer) },
          { status: bin.status, kind: bin.headers["x-kind"], bytes: new Uint8Array(yield* bin.arrayBuffer) },
          { status: post.status, bytes: new Uint8Array(yield* post.arrayBuffer) }
        ]
      })
      const recorded = yield* calls.pipe(Effect.provide(Cassette.layer(path, { mode: "record", allowRecording: true })))
      expect(server.requests).toHaveLength(3)
      expect(recorded[1].bytes).toEqual(binary)
      const onDisk = readEntries(path)
      expect(onDisk.map((e) => e.response.body)).toEqual([
        { text: "\uFEFFhé, plain text\n" },
        { base64: Buffer.from(binary).toString("base64") },
        { text: "{\"got\":\"{\\\"name\\\":\\\"Rex\\\"}\"}" }
      ])
      expect(Fs.readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([])

      const replayed = yield* calls.pipe(Effect.provide(Cassette.layer(path, { mode: "replay" })))
      expect(server.requests).toHaveLength(3)
      expect(replayed).toEqual(recorded)
    }))

  it.live("no secret reaches the disk: a suite of recordings scanned for every secret, raw, base64 and URL-encoded", () =>
    Effect.gen(function*() {
      const suite = Fs.mkdtempSync(Path.join(dir, "secrets-"))
      const secrets = {
        bearer: "bearer-tok-4f9a81",
        apiKey: "key+with/odd=chars&1",
        custom: "custom-header-7731",
        clientSecret: "client-secret-55aa",
        accessToken: "access-tok-9c2e",
        refreshToken: "refresh-tok-0d3b",
        idToken: "id-tok-e1f0",
        cookie: "session-cookie-8e8e",
        password: "basic-pass-7272",
        given: "given-redacted-3131"
      }
      const echo = yield* TestServer.make((req, res) => {
        if (req.path === "/oauth/token") {
          return TestServer.json(res, 200, {
            access_token: secrets.accessToken,
            refresh_token: secrets.refreshToken,
            id_token: secrets.idToken,
            token_type: "bearer",
            expires_in: 3600
          })
        }
        // echoes everything it received: a secret sent is a secret answered
        res.writeHead(200, {
          "content-type": "application/json",
          "set-cookie": `sid=${secrets.cookie}; Path=/; HttpOnly`
        })
        res.end(JSON.stringify({ url: req.url, headers: req.headers, body: req.body }))
      })
      const record = <A, E>(
        name: string,
        effect: Effect.Effect<A, E, HttpClient.HttpClient>,
        auth?: Layer.Layer<Auth.Auth>
      ) => {
        const cassette = Cassette.layer(Path.join(suite, `${name}.json`), {
          mode: "record",
          allowRecording: true,
          sensitiveHeaders: ["x-custom-token"],
          secrets: [Redacted.make(secrets.given)]
        })
        return Effect.provide(effect, auth === undefined ? cassette : Layer.provideMerge(auth, cassette))
      }
      const api = (auth?: Layer.Layer<Auth.Auth>) =>
        record(
          `api-${n++}`,
          Effect.gen(function*() {
            const client = yield* ApiClient.make({ baseUrl: echo.url, sensitiveHeaders: ["x-custom-token"] })
            yield* client.get("/pets", { headers: { "x-custom-token": secrets.custom } })
            yield* client.post("/pets", { body: HttpBody.text(`{"note":"${secrets.given}"}`, "application/json") })
          }),
          auth
        )
      yield* api(Auth.layerBearer(Redacted.make(secrets.bearer)))
      yield* api(Auth.layerApiKey({ query: "api_key" }, Redacted.make(secrets.apiKey)))
      yield* api(Auth.layerBasic("user", Redacted.make(secrets.password)))
      // the OAuth token request goes through the cassette too: the client secret in the form, the tokens in the answer
      yield* record(
        "oauth",
        Effect.gen(function*() {
          const client = yield* ApiClient.make({ baseUrl: echo.url })
          yield* client.get("/pets")
        }).pipe(
          Effect.provide(
            Auth.layerOAuth2ClientCredentials({
              tokenUrl: `${echo.url}/oauth/token`,
              clientId: "app",
              clientSecret: Redacted.make(secrets.clientSecret),
              clientAuthentication: "body",
              origins: [echo.url]
            })
          )
        )
      )
      yield* record(
        "cookie",
        Effect.gen(function*() {
          const client = yield* HttpClient.HttpClient
          yield* client.get(`${echo.url}/me`, { headers: { cookie: `sid=${secrets.cookie}` } })
        })
      )
      const files = Fs.readdirSync(suite)
      expect(files).toHaveLength(5)
      const disk = files.map((name) => Fs.readFileSync(Path.join(suite, name), "utf8")).join("\n")
      expect(disk).toContain("<redacted>")
      for (const [name, secret] of Object.entries(secrets)) {
        for (
          const form of [
            secret,
            encodeURIComponent(secret),
            new URLSearchParams({ s: secret }).toString().slice(2),
            Buffer.from(secret).toString("base64")
          ]
        ) {
          expect(disk.includes(form), `${name} on disk as ${form}`).toBe(false)
        }
      }
    }))

  it.live("a request with no recorded match dies with CassetteMismatch naming the nearest entry and the difference", () =>
    Effect.gen(function*() {
      const path = file("mismatch")
      writeCassette(path, [
        entry("GET", "http://api.test/pets", 200, "[]"),
        {
          ...entry("POST", "http://api.test/pets", 201, "{}"),
          request: { method: "POST", url: "http://api.test/pets", headers: {}, body: { text: "{\"name\":\"Rex\"}" } }
        }
      ])
      const exit = yield* Effect.exit(
        Effect.flatMap(
          HttpClient.HttpClient,
          (client) => client.post("http://api.test/pets", { body: HttpBody.text("{\"name\":\"Fido\"}") })
        ).pipe(Effect.provide(Cassette.layer(path, { mode: "replay" })))
      )
      const defect = defectOf(exit) as Cassette.CassetteMismatch
      expect(defect).toBeInstanceOf(Cassette.CassetteMismatch)
      expect(defect.nearest).toBe(1)
      expect(defect.message).toContain(
        `cassette ${path}: POST http://api.test/pets: no recorded match; the nearest is entry 1`
      )
      expect(defect.differences).toEqual([
        "body: differs at character 9: recorded \"{\\\"name\\\":\\\"Rex\\\"}\", sent \"{\\\"name\\\":\\\"Fido\\\"}\""
      ])
    }))

  it.live("the mismatch is not retried nor turned into an ApiError: the client's retries cannot hide it", () =>
    Effect.gen(function*() {
      const path = file("mismatch-client")
      writeCassette(path, [entry("GET", "http://api.test/pets", 200, "[]")])
      const exit = yield* Effect.exit(
        Effect.flatMap(ApiClient.make({ baseUrl: "http://api.test" }), (client) => client.get("/dogs")).pipe(
          Effect.catch(() => Effect.succeed("swallowed")),
          Effect.provide(Cassette.layer(path, { mode: "replay" }))
        )
      )
      expect((defectOf(exit) as Cassette.CassetteMismatch)._tag).toBe("CassetteMismatch")
    }))

  it.effect("repeated requests replay in recorded order (503 then 200), so the client's retry behaves as recorded", () =>
    Effect.gen(function*() {
      const path = file("sequence")
      writeCassette(path, [
        {
          ...entry("GET", "http://api.test/pets", 503, "busy"),
          response: { status: 503, headers: { "retry-after": "2" } }
        },
        entry("GET", "http://api.test/pets", 200, "[]")
      ])
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: "http://api.test", retry: Retry.standard({ times: 2 }) })
        const fiber = yield* Effect.forkChild(client.get("/pets"))
        yield* TestClock.adjust("1999 millis")
        expect(fiber.pollUnsafe()).toBeUndefined()
        yield* TestClock.adjust("1 millis")
        const response = yield* joinNow(fiber)
        expect(response.status).toBe(200)
        expect(yield* (yield* Cassette.Cassette).unused).toEqual([])
        // a third identical request was never recorded
        const exit = yield* Effect.exit(client.get("/pets").pipe(ApiClient.withCallOptions({ retry: false })))
        expect((defectOf(exit) as Cassette.CassetteMismatch).message).toContain(
          "the cassette has 2 recording(s) of this request and all were replayed"
        )
      }).pipe(Effect.provide(Cassette.layer(path, { mode: "replay" })))
    }))

  it.effect("delays: kept, a replay waits the recorded time on the TestClock; dropped (the default), it does not", () =>
    Effect.gen(function*() {
      const path = file("delays")
      writeCassette(path, [entry("GET", "http://api.test/slow", 200, "ok", 1000)])
      yield* Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const fiber = yield* Effect.forkChild(client.get("http://api.test/slow"))
        yield* TestClock.adjust("999 millis")
        expect(fiber.pollUnsafe()).toBeUndefined()
        yield* TestClock.adjust("1 millis")
        expect((yield* joinNow(fiber)).status).toBe(200)
      }).pipe(Effect.provide(Cassette.layer(path, { mode: "replay", delays: "keep" })))
      yield* Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const fiber = yield* Effect.forkChild(client.get("http://api.test/slow"))
        yield* Effect.yieldNow
        yield* Effect.yieldNow
        expect(fiber.pollUnsafe()).toBeDefined()
      }).pipe(Effect.provide(Cassette.layer(path, { mode: "replay" })))
    }))

  it.live("auto records what is missing and replays the rest; where recording is not allowed it only replays", () =>
    Effect.gen(function*() {
      const path = file("auto")
      const server = yield* TestServer.make((req, res) => TestServer.json(res, 200, { path: req.path }))
      writeCassette(path, [entry("GET", `${server.url}/old`, 200, "from tape")])
      const get = (p: string) =>
        Effect.flatMap(
          HttpClient.HttpClient,
          (client) => Effect.flatMap(client.get(`${server.url}${p}`), (r) => r.text)
        )
      const both = Effect.all([get("/old"), get("/new")])
      expect(yield* both.pipe(Effect.provide(Cassette.layer(path, { mode: "auto", allowRecording: true })))).toEqual([
        "from tape",
        "{\"path\":\"/new\"}"
      ])
      expect(server.requests.map((r) => r.path)).toEqual(["/new"])
      expect(readEntries(path).map((e) => e.request.url)).toEqual([`${server.url}/old`, `${server.url}/new`])

      // CI: auto replays only; a request the cassette lacks is a mismatch, not a recording
      const refused = yield* Effect.exit(
        get("/newer").pipe(Effect.provide(Cassette.layer(path, { mode: "auto", allowRecording: false })))
      )
      expect((defectOf(refused) as Cassette.CassetteMismatch)._tag).toBe("CassetteMismatch")
      expect(server.requests).toHaveLength(1)
    }))

  it.live("CI=true refuses recording unless allowRecording says otherwise", () =>
    Effect.gen(function*() {
      vi.stubEnv("CI", "true")
      try {
        const path = file("ci")
        writeCassette(path, [])
        const error = yield* Effect.flip(Layer.build(Cassette.layer(path, { mode: "record" })).pipe(Effect.scoped))
        expect(error).toMatchObject({ _tag: "CassetteError", reason: "RecordingRefused" })
        expect(error.message).toContain("recording is refused on CI (CI=true)")
        const auto = yield* Effect.flatMap(Cassette.Cassette, (c) => Effect.succeed(c.mode)).pipe(
          Effect.provide(Cassette.layer(path, { mode: "auto" }))
        )
        expect(auto).toBe("replay")
        const allowed = yield* Effect.flatMap(Cassette.Cassette, (c) => Effect.succeed(c.mode)).pipe(
          Effect.provide(Cassette.layer(path, { mode: "record", allowRecording: true }))
        )
        expect(allowed).toBe("record")
      } finally {
        vi.unstubAllEnvs()
      }
    }))

  it.effect("faults on replay: a 503 and a reset stand in front of the recording, which the retry gets; a slow body runs on the TestClock", () =>
    Effect.gen(function*() {
      const path = file("faults")
      writeCassette(path, [entry("GET", "http://api.test/pets", 200, "[1,2,3]")])
      yield* Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        expect((yield* client.get("http://api.test/pets")).status).toBe(503)
        const reset = yield* Effect.flip(client.get("http://api.test/pets"))
        expect(reset.reason._tag).toBe("TransportError")
        const fiber = yield* Effect.forkChild(
          Effect.flatMap(client.get("http://api.test/pets"), (r) => r.text)
        )
        yield* TestClock.adjust("299 millis")
        expect(fiber.pollUnsafe()).toBeUndefined()
        yield* TestClock.adjust("1 millis")
        expect(yield* joinNow(fiber)).toBe("[1,2,3]")
      }).pipe(
        Effect.provide(
          Cassette.layer(path, {
            mode: "replay",
            repeat: true,
            faults: Cassette.faults({
              "GET /pets": [Fault.status(503), Fault.resetBeforeHeaders, Fault.slowBody(3, 100)]
            })
          })
        )
      )
      // with the client's retries: the injected 503 is retried, the recording answers
      yield* Effect.gen(function*() {
        const client = yield* ApiClient.make({ baseUrl: "http://api.test" })
        const fiber = yield* Effect.forkChild(client.get("/pets"))
        yield* TestClock.adjust("10 seconds")
        expect((yield* joinNow(fiber)).status).toBe(200)
      }).pipe(
        Effect.provide(
          Cassette.layer(path, { mode: "replay", faults: Cassette.faults({ "GET /pets": [Fault.status(503)] }) })
        )
      )
    }))

  it.live("a cassette is input: a bad one fails naming the file and the entry; a missing one in replay says how to record it", () =>
    Effect.gen(function*() {
      const path = file("invalid")
      Fs.writeFileSync(
        path,
        JSON.stringify({ version: 1, entries: [entry("GET", "http://a.test/", 200), { request: { method: "GET" } }] })
      )
      const invalid = yield* Effect.flip(Layer.build(Cassette.layer(path, { mode: "replay" })).pipe(Effect.scoped))
      expect(invalid).toMatchObject({ _tag: "CassetteError", reason: "Invalid", entry: 1 })
      expect(invalid.message).toBe(`cassette ${path}: entry 1: request.url must be an absolute URL`)
      const missing = yield* Effect.flip(
        Layer.build(Cassette.layer(Path.join(dir, "none.json"), { mode: "replay" })).pipe(Effect.scoped)
      )
      expect(missing).toMatchObject({ reason: "Missing" })
    }))

  it.live("a body over maxBodyBytes (sent, received, or once decoded) is not recorded: the request dies with TooLarge, and the file keeps no partial entry", () =>
    Effect.gen(function*() {
      const path = file("large")
      const server = yield* TestServer.make((_, res) => {
        res.writeHead(200, { "content-type": "text/plain" })
        res.end("x".repeat(2048))
      })
      const exit = yield* Effect.exit(
        Effect.flatMap(HttpClient.HttpClient, (client) => client.get(`${server.url}/big`)).pipe(
          Effect.provide(Cassette.layer(path, { mode: "record", allowRecording: true, maxBodyBytes: 1024 }))
        )
      )
      expect(defectOf(exit)).toMatchObject({ _tag: "CassetteError", reason: "TooLarge" })
      expect(readEntries(path)).toEqual([])
      // a request body over the bound, and a small gzip body that decodes past it
      const post = yield* Effect.exit(
        Effect.flatMap(
          HttpClient.HttpClient,
          (client) => client.post(`${server.url}/big`, { body: HttpBody.text("y".repeat(2048)) })
        ).pipe(
          Effect.provide(Cassette.layer(path, { mode: "record", allowRecording: true, maxBodyBytes: 1024 }))
        )
      )
      expect(defectOf(post)).toMatchObject({ _tag: "CassetteError", reason: "TooLarge" })
      expect(server.requests).toHaveLength(1)
      const bomb = new Uint8Array(Zlib.gzipSync("z".repeat(64 * 1024)))
      expect(bomb.length).toBeLessThan(1024)
      const Inner = MockHttpClient.layer(() => ({ headers: { "content-encoding": "gzip" }, body: bomb }))
      const decoded = yield* Effect.exit(
        Effect.flatMap(HttpClient.HttpClient, (client) => client.get("http://api.test/bomb")).pipe(
          Effect.provide(
            Cassette.layer(path, { mode: "record", allowRecording: true, maxBodyBytes: 1024 }).pipe(
              Layer.provide(Inner)
            )
          )
        )
      )
      expect(defectOf(decoded)).toMatchObject({ _tag: "CassetteError", reason: "TooLarge" })
    }))

  it.live("the Auth layer in the cassette's context: a query parameter only it names is masked, by name and by value", () =>
    Effect.gen(function*() {
      const path = file("auth-context")
      const key = "appid-key-6161"
      const echo = yield* TestServer.make((req, res) => TestServer.json(res, 200, { url: req.url }))
      const AuthLive = Auth.layerApiKey({ query: "appid" }, Redacted.make(key))
      const Http = Cassette.layer(path, { mode: "record", allowRecording: true }).pipe(Layer.provideMerge(AuthLive))
      yield* Effect.flatMap(ApiClient.make({ baseUrl: echo.url }), (client) => client.get("/weather")).pipe(
        Effect.provide(Http)
      )
      expect(echo.requests[0].query.get("appid")).toBe(key)
      const text = Fs.readFileSync(path, "utf8")
      expect(text).not.toContain(key)
      expect(readEntries(path)[0].request.url).toBe(`${echo.url}/weather?appid=<redacted>`)
    }))

  it.live("a compressed answer is recorded decoded, so its tokens are masked; the replay gives the same decoded body", () =>
    Effect.gen(function*() {
      const path = file("gzip")
      const body = JSON.stringify({ access_token: "gzipped-token-4242", scope: "read" })
      const server = yield* TestServer.make((_, res) => {
        const gz = Zlib.gzipSync(body)
        res.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": gz.length
        })
        res.end(gz)
      })
      const get = Effect.flatMap(
        HttpClient.HttpClient,
        (client) =>
          Effect.flatMap(client.get(`${server.url}/token`, { headers: { "accept-encoding": "gzip" } }), (r) => r.text)
      )
      const recorded = yield* get.pipe(Effect.provide(Cassette.layer(path, { mode: "record", allowRecording: true })))
      expect(recorded).toBe(body)
      const [onDisk] = readEntries(path)
      expect(onDisk.response.headers["content-encoding"]).toBeUndefined()
      expect(onDisk.response.body).toEqual({ text: "{\"access_token\":\"<redacted>\",\"scope\":\"read\"}" })
      expect(Fs.readFileSync(path, "utf8")).not.toContain("gzipped-token-4242")
      const replayed = yield* get.pipe(Effect.provide(Cassette.layer(path, { mode: "replay" })))
      expect(replayed).toBe("{\"access_token\":\"<redacted>\",\"scope\":\"read\"}")
      // through an HttpClient in the cassette's context that leaves the coding to its caller: decoded here
      const coded = file("gzip-coded")
      const Inner = MockHttpClient.layer(() => ({
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: new Uint8Array(Zlib.gzipSync(body))
      }))
      const mock = Effect.flatMap(HttpClient.HttpClient, (client) => client.get("http://api.test/token"))
      const status = yield* Effect.map(
        mock.pipe(
          Effect.provide(Cassette.layer(coded, { mode: "record", allowRecording: true }).pipe(Layer.provide(Inner)))
        ),
        (r) => r.status
      )
      expect(status).toBe(200)
      expect(readEntries(coded)[0].response).toEqual({
        status: 200,
        headers: { "content-type": "application/json" },
        body: { text: "{\"access_token\":\"<redacted>\",\"scope\":\"read\"}" }
      })
    }))
})

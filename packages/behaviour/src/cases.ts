/**
 * The behaviour suite: every case runs on every transport of both Effect lines (a mock on the
 * TestClock, the undici pool and the generic transport on real loopback sockets). A case
 * describes requests, a server script and the outcomes it expects, in plain TypeScript.
 */
import type { Case, Outcome } from "./Driver.js"

/** Real time on the live backends, so backoff is short; the TestClock does not care. */
const fast = { base: "5 millis", cap: "20 millis" } as const

/** The failure of an outcome that must have failed. */
const failed = (outcome: Outcome) => {
  if (outcome.ok) throw new Error(`expected a failure, got ${outcome.status}`)
  return outcome.error
}

/** The response of an outcome that must have succeeded. */
const succeeded = (outcome: Outcome) => {
  if (!outcome.ok) throw new Error(`expected a success, got ${outcome.error.message}`)
  return outcome
}

export const cases: ReadonlyArray<Case> = [
  {
    name: "every status becomes its tagged error; 2xx is the response",
    run: async ({ backend, expect }) => {
      const statuses = [200, 201, 204, 400, 401, 403, 404, 409, 418, 422, 429, 500, 503, 302, 304]
      const served = await backend.serve((r) => ({ status: Number(r.path.slice(1)) }), { retry: false })
      const tags: Array<string> = []
      for (const status of statuses) {
        const outcome = await served.call({ method: "GET", path: `/${status}` })
        tags.push(outcome.ok ? `ok ${outcome.status}` : outcome.error._tag)
      }
      expect(tags).toEqual([
        "ok 200",
        "ok 201",
        "ok 204",
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "ClientError",
        "UnprocessableEntityError",
        "RateLimitError",
        "ServerError",
        "ServerError",
        "UnexpectedStatusError",
        "UnexpectedStatusError"
      ])
    }
  },
  {
    name: "an error's message names the method, the URL, the status with its reason phrase, and the attempts",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(() => ({ status: 404, headers: { "x-request-id": "req-7" } }), {
        retry: false
      })
      const error = failed(await served.call({ method: "GET", path: "/pets/1" }))
      expect(error.message).toBe(`GET ${served.url}/pets/1 failed: 404 Not Found (request id req-7; 1 attempt)`)
    }
  },
  {
    name: "503, 503, 200: three requests, the response says 3 attempts",
    run: async ({ backend, expect }) => {
      const served = await backend.serve((_, i) => ({ status: i < 2 ? 503 : 200 }), { retry: fast })
      const response = succeeded(await served.call({ method: "GET", path: "/pets" }))
      expect(response.status).toBe(200)
      expect(response.attempts).toBe(3)
      expect(served.seen()).toHaveLength(3)
    }
  },
  {
    name: "a 404 is sent once; a 503 that persists gives up after times + 1 with the last error",
    run: async ({ backend, expect }) => {
      const notFound = await backend.serve(() => ({ status: 404 }), { retry: fast })
      expect(failed(await notFound.call({ method: "GET", path: "/x" }))).toMatchObject({
        _tag: "NotFoundError",
        attempts: 1
      })
      expect(notFound.seen()).toHaveLength(1)
      const down = await backend.serve(() => ({ status: 503 }), { retry: { ...fast, times: 3 } })
      expect(failed(await down.call({ method: "GET", path: "/x" }))).toMatchObject({
        _tag: "ServerError",
        status: 503,
        attempts: 4
      })
      expect(down.seen()).toHaveLength(4)
    }
  },
  {
    name: "x-should-retry from the server decides: false stops a 503, true retries a 400",
    run: async ({ backend, expect }) => {
      const no = await backend.serve(() => ({ status: 503, headers: { "x-should-retry": "false" } }), { retry: fast })
      expect(failed(await no.call({ method: "GET", path: "/x" }))).toMatchObject({ attempts: 1 })
      const yes = await backend.serve(
        (_, i) => (i === 0 ? { status: 400, headers: { "x-should-retry": "true" } } : { status: 200 }),
        { retry: fast }
      )
      expect(succeeded(await yes.call({ method: "GET", path: "/x" })).attempts).toBe(2)
    }
  },
  {
    name: "a POST without an Idempotency-Key is never replayed; with one, or with idempotencyKey: auto, it is",
    run: async ({ backend, expect }) => {
      const unkeyed = await backend.serve(() => ({ status: 503 }), { retry: fast })
      expect(failed(await unkeyed.call({ method: "POST", path: "/orders" }))).toMatchObject({ attempts: 1 })
      expect(unkeyed.seen()).toHaveLength(1)
      const reset = await backend.serve(() => "reset", { retry: fast })
      expect(failed(await reset.call({ method: "POST", path: "/orders" }))).toMatchObject({
        _tag: "ConnectionError",
        sent: true
      })
      expect(reset.seen()).toHaveLength(1)
      const own = await backend.serve((_, i) => ({ status: i === 0 ? 503 : 201 }), { retry: fast })
      await own.call({ method: "POST", path: "/orders", headers: { "idempotency-key": "k-1" } })
      expect(own.seen().map((s) => s.headers["idempotency-key"])).toEqual(["k-1", "k-1"])
      const auto = await backend.serve((_, i) => ({ status: i === 0 ? 503 : 201 }), {
        retry: fast,
        idempotencyKey: "auto"
      })
      await auto.call({ method: "POST", path: "/orders" })
      const keys = auto.seen().map((s) => s.headers["idempotency-key"])
      expect(keys).toHaveLength(2)
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
      expect(keys[1]).toBe(keys[0])
    }
  },
  {
    name: "a body readable only once is never sent twice, even on an idempotent method",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(() => ({ status: 503 }), { retry: fast })
      const error = failed(
        await served.call({ method: "PUT", path: "/blob", body: { stream: "payload", contentType: "text/plain" } })
      )
      expect(error).toMatchObject({ _tag: "ServerError", attempts: 1 })
      expect(served.seen().map((s) => s.body)).toEqual(["payload"])
    }
  },
  {
    name: "Retry-After is waited for; one above maxRetryAfter fails at once with retryAfter",
    run: async ({ backend, expect }) => {
      const hinted = await backend.serve(
        (_, i) => (i === 0 ? { status: 429, headers: { "retry-after-ms": "150" } } : { status: 200 }),
        { retry: fast }
      )
      await hinted.call({ method: "GET", path: "/x" })
      const [first, second] = hinted.seen()
      expect(second.at - first.at).toBeGreaterThanOrEqual(150)
      const tooLong = await backend.serve(() => ({ status: 503, headers: { "retry-after": "120" } }), { retry: fast })
      const error = failed(await tooLong.call({ method: "GET", path: "/x" }))
      expect(error).toMatchObject({ _tag: "ServerError", attempts: 1 })
      expect(Math.round(error.retryAfterMillis ?? 0)).toBe(120_000)
      expect(tooLong.seen()).toHaveLength(1)
    }
  },
  {
    name: "an attempt past the attempt timeout is a TimeoutError(attempt), retried; the total deadline ends the call",
    run: async ({ backend, expect }) => {
      const slow = await backend.serve(
        (_, i) => (i === 0 ? { status: 200, delayMillis: 5_000 } : { status: 200 }),
        { retry: fast, timeout: { attempt: "300 millis" } }
      )
      expect(succeeded(await slow.call({ method: "GET", path: "/x" })).attempts).toBe(2)
      const hanging = await backend.serve(() => ({ status: 200, delayMillis: 5_000 }), {
        retry: fast,
        timeout: { attempt: "10 seconds", total: "400 millis" }
      })
      expect(failed(await hanging.call({ method: "GET", path: "/x" }))).toMatchObject({
        _tag: "TimeoutError",
        scope: "total",
        attempts: 1
      })
      expect(hanging.seen()).toHaveLength(1)
    }
  },
  {
    name: "a 401 triggers one credential refresh and one replay; a 401 that persists is returned",
    run: async ({ backend, expect }) => {
      const accepting = await backend.serve(
        (r) => ({ status: r.headers.authorization === "Bearer t2" ? 200 : 401 }),
        { retry: fast },
        { refreshing: true }
      )
      succeeded(await accepting.call({ method: "GET", path: "/me" }))
      expect(accepting.seen().map((s) => s.headers.authorization)).toEqual(["Bearer t1", "Bearer t2"])
      const refusing = await backend.serve(() => ({ status: 401 }), { retry: fast }, { refreshing: true })
      const error = failed(await refusing.call({ method: "GET", path: "/me" }))
      expect(error).toMatchObject({ _tag: "AuthenticationError", source: "api" })
      expect(refusing.seen()).toHaveLength(2)
      expect(error.message).not.toContain("Bearer")
    }
  },
  {
    name: "credentials go to their origin only: another origin of the same server gets none",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(() => ({ status: 200 }), { allowOtherOrigins: true, retry: false }, {
        headers: { authorization: "Bearer tok-origin" }
      })
      await served.call({ method: "GET", path: "/home" })
      await served.call({ method: "GET", path: `${served.url.replace("127.0.0.1", "localhost")}/away` })
      expect(served.seen().map((s) => [s.path, s.headers.authorization])).toEqual([
        ["/home", "Bearer tok-origin"],
        ["/away", undefined]
      ])
    }
  },
  {
    name: "response headers that carry credentials are redacted in errors, the Auth layer's own names too",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(
        () => ({
          status: 500,
          // values the client never sent: only the header names can hide them
          headers: { authorization: "Bearer token-s3cret", "x-custom-key": "other-s3cret", "x-request-id": "req-1" }
        }),
        { retry: false },
        { headers: { "x-custom-key": "key-s3cret" } }
      )
      const error = failed(await served.call({ method: "GET", path: "/x" }))
      expect(error._tag).toBe("ServerError")
      expect(error.headers).toMatchObject({
        authorization: "<redacted>",
        "x-custom-key": "<redacted>",
        "x-request-id": "req-1"
      })
      expect(error.json).not.toContain("s3cret")
    }
  },
  {
    name: "credentials a server echoes back, in any header or in the body, are masked by value",
    run: async ({ backend, expect }) => {
      const token = "tok-3f9a7c21"
      const key = "key-88d2e1b4"
      const served = await backend.serve(
        (r) => ({
          status: 400,
          headers: {
            "x-echo": r.headers.authorization ?? "",
            location: `/retry?sig=${key}&page=2`,
            "x-debug": "password was pa55w0rd-xyz"
          },
          json: { error: `bad token ${token}`, got: r.headers.authorization, key }
        }),
        { retry: false },
        { headers: { authorization: `Bearer ${token}` }, query: { sig: key }, secretValues: ["pa55w0rd-xyz"] }
      )
      const error = failed(await served.call({ method: "GET", path: "/x" }))
      expect(served.seen()[0].headers.authorization).toBe(`Bearer ${token}`)
      expect(error._tag).toBe("BadRequestError")
      const shown = error.json + error.message
      for (const secret of [token, key, "pa55w0rd-xyz"]) expect(shown).not.toContain(secret)
      expect(error.headers).toMatchObject({ location: "/retry?sig=<redacted>&page=2" })
      expect(String(error.body)).toContain("bad token <redacted>")
    }
  },
  {
    name: "user info in a URL never shows in an error",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(() => ({ status: 404 }), { retry: false, allowOtherOrigins: true })
      const url = new URL(`${served.url}/x?page=1`)
      url.username = "alice"
      url.password = "pa55word"
      const error = failed(await served.call({ method: "GET", path: url.href }))
      expect(error.request).toEqual({ method: "GET", url: `${served.url}/x?page=1` })
      expect(error.message + error.json).not.toContain("pa55word")
    }
  },
  {
    name: "a body over maxResponseBytes is a DecodeError (TooLarge), declared or chunked; one at the limit is read",
    run: async ({ backend, expect }) => {
      const limit = { maxResponseBytes: 16, retry: false } as const
      const declared = await backend.serve(() => ({ status: 200, json: { filler: "x".repeat(20) } }), limit)
      expect(failed(await declared.call({ method: "GET", path: "/x" }))).toMatchObject({
        _tag: "DecodeError",
        reason: "TooLarge"
      })
      const chunked = await backend.serve(() => ({ status: 200, body: "y".repeat(17) }), limit)
      expect(failed(await chunked.call({ method: "GET", path: "/x" }))).toMatchObject({
        _tag: "DecodeError",
        reason: "TooLarge"
      })
      const fits = await backend.serve(() => ({ status: 200, body: "z".repeat(16) }), limit)
      expect(succeeded(await fits.call({ method: "GET", path: "/x" })).text).toBe("z".repeat(16))
    }
  },
  {
    name: "a 5xx whose body is over maxResponseBytes stays a retryable ServerError, its body cut",
    run: async ({ backend, expect }) => {
      for (const big of [{ json: { filler: "e".repeat(64) } }, { body: "e".repeat(64) }]) {
        const flaky = await backend.serve((_, i) => (i === 0 ? { status: 503, ...big } : { status: 200 }), {
          maxResponseBytes: 16,
          retry: fast
        })
        expect(succeeded(await flaky.call({ method: "GET", path: "/x" })).attempts).toBe(2)
        const down = await backend.serve(() => ({ status: 500, ...big }), { maxResponseBytes: 16, retry: false })
        const error = failed(await down.call({ method: "GET", path: "/x" }))
        expect(error).toMatchObject({ _tag: "ServerError", status: 500, retryable: true })
        expect(String(error.body)).toHaveLength(16)
      }
    }
  },
  {
    name: "a body declared larger than maxResponseBytes fails at the headers, before it is read",
    run: async ({ backend, expect }) => {
      // a megabyte declared, ten bytes sent, then a stall: only the declared length ends this early
      const served = await backend.serve(
        () => ({ status: 200, headers: { "content-length": "1000000" }, body: "0123456789", stall: true }),
        { maxResponseBytes: 1024, retry: false, timeout: { attempt: "5 seconds" } }
      )
      const error = failed(await served.call({ method: "GET", path: "/x" }))
      expect(error).toMatchObject({ _tag: "DecodeError", reason: "TooLarge" })
      expect(error.message).toContain("Content-Length is 1000000")
    }
  },
  {
    name: "301 and 302 after a POST become a GET without the body and its headers; 307 keeps both",
    run: async ({ backend, expect }) => {
      for (const status of [301, 302, 307]) {
        const served = await backend.serve(
          (r) => (r.path === "/old" ? { status, headers: { location: "/new" } } : { status: 200 }),
          { followRedirects: 1, retry: false }
        )
        succeeded(
          await served.call({ method: "POST", path: "/old", body: { text: "payload", contentType: "text/plain" } })
        )
        const [first, second] = served.seen()
        expect(first).toMatchObject({ method: "POST", body: "payload" })
        expect(first.headers["content-type"]).toBe("text/plain")
        if (status === 307) {
          expect(second).toMatchObject({ method: "POST", path: "/new", body: "payload" })
          expect(second.headers["content-type"]).toBe("text/plain")
        } else {
          expect(second).toMatchObject({ method: "GET", path: "/new", body: "" })
          expect(second.headers["content-type"]).toBeUndefined()
        }
      }
    }
  },
  {
    name: "a redirect is not followed unless asked; one to another origin is refused, and nothing is sent there",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(
        (r) =>
          r.path === "/away"
            ? { status: 307, headers: { location: "http://localhost:9/collect?token=leak-3d1c" } }
            : { status: 302, headers: { location: "/there" } },
        { retry: false }
      )
      expect(failed(await served.call({ method: "GET", path: "/here" }))).toMatchObject({
        _tag: "UnexpectedStatusError",
        status: 302
      })
      const following = await backend.serve(
        () => ({ status: 307, headers: { location: "http://localhost:9/collect?token=leak-3d1c" } }),
        { retry: false, followRedirects: 3 }
      )
      const error = failed(
        await following.call({ method: "POST", path: "/away", body: { text: "card", contentType: "text/plain" } })
      )
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "OriginNotAllowed" })
      expect(error.message).toContain("http://localhost:9/collect")
      expect(error.message).not.toContain("leak-3d1c")
      expect(following.seen()).toHaveLength(1)
    }
  },
  {
    name: "a circuit breaker opens after its failures in a row and refuses without sending",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(() => ({ status: 503 }), {
        retry: false,
        policies: [{ breaker: { consecutiveFailures: 2, openDuration: "1 minute" } }]
      })
      for (let i = 0; i < 2; i++) {
        expect(failed(await served.call({ method: "GET", path: "/x" }))._tag).toBe("ServerError")
      }
      expect(failed(await served.call({ method: "GET", path: "/x" }))).toMatchObject({
        _tag: "CircuitOpenError",
        retryable: false
      })
      expect(served.seen()).toHaveLength(2)
    }
  },
  {
    name: "a bulkhead with no room refuses at once with a typed error; the call in flight completes",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(() => ({ status: 200, delayMillis: 300 }), {
        retry: false,
        policies: [{ bulkhead: { maxConcurrent: 1, maxQueue: 0, queueTimeout: "1 second" } }]
      })
      const [first, second] = await served.callAll([{ method: "GET", path: "/a" }, { method: "GET", path: "/b" }])
      expect(first.ok).toBe(true)
      expect(failed(second)).toMatchObject({ _tag: "BulkheadRejectedError" })
      expect(served.seen().map((s) => s.path)).toEqual(["/a"])
    }
  },
  {
    name: "a rate limiter over its quota refuses without sending when the wait would pass maxWait",
    run: async ({ backend, expect }) => {
      const served = await backend.serve(() => ({ status: 200 }), {
        retry: false,
        policies: [{ rateLimiter: { limit: 1, interval: "1 minute", maxWait: "0 millis" } }]
      })
      succeeded(await served.call({ method: "GET", path: "/a" }))
      expect(failed(await served.call({ method: "GET", path: "/b" }))).toMatchObject({
        _tag: "RateLimiterRejectedError"
      })
      expect(served.seen()).toHaveLength(1)
    }
  },
  {
    name: "NDJSON lines and SSE events are read as they come; a line over maxResponseBytes is TooLarge",
    run: async ({ backend, expect }) => {
      const served = await backend.serve((r) =>
        r.path === "/ndjson"
          ? { status: 200, headers: { "content-type": "application/x-ndjson" }, body: "{\"n\":1}\n\n{\"n\":2}\n" }
          : r.path === "/sse"
          ? {
            status: 200,
            headers: { "content-type": "text/event-stream" },
            body: "data: one\n\n: comment\nevent: note\ndata: two\ndata: lines\n\n"
          }
          : { status: 200, headers: { "content-type": "application/x-ndjson" }, body: `{"s":"${"x".repeat(64)}"}\n` }, {
        retry: false,
        maxResponseBytes: 32
      })
      expect(succeeded(await served.call({ method: "GET", path: "/ndjson", read: "ndjson" })).items).toEqual([
        { n: 1 },
        { n: 2 }
      ])
      expect(succeeded(await served.call({ method: "GET", path: "/sse", read: "sse" })).items).toEqual([
        "one",
        "two\nlines"
      ])
      expect(failed(await served.call({ method: "GET", path: "/long", read: "ndjson" }))).toMatchObject({
        _tag: "DecodeError",
        reason: "TooLarge"
      })
    }
  }
]

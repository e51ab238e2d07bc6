/**
 * The behaviour suite of packages/behaviour (the same case file as the Effect 3 line's), on
 * the three backends of this line: the mock (generic transport, TestClock), a loopback server
 * through the pool (undici transport, the fast path), and the same server through Effect 4's
 * fetch client on undici's fetch (generic transport on real sockets). This file is the driver:
 * it turns the cases' plain data into this line's options, policies and calls.
 */
import { it } from "@effect/vitest"
import {
  type AuthSpec,
  type Backend,
  type Call,
  cases,
  type ClientOptions,
  type Outcome,
  type PolicySpec,
  type Script,
  scriptedServer,
  type Seen
} from "@steady/behaviour"
import {
  ApiClient,
  ApiError,
  type Auth,
  Bulkhead,
  CircuitBreaker,
  ConnectionPool,
  type Policy,
  RateLimiter,
  Transport
} from "@steady/client"
import { MockHttpClient } from "@steady/testing"
import { Cause, Clock, Duration, Effect, Exit, Option, Schema, Scope, Stream } from "effect"
import { FetchHttpClient, HttpBody, HttpClient as PlatformHttpClient, HttpClientRequest } from "effect/http"
import type { HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import * as Undici from "undici"
import { afterEach, describe, expect, test } from "vitest"
import { clocked } from "./util.js"

/** What a test opened, closed after it. */
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close()
})

const policyOf = (spec: PolicySpec): Policy.Policy =>
  "breaker" in spec
    ? CircuitBreaker.unsafeMake(spec.breaker)
    : "bulkhead" in spec
    ? Bulkhead.unsafeMake(spec.bulkhead)
    : RateLimiter.unsafeMake(spec.rateLimiter)

const optionsOf = (options: ClientOptions, baseUrl: string): ApiClient.Options => {
  const { policies, retry, sensitiveHeaders, ...rest } = options
  return {
    ...rest,
    baseUrl,
    retry: retry === false ? false : retry,
    ...(sensitiveHeaders === undefined ? {} : { sensitiveHeaders }),
    ...(policies === undefined ? {} : { policies: policies.map(policyOf) })
  }
}

const authOf = (spec: AuthSpec | undefined): Auth.Service | undefined => {
  if (spec === undefined) return undefined
  if ("refreshing" in spec) {
    let generation = 1
    return {
      credentials: Effect.sync(() => ({ headers: { authorization: `Bearer t${generation}` }, query: {}, generation })),
      unauthorized: (used) =>
        Effect.sync(() => {
          if (used === generation) generation++
          return true
        }),
      sensitiveHeaders: ["authorization"],
      sensitiveQueryParams: []
    }
  }
  const headers = spec.headers ?? {}
  const query = spec.query ?? {}
  return {
    credentials: Effect.succeed({ headers, query, generation: 0 }),
    unauthorized: () => Effect.succeed(false),
    sensitiveHeaders: Object.keys(headers),
    sensitiveQueryParams: Object.keys(query),
    secretValues: spec.secretValues
  }
}

const requestOf = (call: Call): HttpClientRequest.HttpClientRequest => {
  const body = call.body === undefined
    ? HttpBody.empty
    : "text" in call.body
    ? HttpBody.text(call.body.text, call.body.contentType)
    : HttpBody.stream(Stream.make(new TextEncoder().encode(call.body.stream)), call.body.contentType)
  return HttpClientRequest.make(call.method)(call.path, { headers: call.headers ?? {}, body })
}

/** A failure as the cases see it: the error's fields, with what it shows. */
const failureOf = (error: ApiError.ApiError) => ({
  ...error,
  _tag: error._tag,
  message: error.message,
  json: JSON.stringify(error),
  retryable: ApiError.isRetryable(error),
  retryAfterMillis: Option.getOrUndefined(ApiError.retryAfterMillis(error))
})

/** One call, read as the case asks, ending in an `Outcome` (never a defect). */
const callWith = (client: ApiClient.Client, call: Call): Effect.Effect<Outcome> => {
  const sent = client.execute(requestOf(call))
  const read: Effect.Effect<Omit<Extract<Outcome, { ok: true }>, "ok">, ApiError.ApiError> = call.read === "ndjson"
    ? Effect.map(
      Stream.runCollect(ApiClient.ndjson(Schema.Unknown)(sent)),
      (items) => ({ status: 200, attempts: 1, text: "", items })
    )
    : call.read === "sse"
    ? Effect.map(
      Stream.runCollect(ApiClient.sse()(sent)),
      (events) => ({ status: 200, attempts: 1, text: "", items: events.map((e) => e.data) })
    )
    : Effect.flatMap(sent, (response) =>
      Effect.map(Effect.orDie(response.text), (text) => ({
        status: response.status,
        attempts: ApiClient.attempts(response) ?? 1,
        text,
        items: []
      })))
  return Effect.map(Effect.exit(read), (exit): Outcome => {
    if (Exit.isSuccess(exit)) return { ok: true, ...exit.value }
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isNone(error)) throw new Error(`a defect, not a typed failure: ${Cause.pretty(exit.cause)}`)
    return { ok: false, error: failureOf(error.value), items: [] }
  })
}

/** A backend over an `HttpClient`: `run` runs each call (on the TestClock for the mock). */
const served = (
  http: HttpClient.HttpClient,
  options: ApiClient.Options,
  auth: Auth.Service | undefined,
  transport: Transport.Transport | undefined,
  seen: () => ReadonlyArray<Seen>,
  run: <A>(effect: Effect.Effect<A>) => Promise<A>
) => {
  const client = ApiClient.makeWith(http, { ...options, transport }, auth)
  return {
    url: options.baseUrl as string,
    seen,
    call: (call: Call) => run(callWith(client, call)),
    callAll: (calls: ReadonlyArray<Call>) =>
      run(Effect.all(calls.map((c) => callWith(client, c)), { concurrency: "unbounded" }))
  }
}

const mockOrigin = "http://127.0.0.1:1"

const mock: Backend = {
  name: "mock (generic transport, TestClock)",
  live: false,
  serve: async (script: Script, options = {}, auth) => {
    const seen: Array<Seen> = []
    const recorder = await Effect.runPromise(
      MockHttpClient.make((request) =>
        Effect.flatMap(Clock.currentTimeMillis, (at): Effect.Effect<MockHttpClient.Reply> => {
          const url = new URL(request.url)
          const entry: Seen = {
            method: request.method,
            path: request.path,
            url: url.pathname + url.search,
            headers: request.headers,
            body: request.body,
            at
          }
          seen.push(entry)
          const reply = script(entry, seen.length - 1)
          if (reply === "reset") return Effect.succeed(MockHttpClient.reset)
          return Effect.succeed({
            status: reply.status,
            headers: reply.headers,
            json: reply.json,
            body: reply.body,
            delay: reply.delayMillis === undefined ? undefined : Duration.millis(reply.delayMillis)
          })
        })
      )
    )
    // each call on a TestClock of its own, jumping to each wake-up
    const run = <A>(effect: Effect.Effect<A>) => Effect.runPromise(Effect.provide(clocked(effect), TestClock.layer()))
    return served(recorder.client, optionsOf(options, mockOrigin), authOf(auth), undefined, () => seen, run)
  }
}

/** A scope for what a live backend opens, closed after the test. */
const testScope = () => {
  const scope = Scope.makeUnsafe()
  cleanups.push(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  return scope
}

const pool: Backend = {
  name: "loopback server (undici transport)",
  live: true,
  serve: async (script, options = {}, auth) => {
    const server = await scriptedServer(script)
    cleanups.push(server.close)
    const transport = await Effect.runPromise(
      Scope.provide(ConnectionPool.makeTransport({ connections: 8 }), testScope())
    )
    return served(
      transport.httpClient!,
      optionsOf(options, server.url),
      authOf(auth),
      transport,
      server.seen,
      Effect.runPromise
    )
  }
}

const platform: Backend = {
  name: "loopback server (generic transport over Effect's fetch client on undici)",
  live: true,
  serve: async (script, options = {}, auth) => {
    const server = await scriptedServer(script)
    cleanups.push(server.close)
    const agent = new Undici.Agent({ connections: 8 })
    cleanups.push(() => agent.destroy())
    // Effect 4's fetch client on undici's fetch over this Agent (the Effect 3 line uses
    // @effect/platform-node's undici client; its Effect 4 line needs undici 8). fetch follows
    // redirects itself unless told not to (`redirect: "manual"`, which on Node hands over the
    // 3xx as it came): like the Effect 3 line's client, this one hands steady every response
    const fetch =
      ((input: string | URL, init?: Undici.RequestInit) =>
        Undici.fetch(input, { ...init, dispatcher: agent })) as unknown as typeof globalThis.fetch
    const http = PlatformHttpClient.transform(
      await Effect.runPromise(Effect.provide(PlatformHttpClient.HttpClient, FetchHttpClient.layer)),
      (effect) =>
        effect.pipe(
          Effect.provideService(FetchHttpClient.Fetch, fetch),
          Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" })
        )
    )
    return served(http, optionsOf(options, server.url), authOf(auth), undefined, server.seen, Effect.runPromise)
  }
}

for (const backend of [mock, pool, platform]) {
  describe(backend.name, () => {
    for (const c of cases) test(c.name, () => c.run({ backend, expect }))
  })
}

describe("Transport in context", () => {
  it.live("ConnectionPool.layer provides the undici transport for its own HttpClient", () =>
    Effect.gen(function*() {
      const transport = yield* Transport.Transport
      expect(transport.name).toBe("undici")
      expect(transport.httpClient).toBe(yield* PlatformHttpClient.HttpClient)
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

import { redactHeaders, redactUrl, redactValues } from "@steady/core/Redaction"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type * as ApiErrorNs from "../ApiError.js"
import * as ApiError from "../ApiError.js"
import type * as Auth from "../Auth.js"
import type * as PolicyNs from "../Policy.js"
import * as body from "./body.js"
import * as bytes from "./bytes.js"
import * as policyInternal from "./policy.js"
import * as trace from "./trace.js"

/** Why credentials could not be obtained. @internal */
export interface CredentialsFailure {
  readonly _tag: "CredentialsFailure"
  /** The token endpoint's status, or 401 when it did not answer. */
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The endpoint's answer, bounded, with any token in it redacted. */
  readonly body: string
  readonly oauthError: ApiErrorNs.OAuthError | undefined
  readonly detail: string
  readonly cause: unknown
}

/** @internal */
export const toAuthenticationError = (
  failure: CredentialsFailure,
  request: ApiErrorNs.RequestInfo
): ApiErrorNs.AuthenticationError =>
  new ApiError.AuthenticationError({
    request,
    attempts: 1,
    status: failure.status,
    headers: failure.headers,
    body: failure.body,
    requestId: Option.none(),
    retryAfter: Option.none(),
    source: "token-endpoint",
    oauthError: failure.oauthError,
    detail: failure.detail,
    cause: failure.cause
  })

/** @internal */
export const tag = Context.Service<Auth.Auth, Auth.Service>("@steady/client/Auth")

const resolveSecret = <E, R>(secret: Auth.Secret<E, R>): Effect.Effect<Redacted.Redacted<string>, E, R> =>
  Redacted.isRedacted(secret) ? Effect.succeed(secret) : secret

const never = (_: number) => Effect.succeed(false)

/**
 * The origins named in a layer's options, checked when the layer is made: each one an
 * absolute http(s) URL, of which only the origin counts.
 *
 * @internal
 */
export const originsOf = (name: string, options: Auth.Options | undefined): ReadonlyArray<string> | undefined => {
  const given = options?.origins
  if (given === undefined) return undefined
  if (!Array.isArray(given) || given.length === 0) {
    throw new TypeError(`${name}: origins must be a non-empty array of URLs, like ["https://api.example"]`)
  }
  return given.map((origin: string | URL) => {
    let url: URL | undefined
    try {
      url = new URL(origin)
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw new TypeError(`${name}: origins must be absolute http(s) URLs, got ${redactUrl(String(origin))}`)
    }
    return url.origin
  })
}

const staticService = (
  credentials: {
    readonly headers: Readonly<Record<string, string>>
    readonly query: Readonly<Record<string, string>>
    readonly sensitiveHeaders: ReadonlyArray<string>
    readonly sensitiveQueryParams: ReadonlyArray<string>
    readonly secretValues?: ReadonlyArray<string>
  },
  origins: ReadonlyArray<string> | undefined
): Auth.Service => {
  const applied: Auth.Applied = { headers: credentials.headers, query: credentials.query, generation: 0 }
  return {
    credentials: Effect.succeed(applied),
    unauthorized: never,
    sensitiveHeaders: credentials.sensitiveHeaders,
    sensitiveQueryParams: credentials.sensitiveQueryParams,
    secretValues: credentials.secretValues,
    origins
  }
}

/** @internal */
export const layerBearer = <E, R>(token: Auth.Secret<E, R>, options?: Auth.Options) => {
  const origins = originsOf("Auth.layerBearer", options)
  return Layer.effect(
    tag,
    Effect.map(
      resolveSecret(token),
      (t) =>
        staticService({
          headers: { authorization: `Bearer ${Redacted.value(t)}` },
          query: {},
          sensitiveHeaders: ["authorization"],
          sensitiveQueryParams: []
        }, origins)
    )
  )
}

/** @internal */
export const layerApiKey = <E, R>(
  where: { readonly header: string } | { readonly query: string },
  key: Auth.Secret<E, R>,
  options?: Auth.Options
) => {
  const origins = originsOf("Auth.layerApiKey", options)
  return Layer.effect(
    tag,
    Effect.map(resolveSecret(key), (k) => {
      if ("header" in where) {
        const name = where.header.toLowerCase()
        return staticService(
          { headers: { [name]: Redacted.value(k) }, query: {}, sensitiveHeaders: [name], sensitiveQueryParams: [] },
          origins
        )
      }
      return staticService({
        headers: {},
        query: { [where.query]: Redacted.value(k) },
        sensitiveHeaders: [],
        sensitiveQueryParams: [where.query.toLowerCase()]
      }, origins)
    })
  )
}

/** @internal */
export const layerBasic = <E, R>(user: string, password: Auth.Secret<E, R>, options?: Auth.Options) => {
  const origins = originsOf("Auth.layerBasic", options)
  return Layer.effect(
    tag,
    Effect.map(resolveSecret(password), (p) => {
      if (user.includes(":")) throw new TypeError("Auth.layerBasic: the user name must not contain ':'")
      const encoded = bytes.base64(`${user}:${Redacted.value(p)}`)
      return staticService({
        headers: { authorization: `Basic ${encoded}` },
        query: {},
        sensitiveHeaders: ["authorization"],
        sensitiveQueryParams: [],
        secretValues: [Redacted.value(p)]
      }, origins)
    })
  )
}

/** @internal */
export const layerStatic = (
  credentials: {
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly query?: Readonly<Record<string, string>> | undefined
  },
  options?: Auth.Options
) => {
  const origins = originsOf("Auth.layerStatic", options)
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(credentials.headers ?? {})) headers[k.toLowerCase()] = v
  const query = { ...credentials.query }
  return Layer.succeed(
    tag,
    staticService({
      headers,
      query,
      sensitiveHeaders: Object.keys(headers),
      sensitiveQueryParams: Object.keys(query).map((k) => k.toLowerCase())
    }, origins)
  )
}

interface Token {
  readonly header: string
  readonly expiresAt: number
  readonly generation: number
}

const MAX_BODY = 8 * 1024
/**
 * A credential-looking field and its value in any shape an endpoint answers with: JSON
 * (`"access_token": "…"`, complete or cut short), form encoding (`token=…&`), `name: value`
 * lines, or anything alike; any name that speaks of a token, a secret, a key, a password, a
 * code, an assertion or a credential.
 */
const tokenFields =
  /((?:[\w-]*?(?:token|secret|key|passw(?:or)?d|code|assertion|credential|session|ticket|signature)[\w-]*)["']?\s*[:=]\s*["']?)[^"'&,;\s}]+/gi

/** A bare run of token characters long enough to be one (a JWT, an opaque token), outside any field. */
const tokenLike = /[\w\-.~+/]{20,}=*/g

/**
 * Token endpoint answers may hold tokens in any shape and any content type (JSON, a form,
 * `text/plain`): every credential-looking value is hidden before the answer reaches an error.
 *
 * @internal
 */
export const redactTokenBody = (text: string) =>
  (text.length > MAX_BODY ? text.slice(0, MAX_BODY) : text).replace(tokenFields, "$1<redacted>").replace(
    tokenLike,
    "<redacted>"
  )

/** The token request of the client-credentials grant (RFC 6749 §4.4). */
const tokenRequest = <E, R>(
  options: Auth.OAuth2ClientCredentialsOptions<E, R>,
  secret: Redacted.Redacted<string>
): HttpClientRequest.HttpClientRequest => {
  const form: Record<string, string> = { grant_type: "client_credentials" }
  if (options.scope !== undefined) {
    form.scope = typeof options.scope === "string" ? options.scope : options.scope.join(" ")
  }
  if (options.audience !== undefined) form.audience = options.audience
  const headers: Record<string, string> = { accept: "application/json" }
  if ((options.clientAuthentication ?? "basic") === "basic") {
    // RFC 6749 §2.3.1: client id and secret are form-urlencoded before base64.
    const id = encodeURIComponent(options.clientId)
    const pw = encodeURIComponent(Redacted.value(secret))
    headers.authorization = `Basic ${bytes.base64(`${id}:${pw}`)}`
  } else {
    form.client_id = options.clientId
    form.client_secret = Redacted.value(secret)
  }
  return HttpClientRequest.post(options.tokenUrl).pipe(
    HttpClientRequest.setHeaders(headers),
    HttpClientRequest.bodyUrlParams(form)
  )
}

type Failure = (detail: string, fields?: Partial<Omit<CredentialsFailure, "_tag" | "detail">>) => CredentialsFailure

const failureAt = (shownUrl: string, secrets: ReadonlyArray<string>): Failure => (detail, fields = {}) => ({
  _tag: "CredentialsFailure",
  status: fields.status ?? 401,
  headers: fields.headers ?? {},
  body: redactValues(fields.body ?? "", secrets),
  oauthError: fields.oauthError === undefined ? undefined : {
    error: redactValues(fields.oauthError.error, secrets),
    description: fields.oauthError.description === undefined
      ? undefined
      : redactValues(fields.oauthError.description, secrets)
  },
  detail: `token endpoint ${shownUrl} ${detail}`,
  cause: fields.cause
})

/** What the token endpoint answered, as a token (without its generation) or a failure. */
const readTokenAnswer = (
  answer: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly text: string },
  now: number,
  skewMillis: number,
  failure: Failure
): Omit<Token, "generation"> | CredentialsFailure => {
  const shown = { status: answer.status, headers: redactHeaders(answer.headers), body: redactTokenBody(answer.text) }
  let parsed: Record<string, unknown> | undefined
  try {
    const json: unknown = JSON.parse(answer.text)
    if (typeof json === "object" && json !== null) parsed = json as Record<string, unknown>
  } catch {
    parsed = undefined
  }
  if (answer.status < 200 || answer.status >= 300) {
    const error = typeof parsed?.error === "string" ? parsed.error : undefined
    const description = typeof parsed?.error_description === "string" ? parsed.error_description : undefined
    return failure(`refused: ${answer.status}`, {
      ...shown,
      oauthError: error === undefined ? undefined : { error, description }
    })
  }
  const accessToken = parsed?.access_token
  if (typeof accessToken !== "string" || accessToken === "") return failure("answered without an access_token", shown)
  const tokenType = typeof parsed?.token_type === "string" ? parsed.token_type : "Bearer"
  if (tokenType.toLowerCase() !== "bearer") {
    return failure(`answered with an unsupported token_type ${tokenType}`, shown)
  }
  const expiresIn = Number(parsed?.expires_in)
  const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : Infinity
  const skew = Math.min(skewMillis, lifetime / 2)
  return { header: `Bearer ${accessToken}`, expiresAt: now + lifetime - skew }
}

/** One token request through `http`, bounded by `timeout`. */
const fetchToken = (
  http: HttpClient.HttpClient,
  request: HttpClientRequest.HttpClientRequest,
  timeout: Duration.Duration,
  skewMillis: number,
  failure: Failure
): Effect.Effect<Omit<Token, "generation">, CredentialsFailure> => {
  const late = () => failure(`did not answer within ${Duration.format(timeout)}`)
  const cause = (error: HttpClientError.HttpClientError) =>
    error.reason.cause instanceof Error ? error.reason.cause : error.reason._tag
  return Effect.gen(function*() {
    // No platform span: it would record the token URL unredacted.
    // steady's own call of the pool (not a direct use of it): no warning, no platform span
    const response = yield* http.execute(request).pipe(
      Effect.provideService(HttpClient.TracerDisabledWhen, () => true),
      Effect.provideService(trace.viaSteady, true)
    )
      .pipe(
        // Keep only the underlying error: the platform's error holds the request, and with it
        // the client's credentials.
        Effect.mapError((error) =>
          failure(
            `could not be reached: ${
              error.reason.cause instanceof Error ? error.reason.cause.message : error.reason._tag
            }`,
            { cause: cause(error) }
          )
        ),
        Effect.timeoutOrElse({ duration: timeout, orElse: () => Effect.fail(late()) })
      )
    const text = yield* response.text.pipe(
      Effect.mapError((error) => failure("answer could not be read", { status: response.status, cause: cause(error) })),
      Effect.timeoutOrElse({ duration: timeout, orElse: () => Effect.fail(late()) })
    )
    const now = yield* Clock.currentTimeMillis
    const token = readTokenAnswer(
      { status: response.status, headers: response.headers, text },
      now,
      skewMillis,
      failure
    )
    return "_tag" in token ? yield* Effect.fail(token) : token
  })
}

/**
 * The token cache: fetched once for any number of callers (the request outlives the caller
 * that started it, in `scope`), used until it expires, dropped after a 401 with it.
 */
const tokenCache = (
  fetch: Effect.Effect<Omit<Token, "generation">, CredentialsFailure>,
  scope: Scope.Scope,
  secretValues: ReadonlyArray<string>,
  closed: CredentialsFailure,
  origins: ReadonlyArray<string> | undefined
): Auth.Service => {
  let generation = 0
  let current: Token | undefined
  let inflight: Deferred.Deferred<Token, CredentialsFailure> | undefined

  const refresh: Effect.Effect<Token, CredentialsFailure> = Effect.suspend(() => {
    if (inflight !== undefined) return Deferred.await(inflight)
    const deferred = Deferred.makeUnsafe<Token, CredentialsFailure>()
    inflight = deferred
    const numbered = Effect.map(fetch, (t): Token => ({ ...t, generation: ++generation }))
    // the fetch's failure is handed to the callers through the deferred: the fiber itself
    // always succeeds, so no "unhandled error" is logged for it
    return Effect.andThen(
      Effect.flatMap(
        Effect.forkIn(
          Effect.flatMap(Effect.exit(numbered), (exit) => {
            inflight = undefined
            if (Exit.isSuccess(exit)) current = exit.value
            return Deferred.done(deferred, exit)
          }),
          scope
        ),
        // the layer's scope has closed (or closes now): the fetch is interrupted before it
        // answers, and every caller waiting for it fails instead of waiting forever
        (fiber) =>
          Effect.sync(() =>
            fiber.addObserver(() => {
              if (inflight === deferred) inflight = undefined
              Deferred.doneUnsafe(deferred, Exit.fail(closed))
            })
          )
      ),
      Deferred.await(deferred)
    )
  })

  const credentials: Effect.Effect<Auth.Applied, CredentialsFailure> = Effect.flatMap(
    Clock.currentTimeMillis,
    (now) =>
      Effect.map(
        current !== undefined && now < current.expiresAt ? Effect.succeed(current) : refresh,
        (t): Auth.Applied => ({ headers: { authorization: t.header }, query: {}, generation: t.generation })
      )
  )

  const unauthorized = (used: number) =>
    Effect.sync(() => {
      // The token that failed is still current: drop it, the replay fetches a new one.
      // Otherwise a newer token exists or is on its way: the replay uses it.
      if (current !== undefined && current.generation === used) current = undefined
      return true
    })

  return {
    credentials,
    unauthorized,
    sensitiveHeaders: ["authorization"],
    sensitiveQueryParams: [],
    secretValues,
    origins
  }
}

/** @internal */
export const layerOAuth2ClientCredentials = <E, R>(options: Auth.OAuth2ClientCredentialsOptions<E, R>) => {
  const origins = originsOf("Auth.layerOAuth2ClientCredentials", options)
  return Layer.effect(
    tag,
    Effect.gen(function*() {
      const http = yield* HttpClient.HttpClient
      const secret = yield* resolveSecret(options.clientSecret)
      const scope = yield* Effect.scope
      // the client secret, as sent (form-encoded too), is masked in whatever the endpoint answers
      const secrets = [Redacted.value(secret), encodeURIComponent(Redacted.value(secret))]
      const failure = failureAt(redactUrl(new URL(options.tokenUrl)), secrets)
      const skewMillis = Duration.toMillis(options.refreshSkew ?? Duration.seconds(60))
      const timeout = Duration.fromInputUnsafe(options.timeout ?? Duration.seconds(10))
      return tokenCache(
        fetchToken(http, tokenRequest(options, secret), timeout, skewMillis, failure),
        scope,
        secrets,
        failure(
          "was not asked: the Auth layer's scope has ended. Provide Auth.layerOAuth2ClientCredentials to the " +
            "program that makes the calls, not to Effect.provide(Auth.Auth, …) alone: that closes it as soon as it returns"
        ),
        origins
      )
    })
  )
}

const hasKeys = (record: Readonly<Record<string, string>>): boolean => {
  for (const _ in record) return true
  return false
}

/** The request with the credentials set. */
const apply = (request: PolicyNs.Request, applied: Auth.Applied): PolicyNs.Request => {
  const headers: Record<string, string> = { ...request.headers }
  for (const name in applied.headers) headers[name] = applied.headers[name]
  if (!hasKeys(applied.query)) return { ...request, headers }
  const url = new URL(request.url)
  for (const name in applied.query) url.searchParams.set(name, applied.query[name])
  return { ...request, headers, url }
}

/**
 * The `Auth` service as a per-attempt policy: credentials on every request that may carry
 * them; after a 401 (`AuthenticationError`) from the API, `unauthorized` decides, and the
 * request is replayed once with the new credentials.
 *
 * @internal
 */
export const policy = (service: Auth.Service): PolicyNs.Policy => {
  const binding = bindingOf(service)
  return policyInternal.make({
    name: "auth",
    stage: "attempt",
    wrap: (next) => (request) => {
      if (!request.credentials) return next(request)
      const origin = request.url.origin
      if (!serves(binding, origin)) return withheld(binding, origin, next(request))
      const send = (replayed: boolean): Effect.Effect<PolicyNs.Response, ApiErrorNs.ApiError> =>
        Effect.flatMap(
          Effect.mapError(
            service.credentials,
            (failure) => toAuthenticationError(failure, policyInternal.requestInfo(request))
          ),
          (applied) => {
            const sent = next(apply(request, applied))
            if (replayed) return sent
            return Effect.catchIf(
              sent,
              (error) => error._tag === "AuthenticationError",
              (error) =>
                Effect.flatMap(
                  service.unauthorized(applied.generation),
                  // the token is dropped either way; a body readable once cannot be sent again
                  (replay) => (replay && !body.isOneShot(request.body) ? send(true) : Effect.fail(error))
                )
            )
          }
        )
      return send(false)
    }
  })
}

/** Which origins one `Auth` service serves, shared by every client made with it. */
interface Binding {
  /** The origins named, or none: then the first origin to use it claims it. */
  readonly named: ReadonlySet<string> | undefined
  claimed: string | undefined
  /** Origins already warned about (bounded). */
  readonly warned: Set<string>
}

const MAX_WARNED = 64

const bindings = new WeakMap<Auth.Service, Binding>()

const bindingOf = (service: Auth.Service): Binding => {
  let binding = bindings.get(service)
  if (binding === undefined) {
    const named = service.origins === undefined
      ? undefined
      : new Set(originsOf("Auth service", { origins: service.origins }))
    binding = { named, claimed: undefined, warned: new Set() }
    bindings.set(service, binding)
  }
  return binding
}

/** Whether `service` sends its credentials to `origin`; the first origin to ask claims an unnamed one. */
const serves = (binding: Binding, origin: string): boolean => {
  if (binding.named !== undefined) return binding.named.has(origin)
  binding.claimed ??= origin
  return binding.claimed === origin
}

/**
 * Claims an unnamed `Auth` service for a client's base URL, when the client is made: the
 * first client made with the credentials is the one they serve, whichever calls first.
 *
 * @internal
 */
export const claim = (service: Auth.Service, base: URL): void => {
  serves(bindingOf(service), base.origin)
}

/** The request, sent without the credentials, with a warning (once per origin) when that may surprise. */
const withheld = <A, E>(binding: Binding, origin: string, send: Effect.Effect<A, E>): Effect.Effect<A, E> => {
  if (binding.warned.has(origin) || binding.warned.size >= MAX_WARNED) return send
  binding.warned.add(origin)
  const message = binding.named !== undefined
    ? `steady: ${origin} is not among the origins of the Auth layer's credentials (${
      [...binding.named].join(", ")
    }): its requests are sent without them`
    : `steady: the Auth layer's credentials serve ${binding.claimed}, the first origin that used them; ` +
      `requests to ${origin} are sent without them. Name the origins they are for ` +
      `(Auth.layerBearer(token, { origins: [...] })), or give the client of ${origin} its own Auth layer`
  return Effect.andThen(binding.named !== undefined ? Effect.logDebug(message) : Effect.logWarning(message), send)
}

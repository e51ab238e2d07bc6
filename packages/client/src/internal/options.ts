/**
 * `ApiClient.Options` resolved and checked once per client; per-call overrides applied to
 * the client's settings.
 *
 * @internal
 */
import * as bounds from "@steady/core/Limits"
import * as redact from "@steady/core/Redaction"
import * as Duration from "effect/Duration"
import * as LogLevel from "effect/LogLevel"
import type * as ApiClient from "../ApiClient.js"
import type * as Policy from "../Policy.js"
import type * as Transport from "../Transport.js"
import * as policyInternal from "./policy.js"
import * as retry from "./retry.js"

/** @internal */
export const defaults = {
  attemptTimeout: Duration.seconds(10),
  totalTimeout: Duration.seconds(30),
  idleTimeout: Duration.seconds(60),
  times: retry.defaults.times,
  base: retry.defaults.base,
  cap: retry.defaults.cap,
  maxRetryAfter: retry.defaults.maxRetryAfter,
  maxResponseBytes: 16 * 1024 * 1024
} as const

/** @internal */
export interface Resolved {
  readonly base: URL | undefined
  /** `base` without a trailing slash, to append paths to. */
  readonly basePrefix: string
  readonly headers: Readonly<Record<string, string>>
  readonly settings: Policy.Settings
  readonly allowOtherOrigins: boolean
  readonly idempotencyKey: "auto" | undefined
  readonly redactQuery: ReadonlySet<string>
  readonly policies: ReadonlyArray<Policy.Policy>
  readonly metrics: boolean
}

const resolveBase = (baseUrl: string | URL | undefined): { base: URL | undefined; basePrefix: string } => {
  if (baseUrl === undefined) return { base: undefined, basePrefix: "" }
  let base: URL
  try {
    base = new URL(baseUrl)
  } catch {
    throw new TypeError(`baseUrl is not an absolute URL: ${redact.redactUrl(String(baseUrl))}`)
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new TypeError(`baseUrl must use http or https, got ${base.protocol}`)
  }
  if (base.search !== "" || base.hash !== "") throw new TypeError("baseUrl must not have a query or fragment")
  return { base, basePrefix: base.href.endsWith("/") ? base.href.slice(0, -1) : base.href }
}

const resolveHeaders = (input: ApiClient.Options["headers"]): Record<string, string> => {
  const headers: Record<string, string> = {}
  if (input === undefined) return headers
  const entries = Symbol.iterator in input
    ? Array.from(input as Iterable<readonly [string, string]>)
    : Object.entries(input as Record<string, string | ReadonlyArray<string> | undefined>)
  for (const [k, v] of entries) {
    if (v === undefined) continue
    headers[k.toLowerCase()] = typeof v === "string" ? v : (v as ReadonlyArray<string>).join(", ")
  }
  return headers
}

const resolvePolicies = (policies: ApiClient.Options["policies"]): ReadonlyArray<Policy.Policy> => {
  if (policies === undefined) return []
  if (!Array.isArray(policies)) throw new TypeError("policies must be an array of Policy values")
  policies.forEach((p, i) => {
    if (!policyInternal.isPolicy(p)) throw new TypeError(`policies[${i}] is not a Policy (make one with Policy.make)`)
  })
  return policies
}

const checkNames = (name: string, names: ReadonlyArray<string> | undefined) => {
  if (names === undefined) return
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string" || n === "")) {
    throw new TypeError(`${name} must be an array of non-empty header or parameter names`)
  }
}

/** @internal */
export const resolve = (options: ApiClient.Options): Resolved => {
  checkNames("sensitiveHeaders", options.sensitiveHeaders)
  checkNames("redactQueryParams", options.redactQueryParams)
  const maxResponseBytes = options.maxResponseBytes ?? defaults.maxResponseBytes
  if (!(typeof maxResponseBytes === "number" && bounds.holds(bounds.maxResponseBytes, maxResponseBytes))) {
    throw new RangeError(bounds.refusal("maxResponseBytes", bounds.maxResponseBytes, maxResponseBytes))
  }
  return {
    ...resolveBase(options.baseUrl),
    headers: resolveHeaders(options.headers),
    settings: {
      attemptTimeout: retry.duration("timeout.attempt", options.timeout?.attempt ?? defaults.attemptTimeout, true),
      totalTimeout: retry.duration("timeout.total", options.timeout?.total ?? defaults.totalTimeout, true),
      retry: retry.resolve(options.retry, undefined),
      maxResponseBytes,
      logLevel: resolveLogLevel(options.logLevel),
      compression: options.compression ?? true,
      idleTimeout: retry.duration("timeout.idle", options.timeout?.idle ?? defaults.idleTimeout, true),
      followRedirects: retry.wholeNumber("followRedirects", options.followRedirects ?? 0)
    },
    allowOtherOrigins: options.allowOtherOrigins ?? false,
    idempotencyKey: options.idempotencyKey,
    redactQuery: new Set((options.redactQueryParams ?? []).map((s) => s.toLowerCase())),
    policies: resolvePolicies(options.policies),
    metrics: options.metrics ?? false
  }
}

const resolveLogLevel = (level: ApiClient.Options["logLevel"]): LogLevel.LogLevel => {
  if (level === undefined) return "Debug"
  if (!LogLevel.values.includes(level)) {
    throw new TypeError(`logLevel must be one of ${LogLevel.values.join(", ")}, got ${String(level)}`)
  }
  return level
}

/**
 * What a call's options act on: the client's settings, and whether an `Idempotency-Key` is
 * added (a client option that is not among the settings policies see).
 *
 * @internal
 */
export interface CallSettings {
  readonly settings: Policy.Settings
  readonly idempotencyKey: "auto" | undefined
}

/**
 * How one call option is merged. `merge`: an outer `withOptions` over an inner one, when the
 * outer one has the key (the outer wins; `fields` options win field by field). `apply`: the
 * call's value, when it is set, over the client's.
 */
interface Rule<K extends keyof ApiClient.CallOptions> {
  readonly merge: (own: ApiClient.CallOptions[K], outer: ApiClient.CallOptions[K]) => ApiClient.CallOptions[K]
  readonly apply: (call: CallSettings, value: Exclude<ApiClient.CallOptions[K], undefined>) => CallSettings
}

const replace = <A>(_own: A, outer: A): A => outer

/** `timeout.*` and the setting each one sets: every key of `TimeoutOptions` has one. */
const timeoutSettings = {
  attempt: "attemptTimeout",
  total: "totalTimeout",
  idle: "idleTimeout"
} as const satisfies { readonly [K in keyof Required<ApiClient.TimeoutOptions>]: keyof Policy.Settings }

const timeoutKeys = Object.keys(timeoutSettings) as ReadonlyArray<keyof typeof timeoutSettings>

/**
 * The one rule for every call option: the table's type requires a rule for each key of
 * `CallOptions`, so an option added there without one does not compile, and `withOptions`,
 * `withCallOptions`, `httpApi`'s `endpoints` and the client all go through the table.
 *
 * @internal
 */
export const callOptionRules: { readonly [K in keyof Required<ApiClient.CallOptions>]: Rule<K> } = {
  timeout: {
    merge: (own, outer) => own === undefined ? outer : { ...own, ...outer },
    apply: (call, timeout) => {
      let settings = call.settings
      for (const key of timeoutKeys) {
        const value = timeout[key]
        if (value !== undefined) {
          settings = { ...settings, [timeoutSettings[key]]: retry.duration(`timeout.${key}`, value, true) }
        }
      }
      return settings === call.settings ? call : { ...call, settings }
    }
  },
  retry: {
    merge: replace,
    apply: (call, value) => ({
      ...call,
      settings: { ...call.settings, retry: retry.resolve(value, call.settings.retry) }
    })
  },
  idempotencyKey: {
    merge: replace,
    apply: (call, idempotencyKey) => ({ ...call, idempotencyKey })
  },
  followRedirects: {
    merge: replace,
    apply: (call, value) => ({
      ...call,
      settings: { ...call.settings, followRedirects: retry.wholeNumber("followRedirects", value) }
    })
  }
}

/** The keys of `CallOptions`, from the table. @internal */
export const callOptionKeys = Object.keys(callOptionRules) as ReadonlyArray<keyof ApiClient.CallOptions>

/** `outer` (an outer `withOptions`) over `own`, key by key as the table says. @internal */
export const mergeCallOptions = (
  own: ApiClient.CallOptions,
  outer: ApiClient.CallOptions | undefined
): ApiClient.CallOptions => {
  if (outer === undefined) return own
  const merged: Record<string, unknown> = {}
  // a key set to `undefined` is not set, as when a call's options are applied: it keeps the
  // inner value, for every key alike
  for (const key of callOptionKeys) {
    if (outer[key] !== undefined) {
      merged[key] = own[key] === undefined
        ? outer[key]
        : (callOptionRules[key].merge as Rule<typeof key>["merge"])(own[key] as never, outer[key] as never)
    } else if (own[key] !== undefined) {
      merged[key] = own[key]
    }
  }
  return merged as ApiClient.CallOptions
}

/**
 * The client's settings with a call's options applied, key by key as the table says. Invalid
 * options are defects that name the option.
 *
 * @internal
 */
export const applyCallOptions = (call: CallSettings, options: ApiClient.CallOptions): CallSettings => {
  let out = call
  for (const key of callOptionKeys) {
    const value = options[key]
    if (value !== undefined) out = (callOptionRules[key].apply as Rule<typeof key>["apply"])(out, value as never)
  }
  return out
}

/** The settings of a client made with no options. @internal */
export const defaultCall: CallSettings = { settings: resolve({}).settings, idempotencyKey: undefined }

/** What the client asks for. @internal */
export const acceptEncoding = "gzip, deflate, br"

/**
 * The client's resolved options with `Accept-Encoding` among its default headers, when its
 * transport decodes content (the pool's does) and nobody set the header.
 *
 * @internal
 */
export const askForCompression = (resolved: Resolved, chosen: Transport.Transport): Resolved =>
  resolved.settings.compression && chosen.decodesContent === true && resolved.headers["accept-encoding"] === undefined
    ? { ...resolved, headers: { ...resolved.headers, "accept-encoding": acceptEncoding } }
    : resolved

/**
 * The severity the client logs at: none for `None`; `All` (below every severity) logs as
 * `Trace`, Effect 4 logging only at a severity.
 *
 * @internal
 */
export const severityOf = (level: LogLevel.LogLevel): LogLevel.Severity | undefined =>
  level === "None" ? undefined : level === "All" ? "Trace" : level

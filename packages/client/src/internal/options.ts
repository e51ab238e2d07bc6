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
  readonly followRedirects: number
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
      idleTimeout: retry.duration("timeout.idle", options.timeout?.idle ?? defaults.idleTimeout, true)
    },
    allowOtherOrigins: options.allowOtherOrigins ?? false,
    idempotencyKey: options.idempotencyKey,
    redactQuery: new Set((options.redactQueryParams ?? []).map((s) => s.toLowerCase())),
    followRedirects: retry.wholeNumber("followRedirects", options.followRedirects ?? 0),
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

/** The client's settings with a call's overrides applied. @internal */
export const override = (settings: Policy.Settings, options: ApiClient.CallOptions): Policy.Settings => ({
  attemptTimeout: options.timeout?.attempt !== undefined
    ? retry.duration("timeout.attempt", options.timeout.attempt, true)
    : settings.attemptTimeout,
  totalTimeout: options.timeout?.total !== undefined
    ? retry.duration("timeout.total", options.timeout.total, true)
    : settings.totalTimeout,
  retry: options.retry !== undefined ? retry.resolve(options.retry, settings.retry) : settings.retry,
  maxResponseBytes: settings.maxResponseBytes,
  logLevel: settings.logLevel,
  compression: settings.compression,
  idleTimeout: options.timeout?.idle !== undefined
    ? retry.duration("timeout.idle", options.timeout.idle, true)
    : settings.idleTimeout
})

/** The settings of a client made with no options. @internal */
export const defaultSettings: Policy.Settings = resolve({}).settings

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

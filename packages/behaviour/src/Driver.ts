/**
 * What a case asks of a line, in plain data: each Effect line implements `Backend` for each
 * of its transports (a mock on the TestClock, the undici pool, the generic transport), and
 * runs every case of `cases.ts` against each one. No Effect import here: the same file serves
 * Effect 3 and Effect 4.
 */

/** A request as the server (or the mock) received it. */
export interface Seen {
  readonly method: string
  readonly path: string
  /** Path and query, as sent. */
  readonly url: string
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Milliseconds: the TestClock's for the mock, real time for a server. */
  readonly at: number
}

/** What the server answers. */
export type Reply =
  | {
    readonly status: number
    readonly headers?: Readonly<Record<string, string>>
    readonly json?: unknown
    /** A raw body instead of `json`, sent without Content-Length (chunked). */
    readonly body?: string
    /** Send the headers and `body`, then stall: the response never completes. */
    readonly stall?: boolean
    /** Wait this long before the headers. */
    readonly delayMillis?: number
  }
  /** Close the connection without an answer. */
  | "reset"

/** The server's script: the reply to the `index`-th request (from 0). */
export type Script = (request: Seen, index: number) => Reply

/** A duration as both lines' `Duration` inputs read it: "100 millis", "1 minute". */
export type DurationText =
  | `${number} millis`
  | `${number} second`
  | `${number} seconds`
  | `${number} minute`
  | `${number} minutes`

/** A policy, as data: each line builds its own. */
export type PolicySpec =
  | { readonly breaker: { readonly consecutiveFailures: number; readonly openDuration: DurationText } }
  | {
    readonly bulkhead: {
      readonly maxConcurrent: number
      readonly maxQueue: number
      readonly queueTimeout: DurationText
    }
  }
  | {
    readonly rateLimiter: { readonly limit: number; readonly interval: DurationText; readonly maxWait: DurationText }
  }

/** The client's options, as data; durations written like "100 millis". */
export interface ClientOptions {
  readonly retry?:
    | false
    | {
      readonly times?: number
      readonly base?: DurationText
      readonly cap?: DurationText
      readonly maxRetryAfter?: DurationText
    }
  readonly timeout?: {
    readonly attempt?: DurationText
    readonly total?: DurationText
    readonly idle?: DurationText
  }
  readonly idempotencyKey?: "auto"
  readonly maxResponseBytes?: number
  readonly followRedirects?: number
  readonly allowOtherOrigins?: boolean
  readonly sensitiveHeaders?: ReadonlyArray<string>
  readonly headers?: Readonly<Record<string, string>>
  readonly policies?: ReadonlyArray<PolicySpec>
}

/**
 * Credentials, as data: fixed headers and query parameters, or a token that a 401 refreshes
 * (`Bearer t1`, then `Bearer t2`, …; the refresh allows one replay).
 */
export type AuthSpec =
  | {
    readonly headers?: Readonly<Record<string, string>>
    readonly query?: Readonly<Record<string, string>>
    /** Secrets to mask by value (a password the headers do not show). */
    readonly secretValues?: ReadonlyArray<string>
  }
  | { readonly refreshing: true }

/** One call. */
export interface Call {
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH"
  /** Relative to the backend's base URL, or absolute. */
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  /** A body sent again at will (`text`), or readable once (`stream`). */
  readonly body?:
    | { readonly text: string; readonly contentType: string }
    | { readonly stream: string; readonly contentType: string }
  /** How the response is read: its text (default), or as a stream of NDJSON lines or SSE events. */
  readonly read?: "text" | "ndjson" | "sse"
}

/** A typed failure, as the case sees it. */
export interface Failure {
  readonly _tag: string
  readonly message: string
  /** `JSON.stringify(error)`. */
  readonly json: string
  /** `ApiError.isRetryable(error)`. */
  readonly retryable: boolean
  /** `retryAfter`, in milliseconds, when the error has one. */
  readonly retryAfterMillis: number | undefined
  /** Every other field of the error (status, attempts, reason, sent, scope, headers, body, request…). */
  readonly [field: string]: unknown
}

/** How a call ended. */
export type Outcome =
  | {
    readonly ok: true
    readonly status: number
    readonly attempts: number
    /** The body as text (`read: "text"`). */
    readonly text: string
    /** NDJSON values or SSE event data (`read: "ndjson" | "sse"`). */
    readonly items: ReadonlyArray<unknown>
  }
  | { readonly ok: false; readonly error: Failure; readonly items: ReadonlyArray<unknown> }

/** A client against a scripted server. */
export interface Served {
  readonly call: (call: Call) => Promise<Outcome>
  /** Calls made at once, all started before any ends. */
  readonly callAll: (calls: ReadonlyArray<Call>) => Promise<ReadonlyArray<Outcome>>
  readonly seen: () => ReadonlyArray<Seen>
  /** The server's base URL (the mock's is a fixed loopback one). */
  readonly url: string
}

/** One transport of one line. */
export interface Backend {
  readonly name: string
  /** Real sockets and real time; otherwise the mock on the TestClock. */
  readonly live: boolean
  readonly serve: (script: Script, options?: ClientOptions, auth?: AuthSpec) => Promise<Served>
}

/** The assertions a case uses: vitest's `expect`, of either major. */
export interface Expect {
  (actual: unknown, message?: string): Matchers
}

/** The matchers a case uses. */
export interface Matchers {
  readonly not: Matchers
  toBe(expected: unknown): void
  toEqual(expected: unknown): void
  toMatchObject(expected: object): void
  toHaveLength(n: number): void
  toContain(item: unknown): void
  toMatch(pattern: RegExp | string): void
  toBeGreaterThanOrEqual(n: number): void
  toBeLessThanOrEqual(n: number): void
  toBeUndefined(): void
}

/** A behaviour every line must have on every transport. */
export interface Case {
  readonly name: string
  readonly run: (t: { readonly backend: Backend; readonly expect: Expect }) => Promise<void>
}

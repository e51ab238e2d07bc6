/**
 * The test kit's one vocabulary of faults: what a misbehaving server does to one request.
 * `ChaosServer` scripts them per route (`sequence`, `faults`) and does them on a real socket;
 * a `MockHttpClient` handler returns them and the mock does them in memory, on Effect's clock
 * (so `TestClock` drives every wait). docs/testing.md has the table of what each does.
 *
 * A fault only a client can meet without a server (a refused connection, a name that does not
 * resolve) is not one of them: `MockHttpClient.refused` and `MockHttpClient.dns`.
 *
 * @since 0.3.0
 */

/**
 * What the server does to one request.
 *
 * @since 0.3.0
 * @category models
 */
export type Fault =
  | {
    readonly _tag: "Status"
    readonly status: number
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly body?: string | undefined
  }
  | { readonly _tag: "Delay"; readonly millis: number }
  | { readonly _tag: "SlowBody"; readonly chunks: number; readonly chunkDelayMillis: number }
  | { readonly _tag: "StallBody" }
  | { readonly _tag: "Truncate" }
  | { readonly _tag: "ResetBeforeHeaders" }
  | { readonly _tag: "ResetAfterHeaders" }
  | { readonly _tag: "MalformedJson" }
  | { readonly _tag: "Oversized"; readonly bytes: number }
  | { readonly _tag: "DropStream"; readonly after: number }
  | { readonly _tag: "Hang" }

/**
 * Whether `u` is one of the faults of this module.
 *
 * @since 0.3.0
 * @category guards
 */
export const isFault = (u: unknown): u is Fault =>
  typeof u === "object" && u !== null && "_tag" in u && typeof u._tag === "string" && tags.has(u._tag)

const tags: ReadonlySet<string> = new Set<Fault["_tag"]>([
  "Status",
  "Delay",
  "SlowBody",
  "StallBody",
  "Truncate",
  "ResetBeforeHeaders",
  "ResetAfterHeaders",
  "MalformedJson",
  "Oversized",
  "DropStream",
  "Hang"
])

/**
 * Answer with `status` (and headers, e.g. `{ "retry-after": "1" }`, and a body; by default a
 * small JSON error).
 *
 * @since 0.3.0
 * @category faults
 */
export const status = (
  status: number,
  headers?: Readonly<Record<string, string>>,
  body?: string
): Fault => ({ _tag: "Status", status, headers, body })

/**
 * Wait `millis` before the headers, then answer normally.
 *
 * @since 0.3.0
 * @category faults
 */
export const delay = (millis: number): Fault => ({ _tag: "Delay", millis })

/**
 * Answer normally, but send the body in `chunks` pieces `chunkDelayMillis` apart.
 *
 * @since 0.3.0
 * @category faults
 */
export const slowBody = (chunks: number, chunkDelayMillis: number): Fault => ({
  _tag: "SlowBody",
  chunks,
  chunkDelayMillis
})

/**
 * Send the headers and part of the body, then nothing, ever.
 *
 * @since 0.3.0
 * @category faults
 */
export const stallBody: Fault = { _tag: "StallBody" }

/**
 * Declare a Content-Length larger than what is sent, then break the connection.
 *
 * @since 0.3.0
 * @category faults
 */
export const truncate: Fault = { _tag: "Truncate" }

/**
 * Break the connection without answering (the client reads a reset).
 *
 * @since 0.3.0
 * @category faults
 */
export const resetBeforeHeaders: Fault = { _tag: "ResetBeforeHeaders" }

/**
 * Send the headers, then break the connection.
 *
 * @since 0.3.0
 * @category faults
 */
export const resetAfterHeaders: Fault = { _tag: "ResetAfterHeaders" }

/**
 * Answer 200 with a body that is not JSON.
 *
 * @since 0.3.0
 * @category faults
 */
export const malformedJson: Fault = { _tag: "MalformedJson" }

/**
 * Answer 200 with a body of `bytes` bytes.
 *
 * @since 0.3.0
 * @category faults
 */
export const oversized = (bytes: number): Fault => ({ _tag: "Oversized", bytes })

/**
 * For an answer with events: send the first `after` events and half of the next, then break
 * the connection (an event stream that breaks mid-event).
 *
 * @since 0.3.0
 * @category faults
 */
export const dropStream = (after: number): Fault => ({ _tag: "DropStream", after })

/**
 * No answer, ever: the connection stays open, silent, until the client gives up (its timeout)
 * or the server closes.
 *
 * @since 0.3.0
 * @category faults
 */
export const hang: Fault = { _tag: "Hang" }

/**
 * Record and replay: tests made from real traffic. `Cassette.layer(path, { mode })` supplies the
 * `HttpClient` in place of `ConnectionPool.layer`. Recording, each request goes to the real
 * network and is written, with its response, to a cassette file (JSON, one entry per request,
 * bodies as text when they are text); replaying, each request is answered from the file, and one
 * with no recorded match fails the test naming the nearest entry and the difference.
 *
 * No credential reaches the disk: headers and query parameters steady treats as sensitive (and
 * those named here or by the `Auth` layer in context) are masked by name, and every secret value
 * (given here, declared by the `Auth` layer, carried by a sensitive header, an OAuth token
 * answer's `access_token`/`refresh_token`/`id_token`, a form's `client_secret`) is masked
 * wherever it occurs, as it is, percent-encoded, in base64 and JSON-escaped.
 *
 * The format, the masking and the matching are `@steady/core/Cassette`'s, shared with the
 * Effect 4 line's test kit: a cassette recorded on one line replays on the other.
 *
 * @since 0.3.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Core from "@steady/core/Cassette"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Fault from "./Fault.js"
import * as internal from "./internal/cassette.js"
import type * as TestServer from "./TestServer.js"

/**
 * `"record"`: every request goes to the network and the cassette is written anew when the
 * layer's scope closes. `"replay"`: every request is answered from the cassette; none reaches
 * the network. `"auto"`: a request the cassette has is replayed, one it lacks is recorded and
 * added (the file is rewritten only when something was added). Where recording is not allowed
 * (`allowRecording`, off when `CI=true`), `"auto"` replays only and `"record"` fails.
 *
 * @since 0.3.0
 * @category models
 */
export type Mode = internal.Mode

/**
 * One recorded request and its response (the core's `Cassette.Entry`).
 *
 * @since 0.3.0
 * @category models
 */
export type Entry = Core.Entry

/**
 * Which fault, if any, a replayed request meets: called with each request the cassette answers
 * and its index (0-based, in the order the cassette received them). See `Options.faults`.
 *
 * @since 0.3.0
 * @category models
 */
export type FaultPlan = (request: TestServer.Request, index: number) => Fault.Fault | undefined

/**
 * @since 0.3.0
 * @category models
 */
export interface Options extends Core.MatchOptions {
  /** Record, replay, or both (see `Mode`). Required. */
  readonly mode: Mode
  /**
   * A request whose recordings were all replayed gets the last of them again. Default: `false`:
   * it fails as unmatched, so a test that sends a request more often than the recording did
   * (one retry too many) says so.
   */
  readonly repeat?: boolean | undefined
  /**
   * `"keep"`: a replayed answer arrives after the delay recorded with it, on Effect's clock (so
   * `TestClock` drives it, and timeouts meet it as they did for real). `"drop"`: at once.
   * Default: `"drop"`.
   */
  readonly delays?: "keep" | "drop" | undefined
  /**
   * Secrets to mask wherever they occur, beyond those found by name (e.g. a token the test
   * passes in a body). Default: none. The `Auth` layer's declared secrets are added when an
   * `Auth` service is in the cassette layer's context.
   */
  readonly secrets?: ReadonlyArray<Redacted.Redacted<string> | string> | undefined
  /**
   * More header names to mask (give the client's `sensitiveHeaders` here). Default: none
   * beyond steady's own (`Authorization`, `Cookie`, `Set-Cookie`, `Proxy-Authorization`,
   * `X-Api-Key`, …).
   */
  readonly sensitiveHeaders?: ReadonlyArray<string> | undefined
  /** More query parameter names to mask. Default: none beyond steady's own (`api_key`, `token`, …). */
  readonly sensitiveQueryParams?: ReadonlyArray<string> | undefined
  /**
   * More JSON and form body field names whose values are secrets. Default: none beyond
   * `access_token`, `refresh_token`, `id_token`, `client_secret`, `password`.
   */
  readonly sensitiveFields?: ReadonlyArray<string> | undefined
  /**
   * Whether requests may be recorded. Default: `false` when the environment has `CI=true`,
   * `true` otherwise.
   */
  readonly allowRecording?: boolean | undefined
  /**
   * The largest body (request or response, decoded) recorded. A larger one is not recorded: the
   * request fails with a `CassetteError` (reason `"TooLarge"`) as a defect. Default: 10 MiB.
   */
  readonly maxBodyBytes?: number | undefined
  /**
   * Faults injected on replay, from the test kit's vocabulary (`Fault`): `Fault.status(503)`,
   * `Fault.resetBeforeHeaders`, `Fault.hang`, … answer in place of the recording (which stays
   * for the next matching request, so a retry gets it); `Fault.delay` and `Fault.slowBody`
   * deliver the recording late or slowly. Default: none. Build one with `faults`.
   */
  readonly faults?: FaultPlan | undefined
}

/**
 * A request the cassette has no recording for, replaying (or a request sent more often than it
 * was recorded). It is a defect, not a failure: a test whose code retries transport errors, or
 * falls back on any error, would otherwise hide it. The message names the request, the nearest
 * entry (`nearest`, 0-based) and how the request differs from it (`differences`).
 *
 * @since 0.3.0
 * @category errors
 */
export const CassetteMismatch: typeof internal.CassetteMismatch = internal.CassetteMismatch

/**
 * @since 0.3.0
 * @category errors
 */
export type CassetteMismatch = internal.CassetteMismatch

/**
 * The cassette file could not be used: `"Missing"` (replay with no file), `"Invalid"` (its
 * shape, naming the entry), `"Read"`, `"Write"`, `"RecordingRefused"` (record mode where
 * recording is not allowed), `"TooLarge"` (a body over `maxBodyBytes`).
 *
 * @since 0.3.0
 * @category errors
 */
export const CassetteError: typeof internal.CassetteError = internal.CassetteError

/**
 * @since 0.3.0
 * @category errors
 */
export type CassetteError = internal.CassetteError

/**
 * The cassette in context: its file, the mode it runs in, its entries (masked) and those not
 * replayed yet.
 *
 * @since 0.3.0
 * @category models
 */
export interface Cassette {
  readonly path: string
  /** The mode in effect (`"auto"` where recording is not allowed is `"replay"`). */
  readonly mode: Mode
  readonly entries: Effect.Effect<ReadonlyArray<Entry>>
  /** Entries (0-based) not replayed yet: a recording the test no longer needs. */
  readonly unused: Effect.Effect<ReadonlyArray<number>>
}

/**
 * @since 0.3.0
 * @category tags
 */
export const Cassette: Context.Tag<Cassette, Cassette> = internal.tag

/**
 * Supplies `HttpClient.HttpClient` (recording or replaying through `path`) and `Cassette`.
 * Recording sends through the `HttpClient` in the layer's context when there is one, and
 * through a `ConnectionPool` of its own otherwise. Provide it in place of
 * `ConnectionPool.layer`; to have the `Auth` layer's secrets masked, give the cassette the same
 * `Auth` layer (`Layer.provideMerge(AuthLive)`).
 *
 * @example
 * ```ts
 * import { Cassette } from "@steady/testing-effect3"
 *
 * const Http = Cassette.layer("test/cassettes/pets.json", { mode: "auto", origin: false })
 * ```
 *
 * @since 0.3.0
 * @category layers
 */
export const layer = (path: string, options: Options): Layer.Layer<HttpClient.HttpClient | Cassette, CassetteError> =>
  internal.layer(path, options)

/**
 * A `FaultPlan` by route (`"GET /pets/:id"`, as `MockHttpClient.routes`): the n-th replayed
 * request of a route meets the n-th fault of its list (`undefined`: none, replay it), and the
 * requests after the list's end meet none. A plan counts from its making, across every layer it
 * is given to: make one per test.
 *
 * @example
 * ```ts
 * import { Cassette, Fault } from "@steady/testing-effect3"
 *
 * // the first GET /pets answers 503, the retry replays the recording
 * const Http = Cassette.layer("test/cassettes/pets.json", {
 *   mode: "replay",
 *   faults: Cassette.faults({ "GET /pets": [Fault.status(503)] })
 * })
 * ```
 *
 * @since 0.3.0
 * @category faults
 */
export const faults = (table: Readonly<Record<string, ReadonlyArray<Fault.Fault | undefined>>>): FaultPlan =>
  internal.faults(table)

/**
 * The most a recorded body may hold by default (10 MiB).
 *
 * @since 0.3.0
 * @category constants
 */
export const DEFAULT_MAX_BODY_BYTES: number = internal.DEFAULT_MAX_BODY_BYTES

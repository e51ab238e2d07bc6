/**
 * A response body handed to the caller as it arrives (`ApiClient.stream`): the transport
 * pushes chunks in, the caller's stream pulls them out. Backpressure reaches the socket: past
 * `highWaterMark` buffered bytes the transport is paused, and it resumes when the caller has
 * taken them. The wait for each next chunk is bounded by the idle timeout here, with one timer:
 * `Stream.timeoutFail` would fork a fiber per chunk.
 *
 * @internal
 */
import type * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as ApiError from "../ApiError.js"

/** How many bytes wait for the caller before the socket is paused. @internal */
export const highWaterMark = 256 * 1024

type Pull = Effect.Effect<Arr.NonEmptyReadonlyArray<Uint8Array>, ApiError.ApiError | Cause.Done>

/** @internal */
export class BodyQueue {
  private chunks: Array<Uint8Array> = []
  private bytes = 0
  private ended = false
  private failure: ApiError.ApiError | undefined
  private waiter: ((pull: Pull) => void) | undefined
  private paused = false
  private idleTimer: ReturnType<typeof setTimeout> | undefined
  /**
   * `idleMillis` (unless infinite) bounds each wait of the caller for the next chunk: past
   * it, `onIdle` runs (it fails the queue and closes the connection). A caller that is slow
   * to pull is not waiting, and is never timed.
   */
  constructor(
    private readonly pauseSource: () => void,
    private readonly resumeSource: () => void,
    private readonly idleMillis: number,
    private readonly onIdle: () => void
  ) {}

  /** Whether the body has ended or failed: nothing more will be pushed. */
  get settled(): boolean {
    return this.ended || this.failure !== undefined
  }

  push(chunk: Uint8Array): void {
    if (this.settled) return
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      clearTimeout(this.idleTimer)
      waiter(Effect.succeed([chunk]))
      return
    }
    this.chunks.push(chunk)
    this.bytes += chunk.byteLength
    if (!this.paused && this.bytes >= highWaterMark) {
      this.paused = true
      this.pauseSource()
    }
  }

  end(): void {
    if (this.settled) return
    this.ended = true
    this.wake()
  }

  fail(error: ApiError.ApiError): void {
    if (this.settled) return
    this.failure = error
    this.wake()
  }

  private wake() {
    const waiter = this.waiter
    if (waiter === undefined) return
    this.waiter = undefined
    clearTimeout(this.idleTimer)
    waiter(this.failure !== undefined ? Effect.fail(this.failure) : Cause.done())
  }

  /** The next chunks: all that are buffered, or the next to arrive. */
  readonly pull: Pull = Effect.callback((resume) => {
    if (this.chunks.length > 0) {
      const out = this.chunks as unknown as Arr.NonEmptyReadonlyArray<Uint8Array>
      this.chunks = []
      this.bytes = 0
      if (this.paused) {
        this.paused = false
        this.resumeSource()
      }
      return resume(Effect.succeed(out))
    }
    if (this.failure !== undefined) return resume(Effect.fail(this.failure))
    if (this.ended) return resume(Cause.done())
    this.waiter = resume
    if (this.idleMillis !== Infinity) this.idleTimer = setTimeout(this.onIdle, this.idleMillis)
    return Effect.sync(() => {
      this.waiter = undefined
      clearTimeout(this.idleTimer)
    })
  })

  /** The body as a stream, read once. */
  readonly stream: Stream.Stream<Uint8Array, ApiError.ApiError> = Stream.fromPull(Effect.succeed(this.pull))
}

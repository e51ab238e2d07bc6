/**
 * The pool's dispatcher, and how a pool outlives the scope that made it when it must.
 *
 * While that scope is open, every request goes to the Agent the pool opened. Closing the scope
 * destroys that Agent: its sockets close, requests in flight are aborted, as always. A request
 * after that (the pool was provided around `ApiClient.make` or a service's constructor alone,
 * and closed as soon as they returned; or a fiber still calls during shutdown) opens one spare
 * Agent instead of failing with `PoolClosed`. The spare's idle connections close after
 * `keepAliveTimeout` and hold no process open (undici unrefs idle sockets); it is destroyed
 * when the pool is garbage. `reopened` tells the transport to warn, once per pool.
 *
 * @internal
 */
import * as Undici from "undici"

interface Spare {
  agent: Undici.Dispatcher | undefined
}

const spares = new FinalizationRegistry<Spare>((spare) => {
  void spare.agent?.destroy().catch(() => undefined)
})

/** @internal */
export class PoolDispatcher extends Undici.Dispatcher {
  private readonly agent: Undici.Dispatcher
  private readonly spare: Spare = { agent: undefined }
  /** Whether the scope that made the pool has closed. */
  closed = false

  constructor(private readonly open: () => Undici.Dispatcher) {
    super()
    this.agent = open()
  }

  /** Whether a request was sent after the scope closed, on the spare. */
  get reopened(): boolean {
    return this.spare.agent !== undefined
  }

  override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    if (!this.closed) return this.agent.dispatch(options, handler)
    if (this.spare.agent === undefined) {
      this.spare.agent = this.open()
      spares.register(this, this.spare)
    }
    return this.spare.agent.dispatch(options, handler)
  }

  /** The scope that made the pool has closed: its Agent is destroyed. */
  shut(): Promise<void> {
    this.closed = true
    return this.agent.destroy()
  }
}

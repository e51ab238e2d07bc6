/**
 * The reliability run on the Effect 4 line: a client with steady's default policies against a
 * ChaosServer that injects every fault kind, with the figures that prove nothing hangs,
 * nothing leaks and nothing is sent twice. Used by the test suite (a bounded run) and by
 * `npm run chaos`. The plan and the bookkeeping are shared with the Effect 3 line
 * (packages/examples/src/shared/reliability.ts); this file makes the calls.
 */
import { ApiClient, ApiError, ConnectionPool } from "@steady/client"
import * as Shared from "@steady/examples/src/shared/reliability.js"
import { ChaosServer } from "@steady/testing"
import { Cause, Effect, Exit, Metric, Schema } from "effect"

export {
  deadlineMillis,
  type Options,
  promisedGetFailure,
  type Report,
  table
} from "@steady/examples/src/shared/reliability.js"

export const policy: ApiClient.Options = Shared.policy

const Pet = Schema.Struct({ ok: Schema.Boolean, path: Schema.String })

/** "ok", the failure's tag, "defect" (not a plain failure) or "untyped" (a failure that is not an ApiError). */
const summarise = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  // a plain failure is a cause with one reason, a Fail: anything else (a defect, an interruption) is not
  const [reason, ...more] = exit.cause.reasons
  if (reason === undefined || more.length > 0 || !Cause.isFailReason(reason)) return "defect"
  return ApiError.isApiError(reason.error) ? reason.error._tag : "untyped"
}

export const run = (options: Shared.Options): Effect.Effect<Shared.Report> =>
  Effect.gen(function*() {
    const tally = Shared.tally(options)
    const retriesBefore = (yield* Metric.value(ApiClient.metrics.retries)).count
    const refusalsBefore = (yield* Metric.value(ApiClient.metrics.budgetRefusals)).count
    const outcome = yield* Effect.scoped(Effect.gen(function*() {
      const server = yield* ChaosServer.make({
        seed: options.seed,
        // count what the checks need instead of keeping every request: memory stays flat
        record: false,
        onRequest: tally.received,
        routes: Shared.routes(ChaosServer, options.faultRate)
      })
      const result = yield* Effect.scoped(
        Effect.gen(function*() {
          const settings = { baseUrl: server.url, ...policy }
          const client = yield* ApiClient.make({ ...settings, maxResponseBytes: Shared.maxResponseBytes })
          const keyed = yield* ApiClient.make({ ...settings, idempotencyKey: "auto" })
          let next = 0
          const call = (i: number) => {
            const kind = Shared.kindOf(i)
            const effect = kind === "get"
              ? client.get(`/pets/${i}`).pipe(ApiClient.json(Pet))
              : kind === "report"
              ? client.get(`/reports/${i}`).pipe(ApiClient.json(Pet))
              : (kind === "post" ? client : keyed).post("/orders", {
                headers: { [Shared.CALL_ID]: String(i) }
              }).pipe(ApiClient.json(Pet))
            const t0 = performance.now()
            return Effect.map(Effect.exit(effect), (exit) => tally.call(kind, summarise(exit), performance.now() - t0))
          }
          // workers pull the next call: nothing is kept per call, so memory stays flat
          const worker = Effect.whileLoop({
            while: () => next < options.requests,
            body: () => call(next++),
            step: () => {}
          })
          yield* Effect.all(Array.from({ length: options.concurrency }, () => worker), { concurrency: "unbounded" })
          return { peak: server.peakConnectionsOpen, opened: server.connectionsOpened }
        }).pipe(Effect.provide(ConnectionPool.layer({ connections: options.connections })))
      )
      // the pool's scope is closed: every connection must be gone
      yield* Effect.promise(() => server.waitUntil((s) => s.connectionsOpen === 0, 2_000))
      return { ...result, injected: server.injected, openAfter: server.connectionsOpen }
    }))
    return tally.report({
      retries: (yield* Metric.value(ApiClient.metrics.retries)).count - retriesBefore,
      budgetRefusals: (yield* Metric.value(ApiClient.metrics.budgetRefusals)).count - refusalsBefore,
      connectionsOpened: outcome.opened,
      peakConnectionsOpen: outcome.peak,
      connectionsOpenAfterClose: outcome.openAfter,
      injected: outcome.injected
    })
  })

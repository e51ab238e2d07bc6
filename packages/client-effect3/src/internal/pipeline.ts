/**
 * Wires the stages of a client, innermost first: transport ← status classification ← the
 * user's per-attempt policies ← auth ← redirects ← attempt timeout ← retry ← total deadline
 * ← the user's per-call policies. It only wires: each stage lives in its own module.
 *
 * @internal
 */
import type * as Auth from "../Auth.js"
import type * as Policy from "../Policy.js"
import type * as RetryBudget from "../RetryBudget.js"
import type * as Transport from "../Transport.js"
import * as attempt from "./attempt.js"
import * as auth from "./auth.js"
import type { Resolved } from "./options.js"
import * as policyInternal from "./policy.js"
import * as redirect from "./redirect.js"
import * as retryLoop from "./retryLoop.js"
import * as trace from "./trace.js"

/** The per-attempt side of the call policies that watch every attempt. */
const watchers = (policies: ReadonlyArray<Policy.Policy>): ReadonlyArray<Policy.Policy> => {
  const out: Array<Policy.Policy> = []
  for (const p of policies) {
    if (p.stage === "call" && p.eachAttempt !== undefined) {
      out.push(policyInternal.make({ name: `${p.name} (each attempt)`, stage: "attempt", wrap: p.eachAttempt }))
    }
  }
  return out
}

/** The stages, outermost first, for display and docs. @internal */
export const stages = (
  resolved: Resolved,
  service: Auth.Service | undefined,
  sensitiveHeaders: ReadonlySet<string> | undefined,
  traceSpans = false
): ReadonlyArray<Policy.Policy | "retry"> => [
  ...resolved.policies.filter((p) => p.stage === "call"),
  retryLoop.totalDeadline,
  "retry",
  ...watchers(resolved.policies),
  attempt.attemptTimeout,
  // always there: a call may ask for redirects (`withOptions({ followRedirects })`); it passes
  // a request through untouched when the call's limit is 0
  redirect.followRedirects(sensitiveHeaders, resolved.allowOtherOrigins),
  ...(service !== undefined ? [auth.policy(service)] : []),
  ...resolved.policies.filter((p) => p.stage === "attempt"),
  ...(traceSpans || resolved.metrics ? [trace.instrumentAttempt(traceSpans, resolved.metrics)] : []),
  attempt.classifyStatus(sensitiveHeaders, service?.secretValues)
]

/**
 * The handler of a whole call; `traceSpans` adds a client span per request sent. Both
 * pipelines of a client share `client`, so per-client policy state (a breaker's circuit, a
 * limiter's bucket) is one.
 *
 * @internal
 */
export const build = (
  resolved: Resolved,
  transport: Transport.Transport,
  service: Auth.Service | undefined,
  sensitiveHeaders: ReadonlySet<string> | undefined,
  budget: RetryBudget.RetryBudget | undefined,
  client: Policy.ClientInfo,
  traceSpans: boolean
): Policy.Handler => {
  let handler: Policy.Handler = transport.send
  const all = stages(resolved, service, sensitiveHeaders, traceSpans)
  for (let i = all.length - 1; i >= 0; i--) {
    const stage = all[i]
    handler = stage === "retry" ? retryLoop.make(handler, budget) : stage.wrap(handler, client)
  }
  return handler
}

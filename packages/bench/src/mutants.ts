/**
 * The mutants `npm run mutate` plants, one at a time, one file per area under mutants/ (see
 * mutants/types.ts for what a mutant is).
 */
import { auth } from "./mutants/auth.js"
import { bodies } from "./mutants/bodies.js"
import { caching } from "./mutants/caching.js"
import { cassette } from "./mutants/cassette.js"
import { config } from "./mutants/config.js"
import { coreMutants } from "./mutants/core.js"
import { effect4 } from "./mutants/effect4.js"
import { hardening } from "./mutants/hardening.js"
import { hardening2, trust } from "./mutants/hardening2.js"
import { hedging } from "./mutants/hedging.js"
import { networks } from "./mutants/networks.js"
import { newcomer } from "./mutants/newcomer.js"
import { observability } from "./mutants/observability.js"
import { openapi } from "./mutants/openapi.js"
import { policies } from "./mutants/policies.js"
import { redaction } from "./mutants/redaction.js"
import { redirects } from "./mutants/redirects.js"
import { redis, redisEffect4 } from "./mutants/redis.js"
import { retry } from "./mutants/retry.js"
import { streaming } from "./mutants/streaming.js"
import { transport } from "./mutants/transport.js"

export type { Mutant } from "./mutants/types.js"

export const mutants = [
  ...coreMutants,
  ...effect4,
  ...retry,
  ...redaction,
  ...bodies,
  ...config,
  ...redirects,
  ...auth,
  ...transport,
  ...hardening,
  ...hardening2,
  ...trust,
  ...policies,
  ...hedging,
  ...observability,
  ...streaming,
  ...redis,
  ...redisEffect4,
  ...openapi,
  ...newcomer,
  ...cassette,
  ...networks,
  ...caching
]

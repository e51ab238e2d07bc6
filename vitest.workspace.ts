// The one list of test projects of the Effect 3 line and the line-free packages (vitest 3,
// Node 20). vitest.config.ts reads it into `test.projects`. The Effect 4 packages
// (packages/client, packages/testing, packages/examples-effect4) are not here: they run on their own vitest 5 under
// Node 22 (.ci/test-effect4.mjs); `npm test` runs both.
export default [
  "packages/client-effect3",
  "packages/testing-effect3",
  "packages/core",
  "packages/examples",
  "packages/bench",
  "packages/browser",
  "packages/redis-effect3",
  // the Redis suite again on ioredis 5 (the default project runs it on 6)
  "packages/redis-effect3/vitest.ioredis5.config.ts",
  "packages/openapi"
]

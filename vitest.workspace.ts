// The one list of test projects. vitest.config.ts reads it into `test.projects`.
// The Effect 4 packages (packages/*-e4) are not here: they run on their own vitest 5 under
// Node 22 (.ci/test-effect4.mjs).
export default [
  "packages/client",
  "packages/testing",
  "packages/core",
  "packages/examples",
  "packages/bench",
  "packages/browser",
  "packages/redis",
  "packages/openapi"
]

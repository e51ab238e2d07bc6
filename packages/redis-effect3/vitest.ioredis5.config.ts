// The Redis suite again, on ioredis 5 (the package takes `^5.9.3 || ^6.1.0`; the workspace installs
// 6, and 5.9.3, its floor, as `ioredis5`). The tests whose processes are spawned (the fleet, the
// breaker's workers) run on the workspace's ioredis: the alias reaches what vitest loads.
import { defineProject } from "vitest/config"
import { sourceConditions } from "../../vitest.shared.js"

export default defineProject({
  ...sourceConditions,
  resolve: { ...sourceConditions.resolve, alias: [{ find: /^ioredis$/, replacement: "ioredis5" }] },
  test: {
    name: "redis-effect3-ioredis5",
    include: ["test/**/*.test.ts"],
    exclude: ["test/Fleet.test.ts"],
    env: { STEADY_IOREDIS_MAJOR: "5" },
    testTimeout: 30_000
  }
})

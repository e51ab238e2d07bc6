// Effect 4 tests run on vitest 5 (nested in this package) under Node 22: .ci/test-effect4.mjs
// runs them; the root vitest 3 does not pick this package up (vitest.workspace.ts).
import { defineConfig } from "vitest/config"

// workspace packages resolve to their TypeScript sources through the "@steady/source" export
// condition, as in ../../vitest.shared.ts (inlined: that file imports the root vite)
export default defineConfig({
  resolve: { conditions: ["@steady/source", "module", "browser", "development|production"] },
  ssr: { resolve: { conditions: ["@steady/source", "module", "node", "development|production"] } },
  test: {
    name: "redis",
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000
  }
})

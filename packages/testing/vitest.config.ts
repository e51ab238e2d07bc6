// Effect 4 tests run on vitest 5 (nested in this package) under Node 22: .ci/test-effect4.mjs
// runs them; the root vitest 3 does not pick this package up (vitest.workspace.ts).
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// every `effect` import resolves as from packages/client: one copy of effect 4 in the tests, as
// in an application (npm nests a copy in each Effect 4 package, and two copies do not mix: a
// Redacted one makes, the other cannot read), as in ../examples-effect4/vitest.config.ts
const client = fileURLToPath(new URL("../client/package.json", import.meta.url))

// workspace packages resolve to their TypeScript sources through the "@steady/source" export
// condition, as in ../../vitest.shared.ts (inlined: that file imports the root vite)
export default defineConfig({
  resolve: { conditions: ["@steady/source", "module", "browser", "development|production"] },
  ssr: { resolve: { conditions: ["@steady/source", "module", "node", "development|production"] } },
  plugins: [{
    name: "one-effect",
    enforce: "pre",
    resolveId(source, importer, options) {
      if ((source !== "effect" && !source.startsWith("effect/")) || importer === client) return null
      return this.resolve(source, client, { ...options, skipSelf: true })
    }
  }],
  test: {
    name: "testing",
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000
  }
})

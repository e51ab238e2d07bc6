// What every test project shares: workspace packages resolve to their TypeScript sources
// through the "@steady/source" export condition (the published packages resolve to dist/).
import { defaultClientConditions, defaultServerConditions } from "vite"

export const sourceConditions = {
  resolve: { conditions: ["@steady/source", ...defaultClientConditions] },
  ssr: { resolve: { conditions: ["@steady/source", ...defaultServerConditions] } }
}

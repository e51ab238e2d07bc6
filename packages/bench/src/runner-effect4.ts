/**
 * The runner of the Effect 4 line (Node 22, effect 4): one client a process, started by
 * bench.ts, which bundles it with `effect` taken from packages/client. See measure.ts.
 */
import { clients } from "./clients-effect4.js"
import { measure } from "./measure.js"

await measure(clients)

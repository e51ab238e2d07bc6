/**
 * The runner of the Effect 3 line and the peers (Node 20): one client a process, started by
 * bench.ts. See measure.ts.
 */
import { clients } from "./clients.js"
import { measure } from "./measure.js"

await measure(clients)

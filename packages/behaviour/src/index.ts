/**
 * One behaviour suite for both Effect lines. See `Driver.ts` for what a line implements and
 * `cases.ts` for the cases.
 */
export { cases } from "./cases.js"
export type * from "./Driver.js"
export * as networkFixtures from "./network.js"
export type * as NetworkFixtures from "./network.js"
export { type ScriptedServer, scriptedServer } from "./server.js"

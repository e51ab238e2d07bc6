/**
 * What a browser case returns: both Effect lines' suites (src/suite.ts, src/suite4.ts) speak
 * it, so the Node side checks them alike. No import: each line's tsconfig includes it.
 */

/** One case's outcome. */
export interface Verdict {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
}

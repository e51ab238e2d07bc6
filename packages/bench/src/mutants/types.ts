/**
 * A mutant is a small, plausible bug that `npm run mutate` plants in the code, one at a time;
 * `tests` are the test files that should catch it (vitest filters, run in the package named
 * first). `find` must occur exactly once in `file`: when the code changes under a mutant, the
 * run says so instead of skipping it.
 */
export interface Mutant {
  readonly id: string
  /** The area it belongs to: `npm run mutate` reports the kill ratio per area. */
  readonly area: string
  /** What no test would pin down if the mutant survived. */
  readonly promise: string
  readonly file: string
  readonly find: string
  readonly replace: string
  readonly tests: ReadonlyArray<string>
}

export const src = "packages/client-effect3/src/internal/"
export const core = "packages/core/src/"
/** Test files of the Effect 3 line (root vitest 3, Node 20). */
export const client = (...files: ReadonlyArray<string>) => files.map((f) => `packages/client-effect3/test/${f}.test.ts`)

/** The Effect 4 line's sources, and its test files (its own vitest 5, Node 22). */
export const src4 = "packages/client/src/internal/"
export const client4 = (...files: ReadonlyArray<string>) => files.map((f) => `packages/client/test/${f}.test.ts`)

export const coreTests = (...files: ReadonlyArray<string>) => files.map((f) => `packages/core/test/${f}.test.ts`)

/** Names the area of a list of mutants. */
export const area = (name: string, list: ReadonlyArray<Omit<Mutant, "area">>): ReadonlyArray<Mutant> =>
  list.map((m) => ({ ...m, area: name }))

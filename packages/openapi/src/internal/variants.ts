/**
 * `readOnly` and `writeOnly`: a component with such properties (or one that reaches such a
 * component through its references) gets a variant for each side of the wire it differs on,
 * named after it: `<Name>Request`, without its `readOnly` properties, is what a request body
 * sends; `<Name>Response`, without its `writeOnly` properties, is what a response decodes (a
 * server leaves them out). The component itself (`<Name>`) is written as before, with every
 * property, and a spec without either keyword is generated as before. Each variant's own
 * references are to the other variants of its side where there is one, so a `readOnly` field
 * of a nested object is left out of the request too.
 *
 * @internal
 */
import type * as names from "./names.js"
import * as schema from "./schema.js"

/** The side of the wire a variant is for. */
export type Side = "request" | "response"

/** The name of each component's variant, by the component's `$ref`, for each side. */
export interface Variants {
  readonly request: ReadonlyMap<string, string>
  readonly response: ReadonlyMap<string, string>
}

/**
 * The variants the components need: those whose own code leaves something out on a side, and
 * those that reach one of them through their references (`deps`: the component `$ref`s each
 * names). Named by `namer` after every component has its name, so no component's name changes.
 */
export const variantsOf = (
  byRef: ReadonlyMap<string, string>,
  deps: ReadonlyMap<string, ReadonlyArray<string>>,
  resolve: (ref: string) => schema.JsonSchema | undefined,
  context: (side: Side | undefined) => schema.Context,
  namer: names.Namer
): Variants => {
  const base = new Map<string, string>()
  for (const ref of byRef.keys()) base.set(ref, schema.toCode(resolve(ref), context(undefined)))
  // who names each component, to go from a component that differs to every one that reaches it
  const namedBy = new Map<string, Array<string>>()
  for (const [ref, list] of deps) {
    for (const dep of list) {
      const by = namedBy.get(dep)
      if (by === undefined) namedBy.set(dep, [ref])
      else by.push(ref)
    }
  }
  const side = (s: Side): Map<string, string> => {
    const needs = new Set<string>()
    const queue: Array<string> = []
    for (const ref of byRef.keys()) {
      if (schema.toCode(resolve(ref), context(s)) !== base.get(ref)) {
        needs.add(ref)
        queue.push(ref)
      }
    }
    // a loop over a queue: each component is queued once
    for (let i = 0; i < queue.length; i++) {
      for (const by of namedBy.get(queue[i]) ?? []) {
        if (!needs.has(by)) {
          needs.add(by)
          queue.push(by)
        }
      }
    }
    const out = new Map<string, string>()
    for (const ref of byRef.keys()) {
      if (needs.has(ref)) out.set(ref, namer.take(`${byRef.get(ref)!}${s === "request" ? "Request" : "Response"}`))
    }
    return out
  }
  return { request: side("request"), response: side("response") }
}

/** The doc comment of a variant: what it leaves out of its component. */
export const variantDoc = (base: string, side: Side): string =>
  side === "request"
    ? `/** \`${base}\` as a request body sends it: without its \`readOnly\` properties. */\n`
    : `/** \`${base}\` as a response has it: without its \`writeOnly\` properties. */\n`

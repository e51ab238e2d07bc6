/**
 * The waterfall of `npm run demo -- --trace` on Effect 3: `recorder` is a tracer that keeps
 * every span it makes, as the `Row`s that `draw` (shared/waterfall.ts) turns into lines.
 */
import { Effect, Option, Tracer } from "effect"
import type { Row } from "./shared/waterfall.js"

export { draw, type Row } from "./shared/waterfall.js"

/** A tracer that records every span it makes, on top of the current one. */
export const recorder = Effect.map(Effect.tracer, (base) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      return span
    },
    context: base.context
  })
  const rows = (): ReadonlyArray<Row> =>
    spans.map((s) => ({
      name: s.name,
      spanId: s.spanId,
      parentId: Option.match(s.parent, { onNone: () => undefined, onSome: (p) => p.spanId }),
      start: s.status.startTime,
      end: s.status._tag === "Ended" ? s.status.endTime : undefined,
      attributes: s.attributes,
      events: (s as unknown as { events?: Row["events"] }).events ?? []
    }))
  return { tracer, rows }
})

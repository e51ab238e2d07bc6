import { Effect, Tracer } from "effect"

/** A tracer that records every span it makes (on top of the current one), as an exporter would see them. */
export const capturingTracer = Effect.map(Effect.tracer, (base) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      return span
    },
    context: base.context
  })
  return { spans, tracer }
})

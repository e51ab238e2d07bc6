/**
 * Metric updates outside a fiber, with attributes (Effect 4's `Metric.withAttributes`; 0.2's
 * Effect 3 line passed `MetricLabel`s to `unsafeUpdate`). They go to the default registry.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Metric from "effect/Metric"

/** A metric's attributes. @internal */
export type Labels = Readonly<Record<string, string>>

const none = Context.empty()

/** @internal */
export const update = <I>(metric: Metric.Metric<I, unknown>, value: I, labels: Labels): void =>
  Metric.withAttributes(metric, labels).updateUnsafe(value, none)

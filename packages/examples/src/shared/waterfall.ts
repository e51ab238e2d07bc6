/**
 * A waterfall of one call, drawn in the terminal: the call span, each request it sent, and
 * the events between them (retries, refusals), on one time axis. No effect import: each
 * line's waterfall.ts records its spans as `Row`s, and `draw` turns them into lines.
 */

/** A span as the waterfall needs it. */
export interface Row {
  readonly name: string
  readonly spanId: string
  readonly parentId: string | undefined
  /** Nanoseconds. */
  readonly start: bigint
  readonly end: bigint | undefined
  readonly attributes: ReadonlyMap<string, unknown>
  readonly events: ReadonlyArray<readonly [name: string, at: bigint, attributes: Record<string, unknown>]>
}

const ms = (ns: bigint) => Number(ns) / 1e6

const describeEvent = (name: string, a: Record<string, unknown>): string => {
  switch (name) {
    case "steady.retry":
      return `retry: ${String(a["steady.retry.reason"])}, waits ${String(a["steady.retry.delay_ms"])} ms` +
        (a["steady.retry.retry_after_ms"] !== undefined
          ? ` (Retry-After ${String(a["steady.retry.retry_after_ms"])} ms)`
          : "") +
        (a["steady.retry_budget.tokens"] !== undefined
          ? `, budget ${String(a["steady.retry_budget.tokens"])} tokens`
          : "")
    case "steady.retry.refused":
      return `not retried: ${String(a["steady.retry.reason"])}`
    default:
      return name.replace(/^steady\./, "")
  }
}

/**
 * The waterfall of the call span `root` (the first `http.client …` span when omitted), `width`
 * columns wide for the bars.
 */
export const draw = (rows: ReadonlyArray<Row>, width = 48): ReadonlyArray<string> => {
  const root = rows.find((r) => r.name.startsWith("http.client "))
  if (root === undefined || root.end === undefined) return ["(no finished call span)"]
  const t0 = root.start
  const total = Math.max(ms(root.end - t0), 0.001)
  const col = (t: bigint) => Math.min(width - 1, Math.max(0, Math.round((ms(t - t0) / total) * (width - 1))))
  const bar = (start: bigint, end: bigint) => {
    const a = col(start)
    const b = Math.max(a, col(end))
    return " ".repeat(a) + (b === a ? "█" : "█".repeat(b - a + 1)) + " ".repeat(width - 1 - b)
  }
  const label = (text: string) => text.length > 44 ? text.slice(0, 43) + "…" : text.padEnd(44)
  const lines: Array<string> = []
  const outcome = (r: Row) => {
    const status = r.attributes.get("http.response.status_code")
    const error = r.attributes.get("error.type")
    return [
      status !== undefined ? String(status) : undefined,
      error !== undefined && String(error) !== String(status) ? String(error) : undefined
    ]
      .filter((x) => x !== undefined).join(" ")
  }
  const url = String(root.attributes.get("url.full") ?? "")
  const path = URL.canParse(url) ? new URL(url).pathname + decodeURIComponent(new URL(url).search) : url
  lines.push(
    `${label(`${root.name} ${path}`)} │${bar(root.start, root.end)}│ ` +
      `${ms(root.end - root.start).toFixed(0).padStart(5)} ms  ${outcome(root)}, ${
        String(root.attributes.get("steady.attempts") ?? 1)
      } attempt(s)`
  )
  type Item = { readonly at: bigint; readonly line: string }
  const items: Array<Item> = []
  let n = 0
  for (const r of rows.filter((r) => r.parentId === root.spanId).sort((a, b) => (a.start < b.start ? -1 : 1))) {
    const end = r.end ?? root.end
    const resend = r.attributes.get("http.request.resend_count")
    n++
    items.push({
      at: r.start,
      line:
        `${label(`  ${r.name} request ${n}${resend !== undefined ? ` (resend ${String(resend)})` : ""}`)} │${
          bar(r.start, end)
        }│ ` +
        `${ms(end - r.start).toFixed(0).padStart(5)} ms  ${outcome(r)}`
    })
  }
  for (const [name, at, attributes] of root.events) {
    if (!name.startsWith("steady.")) continue
    const c = col(at)
    items.push({
      at,
      line: `${label("  ◆ event")} │${" ".repeat(c)}◆${" ".repeat(width - 1 - c)}│ ${
        ms(at - t0).toFixed(0).padStart(5)
      } ms  ${describeEvent(name, attributes)}`
    })
  }
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
  return [...lines, ...items.map((i) => i.line)]
}

import { parseArgs } from "node:util"

/** A numeric command-line flag in a range; a bad value exits with 2 and says why. */
export const numberFlag = (name: string, text: string, min: number, max: number): number => {
  const n = Number(text)
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`)
    process.exit(2)
  }
  return n
}

/**
 * Parses string flags with defaults. `--help` prints `usage` and exits 0; an unknown flag
 * prints what was wrong and the usage, and exits 2 (never a stack trace).
 */
export const parseFlags = <const Defaults extends Readonly<Record<string, string | boolean>>>(
  usage: string,
  defaults: Defaults
): { [K in keyof Defaults]: Defaults[K] extends boolean ? boolean : string } => {
  const options: Record<string, { type: "string"; default: string } | { type: "boolean"; default?: boolean }> = {
    help: { type: "boolean" }
  }
  for (const name in defaults) {
    const d = defaults[name]
    options[name] = typeof d === "boolean" ? { type: "boolean", default: d } : { type: "string", default: d }
  }
  try {
    const { values } = parseArgs({ options, strict: true })
    if (values.help === true) {
      console.log(usage)
      process.exit(0)
    }
    return values as { [K in keyof Defaults]: Defaults[K] extends boolean ? boolean : string }
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`)
    process.exit(2)
  }
}

/**
 * Progress on stderr: one line rewritten in place on a terminal, one line per step elsewhere
 * (a CI log, a pipe), so steps never run together.
 */
export const progress = (text: string): void => {
  if (process.stderr.isTTY) process.stderr.write(`\r${text}`)
  else process.stderr.write(`${text}\n`)
}

/** Ends a progress line on a terminal. */
export const progressDone = (): void => {
  if (process.stderr.isTTY) process.stderr.write("\n")
}

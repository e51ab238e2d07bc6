/** A numeric command-line flag in a range; a bad value exits with 2 and says why. */
export const numberFlag = (name: string, text: string, min: number, max: number): number => {
  const n = Number(text)
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`)
    process.exit(2)
  }
  return n
}

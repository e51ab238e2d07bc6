/**
 * Bytes without Node's `Buffer`, so the core runs in browsers and on fetch runtimes.
 *
 * @internal
 */

/** The chunks as one array (`size`: their total length, when known). @internal */
export const concat = (chunks: ReadonlyArray<Uint8Array>, size?: number): Uint8Array => {
  if (chunks.length === 1 && (size === undefined || size === chunks[0].byteLength)) return chunks[0]
  let total = size
  if (total === undefined) {
    total = 0
    for (const c of chunks) total += c.byteLength
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    if (at + c.byteLength > total) {
      out.set(c.subarray(0, total - at), at)
      break
    }
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

const encoder = new TextEncoder()

/** The UTF-8 bytes of `text` in base64 (HTTP Basic credentials). @internal */
export const base64 = (text: string): string => {
  const bytes = encoder.encode(text)
  let binary = ""
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i])
  return btoa(binary)
}

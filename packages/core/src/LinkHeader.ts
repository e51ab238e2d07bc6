/**
 * The `Link` header (RFC 8288), as listing APIs send it for their next page.
 *
 * @since 0.3.0
 */

/**
 * The `rel="next"` target of a `Link` header (RFC 8288 §3): `<target>; param=value; …`,
 * links separated by commas outside quotes, `rel` quoted or not and possibly a list.
 * `undefined` when there is none. The target is returned as written (resolve it against the
 * page's URL).
 *
 * @since 0.3.0
 * @category parsing
 */
export const nextLink = (header: string): string | undefined => {
  let i = 0
  while (i < header.length) {
    const open = header.indexOf("<", i)
    if (open === -1) return undefined
    const close = header.indexOf(">", open)
    if (close === -1) return undefined
    let j = close + 1
    let quoted = false
    for (; j < header.length; j++) {
      const c = header.charCodeAt(j)
      if (c === 34 /* " */) quoted = !quoted
      else if (c === 92 /* \ */ && quoted) j++
      else if (c === 44 /* , */ && !quoted) break
    }
    for (const param of header.slice(close + 1, j).split(";")) {
      const match = /^\s*rel\s*=\s*(?:"([^"]*)"|([^\s";]+))\s*$/i.exec(param)
      if (match !== null && (match[1] ?? match[2]).toLowerCase().split(/\s+/).includes("next")) {
        return header.slice(open + 1, close).trim()
      }
    }
    i = j + 1
  }
  return undefined
}

/**
 * OpenAPI's parameter styles (OpenAPI 3.1 §4.8.12.4, "Style Values" and "Style Examples", after
 * RFC 6570): how a parameter's value, a scalar, an array or an object, is written in a path, a
 * query, a header, a cookie or a form body. Generated clients (`@steady/openapi`) call these
 * from the schemas of their parameters and form bodies, on either Effect line; the functions
 * are pure and know nothing of Effect.
 *
 * The text is returned unencoded: the caller percent-encodes it for where it lands (a path
 * segment is encoded as one by `ApiClient.path`; `formBody` encodes as
 * `application/x-www-form-urlencoded` does).
 *
 * @since 0.3.0
 */

/**
 * A parameter's `style`.
 *
 * @since 0.3.0
 * @category models
 */
export type Style = "simple" | "label" | "matrix" | "form" | "spaceDelimited" | "pipeDelimited" | "deepObject"

/**
 * A value a parameter takes: a scalar, an array or an object (of anything JSON holds; what
 * nests deeper than the style describes is written with brackets, `a[b][0]=c`).
 *
 * @since 0.3.0
 * @category models
 */
export type Value =
  | string
  | number
  | boolean
  | null
  | undefined
  | ReadonlyArray<Value>
  | { readonly [key: string]: Value }

/**
 * A style and whether it explodes (OpenAPI's default: `true` for `form`, `false` for the others).
 *
 * @since 0.3.0
 * @category models
 */
export interface Encoding {
  readonly style: Style
  readonly explode: boolean
}

/**
 * The default style of a parameter in each place (path and header `simple`, query and cookie
 * `form`), and of a form body's field (`form`); `explode` defaults to `style === "form"`.
 *
 * @since 0.3.0
 * @category models
 */
export const encoding = (
  where: "path" | "query" | "header" | "cookie" | "body",
  style?: unknown,
  explode?: unknown
): Encoding => {
  const styles: ReadonlyArray<Style> = [
    "simple",
    "label",
    "matrix",
    "form",
    "spaceDelimited",
    "pipeDelimited",
    "deepObject"
  ]
  const s: Style = styles.includes(style as Style)
    ? style as Style
    : where === "path" || where === "header"
    ? "simple"
    : "form"
  return { style: s, explode: typeof explode === "boolean" ? explode : s === "form" }
}

const isArray = (v: Value): v is ReadonlyArray<Value> => Array.isArray(v)

const isRecord = (v: Value): v is { readonly [key: string]: Value } =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/** A scalar as text (`null` and `undefined` are empty); what nests is JSON. */
const scalar = (v: Value): string =>
  v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v)

/** An object's defined entries, in its own order. */
const entries = (v: { readonly [key: string]: Value }): Array<readonly [string, Value]> =>
  Object.keys(v).filter((k) => v[k] !== undefined).map((k) => [k, v[k]] as const)

/**
 * A path or header parameter's text (styles `simple`, `label` and `matrix`; any other is written as
 * `simple`): `blue,black,brown`, `.blue.black.brown`, `;color=blue;color=black`, `R=100,G=200`.
 * `undefined` is empty (`""`, `"."`, `";color"`).
 *
 * @since 0.3.0
 * @category serialising
 */
export const text = (name: string, input: unknown, { explode, style }: Encoding): string => {
  const value = input as Value
  if (style === "matrix") {
    if (value === undefined || (isArray(value) && value.length === 0)) return `;${name}`
    if (isArray(value)) {
      return explode ? value.map((v) => `;${name}=${scalar(v)}`).join("") : `;${name}=${value.map(scalar).join(",")}`
    }
    if (isRecord(value)) {
      const e = entries(value)
      return explode
        ? e.map(([k, v]) => `;${k}=${scalar(v)}`).join("")
        : `;${name}=${e.map(([k, v]) => `${k},${scalar(v)}`).join(",")}`
    }
    return `;${name}=${scalar(value)}`
  }
  const prefix = style === "label" ? "." : ""
  const separator = style === "label" && explode ? "." : ","
  if (isArray(value)) return `${prefix}${value.map(scalar).join(separator)}`
  if (isRecord(value)) {
    const e = entries(value)
    return `${prefix}${e.map(([k, v]) => (explode ? `${k}=${scalar(v)}` : `${k},${scalar(v)}`)).join(separator)}`
  }
  return `${prefix}${scalar(value)}`
}

/** Brackets for what nests (`a[b][0]=c`, `a[]=x`): deepObject's rule, applied as deep as the value goes. */
const nested = (key: string, value: Value, out: Array<readonly [string, string]>, depth: number): void => {
  if (depth > 32) {
    out.push([key, JSON.stringify(value)])
    return
  }
  if (isArray(value)) {
    const scalars = value.every((v) => !isArray(v) && !isRecord(v))
    value.forEach((v, i) => nested(scalars ? `${key}[]` : `${key}[${i}]`, v, out, depth + 1))
  } else if (isRecord(value)) {
    for (const [k, v] of entries(value)) nested(`${key}[${k}]`, v, out, depth + 1)
  } else if (value !== undefined) out.push([key, scalar(value)])
}

/**
 * A query, cookie or form parameter as `name=value` pairs (unencoded), in the order they are
 * sent: `form` (`color=blue&color=black`, `R=100&G=200`, or `color=blue,black`),
 * `spaceDelimited` and `pipeDelimited` (`color=blue black`, `color=blue|black`), and
 * `deepObject` (`color[R]=100`; arrays as `color[]=x`, as Stripe and Rails read them).
 * `undefined` sends nothing.
 *
 * @since 0.3.0
 * @category serialising
 */
export const pairs = (name: string, input: unknown, { explode, style }: Encoding): Array<readonly [string, string]> => {
  const value = input as Value
  if (value === undefined) return []
  const out: Array<readonly [string, string]> = []
  if (style === "deepObject") {
    nested(name, value, out, 0)
    return out
  }
  const separator = style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ","
  if (isArray(value)) {
    if (explode) {
      for (const v of value) {
        if (isArray(v) || isRecord(v)) nested(name, v, out, 1)
        else out.push([name, scalar(v)])
      }
    } else out.push([name, value.map(scalar).join(separator)])
    return out
  }
  if (isRecord(value)) {
    if (explode) {
      for (const [k, v] of entries(value)) {
        if (isArray(v) || isRecord(v)) nested(k, v, out, 1)
        else out.push([k, scalar(v)])
      }
    } else out.push([name, entries(value).map(([k, v]) => `${k}${separator}${scalar(v)}`).join(separator)])
    return out
  }
  out.push([name, scalar(value)])
  return out
}

/**
 * The query parameters of one operation, as the `name → value(s)` record an HTTP client sends
 * (each value unencoded: the client percent-encodes it; a key sent more than once is an array of
 * its values, in order). Each field of `values` is written by `pairs` in its encoding (`form`,
 * exploded, unless `encodings` names another); `undefined` and `null` send nothing (a nullable
 * parameter that is `null` is left out, as one that is absent).
 *
 * @since 0.3.0
 * @category serialising
 */
export const query = (
  values: unknown,
  encodings: { readonly [key: string]: Encoding } = {}
): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = Object.create(null)
  if (!isRecord(values as Value)) return out
  for (const [k, v] of entries(values as { readonly [key: string]: Value })) {
    if (v === null) continue
    const own = Object.prototype.hasOwnProperty.call(encodings, k) ? encodings[k] : undefined
    for (const [key, value] of pairs(k, v, own ?? { style: "form", explode: true })) {
      const seen = out[key]
      out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
    }
  }
  return out
}

/** Every scalar of a value (and every key of an object in it) through `f`, as deep as it goes (bounded). */
const mapText = (value: Value, f: (s: string) => string, depth = 0): Value => {
  if (value === undefined || value === null) return value
  if (depth > 32) return f(JSON.stringify(value))
  if (isArray(value)) return value.map((v) => mapText(v, f, depth + 1))
  if (isRecord(value)) {
    const out: Record<string, Value> = {}
    for (const [k, v] of entries(value)) out[f(k)] = mapText(v, f, depth + 1)
    return out
  }
  return f(scalar(value))
}

/**
 * A `Cookie` header of cookie parameters (`form` style, exploded unless `encodings` says not):
 * `session=abc; ids=1,2,3`. Every name and value is percent-encoded before it is written (as
 * `encodeURIComponent` does), so no value holds a `;`, a `,` of its own, a space, a quote or a
 * line break: a value cannot add a cookie, nor a header. `undefined` and `null` send nothing; no
 * cookie at all is `""`.
 *
 * @since 0.3.0
 * @category serialising
 */
export const cookie = (values: unknown, encodings: { readonly [key: string]: Encoding } = {}): string => {
  if (!isRecord(values as Value)) return ""
  const out: Array<string> = []
  for (const [k, v] of entries(values as { readonly [key: string]: Value })) {
    if (v === null) continue
    const own = Object.prototype.hasOwnProperty.call(encodings, k) ? encodings[k] : undefined
    const written = pairs(
      encodeURIComponent(k),
      mapText(v, encodeURIComponent),
      own ?? { style: "form", explode: true }
    )
    for (const [key, value] of written) out.push(`${key}=${value}`)
  }
  return out.join("; ")
}

/**
 * A `Cookie` header read back (a server's side, and tests'): each `name=value`, percent-decoded
 * (a name sent more than once keeps its first value). At most `maxCookies` are read.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parseCookie = (header: string, maxCookies = 1_000): Record<string, string> => {
  const out: Record<string, string> = Object.create(null)
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  for (const part of header.split(";").slice(0, maxCookies)) {
    const i = part.indexOf("=")
    if (i <= 0) continue
    const name = decode(part.slice(0, i).trim())
    if (!(name in out)) out[name] = decode(part.slice(i + 1).trim())
  }
  return out
}

/**
 * Query parameters read back into fields (a server's side): for each parameter `params` names,
 * with its encoding and shape, the value `query` would have written it from; arrays and objects
 * hold strings. A parameter the query does not hold is absent.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parseQuery = (
  record: { readonly [key: string]: string | ReadonlyArray<string> | undefined },
  params: { readonly [name: string]: Encoding & { readonly shape: "scalar" | "array" | "object" } }
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const all = (key: string): Array<string> => {
    const v = Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined
    return v === undefined ? [] : typeof v === "string" ? [v] : [...v]
  }
  const claimed = new Set(Object.keys(params))
  for (const name of Object.keys(params)) {
    const { explode, shape, style } = params[name]
    const separator = style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ","
    if (style === "deepObject") {
      const prefix = `${name}[`
      const items = all(`${name}[]`)
      const fields: Record<string, string> = {}
      for (const key of Object.keys(record)) {
        if (!key.startsWith(prefix) || !key.endsWith("]") || key === `${name}[]`) continue
        claimed.add(key)
        fields[key.slice(prefix.length, -1)] = all(key)[0] ?? ""
      }
      claimed.add(`${name}[]`)
      if (shape === "array" && items.length > 0) out[name] = items
      else if (Object.keys(fields).length > 0) out[name] = fields
      continue
    }
    const values = all(name)
    if (shape === "scalar") {
      if (values.length > 0) out[name] = values[0]
    } else if (shape === "array") {
      if (values.length > 0) out[name] = explode ? values : values[0].split(separator)
    } else if (!explode) {
      if (values.length > 0) {
        const parts = values[0].split(separator)
        const fields: Record<string, string> = {}
        for (let i = 0; i + 1 < parts.length; i += 2) fields[parts[i]] = parts[i + 1]
        out[name] = fields
      }
    }
  }
  // an exploded form object's fields are the keys no other parameter claims
  for (const name of Object.keys(params)) {
    const { explode, shape, style } = params[name]
    if (shape !== "object" || !explode || style === "deepObject") continue
    const fields: Record<string, string> = {}
    for (const key of Object.keys(record)) if (!claimed.has(key)) fields[key] = all(key)[0] ?? ""
    if (Object.keys(fields).length > 0) out[name] = fields
    break
  }
  return out
}

/**
 * A path or header parameter's text read back (a server's side): `label`'s `.` and `matrix`'s
 * `;name=` taken off, then an array split, or an object read, as `parseSimple` does (a scalar
 * is the text left).
 *
 * @since 0.3.0
 * @category parsing
 */
export const parseText = (
  name: string,
  text: string,
  shape: "scalar" | "array" | "object",
  { explode, style }: Encoding
): string | Array<string> | Record<string, string> => {
  let rest = text
  if (style === "label") {
    rest = rest.startsWith(".") ? rest.slice(1) : rest
    if (explode) rest = rest.split(".").join(",")
  } else if (style === "matrix") {
    const parts = rest.split(";").slice(1)
    const values = parts.map((p) => (p.startsWith(`${name}=`) ? p.slice(name.length + 1) : p))
    rest = values.join(",")
  }
  return shape === "scalar" ? rest : parseSimple(rest, shape, explode)
}

/**
 * An `application/x-www-form-urlencoded` body: each field written as `pairs` says for its
 * encoding (`form`, exploded, unless `encodings` names another), then percent-encoded (a space
 * is `+`). Fields that are `undefined` are left out; anything but an object is an empty body.
 *
 * @since 0.3.0
 * @category serialising
 */
export const formBody = (fields: unknown, encodings: { readonly [key: string]: Encoding } = {}): string => {
  const params = new URLSearchParams()
  if (!isRecord(fields as Value)) return ""
  for (const [k, v] of entries(fields as { readonly [key: string]: Value })) {
    const own = Object.prototype.hasOwnProperty.call(encodings, k) ? encodings[k] : undefined
    for (const [key, value] of pairs(k, v, own ?? { style: "form", explode: true })) params.append(key, value)
  }
  return params.toString()
}

/**
 * A form body read back into fields (a server's side, and tests'): a key sent once is a
 * string, a key sent more than once an array of its values. At most `maxFields` pairs are read.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parseForm = (body: string, maxFields = 10_000): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = Object.create(null)
  let n = 0
  for (const [k, v] of new URLSearchParams(body)) {
    if (++n > maxFields) break
    const seen = out[k]
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v]
  }
  return out
}

/**
 * A `simple` text read back (a server's side): an array's items split at commas, or, with
 * `object`, `R,100,G,200` (or exploded, `R=100,G=200`) as an object of strings.
 *
 * @since 0.3.0
 * @category parsing
 */
export const parseSimple = (
  text: string,
  shape: "array" | "object",
  explode = false
): Array<string> | Record<string, string> => {
  const parts = text === "" ? [] : text.split(",")
  if (shape === "array") return parts
  const out: Record<string, string> = Object.create(null)
  if (explode) {
    for (const p of parts) {
      const i = p.indexOf("=")
      if (i > 0) out[p.slice(0, i)] = p.slice(i + 1)
    }
  } else {
    for (let i = 0; i + 1 < parts.length; i += 2) out[parts[i]] = parts[i + 1]
  }
  return out
}

/**
 * A `multipart/form-data` body (OpenAPI 3.1 §4.8.15, "Encoding Object"): a `Blob` (a file) is a
 * part of its own, named after the field (a `File` keeps its name); a `Uint8Array` is a file of
 * `application/octet-stream`; an array is one part per item; an object is a JSON part
 * (`application/json`, OpenAPI's default for one); any other value is text. A field's
 * `contentType` in `contentTypes` (the `encoding` object's) types its part: the first of a list
 * (`image/png, image/jpeg`) is used. Fields that are `undefined` are left out.
 *
 * @since 0.3.0
 * @category serialising
 */
export const formData = (
  fields: unknown,
  contentTypes: { readonly [key: string]: string } = {}
): FormData => {
  const form = new FormData()
  if (!isRecord(fields as Value)) return form
  for (const [k, v] of entries(fields as { readonly [key: string]: Value })) {
    const own = Object.prototype.hasOwnProperty.call(contentTypes, k) ? contentTypes[k] : undefined
    const type = own?.split(",")[0].trim()
    for (const item of Array.isArray(v) ? v as ReadonlyArray<unknown> : [v]) {
      if (item === undefined) continue
      if (item instanceof Blob) {
        const name = "name" in item && typeof item.name === "string" ? item.name : k
        form.append(k, type !== undefined && item.type === "" ? new Blob([item], { type }) : item, name)
      } else if (item instanceof Uint8Array) {
        form.append(k, new Blob([new Uint8Array(item)], { type: type ?? "application/octet-stream" }), k)
      } else if (typeof item === "object" && item !== null) {
        form.append(k, new Blob([JSON.stringify(item)], { type: type ?? "application/json" }))
      } else if (type !== undefined && type !== "text/plain") {
        form.append(k, new Blob([scalar(item as Value)], { type }))
      } else form.append(k, scalar(item as Value))
    }
  }
  return form
}

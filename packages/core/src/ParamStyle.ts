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

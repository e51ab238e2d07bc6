/**
 * Names in the generated code: identifiers from the spec's names, unique and stable. An
 * identifier is made of ASCII letters, digits and `_` only, never starts with a digit, and is
 * never a reserved word or a name the generated files import: no spec text reaches the code as
 * an identifier unless it is one already.
 *
 * @internal
 */
import * as escape from "./escape.js"

const reserved = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await any boolean number string " +
    "symbol unknown never object undefined Object Array String Number Boolean Date Error Promise Map Set Record " +
    "Schema Effect Layer Config Context Stream Redacted Option HttpApi HttpApiGroup HttpApiEndpoint HttpApiSchema " +
    "HttpClientRequest ApiClient Auth ConnectionPool Pagination ConfigError OpenApi S arguments eval"
  ).split(" ")
)

/** The words of a name: split at non-alphanumerics and at lower-to-upper case changes. */
export const words = (name: string): Array<string> =>
  String(name).replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(/[^A-Za-z0-9]+/).filter((w) => w !== "")

const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1)

/** `list-for-repo` → `ListForRepo`; a leading digit gets an underscore. */
export const pascal = (name: string): string => {
  const joined = words(name).map(capital).join("")
  if (joined === "") return "_"
  return /^[0-9]/.test(joined) ? `_${joined}` : joined
}

/** `issues/list-for-repo` → `issuesListForRepo`. */
export const camel = (name: string): string => {
  const p = pascal(name)
  return p.startsWith("_") ? p : p.charAt(0).toLowerCase() + p.slice(1)
}

/** `Petstore` → `PETSTORE`, `myApi` → `MY_API`. */
export const constant = (name: string): string => words(name).map((w) => w.toUpperCase()).join("_")

/** Whether a name is written as it is in a path (`:name`, `\w+`) and as a key. */
export const isPathKey = (name: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name !== "__proto__"

/**
 * A path parameter's name in the generated path (`:name`) and its struct: the spec's own when it
 * is an identifier, else camel case (`file-path` → `filePath`). The model makes them unique.
 */
export const pathKey = (name: string): string => (isPathKey(name) ? name : camel(name))

/**
 * A property key as written in an object literal: as it is when it is an identifier, else a
 * string literal; `__proto__` computed, so that it stays a property and does not set the
 * object's prototype.
 */
export const key = (name: string): string =>
  name === "__proto__"
    ? `["__proto__"]`
    : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)
    ? name
    : escape.stringLiteral(name)

/** Whether a name is a reserved word or one the generated files import. */
export const isReserved = (name: string): boolean => reserved.has(name)

/**
 * Hands out unique identifiers: the second `Pet` is `Pet2`. Reserved words are never given.
 * Each base remembers the last number it gave, so a spec with 100,000 operations of one name
 * costs 100,000 steps, not 100,000²/2.
 */
export class Namer {
  private readonly used: Set<string>
  private readonly next = new Map<string, number>()
  constructor(reservedWords = true) {
    this.used = new Set(reservedWords ? reserved : [])
  }
  take(base: string): string {
    let name = base
    if (this.used.has(name)) {
      let i = this.next.get(base) ?? 2
      while (this.used.has(name = `${base}${i}`)) i++
      this.next.set(base, i + 1)
    }
    this.used.add(name)
    return name
  }
}

/** A comment block from a description (and `@deprecated`), or "" when there is nothing to say. */
export const doc = (lines: ReadonlyArray<unknown>, indent = ""): string => {
  const text = escape.blockComment(
    lines
      .filter((l): l is string => typeof l === "string" && l.trim() !== "")
      .join("\n\n")
  ).trim()
  if (text === "") return ""
  const body = text.split("\n").map((l) => `${indent} *${l.trimEnd() === "" ? "" : ` ${l.trimEnd()}`}`).join("\n")
  return `${indent}/**\n${body}\n${indent} */\n`
}

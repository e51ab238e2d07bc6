/**
 * Every string from the spec reaches the generated code through one of these, one per context:
 * a line comment, a block comment, a string literal, the text of a template literal. (An
 * identifier never carries the spec's text: `names.ts` builds identifiers from ASCII letters
 * and digits only.) Each keeps its context closed whatever the text holds: line terminators
 * (U+2028 and U+2029 too), `*\/`, quotes, backticks, `${`, NUL and lone surrogates.
 *
 * @internal
 */

const hex = (c: number) => `\\u${c.toString(16).padStart(4, "0")}`

/**
 * Characters a comment shows escaped: C0 controls and DEL (NUL among them), the line and
 * paragraph separators, the byte order mark, and lone surrogates (which UTF-8 cannot carry).
 * Line feeds are handled by each context.
 */
const unprintable =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const printable = (text: string) => text.replace(unprintable, (c) => hex(c.charCodeAt(0)))

/** Text for a `//` comment: one line, whatever the text holds. */
export const lineComment = (text: string): string => printable(text.replace(/\r\n?|\n|\t/g, " "))

/**
 * Text for a `/* *\/` comment: line breaks kept (as `\n`: `\r\n`, `\r`, U+2028 and U+2029 become
 * one), `*\/` written `*\/`, and what a comment cannot show escaped.
 */
export const blockComment = (text: string): string =>
  printable(text.replace(/\r\n?|\u2028|\u2029/g, "\n").replace(/\t/g, " ")).replace(/\*\//g, "*\\/")

/**
 * A string literal (double-quoted): `JSON.stringify`, which escapes quotes, backslashes,
 * control characters and lone surrogates, plus U+2028 and U+2029, which it leaves as they are.
 */
export const stringLiteral = (value: string): string =>
  JSON.stringify(value).replace(/\u2028|\u2029/g, (c) => hex(c.charCodeAt(0)))

/** The text between backticks of a template literal: `\`, `` ` `` and `$` escaped, and the rest as a string literal would. */
export const templateText = (text: string): string => stringLiteral(text).slice(1, -1).replace(/[`$]/g, "\\$&")

/** A value read from the spec where text is expected: a string, else `undefined`. */
export const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

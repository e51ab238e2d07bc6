/**
 * Lays out one top-level statement of the generated code in the house format (what `format.ts`'s
 * dprint leaves unchanged: 2 spaces, 120 columns, no trailing commas), without dprint: a
 * Wadler-style printer over the statement's tokens, fast enough for GitHub's 3.5 MB.
 *
 * The emitters write each statement as code on one line (a block's statements on lines of their
 * own); the printer reads it back as tokens and bracket groups (`(…)`, `[…]`, `{…}`), and breaks
 * only where a line would pass 120 columns:
 *
 * - a group that fits on the line stays flat (`f(a, b)`, `{ a: 1 }`, `[a]`);
 * - a group with one argument that ends in a group hugs it: `Schema.Array(Schema.Struct({` … `}))`;
 * - a call whose last argument is an object keeps the others on the line: `f(a, b, {` … `})`;
 * - otherwise each item goes on a line of its own, indented by 2, without a trailing comma;
 * - a member chain breaks before a `.name(` that does not fit, indented by 2;
 * - a block (`{` with statements on lines of their own) puts each statement on its own line.
 *
 * dprint keeps the line breaks it finds where it may ("maintain"), so such a layout is a fixed
 * point of it; `test/Printer.test.ts` checks that on every test spec and GitHub's.
 *
 * Anything else returns `undefined`, and `format.ts` sends that statement through dprint: an
 * `import` (dprint sorts the names), a line break inside an expression the printer does not own
 * (`=>` then the body on the next line), a trailing comma, a single-quoted string, a regular
 * expression or a division, a template literal over several lines, a comment inside an
 * expression, a non-ASCII character outside comments (dprint measures width differently), or a
 * line that stays longer than 120 columns (a long string or name). A new construct of an emitter
 * therefore needs nothing to stay in the house format; it opts into the printer (and its speed)
 * by being written in the shapes above, which `Printer.test.ts` checks.
 *
 * @internal
 */

/** The house format's line width (dprint's `lineWidth`). */
export const width = 120

/** The house format's indentation (dprint's `indentWidth`). */
const indentWidth = 2

interface Text {
  readonly _tag: "Text"
  readonly text: string
  /** A space before it when laid out flat (as the emitter wrote it). */
  readonly space: boolean
}

interface Group {
  readonly _tag: "Group"
  readonly open: "(" | "[" | "{"
  readonly close: string
  readonly space: boolean
  /** `,` or `;` between items, or "block": statements on lines of their own. */
  readonly sep: "," | ";" | "block"
  readonly items: ReadonlyArray<Item>
  /** Its width laid out flat, `Infinity` when it cannot be (a block, a comment inside). */
  flat: number
}

interface Item {
  /** Doc comments before it, each as its lines (trimmed). */
  readonly comments: ReadonlyArray<ReadonlyArray<string>>
  readonly seq: ReadonlyArray<Elem>
}

type Elem = Text | Group

/** Why the printer declines a statement (the statement then goes through dprint). */
class Decline {
  readonly _tag = "Decline"
}
const decline = new Decline()

/** The last reason a statement was declined (for tests and debugging). @internal */
export let declined = ""
const no = (why: string): Decline => {
  declined = why
  return decline
}

type Token =
  | { readonly kind: "text"; readonly text: string; readonly space: boolean; readonly newline: boolean }
  | {
    readonly kind: "open" | "close" | "sep"
    readonly text: string
    readonly space: boolean
    readonly newline: boolean
  }
  | { readonly kind: "comment"; readonly lines: ReadonlyArray<string>; readonly newline: boolean }

/** The tokens of a statement, or a `Decline` for what the printer does not read. */
const tokenize = (code: string): Array<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  let space = false
  let newline = true
  const n = code.length
  while (i < n) {
    const c = code.charCodeAt(i)
    if (c === 32) {
      space = true
      i++
      continue
    }
    if (c === 10) {
      space = true
      newline = true
      i++
      continue
    }
    if (c === 47 && code.charCodeAt(i + 1) === 42) {
      const end = code.indexOf("*/", i + 2)
      if (end < 0) throw no("an unterminated comment")
      const lines: Array<string> = []
      for (const line of code.slice(i, end + 2).split("\n")) {
        const trimmed = line.trim()
        // a doc comment's lines are ` * …`: anything else may be laid out differently by dprint
        if (lines.length > 0 && !trimmed.startsWith("*")) throw no("a comment line without *")
        // dprint keeps one empty line of a doc comment where there are several
        if (trimmed === "*" && lines[lines.length - 1] === "*") continue
        lines.push(trimmed)
      }
      tokens.push({ kind: "comment", lines, newline })
      i = end + 2
      space = false
      newline = false
      continue
    }
    if (c === 47 && code.charCodeAt(i + 1) === 47) {
      const end = code.indexOf("\n", i)
      const stop = end < 0 ? n : end
      tokens.push({ kind: "comment", lines: [code.slice(i, stop).trimEnd()], newline })
      i = stop
      space = false
      newline = false
      continue
    }
    if (c === 40 || c === 91 || c === 123) {
      tokens.push({ kind: "open", text: code[i]!, space, newline })
      i++
    } else if (c === 41 || c === 93 || c === 125) {
      tokens.push({ kind: "close", text: code[i]!, space, newline })
      i++
    } else if (c === 44 || c === 59) {
      tokens.push({ kind: "sep", text: code[i]!, space, newline })
      i++
    } else {
      // a text: names, operators, strings and templates up to a space or a bracket
      let j = i
      while (j < n) {
        const d = code.charCodeAt(j)
        if (d === 34 || d === 96) {
          j = skipString(code, j, d)
          continue
        }
        if (d === 60 && j > i && isNameChar(code.charCodeAt(j - 1))) {
          // type arguments (`Schema.Schema<any, string>`): one text, as the emitter wrote them
          j = skipTypeArguments(code, j)
          continue
        }
        if (
          d === 32 || d === 10 || d === 40 || d === 41 || d === 91 || d === 93 || d === 123 || d === 125 ||
          d === 44 || d === 59
        ) break
        // a single-quoted string, a regular expression or a division, a non-ASCII character
        // (dprint measures width otherwise), a control character: dprint's
        if (d === 39 || d === 47 || d > 126 || d < 32) throw no("a character the printer does not read")
        j++
      }
      tokens.push({ kind: "text", text: code.slice(i, j), space, newline })
      i = j
    }
    space = false
    newline = false
  }
  return tokens
}

const isNameChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36

/** The index after a type argument list (`<…>`) on one line, without templates or functions in it. */
const skipTypeArguments = (code: string, i: number): number => {
  let depth = 0
  for (let j = i; j < code.length; j++) {
    const d = code.charCodeAt(j)
    if (d === 34) j = skipString(code, j, d) - 1
    else if (d === 60) depth++
    else if (d === 62) {
      if (code.charCodeAt(j - 1) === 61) throw no("a function type in type arguments")
      if (--depth === 0) return j + 1
    } else if (d === 10 || d === 96 || d === 39 || d === 47 || d > 126 || d < 32) {
      throw no("type arguments the printer does not read")
    }
  }
  throw no("unterminated type arguments")
}

/** The index after a string or a template (the emitter writes a template's `${…}` flat). */
const skipString = (code: string, i: number, quote: number): number => {
  let j = i + 1
  let depth = 0
  const n = code.length
  for (;;) {
    if (j >= n) throw no("an unterminated string")
    const d = code.charCodeAt(j)
    if (d === 10 || d > 126 || d < 32) throw no("a line break or a non-ASCII character in a string")
    if (d === 92) {
      j += 2
      continue
    }
    if (quote === 96 && d === 36 && code.charCodeAt(j + 1) === 123) {
      depth++
      j += 2
      continue
    }
    if (depth > 0) {
      if (d === 125) depth--
      else if (d === 34 || d === 96 || d === 123 || d === 39) throw no("a nested string in a template")
    } else if (d === quote) return j + 1
    j++
  }
}

interface Cursor {
  i: number
  readonly tokens: ReadonlyArray<Token>
}

/** A text after which a statement goes on (`=>`, `=`, an operator, `extends`). */
const continues = /(?:=>|[=|&?:+*.-]|\bextends|\bimplements|\breturn|\bnew|\btypeof|\bkeyof)$/

/** A `{` group holding a statement: a function's body laid out on one line, which dprint breaks. */
const statement = /^(?:return|const|let|var|if|for|while|throw|yield|switch|try)\b/

const closing = { "(": ")", "[": "]", "{": "}" } as const

/**
 * A sequence up to a `,`/`;` or a closing bracket (`stopAtNewline`: a statement of a block, up
 * to a token on a new line). A line break inside it declines.
 */
const parseSeq = (cur: Cursor, stopAtNewline: boolean): Array<Elem> => {
  const seq: Array<Elem> = []
  while (cur.i < cur.tokens.length) {
    const t = cur.tokens[cur.i]!
    if (t.kind === "close" || t.kind === "sep") break
    if (seq.length > 0 && t.newline) {
      const prev = seq[seq.length - 1]!
      // an arrow function's body on the next line: the printer lays it out anew
      if (prev._tag !== "Text" || prev.text !== "=>") {
        if (!stopAtNewline) throw no("a line break inside an expression")
        // a statement ends at the line's end unless the line or the next one says it goes on
        if (prev._tag === "Text" && continues.test(prev.text)) throw no("a line break inside an expression")
        if (t.kind === "text" && /^[.?:|&=+*>-]/.test(t.text)) throw no("a line break inside an expression")
        break
      }
    }
    if (t.kind === "comment") throw no("a comment inside an expression")
    cur.i++
    if (t.kind === "text") seq.push({ _tag: "Text", text: t.text, space: t.space })
    else seq.push(parseGroup(cur, t.text as "(" | "[" | "{", t.space))
  }
  return seq
}

const parseComments = (cur: Cursor): Array<ReadonlyArray<string>> => {
  const comments: Array<ReadonlyArray<string>> = []
  while (cur.i < cur.tokens.length) {
    const t = cur.tokens[cur.i]!
    if (t.kind !== "comment") break
    comments.push(t.lines)
    cur.i++
  }
  return comments
}

/**
 * The group after its opening bracket, up to and including its closing one. A `{` whose first
 * token is on a new line is a block (statements on lines of their own) unless its first item
 * ends with a `,`; any other group is a list, whose items may start on new lines (the printer
 * lays them out anew) but hold no line break outside their own groups.
 */
const parseGroup = (cur: Cursor, open: "(" | "[" | "{", space: boolean): Group => {
  const close = closing[open]
  const items: Array<Item> = []
  let sep: "," | ";" | undefined
  const first = cur.tokens[cur.i]
  if (first === undefined) throw no("an unterminated group")
  if (first.kind === "close") {
    if (first.text !== close) throw no("a mismatched bracket")
    cur.i++
    return { _tag: "Group", open, close, space, sep: ",", items, flat: 2 }
  }
  let mode: "list" | "block" | "either" = open !== "{"
    ? "list"
    : first.kind === "text" && statement.test(first.text)
    ? "block"
    : first.newline
    ? "either"
    : "list"
  for (;;) {
    const comments = parseComments(cur)
    const seq = parseSeq(cur, mode !== "list")
    const t = cur.tokens[cur.i]
    if (t === undefined || seq.length === 0) throw no("an empty item or an unterminated group")
    items.push({ comments, seq })
    if (t.kind === "close") {
      if (t.text !== close) throw no("a mismatched bracket")
      if (mode === "either" && !t.newline) throw no("a block closed on its last line")
      cur.i++
      break
    }
    if (t.kind === "sep" && t.text === ";" && mode === "block") {
      // statements of a block written on one line (`{ const a = f(); return a }`)
      cur.i++
      continue
    }
    if (t.kind === "sep") {
      if (mode === "block" || (sep !== undefined && sep !== t.text)) throw no("mixed separators")
      mode = "list"
      sep = t.text as "," | ";"
      cur.i++
      const next = cur.tokens[cur.i]
      // a trailing separator: dprint's to decide
      if (next === undefined || next.kind === "close") throw no("a trailing separator")
      continue
    }
    // the next statement of a block, on its own line
    if (mode === "list") throw no("a line break inside a list item")
    mode = "block"
  }
  const group: Group = {
    _tag: "Group",
    open,
    close,
    space,
    sep: mode === "block" ? "block" : sep ?? ",",
    items,
    flat: 0
  }
  group.flat = flatGroup(group)
  return group
}

const flatSeq = (seq: ReadonlyArray<Elem>): number => {
  let w = 0
  for (let k = 0; k < seq.length; k++) {
    const e = seq[k]!
    if (k > 0 && e.space) w++
    w += e._tag === "Text" ? e.text.length : e.flat
  }
  return w
}

const flatGroup = (g: Group): number => {
  if (g.items.length === 0) return 2
  if (g.sep === "block") return Infinity
  let w = g.open === "{" ? 4 : 2
  for (let k = 0; k < g.items.length; k++) {
    const item = g.items[k]!
    if (item.comments.length > 0) return Infinity
    if (k > 0) w += 2
    w += flatSeq(item.seq)
  }
  return w
}

const flatSeqText = (seq: ReadonlyArray<Elem>): string => {
  let text = ""
  for (let k = 0; k < seq.length; k++) {
    const e = seq[k]!
    if (k > 0 && e.space) text += " "
    text += e._tag === "Text" ? e.text : flatGroupText(e)
  }
  return text
}

const flatGroupText = (g: Group): string => {
  if (g.items.length === 0) return g.open + g.close
  let text = g.open === "{" ? "{ " : g.open
  for (let k = 0; k < g.items.length; k++) {
    if (k > 0) text += g.sep === ";" ? "; " : ", "
    text += flatSeqText(g.items[k]!.seq)
  }
  return text + (g.open === "{" ? " }" : g.close)
}

/** The printer's state: the text so far, the current column. */
interface Out {
  text: string
  col: number
  /** Whether the current line may pass 120 columns: a comment's, a long template's. */
  comment: boolean
  /** Whether a line of code passed 120 columns. */
  overflow: boolean
}

const push = (out: Out, text: string): void => {
  out.text += text
  out.col += text.length
}

const spaces: Array<string> = []

const newline = (out: Out, indent: number): void => {
  if (out.col > width && !out.comment && !out.overflow) {
    out.overflow = true
    declined = `a line longer than 120 columns: ${out.text.slice(out.text.lastIndexOf("\n") + 1)}`
  }
  out.comment = false
  out.text += "\n" + (spaces[indent] ??= " ".repeat(indent))
  out.col = indent
}

const printComment = (out: Out, lines: ReadonlyArray<string>, indent: number): void => {
  for (let k = 0; k < lines.length; k++) {
    if (k > 0) newline(out, indent + 1)
    out.comment = true
    push(out, lines[k]!)
  }
}

const printComments = (out: Out, comments: ReadonlyArray<ReadonlyArray<string>>, indent: number): void => {
  for (const lines of comments) {
    printComment(out, lines, indent)
    newline(out, indent)
  }
}

/** Whether a text starts a member access after a call (`).name`): a place a chain may break. */
const chainDot = (seq: ReadonlyArray<Elem>, k: number): boolean => {
  const e = seq[k]!
  if (e._tag !== "Text" || e.space || !e.text.startsWith(".") || e.text.startsWith("...")) return false
  const prev = seq[k - 1]
  return prev !== undefined && prev._tag === "Group" && prev.open === "("
}

/**
 * The width from `seq[k]` to the next place a line may break: the next group's opening bracket,
 * a chain's `.`, or the end of the sequence (then `suffix`, what follows it on the line).
 */
const restWidth = (seq: ReadonlyArray<Elem>, k: number, suffix: number): number => {
  let w = 0
  for (let j = k; j < seq.length; j++) {
    const e = seq[j]!
    if (j > k && chainDot(seq, j)) return w
    if (e.space && j > 0) w++
    if (e._tag === "Group") return w + (e.items.length === 0 ? 2 : 1)
    w += e.text.length
  }
  return w + suffix
}

/**
 * Lays out a sequence starting at the current column, on a line indented by `indent`; `suffix`
 * is the width of what follows it on its last line (a `,`, closing brackets).
 */
const printSeq = (out: Out, seq: ReadonlyArray<Elem>, start: number, suffix: number): void => {
  let indent = start
  let lineIndent = indent
  for (let k = 0; k < seq.length; k++) {
    const e = seq[k]!
    if (arrowBody(out, seq, k, suffix)) {
      // an arrow function's body that does not fit after `=>` goes on the next line, indented
      indent = lineIndent + indentWidth
      lineIndent = indent
      newline(out, indent)
    } else if (chainDot(seq, k) && out.col + restWidth(seq, k, suffix) > width) {
      lineIndent = indent + indentWidth
      newline(out, lineIndent)
    } else if (heritage(out, seq, k, indent)) {
      // a class heading that does not fit on one line goes on with `extends` on the next
      lineIndent = indent + indentWidth
      newline(out, lineIndent)
    } else if (e._tag === "Group" && e.open === "{" && lineIndent > indent && isClass(seq)) {
      // a class whose heading ends on a continuation line opens its body on a line of its own
      lineIndent = indent
      newline(out, indent)
    } else if (assignment(out, seq, k, suffix)) {
      // a value that does not fit after its `key:` or `=` goes on the next line, indented
      lineIndent = indent + indentWidth
      newline(out, lineIndent)
    } else if (k > 0 && e.space) push(out, " ")
    if (e._tag === "Text") {
      const tagged = /^[A-Za-z_$][\w$]*(?=\.[A-Za-z_$][\w$]*`)/.exec(e.text)
      if (tagged !== null && out.col + e.text.length + (k === seq.length - 1 ? suffix : 0) > width) {
        // a tagged template that does not fit breaks before its tag's member, as dprint does
        push(out, tagged[0])
        newline(out, lineIndent + indentWidth)
        push(out, e.text.slice(tagged[0].length))
        // (a template longer than the line stays so, as in dprint)
        out.comment = true
      } else push(out, e.text)
      continue
    }
    const after = k + 1 === seq.length ? suffix : chainDot(seq, k + 1) ? 0 : restWidth(seq, k + 1, suffix)
    if (e.flat !== Infinity && out.col + e.flat + after <= width) {
      push(out, flatGroupText(e))
    } else printBroken(out, e, lineIndent, after)
  }
}

/** Whether `seq[k]` starts a value without groups after `key:` or `=` that does not fit on the line. */
const assignment = (out: Out, seq: ReadonlyArray<Elem>, k: number, suffix: number): boolean => {
  if (k === 0) return false
  const prev = seq[k - 1]!
  if (prev._tag !== "Text" || !(prev.text === "=" || (k === 1 && prev.text.endsWith(":")))) return false
  for (let j = k; j < seq.length; j++) if (seq[j]!._tag === "Group") return false
  return out.col + restWidth(seq, k, suffix) > width
}

/** Whether `seq[k]` starts an arrow function's expression body that does not fit after `=>`. */
const arrowBody = (out: Out, seq: ReadonlyArray<Elem>, k: number, suffix: number): boolean => {
  if (k === 0) return false
  const prev = seq[k - 1]!
  if (prev._tag !== "Text" || prev.text !== "=>") return false
  const e = seq[k]!
  if (e._tag === "Group" && e.open === "{") return false
  const rest = flatSeq(seq.slice(k))
  return out.col + 1 + rest + suffix > width
}

/**
 * Whether `seq[k]` is a class's `extends` that dprint puts on a line of its own: when the heading
 * and ` {` do not fit on the line, and either the heritage fits on a line of its own or its
 * first part does not fit after the name.
 */
const heritage = (out: Out, seq: ReadonlyArray<Elem>, k: number, indent: number): boolean => {
  const e = seq[k]!
  if (k === 0 || e._tag !== "Text" || e.text !== "extends" || !isClass(seq)) return false
  const body = seq[seq.length - 1]!
  if (body._tag !== "Group" || body.open !== "{") return false
  const rest = flatSeq(seq.slice(k, -1))
  if (out.col + 1 + rest + 2 <= width) return false
  return indent + indentWidth + rest + 2 <= width || out.col + restWidth(seq, k, 0) > width
}

/** Whether a statement declares a class (`class X …`, `export class X …`). */
const isClass = (seq: ReadonlyArray<Elem>): boolean => {
  for (let k = 0; k < 2 && k < seq.length; k++) {
    const e = seq[k]!
    if (e._tag === "Text" && e.text === "class") return true
  }
  return false
}

/**
 * Whether a call's one argument may hug its brackets: it ends in an object, or in a call whose
 * one argument may (`Schema.Array(Schema.Struct({`); dprint breaks other arguments apart.
 */
const huggable = (item: Item): boolean => {
  if (item.comments.length > 0) return false
  // a call (`Schema.Struct(…)`), a function (`function*() {…}`) or a group alone, not a chain
  // (`f(…).g(…)`)
  if (item.seq.length > 3) return false
  for (let k = 1; k < item.seq.length; k++) if (chainDot(item.seq, k)) return false
  const last = item.seq[item.seq.length - 1]!
  if (last._tag !== "Group" || last.items.length === 0) return false
  if (last.open === "{") return true
  return last.open === "(" && last.items.length === 1 && huggable(last.items[0]!)
}

/** Whether an item is one group alone (`{ … }`), which a call's last argument may hug. */
const loneGroup = (item: Item, open: string): boolean =>
  item.comments.length === 0 && item.seq.length === 1 && item.seq[0]!._tag === "Group" &&
  item.seq[0]!.open === open && item.seq[0]!.items.length > 0

/** Lays out a group that does not fit on the line. */
const printBroken = (out: Out, g: Group, indent: number, suffix: number): void => {
  const inner = indent + indentWidth
  if (g.sep === "block") {
    push(out, g.open)
    for (const item of g.items) {
      newline(out, inner)
      printComments(out, item.comments, inner)
      printSeq(out, item.seq, inner, 0)
    }
    newline(out, indent)
    push(out, g.close)
    return
  }
  if (g.open !== "{" && g.items.length === 1) {
    // one argument ending in a group: it hugs the brackets, `f(g({` … `}))`
    const item = g.items[0]!
    // (unless the argument fits on a line of its own: then it goes there, as dprint does)
    if (
      huggable(item) && out.col + 1 + restWidth(item.seq, 0, suffix + 1) <= width &&
      (item.seq.length === 1 || inner + flatSeq(item.seq) > width)
    ) {
      push(out, g.open)
      printSeq(out, item.seq, indent, suffix + 1)
      push(out, g.close)
      return
    }
  }
  if (g.open === "(" && g.items.length > 1 && loneGroup(g.items[g.items.length - 1]!, "{")) {
    // a call whose last argument is an object: the others stay on the line, `f(a, b, {` … `})`
    let w = 1
    for (let k = 0; k < g.items.length - 1; k++) w += flatSeq(g.items[k]!.seq) + 2
    if (out.col + w + 1 <= width && g.items.slice(0, -1).every((it) => it.comments.length === 0)) {
      push(out, g.open)
      for (let k = 0; k < g.items.length - 1; k++) push(out, flatSeqText(g.items[k]!.seq) + ", ")
      printBroken(out, g.items[g.items.length - 1]!.seq[0] as Group, indent, suffix + 1)
      push(out, g.close)
      return
    }
  }
  push(out, g.open)
  for (let k = 0; k < g.items.length; k++) {
    const item = g.items[k]!
    const last = k === g.items.length - 1
    newline(out, inner)
    printComments(out, item.comments, inner)
    printSeq(out, item.seq, inner, last || g.sep === ";" ? 0 : 1)
    if (!last && g.sep === ",") push(out, ",")
  }
  newline(out, indent)
  push(out, g.close)
}

/**
 * The statement(s) laid out in the house format, or `undefined` when the printer does not read
 * them (then dprint lays them out). `code` is one piece of a generated file: statements and doc
 * comments with no blank line between them.
 *
 * @internal
 */
export const layout = (code: string): string | undefined => {
  try {
    const tokens = tokenize(code)
    const cur: Cursor = { i: 0, tokens }
    const out: Out = { text: "", col: 0, comment: false, overflow: false }
    let first = true
    let previous: string | undefined
    let previousExport: string | undefined
    while (cur.i < tokens.length) {
      const t = tokens[cur.i]!
      if (!first && !t.newline) return undefined
      if (!first) newline(out, 0)
      first = false
      if (t.kind === "comment") {
        printComment(out, t.lines, 0)
        cur.i++
        continue
      }
      const seq = parseSeq(cur, true)
      if (seq.length === 0) return undefined
      const head = seq[0]!
      if (head._tag === "Text" && (head.text === "import" || head.text === "export")) {
        // dprint sorts the imports by module, and the names each brings
        const specifier = moduleOf(seq)
        if (head.text === "import") {
          if (specifier === undefined || (previous !== undefined && compareModules(previous, specifier) > 0)) {
            throw no("imports out of dprint's order")
          }
          previous = specifier
          printSeq(out, sortNames(seq), 0, 0)
          continue
        }
        if (specifier !== undefined) {
          // dprint sorts `export … from` statements too
          if (seq[1]?._tag === "Group") throw no("an export of names")
          if (previousExport !== undefined && compareModules(previousExport, specifier) > 0) {
            throw no("exports out of dprint's order")
          }
          previousExport = specifier
          previous = undefined
          printSeq(out, seq, 0, 0)
          continue
        }
      }
      previous = undefined
      previousExport = undefined
      printSeq(out, seq, 0, 0)
    }
    newline(out, 0)
    // a line the printer could not bring under 120 columns (a long string or name): dprint's
    if (out.overflow) return undefined
    return out.text.slice(0, -1)
  } catch (e) {
    if (e instanceof Decline) return undefined
    // a stack overflow on deeply nested code: dprint's
    if (e instanceof RangeError) return undefined
    throw e
  }
}

/** The module an `import … from "x"` (or an `export … from "x"`) names, without its quotes. */
const moduleOf = (seq: ReadonlyArray<Elem>): string | undefined => {
  const last = seq[seq.length - 1]!
  const from = seq[seq.length - 2]
  if (last._tag !== "Text" || from?._tag !== "Text" || from.text !== "from" || !/^"[^"\\]*"$/.test(last.text)) {
    return undefined
  }
  return last.text.slice(1, -1)
}

/** dprint's order of imports: packages before relative paths, then by name, ignoring case. */
const compareModules = (a: string, b: string): number => {
  const ra = a.startsWith(".")
  const rb = b.startsWith(".")
  if (ra !== rb) return ra ? 1 : -1
  const la = a.toLowerCase()
  const lb = b.toLowerCase()
  return la < lb ? -1 : la > lb ? 1 : 0
}

/** An import's names (`{ B, type A }`) in dprint's order: by name, ignoring case and `type`. */
const sortNames = (seq: ReadonlyArray<Elem>): ReadonlyArray<Elem> => {
  const k = seq.findIndex((e) => e._tag === "Group")
  if (k < 0) return seq
  const group = seq[k] as Group
  if (group.open !== "{" || group.sep !== ",") throw no("an import the printer does not read")
  const keyed = group.items.map((item) => {
    const names = item.seq.filter((e): e is Text => e._tag === "Text").map((e) => e.text)
    if (names.length !== item.seq.length || item.comments.length > 0) throw no("an import the printer does not read")
    const name = names[0] === "type" && names.length > 1 ? names[1]! : names[0]!
    return { key: name.toLowerCase(), item }
  })
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  for (let i = 1; i < keyed.length; i++) {
    // names alike but for case: dprint's order between them is its own
    if (keyed[i]!.key === keyed[i - 1]!.key) throw no("import names alike but for case")
  }
  const sorted: Group = { ...group, items: keyed.map((k) => k.item) }
  const out = seq.slice()
  out[k] = sorted
  return out
}

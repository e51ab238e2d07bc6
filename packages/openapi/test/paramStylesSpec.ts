/**
 * A spec with one operation per row of OpenAPI 3.1's style table (§4.8.12.4, "Style Examples":
 * `color` as "blue", ["blue", "black", "brown"] and { R: 100, G: 200, B: 150 }), in each place a
 * parameter goes: query (`form`, `spaceDelimited`, `pipeDelimited`, `deepObject`), path
 * (`simple`, `label`, `matrix`), header (`simple`) and cookie (`form`), each with `explode` false
 * and true; a range filter (`created[gte]`, `deepObject`), also on a paged GET's `…Stream`;
 * nullable parameters (3.0's `nullable: true`, 3.1's `type: [x, "null"]`); and the calls
 * ParamStyles.test.ts makes of it on both lines, with what each must put on the wire.
 *
 * What a call must send is the table's text as the platform percent-encodes it: a query as
 * `application/x-www-form-urlencoded` does (`,` `|` `[` `]` as `%2C` `%7C` `%5B` `%5D`, a space
 * as `+`), a path parameter as one segment (`encodeURIComponent`), a header as it is, a cookie
 * with each name and value percent-encoded; `table` is the text once decoded, which is the
 * table's.
 */
const shapes = {
  string: { type: "string" },
  array: { type: "array", items: { type: "string" } },
  object: {
    type: "object",
    properties: { R: { type: "integer" }, G: { type: "integer" }, B: { type: "integer" } }
  }
} as const

type Kind = keyof typeof shapes
type Place = "query" | "path" | "header" | "cookie"

/** The table's values. */
export const values = { string: "blue", array: ["blue", "black", "brown"], object: { R: 100, G: 200, B: 150 } }

/** One call: the operation, where its parameter goes, the value, and what the server must see. */
export interface Call {
  readonly operationId: string
  readonly place: Place
  /** The operation's path, as sent before its parameter (a path parameter follows it after a `/`). */
  readonly prefix: string
  readonly value: unknown
  /** The raw query, path segment, header or `Cookie` header the server must receive. */
  readonly raw: string
  /** `raw` decoded: the table's text. */
  readonly table: string
}

const row = (
  place: Place,
  style: string,
  explode: boolean,
  kind: Kind,
  raw: string,
  table: string
): Call => ({
  operationId: `${place}_${style}_${explode}_${kind}`,
  place,
  prefix: `/${place}/${style}/${explode}/${kind}`,
  value: values[kind],
  raw,
  table
})

/** Every row of the table, in each place, with what the platform makes of it. */
export const calls: ReadonlyArray<Call> = [
  // query: form
  row("query", "form", true, "string", "color=blue", "color=blue"),
  row("query", "form", true, "array", "color=blue&color=black&color=brown", "color=blue&color=black&color=brown"),
  row("query", "form", true, "object", "R=100&G=200&B=150", "R=100&G=200&B=150"),
  row("query", "form", false, "string", "color=blue", "color=blue"),
  row("query", "form", false, "array", "color=blue%2Cblack%2Cbrown", "color=blue,black,brown"),
  row("query", "form", false, "object", "color=R%2C100%2CG%2C200%2CB%2C150", "color=R,100,G,200,B,150"),
  // query: spaceDelimited, pipeDelimited (explode false), deepObject (explode true)
  row("query", "spaceDelimited", false, "array", "color=blue+black+brown", "color=blue black brown"),
  row("query", "spaceDelimited", false, "object", "color=R+100+G+200+B+150", "color=R 100 G 200 B 150"),
  row("query", "pipeDelimited", false, "array", "color=blue%7Cblack%7Cbrown", "color=blue|black|brown"),
  row("query", "pipeDelimited", false, "object", "color=R%7C100%7CG%7C200%7CB%7C150", "color=R|100|G|200|B|150"),
  row(
    "query",
    "deepObject",
    true,
    "object",
    "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150",
    "color[R]=100&color[G]=200&color[B]=150"
  ),
  // path: simple, label, matrix
  row("path", "simple", false, "string", "blue", "blue"),
  row("path", "simple", false, "array", "blue%2Cblack%2Cbrown", "blue,black,brown"),
  row("path", "simple", false, "object", "R%2C100%2CG%2C200%2CB%2C150", "R,100,G,200,B,150"),
  row("path", "simple", true, "string", "blue", "blue"),
  row("path", "simple", true, "array", "blue%2Cblack%2Cbrown", "blue,black,brown"),
  row("path", "simple", true, "object", "R%3D100%2CG%3D200%2CB%3D150", "R=100,G=200,B=150"),
  row("path", "label", false, "string", ".blue", ".blue"),
  row("path", "label", false, "array", ".blue%2Cblack%2Cbrown", ".blue,black,brown"),
  row("path", "label", false, "object", ".R%2C100%2CG%2C200%2CB%2C150", ".R,100,G,200,B,150"),
  row("path", "label", true, "string", ".blue", ".blue"),
  row("path", "label", true, "array", ".blue.black.brown", ".blue.black.brown"),
  row("path", "label", true, "object", ".R%3D100.G%3D200.B%3D150", ".R=100.G=200.B=150"),
  row("path", "matrix", false, "string", "%3Bcolor%3Dblue", ";color=blue"),
  row("path", "matrix", false, "array", "%3Bcolor%3Dblue%2Cblack%2Cbrown", ";color=blue,black,brown"),
  row("path", "matrix", false, "object", "%3Bcolor%3DR%2C100%2CG%2C200%2CB%2C150", ";color=R,100,G,200,B,150"),
  row("path", "matrix", true, "string", "%3Bcolor%3Dblue", ";color=blue"),
  row(
    "path",
    "matrix",
    true,
    "array",
    "%3Bcolor%3Dblue%3Bcolor%3Dblack%3Bcolor%3Dbrown",
    ";color=blue;color=black;color=brown"
  ),
  row("path", "matrix", true, "object", "%3BR%3D100%3BG%3D200%3BB%3D150", ";R=100;G=200;B=150"),
  // header: simple
  row("header", "simple", false, "string", "blue", "blue"),
  row("header", "simple", false, "array", "blue,black,brown", "blue,black,brown"),
  row("header", "simple", false, "object", "R,100,G,200,B,150", "R,100,G,200,B,150"),
  row("header", "simple", true, "string", "blue", "blue"),
  row("header", "simple", true, "array", "blue,black,brown", "blue,black,brown"),
  row("header", "simple", true, "object", "R=100,G=200,B=150", "R=100,G=200,B=150"),
  // cookie: form
  row("cookie", "form", false, "string", "color=blue", "color=blue"),
  row("cookie", "form", false, "array", "color=blue,black,brown", "color=blue,black,brown"),
  row("cookie", "form", false, "object", "color=R,100,G,200,B,150", "color=R,100,G,200,B,150"),
  row("cookie", "form", true, "string", "color=blue", "color=blue"),
  row("cookie", "form", true, "array", "color=blue; color=black; color=brown", "color=blue; color=black; color=brown"),
  row("cookie", "form", true, "object", "R=100; G=200; B=150", "R=100; G=200; B=150")
]

/** Hostile values: each stays in its own parameter (or, in a header, is refused before anything is sent). */
export const hostile: ReadonlyArray<Call> = [
  { ...row("query", "form", true, "string", "color=a%26b%3Dc", "color=a&b=c"), value: "a&b=c" },
  {
    ...row("query", "pipeDelimited", false, "array", "color=a%26x%3D1%7Cb%0D%0Ac", "color=a&x=1|b\r\nc"),
    value: ["a&x=1", "b\r\nc"]
  },
  { ...row("path", "simple", false, "string", "a%2Fb%3Fc%23d%3Be", "a/b?c#d;e"), value: "a/b?c#d;e" },
  {
    ...row("cookie", "form", true, "string", "color=x%3B%20admin%3D1%0D%0AX-Injected%3A%201", "color=x; admin=1"),
    value: "x; admin=1\r\nX-Injected: 1"
  }
]

const parameter = (place: Place, style: string, explode: boolean, kind: Kind) => ({
  name: "color",
  in: place,
  required: true,
  style,
  explode,
  schema: shapes[kind]
})

const ok = { 200: { description: "ok", content: { "application/json": { schema: { type: "object" } } } } }

const paths: Record<string, unknown> = {}
for (const c of calls) {
  const [, place, style, explode, kind] = c.prefix.split("/") as [string, Place, string, string, Kind]
  paths[place === "path" ? `${c.prefix}/{color}` : c.prefix] = {
    get: {
      operationId: c.operationId,
      tags: ["styles"],
      parameters: [parameter(place, style, explode === "true", kind)],
      responses: ok
    }
  }
}

export const spec = {
  openapi: "3.1.0",
  info: { title: "Styles", version: "1" },
  paths: {
    ...paths,
    "/charges": {
      get: {
        operationId: "listCharges",
        tags: ["styles"],
        parameters: [
          {
            name: "created",
            in: "query",
            style: "deepObject",
            explode: true,
            schema: { type: "object", properties: { gte: { type: "integer" }, lt: { type: "integer" } } }
          },
          { name: "limit", in: "query", schema: { type: "integer" } }
        ],
        responses: ok
      }
    },
    "/pages": {
      get: {
        operationId: "listPages",
        tags: ["styles"],
        parameters: [
          { name: "page", in: "query", schema: { type: "integer" } },
          {
            name: "created",
            in: "query",
            style: "deepObject",
            explode: true,
            schema: { type: "object", properties: { gte: { type: "integer" } } }
          },
          {
            name: "tags",
            in: "query",
            style: "pipeDelimited",
            explode: false,
            schema: { type: "array", items: { type: "string" } }
          }
        ],
        responses: {
          200: {
            description: "ok",
            content: { "application/json": { schema: { type: "array", items: { type: "string" } } } }
          }
        }
      }
    },
    "/reserved": {
      get: {
        operationId: "reserved",
        tags: ["styles"],
        parameters: [{ name: "next", in: "query", allowReserved: true, schema: { type: "string" } }],
        responses: ok
      }
    },
    "/nullable": {
      get: {
        operationId: "nullable",
        tags: ["styles"],
        parameters: [
          { name: "q", in: "query", schema: { type: "string", nullable: true } },
          { name: "ids", in: "query", schema: { type: ["array", "null"], items: { type: "integer" } } },
          { name: "keep", in: "query", schema: { type: "string" } },
          { name: "x-when", in: "header", schema: { type: ["string", "null"] } },
          { name: "session", in: "cookie", schema: { type: "string", nullable: true } },
          { name: "theme", in: "cookie", schema: { type: "string" } }
        ],
        responses: ok
      }
    }
  }
}

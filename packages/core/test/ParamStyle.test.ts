/**
 * OpenAPI 3.1's parameter styles, checked against the spec's own table (§4.8.12.4, "Style
 * Examples": `color` as the string "blue", the array ["blue", "black", "brown"] and the object
 * { R: 100, G: 200, B: 150 }), and form bodies as Stripe-style APIs read them.
 */
import { describe, expect, it } from "vitest"
import * as ParamStyle from "../src/ParamStyle.js"

const string = "blue"
const array = ["blue", "black", "brown"]
const object = { R: 100, G: 200, B: 150 }
const enc = (style: ParamStyle.Style, explode: boolean): ParamStyle.Encoding => ({ style, explode })
/** The query text of pairs, unencoded, as the spec's table writes it. */
const query = (p: ReadonlyArray<readonly [string, string]>) => p.map(([k, v]) => `${k}=${v}`).join("&")

describe("ParamStyle", () => {
  it("path and header styles: the spec's table for simple, label and matrix, explode false and true", () => {
    const rows: Array<[ParamStyle.Style, boolean, string, string, string, string]> = [
      ["matrix", false, ";color", ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"],
      ["matrix", true, ";color", ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"],
      ["label", false, ".", ".blue", ".blue,black,brown", ".R,100,G,200,B,150"],
      ["label", true, ".", ".blue", ".blue.black.brown", ".R=100.G=200.B=150"],
      ["simple", false, "", "blue", "blue,black,brown", "R,100,G,200,B,150"],
      ["simple", true, "", "blue", "blue,black,brown", "R=100,G=200,B=150"]
    ]
    for (const [style, explode, empty, s, a, o] of rows) {
      expect([style, explode, ParamStyle.text("color", undefined, enc(style, explode))]).toEqual([
        style,
        explode,
        empty
      ])
      expect(ParamStyle.text("color", string, enc(style, explode))).toBe(s)
      expect(ParamStyle.text("color", array, enc(style, explode))).toBe(a)
      expect(ParamStyle.text("color", object, enc(style, explode))).toBe(o)
    }
  })

  it("query and cookie styles: the spec's table for form, spaceDelimited, pipeDelimited and deepObject", () => {
    const rows: Array<[ParamStyle.Style, boolean, string, string, string | undefined]> = [
      ["form", false, "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"],
      ["form", true, "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"],
      ["spaceDelimited", false, "color=blue", "color=blue black brown", "color=R 100 G 200 B 150"],
      ["pipeDelimited", false, "color=blue", "color=blue|black|brown", "color=R|100|G|200|B|150"],
      [
        "deepObject",
        true,
        "color=blue",
        "color[]=blue&color[]=black&color[]=brown",
        "color[R]=100&color[G]=200&color[B]=150"
      ]
    ]
    for (const [style, explode, s, a, o] of rows) {
      expect(query(ParamStyle.pairs("color", string, enc(style, explode)))).toBe(s)
      expect(query(ParamStyle.pairs("color", array, enc(style, explode)))).toBe(a)
      expect(query(ParamStyle.pairs("color", object, enc(style, explode)))).toBe(o)
    }
    // undefined sends nothing; an empty value is `color=`
    expect(ParamStyle.pairs("color", undefined, enc("form", true))).toEqual([])
    expect(query(ParamStyle.pairs("color", "", enc("form", true)))).toBe("color=")
  })

  it("the defaults: simple in a path and a header, form (exploded) in a query, a cookie and a body", () => {
    expect(ParamStyle.encoding("path")).toEqual({ style: "simple", explode: false })
    expect(ParamStyle.encoding("header", "form")).toEqual({ style: "form", explode: true })
    expect(ParamStyle.encoding("query")).toEqual({ style: "form", explode: true })
    expect(ParamStyle.encoding("query", "deepObject", true)).toEqual({ style: "deepObject", explode: true })
    expect(ParamStyle.encoding("cookie", "nonsense", "yes")).toEqual({ style: "form", explode: true })
  })

  it("a form body: numbers, booleans, arrays, arrays of objects and nested objects, never [object Object]", () => {
    const body = ParamStyle.formBody(
      {
        amount: 2000,
        capture: false,
        note: "a b&c=d",
        tags: ["x", "y"],
        expand: ["tax"],
        items: [{ price: "p_1", quantity: 2 }],
        metadata: { order: "7", nested: { a: 1 } },
        gone: undefined
      },
      { expand: enc("deepObject", true), items: enc("deepObject", true), metadata: enc("deepObject", true) }
    )
    expect(body).not.toContain("object")
    expect(decodeURIComponent(body.replace(/\+/g, " ")).split("&")).toEqual([
      "amount=2000",
      "capture=false",
      "note=a b&c=d",
      "tags=x",
      "tags=y",
      "expand[]=tax",
      "items[0][price]=p_1",
      "items[0][quantity]=2",
      "metadata[order]=7",
      "metadata[nested][a]=1"
    ].flatMap((p) => p.split("&")))
    // the separators in a value are encoded: one field, not two
    expect(ParamStyle.parseForm(body).note).toBe("a b&c=d")
    expect(ParamStyle.parseForm(body).tags).toEqual(["x", "y"])
  })

  it("parseSimple reads back what text writes", () => {
    expect(ParamStyle.parseSimple(ParamStyle.text("c", array, enc("simple", false)), "array")).toEqual(array)
    expect(ParamStyle.parseSimple("", "array")).toEqual([])
    expect({ ...ParamStyle.parseSimple("R,100,G,200", "object") }).toEqual({ R: "100", G: "200" })
    expect({ ...ParamStyle.parseSimple("R=100,G=200", "object", true) }).toEqual({ R: "100", G: "200" })
  })
})

describe("ParamStyle: an operation's query and cookies", () => {
  it("query: every parameter in its style, repeated keys as arrays; null and undefined send nothing", () => {
    expect(ParamStyle.query({
      color: array,
      point: object,
      created: { gte: 1, lt: 9 },
      tags: ["a", "b"],
      q: "x y",
      gone: null,
      absent: undefined
    }, {
      color: enc("pipeDelimited", false),
      point: enc("form", true),
      created: enc("deepObject", true)
    })).toEqual({
      color: "blue|black|brown",
      R: "100",
      G: "200",
      B: "150",
      "created[gte]": "1",
      "created[lt]": "9",
      tags: ["a", "b"],
      q: "x y"
    })
    expect(ParamStyle.query("nonsense")).toEqual({})
  })

  it("parseQuery reads back what query writes, for every style and shape", () => {
    const params = {
      a: { ...enc("form", false), shape: "array" },
      b: { ...enc("spaceDelimited", false), shape: "array" },
      c: { ...enc("pipeDelimited", false), shape: "object" },
      d: { ...enc("deepObject", true), shape: "object" },
      e: { ...enc("form", true), shape: "array" },
      f: { ...enc("form", true), shape: "scalar" },
      g: { ...enc("form", true), shape: "object" }
    } as const
    const values = {
      a: ["1", "2"],
      b: ["x", "y"],
      c: { R: "1", G: "2" },
      d: { gte: "5" },
      e: ["p", "q"],
      f: "s",
      g: { X: "1", Y: "2" }
    }
    expect(ParamStyle.parseQuery(ParamStyle.query(values, params), params)).toEqual(values)
  })

  it("cookie: form, exploded and not; every name and value percent-encoded, so none adds a cookie or a header", () => {
    expect(ParamStyle.cookie({ color: array }, { color: enc("form", false) })).toBe("color=blue,black,brown")
    expect(ParamStyle.cookie({ color: array })).toBe("color=blue; color=black; color=brown")
    expect(ParamStyle.cookie({ color: object }, { color: enc("form", false) })).toBe("color=R,100,G,200,B,150")
    expect(ParamStyle.cookie({ color: object })).toBe("R=100; G=200; B=150")
    expect(ParamStyle.cookie({ session: "abc", gone: null, absent: undefined })).toBe("session=abc")
    const hostile = "x; admin=1\r\nSet-Cookie: y=2, z"
    const header = ParamStyle.cookie({ session: hostile, list: ["a,b", "c"] }, { list: enc("form", false) })
    expect(header).toBe("session=x%3B%20admin%3D1%0D%0ASet-Cookie%3A%20y%3D2%2C%20z; list=a%2Cb,c")
    expect(header.split("; ").every((c) => /^[^\s;",\\]+=[^\s;"\\]*$/.test(c))).toBe(true)
    expect(ParamStyle.parseCookie(header)).toEqual({ session: hostile, list: "a,b,c" })
    expect(ParamStyle.cookie({})).toBe("")
  })

  it("parseText reads back what text writes, in every path and header style", () => {
    for (const style of ["simple", "label", "matrix"] as const) {
      for (const explode of [false, true]) {
        const e = enc(style, explode)
        expect(ParamStyle.parseText("color", ParamStyle.text("color", "blue", e), "scalar", e)).toBe("blue")
        expect(ParamStyle.parseText("color", ParamStyle.text("color", array, e), "array", e)).toEqual(array)
        expect(ParamStyle.parseText("color", ParamStyle.text("color", { R: "1", G: "2" }, e), "object", e)).toEqual({
          R: "1",
          G: "2"
        })
      }
    }
  })
})

describe("ParamStyle.formData", () => {
  it("files, bytes, text, arrays as repeated parts, objects as JSON parts, and the encoding's content types", async () => {
    const form = ParamStyle.formData(
      {
        file: new File(["hello"], "hello.txt", { type: "text/plain" }),
        image: new Blob([new Uint8Array([1, 2])]),
        raw: new Uint8Array([3]),
        name: "asset",
        size: 5,
        tags: ["a", "b"],
        meta: { a: 1 },
        csv: "x,y",
        gone: undefined
      },
      { image: "image/png, image/jpeg", csv: "text/csv" }
    )
    expect([...form.keys()]).toEqual(["file", "image", "raw", "name", "size", "tags", "tags", "meta", "csv"])
    const file = form.get("file") as File
    expect([file.name, file.type, await file.text()]).toEqual(["hello.txt", "text/plain", "hello"])
    const image = form.get("image") as File
    expect([image.name, image.type, [...new Uint8Array(await image.arrayBuffer())]]).toEqual(["image", "image/png", [
      1,
      2
    ]])
    expect((form.get("raw") as File).type).toBe("application/octet-stream")
    expect(form.get("name")).toBe("asset")
    expect(form.get("size")).toBe("5")
    expect(form.getAll("tags")).toEqual(["a", "b"])
    const meta = form.get("meta") as File
    expect([meta.type, await meta.text()]).toEqual(["application/json", `{"a":1}`])
    expect((form.get("csv") as File).type).toBe("text/csv")
    expect([...ParamStyle.formData("not an object").keys()]).toEqual([])
  })
})

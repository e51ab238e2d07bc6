import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import * as Backoff from "../src/Backoff.js"
import * as Limits from "../src/Limits.js"
import * as LinkHeader from "../src/LinkHeader.js"
import * as StatusText from "../src/StatusText.js"

const src = Path.join(Path.dirname(fileURLToPath(import.meta.url)), "../src")

describe("the core", () => {
  it("imports nothing from effect, nor anything Node-only: it runs in both lines and in browsers", () => {
    const files = Fs.readdirSync(src).filter((f) => f.endsWith(".ts"))
    expect(files.length).toBeGreaterThan(5)
    for (const file of files) {
      const text = Fs.readFileSync(Path.join(src, file), "utf8")
      const imports = [...text.matchAll(/(?:import|export)[^"']*from\s*["']([^"']+)["']/g)].map((m) => m[1])
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[A-Za-z]+\.js$/)
    }
  })
})

describe("Backoff", () => {
  it("full jitter below min(cap, base·2ⁿ⁻¹), reaching down to 0", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => Backoff.ceiling(n, 500, 8000))).toEqual([500, 1000, 2000, 4000, 8000, 8000])
    expect(Backoff.fullJitter(3, 500, 8000, 0)).toBe(0)
    expect(Backoff.fullJitter(3, 500, 8000, 0.5)).toBe(1000)
    expect(Backoff.fullJitter(3, 500, 8000, 0.999999)).toBe(1999)
  })
})

describe("Limits", () => {
  it("whole numbers in range hold; anything else is refused with the option's name and range", () => {
    expect(Limits.holds(Limits.maxResponseBytes, 1)).toBe(true)
    expect(Limits.holds(Limits.maxResponseBytes, 1024 ** 3)).toBe(true)
    for (const bad of [0, 1024 ** 3 + 1, 1.5, NaN, Infinity, 1e20]) {
      expect(Limits.holds(Limits.maxResponseBytes, bad), String(bad)).toBe(false)
    }
    expect(Limits.holds(Limits.retries, 0)).toBe(true)
    expect(Limits.holds(Limits.retries, 101)).toBe(false)
    expect(Limits.refusal("retry.times", Limits.retries, 101)).toBe(
      "retry.times must be a whole number from 0 to 100, got 101"
    )
  })
})

describe("LinkHeader", () => {
  it("finds rel=next among links, quoted or not, in a list of rels, with commas inside quotes", () => {
    expect(LinkHeader.nextLink("<https://a/x?page=2>; rel=\"next\", <https://a/x?page=9>; rel=\"last\"")).toBe(
      "https://a/x?page=2"
    )
    expect(LinkHeader.nextLink("<https://a/1>; rel=last, </p/2>; title=\"a, b\"; rel=\"prefetch next\"")).toBe("/p/2")
    expect(LinkHeader.nextLink("<https://a/1>; REL=Next")).toBe("https://a/1")
    expect(LinkHeader.nextLink("<https://a/1>; rel=\"prev\"")).toBeUndefined()
    expect(LinkHeader.nextLink("<broken; rel=next")).toBeUndefined()
    expect(LinkHeader.nextLink("")).toBeUndefined()
  })
})

describe("StatusText", () => {
  it("every registered status has its reason phrase: 302, 304 and 418 too", () => {
    expect(StatusText.reasonPhrase(302)).toBe("Found")
    expect(StatusText.reasonPhrase(304)).toBe("Not Modified")
    expect(StatusText.reasonPhrase(418)).toBe("I'm a Teapot")
    expect(StatusText.reasonPhrase(599)).toBeUndefined()
  })
})

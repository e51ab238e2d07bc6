import { describe, expect, it } from "vitest"
import * as Redaction from "../src/Redaction.js"

describe("Redaction", () => {
  it("by name: user info and sensitive query parameters, names matched in any case", () => {
    expect(
      Redaction.redactUrl(
        "https://u:p@api.example/x?API_KEY=a1&Token=b2&X-Amz-Signature=c3&My_Param=d4&page=2",
        new Set(["my_param"])
      )
    ).toBe(
      "https://api.example/x?API_KEY=<redacted>&Token=<redacted>&X-Amz-Signature=<redacted>&My_Param=<redacted>&page=2"
    )
    expect(Redaction.redactUrl(new URL("https://api.example/x"))).toBe("https://api.example/x")
    expect(Redaction.redactUrl("not a url?token=abc")).toBe("not a url?<redacted>")
    expect(
      Redaction.redactHeaders({ Authorization: "Bearer t", "X-Mine": "s", Accept: ["a", "b"] }, new Set(["x-mine"]))
    )
      .toEqual({ authorization: "<redacted>", "x-mine": "<redacted>", accept: "a, b" })
  })

  it("by value: every credential a request carried, as sent and percent-encoded, short ones too", () => {
    const secrets = Redaction.secretsOf(
      { authorization: "Bearer tok/en", "x-api-key": "k3y+x", accept: "application/json" },
      new URL("https://api.example/x?api_key=q%2F1x&page=2"),
      undefined,
      undefined,
      ["pass word"],
      ["inherited-1"]
    )
    for (
      const s of [
        "Bearer tok/en",
        "tok/en",
        "tok%2Fen",
        "k3y+x",
        "k3y%2Bx",
        "q/1x",
        "q%2F1x",
        "pass word",
        "pass%20word",
        "inherited-1"
      ]
    ) {
      expect(secrets, s).toContain(s)
    }
    expect(secrets).not.toContain("application/json")
    expect(secrets).not.toContain("2")
    // longest first, so a token inside a longer value goes with it
    expect(secrets.indexOf("Bearer tok/en")).toBeLessThan(secrets.indexOf("tok/en"))
    const text = "echo: Bearer tok/en, tok%2Fen, k3y+x; page 2"
    expect(Redaction.redactValues(text, secrets)).toBe("echo: <redacted>, <redacted>, <redacted>; page 2")
  })

  it("secrets of fewer than 4 characters are not masked: they would mask ordinary text", () => {
    expect(Redaction.secretsOf({ "x-api-key": "abc" }, new URL("https://a.example"), undefined, undefined, undefined))
      .toEqual([])
    expect(Redaction.secretsOf({ "x-api-key": "abcd" }, new URL("https://a.example"), undefined, undefined, undefined))
      .toEqual(["abcd"])
  })

  it("a URL shown with values hidden: a secret echoed into another parameter", () => {
    expect(Redaction.redactUrl("https://a.example/next?echo=s3cret%2F1&page=2", undefined, ["s3cret%2F1"])).toBe(
      "https://a.example/next?echo=<redacted>&page=2"
    )
  })

  it("a transport's message loses the URL's user info: the quoted URL's, and the password wherever it is", () => {
    const url = new URL("http://127.0.0.1:8080/x?page=1")
    url.username = "alice"
    url.password = "pa55 word"
    const message = `Request cannot be constructed from a URL that includes credentials: ${url.href}; again pa55%20word`
    expect(Redaction.redactUserInfo(message, url)).toBe(
      "Request cannot be constructed from a URL that includes credentials: http://127.0.0.1:8080/x?page=1; " +
        "again <redacted>"
    )
    // a short password goes with the quoted URL; one that is not valid percent-encoding is no error
    const short = new URL("http://bob:pw@api.example/")
    expect(Redaction.redactUserInfo(`fetch ${short.href} failed`, short)).toBe("fetch http://api.example/ failed")
    const percent = new URL("http://u:100%@api.example/")
    expect(Redaction.redactUserInfo(`GET ${percent.href}: 100% broken`, percent)).toBe(
      "GET http://api.example/: <redacted> broken"
    )
    expect(Redaction.redactUserInfo("no user info here", new URL("http://api.example/"))).toBe("no user info here")
  })
})

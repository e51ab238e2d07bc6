import { describe, expect, it } from "vitest"
import * as Classification from "../src/Classification.js"
import * as Network from "../src/Network.js"

const bypass = (host: string, port: number, noProxy: string) =>
  Network.bypassesProxy(host, port, Network.parseNoProxy(noProxy))

describe("Network: NO_PROXY", () => {
  it("a domain matches itself and the hosts under it, never a host that merely ends in the same letters", () => {
    for (const entry of ["example.com", ".example.com", "*.example.com", "EXAMPLE.com", " example.com. "]) {
      expect(bypass("example.com", 443, entry), entry).toBe(true)
      expect(bypass("api.example.com", 443, entry), entry).toBe(true)
      expect(bypass("a.b.Example.COM", 80, entry), entry).toBe(true)
      expect(bypass("badexample.com", 443, entry), entry).toBe(false)
      expect(bypass("example.com.evil", 443, entry), entry).toBe(false)
    }
    expect(bypass("API.EXAMPLE.COM.", 443, "example.com")).toBe(true)
  })

  it("entries are separated by commas or white space; `*` matches every host; empty entries are skipped", () => {
    expect(bypass("b.internal", 80, "a.example, ,b.internal")).toBe(true)
    expect(bypass("b.internal", 80, "a.example b.internal")).toBe(true)
    expect(bypass("anything.example", 8080, "*")).toBe(true)
    expect(bypass("anything.example", 8080, "")).toBe(false)
    expect(bypass("anything.example", 8080, " , ")).toBe(false)
    expect(Network.parseNoProxy(undefined)).toEqual([])
  })

  it("an entry with a port matches that port only", () => {
    expect(bypass("api.example", 8443, "api.example:8443")).toBe(true)
    expect(bypass("api.example", 443, "api.example:8443")).toBe(false)
    expect(bypass("127.0.0.1", 8080, "127.0.0.1:8080")).toBe(true)
    expect(bypass("127.0.0.1", 9090, "127.0.0.1:8080")).toBe(false)
    expect(bypass("[::1]", 8080, "[::1]:8080")).toBe(true)
    expect(bypass("::1", 9090, "[::1]:8080")).toBe(false)
  })

  it("IP addresses match exactly, IPv4 ranges by CIDR; an IP never matches as a domain suffix", () => {
    expect(bypass("10.1.2.3", 80, "10.1.2.3")).toBe(true)
    expect(bypass("110.1.2.3", 80, "10.1.2.3")).toBe(false)
    expect(bypass("10.1.2.3", 80, "10.0.0.0/8")).toBe(true)
    expect(bypass("11.1.2.3", 80, "10.0.0.0/8")).toBe(false)
    expect(bypass("192.168.1.77", 80, "192.168.1.64/26")).toBe(true)
    expect(bypass("192.168.1.128", 80, "192.168.1.64/26")).toBe(false)
    expect(bypass("1.2.3.4", 80, "0.0.0.0/0")).toBe(true)
    expect(bypass("[::1]", 80, "::1")).toBe(true)
    expect(bypass("[::2]", 80, "::1")).toBe(false)
    // not a valid range: ignored, not a match-all
    expect(bypass("1.2.3.4", 80, "1.2.3.0/40")).toBe(false)
  })

  it("loopback is not special: only NO_PROXY's entries take it around the proxy", () => {
    expect(bypass("localhost", 80, "example.com")).toBe(false)
    expect(bypass("127.0.0.1", 80, "example.com")).toBe(false)
    expect(bypass("localhost", 80, "localhost")).toBe(true)
    expect(bypass("127.0.0.1", 80, "127.0.0.0/8")).toBe(true)
  })

  it("reads at most 1024 entries", () => {
    const many = Array.from({ length: 2000 }, (_, i) => `h${i}.example`).join(",")
    expect(Network.parseNoProxy(many)).toHaveLength(1024)
    expect(bypass("h1023.example", 80, many)).toBe(true)
    expect(bypass("h1024.example", 80, many)).toBe(false)
  })
})

describe("Network: the proxy from the environment", () => {
  it("the scheme's variable, lower case first, upper case otherwise; empty values are unset", () => {
    const settings = Network.envProxies({
      http_proxy: "http://lower:1",
      HTTP_PROXY: "http://upper:1",
      HTTPS_PROXY: "http://upper:2",
      https_proxy: "  ",
      NO_PROXY: "skip.example"
    })
    expect(settings.http).toBe("http://lower:1")
    expect(settings.https).toBe("http://upper:2")
    expect(Network.proxyFor(new URL("http://api.example/x"), settings)).toBe("http://lower:1")
    expect(Network.proxyFor(new URL("https://api.example/x"), settings)).toBe("http://upper:2")
    expect(Network.proxyFor(new URL("https://a.skip.example/x"), settings)).toBeUndefined()
    expect(Network.proxyFor(new URL("ws://api.example/x"), settings)).toBeUndefined()
    expect(Network.envProxies({ no_proxy: "a.example", NO_PROXY: "*" }).noProxy).toEqual([
      { _tag: "domain", domain: "a.example", port: undefined }
    ])
  })

  it("NO_PROXY's ports are compared with the URL's port, or the scheme's default", () => {
    const settings = Network.envProxies({
      HTTPS_PROXY: "http://p:1",
      HTTP_PROXY: "http://p:1",
      NO_PROXY: "a.example:443"
    })
    expect(Network.proxyFor(new URL("https://a.example/"), settings)).toBeUndefined()
    expect(Network.proxyFor(new URL("https://a.example:8443/"), settings)).toBe("http://p:1")
    expect(Network.proxyFor(new URL("http://a.example/"), settings)).toBe("http://p:1")
  })

  it("no variable, no proxy", () => {
    expect(Network.proxyFor(new URL("https://a.example/"), Network.envProxies({}))).toBeUndefined()
  })
})

describe("Network: the proxy's URL and credentials", () => {
  it("credentials never show: user info masked, query dropped, also in values that do not parse", () => {
    expect(Network.redactProxyUrl("http://user:s3cret@proxy.corp:3128/?token=x")).toBe("http://***@proxy.corp:3128/")
    expect(Network.redactProxyUrl("user:s3cret@proxy.corp:3128")).toBe("***@proxy.corp:3128")
    expect(Network.redactProxyUrl("http://proxy.corp:3128")).toBe("http://proxy.corp:3128")
    expect(Network.redactProxyUrl("http://us er:pa@ss@[bad")).not.toContain("pa@ss")
  })

  it("parses the URL (a bare host:port is http), takes its credentials out, and lists every form of them", () => {
    const p = Network.parseProxy("http://alice:p%40ss%3Aword@proxy.corp:3128/?x=1")
    expect(p.url).toBe("http://proxy.corp:3128/")
    expect(p.shown).toBe("http://***@proxy.corp:3128/")
    const token = btoa("alice:p@ss:word")
    expect(p.authorization).toBe(`Basic ${token}`)
    for (const s of ["p%40ss%3Aword", "p@ss:word", "alice:p@ss:word", token]) expect(p.secrets, s).toContain(s)
    const bare = Network.parseProxy("proxy.corp:3128")
    expect(bare).toEqual({
      url: "http://proxy.corp:3128/",
      shown: "http://proxy.corp:3128/",
      authorization: undefined,
      secrets: []
    })
  })

  it("auth given apart wins over the URL's user info", () => {
    const p = Network.parseProxy("http://proxy.corp:3128", "bob:hunter22")
    expect(p.authorization).toBe(`Basic ${btoa("bob:hunter22")}`)
    expect(p.secrets).toContain("hunter22")
    expect(p.shown).toBe("http://***@proxy.corp:3128/")
  })

  it("anything but an http: or https: URL is refused with a message that does not show the credentials", () => {
    expect(() => Network.parseProxy("socks5://u:hunter22@p:1080")).toThrow(RangeError)
    expect(() => Network.parseProxy("socks5://u:hunter22@p:1080")).toThrow(/socks5:\/\/\*\*\*@p:1080/)
    try {
      Network.parseProxy("http://u:hunter22@[nope")
      expect.unreachable()
    } catch (e) {
      expect(String(e)).not.toContain("hunter22")
    }
  })
})

describe("Network: what a failure is", () => {
  it("a certificate failure is Tls, not sent, with its code, even behind a wrapper's code", () => {
    for (
      const code of [
        "CERT_HAS_EXPIRED",
        "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "DEPTH_ZERO_SELF_SIGNED_CERT",
        "ERR_TLS_CERT_ALTNAME_INVALID",
        "SELF_SIGNED_CERT_IN_CHAIN",
        "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
        "ERR_SSL_WRONG_VERSION_NUMBER"
      ]
    ) {
      expect(Network.classifyCodes([code], "x"), code).toEqual({ reason: "Tls", sent: false, code })
    }
    expect(Network.classifyCodes(["UND_ERR_PRX_TLS", "ERR_TLS_CERT_ALTNAME_INVALID"], "x")).toEqual({
      reason: "Tls",
      sent: false,
      code: "ERR_TLS_CERT_ALTNAME_INVALID"
    })
    // and it is not retried
    expect(Classification.isTransient({ _tag: "ConnectionError", reason: "Tls", sent: false })).toBe(false)
  })

  it("refused, DNS and connect timeouts were not sent; resets and anything else may have been", () => {
    expect(Network.classifyCodes(["ECONNREFUSED"], "")).toEqual({
      reason: "Refused",
      sent: false,
      code: "ECONNREFUSED"
    })
    expect(Network.classifyCodes(["ENOTFOUND"], "").reason).toBe("Dns")
    expect(Network.classifyCodes(["ERR_TLS_HANDSHAKE_TIMEOUT"], "").reason).toBe("ConnectTimeout")
    expect(Network.classifyCodes(["ECONNRESET"], "")).toEqual({ reason: "Reset", sent: true, code: "ECONNRESET" })
    expect(Network.classifyCodes(["EWHATEVER"], "")).toEqual({ reason: "Transport", sent: true, code: "EWHATEVER" })
    expect(Network.classifyCodes([], "")).toEqual({ reason: "Transport", sent: true, code: undefined })
  })

  it("HTTP/2: a stream reset and GOAWAY are resets that may have been sent; REFUSED_STREAM was not processed", () => {
    const goaway = Network.classifyCodes(["UND_ERR_SOCKET"], "HTTP/2: \"GOAWAY\" frame received with code 0")
    expect(goaway).toEqual({ reason: "Reset", sent: true, code: "UND_ERR_SOCKET" })
    expect(
      Network.classifyCodes(["ERR_HTTP2_GOAWAY_SESSION"], "New streams cannot be created after receiving a GOAWAY")
    )
      .toEqual({ reason: "Reset", sent: true, code: "ERR_HTTP2_GOAWAY_SESSION" })
    expect(Network.classifyCodes(["UND_ERR_INFO"], "HTTP/2: stream closed before the response was complete"))
      .toMatchObject({ reason: "Reset", sent: true })
    expect(Network.classifyCodes(["ERR_HTTP2_STREAM_ERROR"], "Stream closed with error code NGHTTP2_INTERNAL_ERROR"))
      .toMatchObject({ reason: "Reset", sent: true })
    expect(Network.classifyCodes(["ERR_HTTP2_STREAM_ERROR"], "Stream closed with error code NGHTTP2_REFUSED_STREAM"))
      .toMatchObject({ reason: "Reset", sent: false })
  })

  it("through a proxy: a refusal before the request started is Proxy, not sent; a 407 tunnel answer too", () => {
    const refused = Network.classifyCodes(["ECONNREFUSED"], "connect ECONNREFUSED 127.0.0.1:1")
    expect(Network.throughProxy(refused, false, "")).toEqual({ reason: "Proxy", sent: false, code: "ECONNREFUSED" })
    const reset = Network.classifyCodes(["ECONNRESET"], "read ECONNRESET")
    expect(Network.throughProxy(reset, false, "")).toMatchObject({ reason: "Proxy", sent: false })
    // after the request started, a reset is the origin's
    expect(Network.throughProxy(reset, true, "")).toEqual(reset)
    const message = "Proxy response (407) !== 200 when HTTP Tunneling"
    expect(Network.proxyStatus(message)).toBe(407)
    expect(Network.proxyStatus("other")).toBeUndefined()
    const p407 = Network.classifyCodes(["UND_ERR_ABORTED"], message)
    expect(Network.throughProxy(p407, true, message)).toMatchObject({ reason: "Proxy", sent: false })
    // the origin's certificate through the tunnel stays Tls
    const tls = Network.classifyCodes(["CERT_HAS_EXPIRED"], "certificate has expired")
    expect(Network.throughProxy(tls, false, "")).toEqual(tls)
    // and Proxy is retried by the usual rules
    expect(Classification.classify({ _tag: "ConnectionError", reason: "Proxy", sent: false }, "POST", false).retry)
      .toBe(true)
  })
})

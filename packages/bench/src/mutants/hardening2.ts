import { area, client, client4, core, coreTests, src, src4 } from "./types.js"

/** Hardening II (issue 27): what a hostile server could still do to 0.2, in the client. */
export const hardening2 = area("Hardening II", [
  {
    id: "auth-any-origin",
    promise: "credentials go only to the origins they serve",
    file: `${src}auth.ts`,
    find: "if (!serves(binding, origin)) return withheld(binding, origin, next(request))",
    replace: "",
    tests: client("Hardening")
  },
  {
    id: "auth-claimed-by-first-call",
    promise: "unnamed credentials serve the first client made with them, whichever calls first",
    file: `${src}apiClient.ts`,
    find: "if (auth !== undefined && resolved.base !== undefined) authInternal.claim(auth, resolved.base)",
    replace: "",
    tests: client("Hardening")
  },
  {
    id: "redirect-follows-masked-location",
    promise: "a redirect goes to the Location the server sent, not to the error's masked copy",
    file: `${src}redirect.ts`,
    find: "const hop = step(request, error.status, source?.location, sensitiveHeaders)",
    replace: "const hop = step(request, error.status, error.headers.location, sensitiveHeaders)",
    tests: client("Hardening")
  },
  {
    id: "redirect-any-origin",
    promise: "a redirect to another origin is refused unless allowOtherOrigins",
    file: `${src}redirect.ts`,
    find: "if (!allowOtherOrigins && hop.url.origin !== request.url.origin) {",
    replace: "if (false) {",
    tests: client("Hardening", "AuthWire")
  },
  {
    id: "redirect-hop-unmasked",
    promise: "a credential echoed into a Location is masked wherever the next hop is shown",
    file: `${src}redirect.ts`,
    find: ": { ...hop, redactValues: source.secrets }",
    replace: ": hop",
    tests: client("Hardening")
  },
  {
    id: "next-page-unmasked",
    promise: "a credential echoed into a next-page link is masked in errors, logs and spans",
    file: `${src}pagination.ts`,
    find: "if (following !== undefined) echoed.builtFrom(following, response)",
    replace: "",
    tests: client("Hardening")
  },
  {
    id: "page-cycle-undetected",
    promise: "a next link back to a page already read fails at once, saying cycle",
    file: `${src}pagination.ts`,
    find: "if (before !== undefined) {",
    replace: "if (false) {",
    tests: client("Hardening")
  },
  {
    id: "page-cycle-ignores-body",
    promise: "the same URL with another body (a cursor in the body) is another page, not a cycle",
    file: `${src}pagination.ts`,
    find: "return hash53(head, body.body)",
    replace: "return hash53(head, undefined)",
    tests: client("Hardening")
  },
  {
    id: "token-text-unredacted",
    promise: "a token in a text/plain token answer never reaches an error",
    file: `${src}auth.ts`,
    find: "\n    tokenLike,\n    \"<redacted>\"\n",
    replace: "\n    /$^/,\n    \"<redacted>\"\n",
    tests: client("Hardening")
  },
  {
    id: "fetch-follows-redirects",
    promise: "a fetch-based client never follows a redirect itself, past the origin lock",
    file: `${src}httpClientTransport.ts`,
    find: "  inBrowser ? effect : Effect.flatMap(",
    replace: "  true ? effect : Effect.flatMap(",
    tests: client("Hardening")
  },
  {
    id: "e4-fetch-follows-redirects",
    promise: "a fetch-based client never follows a redirect itself, past the origin lock (Effect 4)",
    file: `${src4}httpClientTransport.ts`,
    find: "  inBrowser ? effect : Effect.flatMap(",
    replace: "  true ? effect : Effect.flatMap(",
    tests: client4("Hardening")
  },
  {
    id: "config-unbounded-bytes",
    promise: "MAX_RESPONSE_BYTES out of its range is a ConfigError naming it",
    file: "packages/client-effect3/src/ApiClient.ts",
    find: "maxResponseBytes: Config.option(wholeNumber(\"MAX_RESPONSE_BYTES\", bounds.maxResponseBytes))",
    replace: "maxResponseBytes: Config.option(Config.integer(\"MAX_RESPONSE_BYTES\"))",
    tests: client("Hardening")
  },
  {
    id: "bounds-no-maximum",
    promise: "numeric options above their documented maximum are refused",
    file: `${core}Limits.ts`,
    find: "Number.isSafeInteger(n) && n >= range.min && n <= range.max",
    replace: "Number.isSafeInteger(n) && n >= range.min",
    tests: [...coreTests("Core"), ...client("Hardening"), ...client4("Hardening")]
  }
])

/** Trust II (issue 35): redaction and credentials. */
export const trust = area("Redaction and credentials", [
  {
    id: "short-secret-unmasked",
    promise: "a 5 to 8 character secret is masked by value",
    file: `${core}Redaction.ts`,
    find: "export const MIN_SECRET = 4",
    replace: "export const MIN_SECRET = 9",
    tests: [...coreTests("Redaction"), ...client("Trust"), ...client4("Trust")]
  },
  {
    id: "encoded-secret-unmasked",
    promise: "a secret's URL-encoded form is masked too",
    file: `${core}Redaction.ts`,
    find: "    one(encodeURIComponent(value))\n",
    replace: "",
    tests: [...coreTests("Redaction"), ...client("Trust"), ...client4("Trust")]
  },
  {
    id: "query-name-case",
    promise: "query parameter names are matched case-insensitively for redaction",
    file: `${core}Redaction.ts`,
    find: "const hide = sensitiveQueryParams.has(lower) || (extra !== undefined && extra.has(lower))",
    replace: "const hide = sensitiveQueryParams.has(name) || (extra !== undefined && extra.has(name))",
    tests: [...coreTests("Redaction"), ...client("Trust"), ...client4("Trust")]
  },
  {
    id: "https-http-same-origin",
    promise: "an https→http redirect on the same host drops Authorization and Cookie",
    file: `${src}redirect.ts`,
    find: "const leaves = url.origin !== request.url.origin",
    replace: "const leaves = url.hostname !== request.url.hostname",
    tests: client("Trust")
  },
  {
    id: "origin-lock-by-host",
    promise: "another port or scheme of the base host is another origin",
    file: `${src}prepare.ts`,
    find: "url.origin !== resolved.base.origin && !resolved.allowOtherOrigins",
    replace: "url.hostname !== resolved.base.hostname && !resolved.allowOtherOrigins",
    tests: client("Trust")
  },
  {
    id: "auth-replays-stream",
    promise: "a 401 replay never resends a body readable once",
    file: `${src}auth.ts`,
    find: "(replay && !body.isOneShot(request.body) ? send(true) : Effect.fail(error))",
    replace: "(replay ? send(true) : Effect.fail(error))",
    tests: client("Trust")
  },
  {
    id: "redirect-resends-stream",
    promise: "a 307/308 redirect never resends a body readable once",
    file: `${src}redirect.ts`,
    find: "if (!toGet && request.body._tag !== \"Empty\" && bodies.isOneShot(request.body)) return \"OneShotBody\"",
    replace: "",
    tests: client("Trust")
  },
  {
    id: "oauth-skew-unbounded",
    promise: "a token that lives less than twice the skew is not expired on arrival",
    file: `${src}auth.ts`,
    find: "const skew = Math.min(skewMillis, lifetime / 2)",
    replace: "const skew = skewMillis",
    tests: client("Auth")
  }
])

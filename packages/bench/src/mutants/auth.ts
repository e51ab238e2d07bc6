import { area, client, src } from "./types.js"

export const auth = area("Auth", [
  // Auth
  {
    id: "oauth-basic-not-encoded",
    promise: "RFC 6749 §2.3.1 encoding (a secret with ':' or '%' works)",
    file: `${src}auth.ts`,
    find: "const pw = encodeURIComponent(Redacted.value(secret))",
    replace: "const pw = Redacted.value(secret)",
    tests: client("Auth")
  },
  {
    id: "no-401-replay",
    promise: "a 401 gets one refresh and one replay",
    file: `${src}auth.ts`,
    find: "if (replayed) return sent",
    replace: "return sent",
    tests: client("Auth", "AuthWire", "Behaviour")
  },
  {
    id: "late-401-drops-new-token",
    promise: "a late 401 for an old token keeps the new one",
    file: `${src}auth.ts`,
    find: "if (current !== undefined && current.generation === used) current = undefined",
    replace: "current = undefined",
    tests: client("Auth")
  }
])

import { area, client, src } from "./types.js"

export const bodies = area("Bodies", [
  // Bodies
  {
    id: "generic-unbounded-declared",
    promise: "maxResponseBytes holds on every transport (declared length)",
    file: `${src}httpClientTransport.ts`,
    find: "if (ok && declaredBytes > maxBytes && failure.hasBody(request.method, response.status)) {",
    replace: "if (false) {",
    tests: client("Behaviour", "ConnectionPool")
  },
  {
    id: "generic-unbounded-chunked",
    promise: "maxResponseBytes holds on every transport (chunked)",
    file: `${src}httpClientTransport.ts`,
    find: "      if (size <= limit) {\n        chunks.push(chunk)\n        return Effect.succeed(true)",
    replace: "      if (true) {\n        chunks.push(chunk)\n        return Effect.succeed(true)",
    tests: client("Behaviour", "ConnectionPool")
  },
  {
    id: "undici-unbounded-declared",
    promise: "maxResponseBytes holds on the pool (declared length)",
    file: `${src}undiciTransport.ts`,
    find: "typeof declared === \"string\" && Number(declared) > maxBytes",
    replace: "false",
    tests: client("Behaviour", "ConnectionPool")
  }
])

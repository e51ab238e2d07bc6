import { area } from "./types.js"

export const openapi = area("OpenAPI", [
  // @steady/openapi
  {
    id: "openapi-key-ignored",
    promise: "a POST that declares an Idempotency-Key sends one and is retried",
    file: "packages/openapi/src/internal/model.ts",
    find: "const idempotencyKey = all.some(",
    replace: "const idempotencyKey = false && all.some(",
    tests: ["packages/openapi/test/Generator.test.ts"]
  },
  {
    id: "openapi-errors-untyped",
    promise: "a declared 4xx/5xx with a JSON body is the operation's typed error",
    file: "packages/openapi/src/internal/model.ts",
    find: "} else if (status >= 400 && status < 600 && json !== undefined",
    replace: "} else if (status >= 600 && json !== undefined",
    tests: ["packages/openapi/test/Generator.test.ts"]
  },
  {
    id: "openapi-link-not-followed",
    promise: "a Link header on an array response gives a ...Stream method",
    file: "packages/openapi/src/internal/model.ts",
    find: "if (linkHeader && isArray) paging = { _tag: \"link\" }",
    replace: "if (false) paging = { _tag: \"link\" }",
    tests: ["packages/openapi/test/Generator.test.ts"]
  }
])

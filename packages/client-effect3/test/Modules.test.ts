import { ApiClient, Body, Pagination, Retry, Streaming, TypedApi } from "@steady/client-effect3"
import * as Steady from "@steady/client-effect3"
import { describe, expect, it } from "vitest"

// 0.3 gave each concern of ApiClient its own module; the 0.2 names stay on ApiClient as the
// same values (issue 28), so code written against 0.2 compiles and behaves unchanged.
describe("ApiClient keeps its 0.2 names", () => {
  it("re-exports the functions of Body, Streaming, Pagination and TypedApi as the same values", () => {
    expect(ApiClient.json).toBe(Body.json)
    expect(ApiClient.stream).toBe(Streaming.stream)
    expect(ApiClient.ndjson).toBe(Streaming.ndjson)
    expect(ApiClient.sse).toBe(Streaming.sse)
    expect(ApiClient.paginate).toBe(Pagination.paginate)
    expect(ApiClient.pages).toBe(Pagination.pages)
    expect(ApiClient.httpApi).toBe(TypedApi.httpApi)
  })

  it("still exports every value it exported in 0.2", () => {
    const names = [
      "make",
      "makeWith",
      "stages",
      "config",
      "makeConfig",
      "ApiClient",
      "layer",
      "layerConfig",
      "path",
      "json",
      "stream",
      "ndjson",
      "sse",
      "paginate",
      "pages",
      "withOptions",
      "withCallOptions",
      "attempts",
      "defaults",
      "metrics",
      "httpApi"
    ]
    expect(names.filter((name) => !(name in ApiClient))).toEqual([])
  })

  it("the defaults are published once: Retry.defaults (deprecated) is ApiClient.defaults' retry part", () => {
    const { base, cap, maxRetryAfter, times } = ApiClient.defaults
    expect(Retry.defaults).toEqual({ times, base, cap, maxRetryAfter })
  })

  it("the barrel names every module", () => {
    expect(Object.keys(Steady)).toEqual(
      expect.arrayContaining(["ApiClient", "Body", "Streaming", "Pagination", "TypedApi"])
    )
  })
})

// the 0.2 type names, checked by the compiler
export type Types = [
  ApiClient.ServerSentEvent,
  ApiClient.ServerSentEvent<number>,
  ApiClient.SseOptions,
  ApiClient.PaginateOptions<unknown, unknown>,
  ApiClient.Page<unknown, unknown>,
  ApiClient.HttpApiOptions<"a.b">,
  ApiClient.RetryOptions,
  ApiClient.TimeoutOptions,
  ApiClient.Options,
  ApiClient.CallOptions,
  ApiClient.Client
]

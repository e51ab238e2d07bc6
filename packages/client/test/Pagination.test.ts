import { it } from "@effect/vitest"
import { ApiClient, ConnectionPool, Pagination } from "@steady/client"
import { TestServer } from "@steady/testing"
import { Effect, Schema, Stream } from "effect"
import { HttpClientRequest } from "effect/http"
import { describe, expect } from "vitest"

const Item = Schema.Struct({ id: Schema.Number, name: Schema.String })
const all = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` }))
const size = 50

/** One listing of 1,000 items behind five pagination styles; a 503 once for `?flaky`. */
const listing = () => {
  let flaked = false
  return TestServer.make((req, res) => {
    const q = req.query
    if (q.has("flaky") && !flaked && q.get("page") === "2") {
      flaked = true
      return TestServer.json(res, 503, { error: "busy" })
    }
    switch (req.path) {
      case "/link": {
        const page = Number(q.get("page") ?? "1")
        const items = all.slice((page - 1) * size, page * size)
        const last = all.length / size
        const links = [
          ...(page < last
            ? [`</link?page=${page + 1}&per_page=${size}${q.has("flaky") ? "&flaky" : ""}>; rel="next"`]
            : []),
          `<http://127.0.0.1/link?page=${last}>; rel=last`
        ]
        return TestServer.json(res, 200, items, { link: links.join(", ") })
      }
      case "/away":
        return TestServer.json(res, 200, all.slice(0, 2), { link: `<http://example.invalid/away?page=2>; rel="next"` })
      case "/stripe": {
        const after = Number(q.get("starting_after") ?? "0")
        const data = all.filter((i) => i.id > after).slice(0, size)
        return TestServer.json(res, 200, { data, has_more: data.length > 0 && data[data.length - 1].id < all.length })
      }
      case "/slack": {
        const from = Number(q.get("cursor") ?? "0")
        const items = all.slice(from, from + size)
        const next = from + size < all.length ? String(from + size) : ""
        return TestServer.json(res, 200, { items, response_metadata: { next_cursor: next } })
      }
      case "/pages": {
        const page = Number(q.get("page") ?? "1")
        return TestServer.json(res, 200, { results: all.slice((page - 1) * size, page * size) })
      }
      case "/offsets": {
        const offset = Number(q.get("offset") ?? "0")
        return TestServer.json(res, 200, { results: all.slice(offset, offset + Number(q.get("limit"))) })
      }
    }
    TestServer.json(res, 404, {})
  })
}

const Stripe = Schema.Struct({ data: Schema.Array(Item), has_more: Schema.Boolean })
const Slack = Schema.Struct({
  items: Schema.Array(Item),
  response_metadata: Schema.Struct({ next_cursor: Schema.String })
})
const Results = Schema.Struct({ results: Schema.Array(Item) })

const styles = (client: ApiClient.Client) => ({
  "Link header": ApiClient.paginate(
    client,
    HttpClientRequest.get("/link", { urlParams: { per_page: size } }),
    Schema.Array(Item),
    {
      next: Pagination.link(),
      maxPages: 100
    }
  ),
  "cursor (Stripe's starting_after)": ApiClient.paginate(client, HttpClientRequest.get("/stripe"), Stripe, {
    items: (page) => page.data,
    next: Pagination.cursor({
      param: "starting_after",
      next: (page) => page.has_more ? String(page.data[page.data.length - 1].id) : undefined
    }),
    maxPages: 100
  }),
  "cursor (next_cursor)": ApiClient.paginate(client, HttpClientRequest.get("/slack"), Slack, {
    items: (page) => page.items,
    next: Pagination.cursor({ param: "cursor", next: (page) => page.response_metadata.next_cursor }),
    maxPages: 100
  }),
  "page numbers": ApiClient.paginate(client, HttpClientRequest.get("/pages?page=1"), Results, {
    items: (page) => page.results,
    next: Pagination.page(),
    maxPages: 100
  }),
  "offsets": ApiClient.paginate(client, HttpClientRequest.get("/offsets", { urlParams: { limit: size } }), Results, {
    items: (page) => page.results,
    next: Pagination.offset({ pageSize: size }),
    maxPages: 100
  })
})

describe("ApiClient.paginate over 1,000 items", () => {
  // pages of 50: 20 pages; page numbers and offsets need the empty 21st to know it ended (the
  // 20th is full)
  const requestsForAll: Record<string, number> = {
    "Link header": 20,
    "cursor (Stripe's starting_after)": 20,
    "cursor (next_cursor)": 20,
    "page numbers": 21,
    "offsets": 21
  }
  for (const name of Object.keys(requestsForAll)) {
    it.live(`${name}: every item once, in order; Stream.take fetches only the pages it reads`, () =>
      Effect.gen(function*() {
        const server = yield* listing()
        const client = yield* ApiClient.make({ baseUrl: server.url })
        const stream = styles(client)[name as keyof ReturnType<typeof styles>]
        const items = Array.from(yield* Stream.runCollect(stream))
        expect(items).toEqual(all)
        expect(server.requests).toHaveLength(requestsForAll[name])
        const before = server.requests.length
        const first = Array.from(yield* stream.pipe(Stream.take(120), Stream.runCollect))
        expect(first).toEqual(all.slice(0, 120))
        expect(server.requests.length - before).toBe(3)
      }).pipe(Effect.provide(ConnectionPool.layer())))
  }

  it.live("with a pageSize, a short last page ends the listing without asking for an empty one", () =>
    Effect.gen(function*() {
      const server = yield* listing()
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const items = yield* ApiClient.paginate(
        client,
        HttpClientRequest.get("/offsets", { urlParams: { limit: 30 } }),
        Results,
        { items: (page) => page.results, next: Pagination.offset({ pageSize: 30 }), maxPages: 100 }
      ).pipe(Stream.runCollect)
      expect(Array.from(items)).toEqual(all)
      // 33 pages of 30 and one of 10: 34 requests, not 35
      expect(server.requests).toHaveLength(34)
      expect(server.requests.at(-1)?.query.get("offset")).toBe("990")
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("every page is a full call: a 503 on page 2 is retried", () =>
    Effect.gen(function*() {
      const server = yield* listing()
      const client = yield* ApiClient.make({ baseUrl: server.url, retry: { base: "1 millis", cap: "1 millis" } })
      const items = yield* ApiClient.paginate(client, HttpClientRequest.get("/link?flaky"), Schema.Array(Item), {
        next: Pagination.link(),
        maxPages: 100
      }).pipe(Stream.take(75), Stream.runCollect)
      expect(Array.from(items)).toEqual(all.slice(0, 75))
      expect(server.requests.map((r) => r.url)).toEqual([
        "/link?flaky",
        "/link?page=2&per_page=50&flaky=",
        "/link?page=2&per_page=50&flaky="
      ])
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("more pages than maxPages fail with PageLimitError, after maxPages requests", () =>
    Effect.gen(function*() {
      const server = yield* listing()
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const seen: Array<number> = []
      const error = yield* ApiClient.paginate(client, HttpClientRequest.get("/link"), Schema.Array(Item), {
        next: Pagination.link(),
        maxPages: 5
      }).pipe(Stream.runForEach((item) => Effect.sync(() => seen.push(item.id))), Effect.flip)
      expect(error).toMatchObject({ _tag: "PageLimitError", maxPages: 5 })
      expect(error.message).toContain(`${server.url}/link?page=6&per_page=50`)
      expect(seen).toHaveLength(250)
      expect(server.requests).toHaveLength(5)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("a next link to another origin is refused by the client's origin lock", () =>
    Effect.gen(function*() {
      const server = yield* listing()
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const error = yield* ApiClient.paginate(client, HttpClientRequest.get("/away"), Schema.Array(Item), {
        next: Pagination.link(),
        maxPages: 5
      }).pipe(Stream.runDrain, Effect.flip)
      expect(error).toMatchObject({ _tag: "ConnectionError", reason: "OriginNotAllowed", sent: false })
      expect(server.requests).toHaveLength(1)
    }).pipe(Effect.provide(ConnectionPool.layer())))

  it.live("pages: each decoded page with its items", () =>
    Effect.gen(function*() {
      const server = yield* listing()
      const client = yield* ApiClient.make({ baseUrl: server.url })
      const pages = yield* ApiClient.pages(client, HttpClientRequest.get("/stripe"), Stripe, {
        items: (page) => page.data,
        next: Pagination.cursor({
          param: "starting_after",
          next: (p) => p.has_more ? String(p.data.at(-1)?.id) : null
        }),
        maxPages: 100
      }).pipe(Stream.take(2), Stream.runCollect)
      expect(Array.from(pages).map((p) => [p.items.length, p.page.has_more])).toEqual([[50, true], [50, true]])
    }).pipe(Effect.provide(ConnectionPool.layer())))
})

describe("Pagination: parsing and options", () => {
  it("Link headers: quoted and bare rel, rel lists, commas inside quotes, several links", () => {
    const next = (header: string) =>
      Pagination.link().next({
        request: HttpClientRequest.get("http://api.example/items"),
        response: { headers: { link: header }, request: HttpClientRequest.get("http://api.example/items") } as never,
        page: [],
        items: 0
      })?.url
    expect(next(`<https://api.example/items?page=2>; rel="next", <https://api.example/items?page=9>; rel="last"`))
      .toBe("https://api.example/items")
    expect(next(`<https://api.example/p?page=9>; rel="last", </items?page=3>; title="a, b"; rel="prev next"`))
      .toBe("http://api.example/items")
    expect(next(`<https://api.example/items?page=9>; rel=last`)).toBeUndefined()
    expect(next(`<https://api.example/items?page=4>; REL=next`)).toBe("https://api.example/items")
  })

  it("bad options are defects that name them", () => {
    const client = {} as ApiClient.Client
    const request = HttpClientRequest.get("/x")
    expect(() => ApiClient.paginate(client, request, Schema.Array(Item), { next: Pagination.link(), maxPages: 0 }))
      .toThrow(/maxPages must be a whole number > 0/)
    expect(() => Pagination.page({ pageSize: 0 })).toThrow(/pageSize/)
    expect(() => Pagination.cursor({ param: "", next: () => undefined })).toThrow(/param/)
  })
})

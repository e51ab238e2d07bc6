import { it } from "@effect/vitest"
import { ApiClient } from "@steady/client-effect3"
import { MockHttpClient, TestServer } from "@steady/testing-effect3"
import { Cause, ConfigProvider, Context, Effect, Exit, Layer, Option, TestClock } from "effect"
import * as Fs from "node:fs"
import { describe, expect } from "vitest"
import { joinNow } from "./util.js"

/** Makes a client through `makeConfig("POSTS")` under `provider`, and calls GET /posts (the mock answers 503). */
const call = (provider: ConfigProvider.ConfigProvider) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(
      Effect.exit(Effect.flatMap(ApiClient.makeConfig("POSTS"), (client) => client.get("/posts")))
    )
    for (let i = 0; i < 20; i++) yield* TestClock.adjust("10 seconds") // past every backoff
    const exit = yield* joinNow(fiber)
    return { exit, requests: yield* MockHttpClient.requests }
  }).pipe(Effect.provide(MockHttpClient.layer(() => 503)), Effect.withConfigProvider(provider))

const failure = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? String(Option.getOrUndefined(Cause.failureOption(exit.cause))) : `succeeded`

describe("what a newcomer trips on (issue 30)", () => {
  it.effect("config: the usual test config, fromMap with the variables' names and no pathDelim, is read", () =>
    Effect.gen(function*() {
      const { requests } = yield* call(ConfigProvider.fromMap(
        new Map([["POSTS_BASE_URL", "https://posts.example/api"], ["POSTS_MAX_RETRIES", "2"]])
      ))
      expect(requests.map((r) => r.url)).toEqual(Array(3).fill("https://posts.example/api/posts"))
    }))

  it.effect("config: pathDelim \"_\" (an environment's), and the nested shapes, are read as before", () =>
    Effect.gen(function*() {
      const delim = yield* call(ConfigProvider.fromMap(
        new Map([["POSTS_BASE_URL", "https://delim.example"], ["POSTS_MAX_RETRIES", "1"]]),
        { pathDelim: "_" }
      ))
      expect(delim.requests.map((r) => r.url)).toEqual(Array(2).fill("https://delim.example/posts"))
      const nested = yield* call(
        ConfigProvider.fromJson({ POSTS: { BASE_URL: "https://nested.example", MAX_RETRIES: "0" } })
      )
      expect(nested.requests.map((r) => r.url)).toEqual(["https://nested.example/posts"])
      const dotted = yield* call(ConfigProvider.fromMap(new Map([["POSTS.BASE_URL", "https://dotted.example"]])))
      expect(dotted.requests[0]?.url).toBe("https://dotted.example/posts")
    }))

  it.effect("config: a missing base URL names the variable and what to pass, once, without contradicting itself", () =>
    Effect.gen(function*() {
      const { exit } = yield* call(ConfigProvider.fromMap(new Map([["POSTS_TIMEOUT", "5 seconds"]])))
      const message = failure(exit)
      expect(message).toBe(
        "(Missing data at POSTS_BASE_URL: \"POSTS_BASE_URL is not set (expected an environment variable POSTS_BASE_URL, " +
          "or in a test ConfigProvider.fromMap(new Map([[\"POSTS_BASE_URL\", …]])))\")"
      )
    }))

  it.effect("config: a bad value under the flat name is refused, naming it, without the value of another", () =>
    Effect.gen(function*() {
      const { exit } = yield* call(
        ConfigProvider.fromMap(new Map([["POSTS_BASE_URL", "https://posts.example"], ["POSTS_TIMEOUT", "soon"]]))
      )
      expect(failure(exit)).toMatch(/POSTS_TIMEOUT: Expected a duration/)
      expect(failure(exit)).not.toContain("posts.example")
    }))
  it.effect("config: a base URL that is refused is quoted without its user info, whatever its shape", () =>
    Effect.gen(function*() {
      for (
        const value of [
          "ftp://deploy:hunter2-secret@files.example/",
          "deploy:hunter2-secret@posts.example",
          "//deploy:hunter2-secret@posts.example"
        ]
      ) {
        const { exit } = yield* call(ConfigProvider.fromMap(new Map([["POSTS_BASE_URL", value]])))
        expect(failure(exit), value).toMatch(/POSTS_BASE_URL.*Expected an http\(s\) URL, got ".*\*\*\*@/)
        expect(failure(exit), value).not.toContain("hunter2")
      }
    }))
})

describe("the wiring docs/testing.md shows (issue 30)", () => {
  class Posts extends Context.Tag("Posts")<Posts, ApiClient.Client>() {}
  const PostsLive = Layer.effect(Posts, ApiClient.makeConfig("POSTS"))

  const recorder = MockHttpClient.recorder()
  const TestLive = PostsLive.pipe(
    Layer.provide(MockHttpClient.layer(() => ({ json: { id: 1, title: "Hello" } }), { recorder })),
    Layer.provide(Layer.setConfigProvider(
      ConfigProvider.fromMap(new Map([["POSTS_BASE_URL", "https://posts.example"]]))
    ))
  )

  it.effect("a service built with makeConfig, on the mock, with its requests recorded", () =>
    Effect.gen(function*() {
      const posts = yield* Posts
      const response = yield* posts.get("/posts/1")
      expect(response.status).toBe(200)
      const requests = yield* recorder.requests
      expect(requests.map((r) => r.url)).toEqual(["https://posts.example/posts/1"])
    }).pipe(Effect.provide(TestLive)))
})

/**
 * The `index`-th ```ts block of the section `heading` of a guide in docs/, with `replace`
 * applied, imported as a module (written beside this test so that its imports resolve, and
 * removed when the scope closes): the guide's own code runs, so it cannot drift from it.
 */
const guideModule = (guide: string, heading: string, index: number, replace: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const text = Fs.readFileSync(new URL(`../../../docs/${guide}`, import.meta.url), "utf8")
      const start = text.indexOf(`## ${heading}\n`)
      expect(start, `docs/${guide} has no section "${heading}"`).toBeGreaterThanOrEqual(0)
      const end = text.indexOf("\n## ", start + 1)
      const section = text.slice(start, end === -1 ? undefined : end)
      const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
      let source = blocks[index]
      expect(source, `the section "${heading}" has no block ${index}`).toBeDefined()
      for (const [from, to] of Object.entries(replace)) {
        expect(source, `the guide's block names ${from}`).toContain(from)
        source = source.replaceAll(from, to)
      }
      const file = new URL(`./.guide-${process.pid}-${Date.now()}.ts`, import.meta.url)
      Fs.writeFileSync(file, source)
      return { file, module: await import(file.href) as Record<string, any> }
    }),
    ({ file }) => Effect.sync(() => Fs.rmSync(file, { force: true }))
  ).pipe(Effect.map(({ module }) => module))

describe("the guide \"Two APIs in one app\" (docs/configuration-and-auth.md), run as written", () => {
  it.scopedLive("each API gets its own credentials, headers and pool; neither sees the other's", () =>
    Effect.gen(function*() {
      const github = yield* TestServer.make((req, res) => TestServer.json(res, 200, { path: req.path }))
      const weather = yield* TestServer.make((req, res) => TestServer.json(res, 200, { city: req.query.get("city") }))
      const guide = yield* guideModule("configuration-and-auth.md", "Two APIs in one app", 1, {
        "https://api.github.com": github.url,
        "https://api.weather.example": weather.url
      })
      // the guide's module is untyped here (imported at run time); docs.test type-checks it
      yield* (Effect.gen(function*() {
        const gh = yield* guide.GitHub
        const wx = yield* guide.Weather
        expect((yield* gh.user("octocat")).status).toBe(200)
        expect((yield* wx.forecast("Paris")).status).toBe(200)
      }).pipe(
        Effect.provide(guide.AppLive),
        Effect.withConfigProvider(ConfigProvider.fromJson({ GITHUB_TOKEN: "gh-secret", WEATHER_KEY: "wx-secret" }))
      ) as Effect.Effect<void, unknown>)
      expect(github.requests.map((r) => [r.path, r.headers.authorization, r.query.get("appid")])).toEqual([
        ["/users/octocat", "Bearer gh-secret", null]
      ])
      expect(github.requests[0].headers.accept).toBe("application/vnd.github+json")
      expect(weather.requests.map((r) => [r.path, r.headers.authorization, r.query.get("appid"), r.query.get("city")]))
        .toEqual([["/forecast", undefined, "wx-secret", "Paris"]])
      // the GitHub client's default headers stay with it
      expect(weather.requests[0].headers["user-agent"]).not.toBe("my-app/1.0")
      // one pool each: each server was reached on a connection of its own pool
      expect([github.connectionsOpened, weather.connectionsOpened]).toEqual([1, 1])
    }))
})

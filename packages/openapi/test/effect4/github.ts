/**
 * A program on the Effect 4 client steady-openapi generated from GitHub's whole REST spec
 * (./github): GitHub4.test.ts generates it next to this file, type-checks the lot with
 * `tsc --strict` against effect 4.1.5, bundles it and runs it with Node 22 against Prism's mock
 * of the spec (behind the proxy at argv[2]), and reads the last line printed: the outcomes, as
 * JSON (github.ts checks them). The same calls as test/effect3/github.ts, in Effect 4's API;
 * the annotations are the type tests.
 */
import { Auth } from "@steady/client"
import { Effect, Redacted, Stream } from "effect"
import * as GitHub from "./github/index.js"

const origin = process.argv[2]

/** A call through the generated service; GitHub's spec declares no security scheme: the token is an Auth layer of ours. */
const call = <A, E>(
  use: (github: GitHub.GitHub["Service"]) => Effect.Effect<A, E>,
  headers: Record<string, string> = {}
) =>
  GitHub.GitHub.use(use).pipe(
    Effect.provide(GitHub.layer({ baseUrl: origin, headers, retry: { base: "1 millis" } })),
    Effect.provide(Auth.layerBearer(Redacted.make("gh-token")))
  )

const program = Effect.gen(function*() {
  // the spec's own example for this operation lacks `language`, which its schema requires
  // (Prism says so under --errors): a response generated from the schema is asked for instead
  const repo: GitHub.Schemas.FullRepository = yield* call(
    (g) => g.reposGet({ params: { owner: "octocat", repo: "hello-world" } }),
    { prefer: "dynamic=true" }
  )
  const issue: GitHub.Schemas.Issue = yield* call((g) =>
    g.issuesCreate({
      params: { owner: "octocat", repo: "hello-world" },
      payload: { title: "Found a bug", labels: ["bug"] }
    })
  )
  const missing = yield* call(
    (g) =>
      g.reposGet({ params: { owner: "octocat", repo: "missing" } }).pipe(
        Effect.map((): string => "found"),
        Effect.catchTag("NotFound", (e) => Effect.succeed(`${e._tag} ${e.status}: ${typeof e.body.message}`))
      ),
    { prefer: "code=404" }
  )
  const first = yield* call((g) =>
    g.issuesListForRepo({ params: { owner: "octocat", repo: "hello-world" }, query: { per_page: 2 } })
  )
  // one item of page 2: the stream fetches two pages, no more
  const items = yield* call((g) =>
    Stream.runCollect(
      Stream.take(
        g.issuesListForRepoStream({ params: { owner: "octocat", repo: "hello-world" }, query: { per_page: 2 } }),
        first.length + 1
      )
    )
  )
  return {
    repo: { fullName: typeof repo.full_name, ownerLogin: typeof repo.owner.login },
    issue: typeof issue.number,
    missing,
    first: first.length,
    items: items.length
  }
})

Effect.runPromise(program.pipe(Effect.timeout("60 seconds"))).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)

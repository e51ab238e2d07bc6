/**
 * A program on the Effect 3 client steady-openapi generated (`--effect 3`) from GitHub's whole
 * REST spec (./github): GitHub.test.ts generates it next to this file, type-checks the lot with
 * `tsc --strict` against effect 3, imports it and runs `program` against Prism's mock of the
 * spec (behind the proxy at `origin`). The same calls as test/effect4/github.ts, in Effect 3's
 * API; the annotations are the type tests.
 */
import { Auth } from "@steady/client-effect3"
import { Effect, Redacted, Stream } from "effect"
import * as GitHub from "./github/index.js"

/** The outcomes (github.ts checks them). */
export const program = (origin: string) => {
  /** A call through the generated service; GitHub's spec declares no security scheme: the token is an Auth layer of ours. */
  const call = <A, E>(use: (github: GitHub.GitHub) => Effect.Effect<A, E>, headers: Record<string, string> = {}) =>
    Effect.flatMap(GitHub.GitHub, use).pipe(
      Effect.provide(GitHub.layer({ baseUrl: origin, headers, retry: { base: "1 millis" } })),
      Effect.provide(Auth.layerBearer(Redacted.make("gh-token")))
    )

  return Effect.gen(function*() {
    // the spec's own example for this operation lacks `language`, which its schema requires
    // (Prism says so under --errors): a response generated from the schema is asked for instead
    const repo: GitHub.Schemas.FullRepository = yield* call(
      (g) => g.reposGet({ path: { owner: "octocat", repo: "hello-world" } }),
      { prefer: "dynamic=true" }
    )
    const issue: GitHub.Schemas.Issue = yield* call((g) =>
      g.issuesCreate({
        path: { owner: "octocat", repo: "hello-world" },
        payload: { title: "Found a bug", labels: ["bug"] }
      })
    )
    const missing = yield* call(
      (g) =>
        g.reposGet({ path: { owner: "octocat", repo: "missing" } }).pipe(
          Effect.map((): string => "found"),
          Effect.catchTag("NotFound", (e) => Effect.succeed(`${e._tag} ${e.status}: ${typeof e.body.message}`))
        ),
      { prefer: "code=404" }
    )
    const first = yield* call((g) =>
      g.issuesListForRepo({ path: { owner: "octocat", repo: "hello-world" }, urlParams: { per_page: 2 } })
    )
    // one item of page 2: the stream fetches two pages, no more
    const items = yield* call((g) =>
      Stream.runCollect(
        Stream.take(
          g.issuesListForRepoStream({ path: { owner: "octocat", repo: "hello-world" }, urlParams: { per_page: 2 } }),
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
  }).pipe(Effect.timeout("60 seconds"))
}

/**
 * A program on the Effect 3 client generated from test/responsesSpec.ts (./responses):
 * Responses.test.ts generates it next to this file, type-checks it with `tsc --strict` and runs
 * it against its loopback server. Each range's error is caught by its tag.
 */
import { ApiError } from "@steady/client-effect3"
import { Effect } from "effect"
import * as Responses from "./responses/index.js"

/** What a failure says: its tag, status, body, steady's tag, request and attempts. */
const told = (error: object) => {
  const e = error as any
  return {
    tag: e._tag,
    status: e.status,
    body: e.body,
    statusTag: e.statusTag,
    request: e.request,
    attempts: e.attempts,
    messageSaysStatus: String(e.message).includes(String(e.status))
  }
}

export const run = (baseUrl: string) =>
  Effect.gen(function*() {
    const r = yield* Responses.Responses
    const thing = (id: string) => r.getThing({ path: { id } })
    return {
      ok: yield* thing("ok"),
      exact: yield* thing("404").pipe(Effect.flip, Effect.map(told)),
      range4: yield* thing("418").pipe(
        Effect.catchTag("Status4xx", (e) => Effect.succeed({ caught: told(e), title: e.body.title })),
        Effect.map((out) => ("caught" in out ? { ...out.caught, title: out.title } : out))
      ),
      range5: yield* thing("503").pipe(Effect.flip, Effect.map(told)),
      // a 404 that falls to default is still NotFoundError to ApiError.optional
      optional: yield* r.listWidgets({ urlParams: { status: 404 } }).pipe(
        ApiError.optional("NotFoundError"),
        Effect.map((found) => found._tag)
      ),
      onlyDefault: yield* r.listWidgets({ urlParams: { status: 400 } }).pipe(
        Effect.catchTag("StatusDefault", (e) => Effect.succeed({ ...told(e), message: e.body.error.message }))
      ),
      serverDefault: yield* r.listWidgets({ urlParams: { status: 500 } }).pipe(Effect.flip, Effect.map(told)),
      // default takes error statuses only: an undeclared 2xx is what it was before
      undeclared2xx: yield* r.listWidgets({ urlParams: { status: 202 } }).pipe(Effect.flip, Effect.map((e) => e._tag)),
      widgets: yield* r.listWidgets({ urlParams: { status: 200 } }),
      note: yield* r.getNote(),
      report: yield* r.getReport()
    }
  }).pipe(Effect.provide(Responses.layer({ baseUrl, retry: false })), Effect.timeout("30 seconds"))

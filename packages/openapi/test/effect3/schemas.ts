/**
 * A program on the Effect 3 client generated from test/schemasSpec.ts (./shapes): Schemas.test.ts
 * generates it next to this file, type-checks both with `tsc --strict`, then imports this module and
 * runs `program` against its loopback server. The annotations and `@ts-expect-error` lines are the
 * type tests: a recursive component's nested fields are typed (with `any` they would compile, and
 * an unused `@ts-expect-error` fails), a `readOnly` field is not in a request body's type, a
 * `writeOnly` one not in a response's, and an optional body may be left out.
 */
import { Effect } from "effect"
import * as Shapes from "./shapes/index.js"

export const program = Effect.gen(function*() {
  const s = yield* Shapes.Shapes
  const tree = yield* s.getTree()
  const grandchild: string = tree.children[0].children[0].name
  // @ts-expect-error a nested node's name is a string, not any
  const wrong: number = tree.children[0].name
  const byKey: string | undefined = tree.byKey?.["k"]?.children[0]?.name
  const company = yield* s.getCompany({ path: { id: 1 } })
  // @ts-expect-error Person → Company → Person: typed through both
  const wrongStaff: number = company.staff[0].employer?.staff[0]?.name
  const expr = yield* s.getExpr()
  const left = expr.kind === "bin" ? expr.left : undefined
  // @ts-expect-error an expression's operand is an Expr (a union through allOf), not any
  const wrongLeft: string = left
  // readOnly `id` (and the nested `since`) are not in the request body; writeOnly `password` is
  const created = yield* s.createAccount({ payload: { name: "ada", password: "secret", owner: { email: "a@b" } } })
  // @ts-expect-error readOnly: not in the request body's type
  s.createAccount({ payload: { id: "x", name: "ada", password: "secret" } })
  // @ts-expect-error writeOnly: not in the response's type
  const _password = created.password
  const listed = yield* s.listAccounts()
  // a component with no readOnly of its own, whose nested Owner has one: left out too
  const team = yield* s.createTeam({ payload: { name: "core", lead: { email: "a@b" } } })
  // an optional body: left out, or given
  const without = yield* s.createNote()
  const withBody = yield* s.createNote({ payload: { text: "hi" } })
  const [both] = yield* s.createNote({ withResponse: true })
  return {
    grandchild,
    byKey,
    staff: company.staff.map((p) => p.employer?.name),
    left: left?.kind,
    created: { id: created.id, name: created.name },
    listed: listed.map((a) => a.id),
    notes: [without.ok, withBody.ok, both.ok],
    team: team.ok,
    unused: [wrong, wrongStaff, wrongLeft]
  }
})

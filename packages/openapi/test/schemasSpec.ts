/**
 * A spec with what 0.2 typed `any` or ignored: recursive components (a tree through an array and
 * a map, `Person → Company → Person`, an expression through a union and `allOf`), `readOnly` and
 * `writeOnly` properties, and a request body the spec does not require. Schemas.test.ts generates
 * both lines from it, type-checks them with test/effect3/schemas.ts and test/effect4/schemas.ts
 * (whose `@ts-expect-error` lines fail to compile when a recursive field is `any`), and runs both
 * programs against a loopback server.
 */
const ok = (schema: unknown) => ({ description: "ok", content: { "application/json": { schema } } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

export const spec = {
  openapi: "3.0.3",
  info: { title: "Schemas", version: "1" },
  paths: {
    "/tree": { get: { operationId: "getTree", responses: { 200: ok(ref("TreeNode")) } } },
    "/companies/{id}": {
      get: {
        operationId: "getCompany",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
        responses: { 200: ok(ref("Company")) }
      }
    },
    "/expr": { get: { operationId: "getExpr", responses: { 200: ok(ref("Expr")) } } },
    "/accounts": {
      post: {
        operationId: "createAccount",
        requestBody: { required: true, content: { "application/json": { schema: ref("Account") } } },
        responses: { 201: ok(ref("Account")) }
      },
      get: { operationId: "listAccounts", responses: { 200: ok({ type: "array", items: ref("Account") }) } }
    },
    "/teams": {
      post: {
        operationId: "createTeam",
        requestBody: { required: true, content: { "application/json": { schema: ref("Team") } } },
        responses: { 200: ok({ type: "object", properties: { ok: { type: "boolean" } } }) }
      }
    },
    "/notes": {
      post: {
        operationId: "createNote",
        requestBody: { content: { "application/json": { schema: ref("Note") } } },
        responses: { 200: ok({ type: "object", properties: { ok: { type: "boolean" } } }) }
      }
    }
  },
  components: {
    schemas: {
      TreeNode: {
        type: "object",
        required: ["name", "children"],
        properties: {
          name: { type: "string" },
          children: { type: "array", items: ref("TreeNode") },
          byKey: { type: "object", additionalProperties: ref("TreeNode") }
        }
      },
      Person: {
        type: "object",
        required: ["name"],
        properties: { name: { type: "string" }, employer: ref("Company") }
      },
      Company: {
        type: "object",
        required: ["name", "staff"],
        properties: { name: { type: "string" }, staff: { type: "array", items: ref("Person") } }
      },
      Expr: { oneOf: [ref("Num"), ref("BinOp")] },
      Num: {
        type: "object",
        required: ["kind", "value"],
        properties: { kind: { enum: ["num"] }, value: { type: "number" } }
      },
      BinOp: {
        allOf: [
          ref("Op"),
          {
            type: "object",
            required: ["kind", "left", "right"],
            properties: { kind: { enum: ["bin"] }, left: ref("Expr"), right: ref("Expr") }
          }
        ]
      },
      Op: { type: "object", required: ["op"], properties: { op: { type: "string", enum: ["+", "*"] } } },
      Account: {
        type: "object",
        required: ["id", "name", "password"],
        properties: {
          id: { type: "string", readOnly: true },
          name: { type: "string" },
          password: { type: "string", writeOnly: true },
          owner: ref("Owner")
        }
      },
      Owner: {
        type: "object",
        required: ["email", "since"],
        properties: { email: { type: "string" }, since: { type: "string", readOnly: true } }
      },
      /** No readOnly of its own: through `lead`, its request variant leaves out the Owner's `since`. */
      Team: {
        type: "object",
        required: ["name", "lead"],
        properties: { name: { type: "string" }, lead: ref("Owner") }
      },
      Note: { type: "object", required: ["text"], properties: { text: { type: "string" } } }
    }
  }
}

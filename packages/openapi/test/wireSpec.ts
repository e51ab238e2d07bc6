/**
 * A spec with the paths that used to go wrong (a Google-style `{model}:generateContent`,
 * parameters that collide once renamed, a name that is not an identifier), a declared 400 and a
 * paginated search: Wire.test.ts (Effect 3) and Effect4.test.ts call the clients generated from it.
 */
const ok = (schema: unknown) => ({ description: "ok", content: { "application/json": { schema } } })
const pathParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } })

export const spec = {
  openapi: "3.0.3",
  info: { title: "Wire", version: "1" },
  paths: {
    "/v1/models/{model}:generateContent": {
      post: { operationId: "generateContent", parameters: [pathParam("model")], responses: { 200: ok({}) } }
    },
    "/files/{file-path}/{filePath}": {
      get: {
        operationId: "getFile",
        parameters: [pathParam("file-path"), pathParam("filePath")],
        responses: { 200: ok({}) }
      }
    },
    "/pets/{pet id}/photo": {
      get: { operationId: "getPhoto", parameters: [pathParam("pet id")], responses: { 200: ok({}) } }
    },
    "/items/{id}": {
      get: {
        operationId: "getItem",
        parameters: [pathParam("id")],
        responses: {
          200: ok({}),
          400: ok({ type: "object", required: ["message"], properties: { message: { type: "string" } } })
        }
      }
    },
    "/search/{scope}": {
      get: {
        operationId: "search",
        parameters: [pathParam("scope"), { name: "page", in: "query", schema: { type: "integer" } }],
        responses: { 200: ok({ type: "array", items: { type: "string" } }) }
      }
    }
  }
}

/**
 * A spec with the responses 0.2 did not type: an operation whose errors are a declared 404, a
 * `4XX`, a `5XX` and a `default` (Problem and Error bodies); one whose only error is `default`
 * (as Stripe declares every operation's); a `text/plain` response and one offered as JSON and as
 * text; a download (octet-stream), read whole and as a stream; an upload (octet-stream), sent
 * as bytes and from a stream. Responses.test.ts calls the Effect 3 client generated from it, and
 * test/effect4/responses.ts the Effect 4 one, against a loopback server.
 */
const json = (schema: unknown, description = "json") => ({ description, content: { "application/json": { schema } } })

export const spec = {
  openapi: "3.0.3",
  info: { title: "Responses", version: "1" },
  components: {
    schemas: {
      Thing: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
      Missing: { type: "object", required: ["missing"], properties: { missing: { type: "string" } } },
      Problem: {
        type: "object",
        required: ["title"],
        properties: { title: { type: "string" }, detail: { type: "string" } }
      },
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: { type: "object", required: ["message"], properties: { message: { type: "string" } } }
        }
      }
    },
    responses: {
      Problem: json({ $ref: "#/components/schemas/Problem" }, "a problem")
    }
  },
  paths: {
    "/things/{id}": {
      get: {
        operationId: "getThing",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": json({ $ref: "#/components/schemas/Thing" }),
          "404": json({ $ref: "#/components/schemas/Missing" }),
          "4XX": { $ref: "#/components/responses/Problem" },
          "5xx": json({ $ref: "#/components/schemas/Problem" }),
          default: json({ $ref: "#/components/schemas/Error" })
        }
      }
    },
    "/widgets": {
      get: {
        operationId: "listWidgets",
        parameters: [{ name: "status", in: "query", required: true, schema: { type: "integer" } }],
        responses: {
          "200": json({ type: "array", items: { type: "string" } }),
          default: json({ $ref: "#/components/schemas/Error" })
        }
      }
    },
    "/files/{name}": {
      get: {
        operationId: "downloadFile",
        parameters: [
          { name: "name", in: "path", required: true, schema: { type: "string" } },
          { name: "size", in: "query", required: true, schema: { type: "integer" } }
        ],
        responses: {
          "200": {
            description: "the file",
            content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } }
          },
          "404": json({ $ref: "#/components/schemas/Missing" })
        }
      }
    },
    "/uploads/{name}": {
      put: {
        operationId: "putUpload",
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        requestBody: {
          required: true,
          content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } }
        },
        responses: {
          "201": json({
            type: "object",
            required: ["received", "sum"],
            properties: { received: { type: "integer" }, sum: { type: "integer" } }
          }),
          "5XX": json({ $ref: "#/components/schemas/Problem" })
        }
      }
    },
    "/note": {
      get: {
        operationId: "getNote",
        responses: { "200": { description: "text", content: { "text/plain": { schema: { type: "string" } } } } }
      }
    },
    "/report": {
      get: {
        operationId: "getReport",
        responses: {
          "200": {
            description: "as JSON or as text",
            content: {
              "text/csv": { schema: { type: "string" } },
              "application/json": { schema: { $ref: "#/components/schemas/Thing" } },
              "text/plain": { schema: { type: "string" } }
            }
          },
          default: json({ $ref: "#/components/schemas/Error" })
        }
      }
    }
  }
}

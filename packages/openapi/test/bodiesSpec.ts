/**
 * A spec with what 0.2's output did not compile or sent wrong: a form body with number,
 * boolean, array and object fields (one of them `deepObject`, as Stripe declares `expand`),
 * path and header parameters that are arrays and objects, an OPTIONS with a body, a declared
 * 304, a paginated GET with a header parameter, a multipart upload (a file, a typed image, text,
 * an array, an object) and an `application/octet-stream` body, a binary (PNG) response, and Stripe's `has_more` + `starting_after`, offset/limit/`total_count` and marker pagination. Bodies.test.ts calls the Effect 3 client
 * generated from it, and test/effect4/bodies.ts the Effect 4 one, against a loopback server.
 */
const ok = (schema: unknown) => ({ description: "ok", content: { "application/json": { schema } } })
const echo = ok({ type: "object", additionalProperties: true })

export const spec = {
  openapi: "3.0.3",
  info: { title: "Bodies", version: "1" },
  paths: {
    "/charges": {
      post: {
        operationId: "createCharge",
        requestBody: {
          required: true,
          content: {
            "application/x-www-form-urlencoded": {
              schema: {
                type: "object",
                required: ["amount"],
                properties: {
                  amount: { type: "integer" },
                  capture: { type: "boolean" },
                  description: { type: "string" },
                  tags: { type: "array", items: { type: "string" } },
                  expand: { type: "array", items: { type: "string" } },
                  items: {
                    type: "array",
                    items: { type: "object", properties: { price: { type: "string" }, quantity: { type: "integer" } } }
                  },
                  metadata: { type: "object", additionalProperties: { type: "string" } }
                }
              },
              encoding: {
                expand: { style: "deepObject", explode: true },
                items: { style: "deepObject", explode: true },
                metadata: { style: "deepObject", explode: true }
              }
            }
          }
        },
        responses: { 200: echo }
      }
    },
    "/colors/{ids}/{point}": {
      get: {
        operationId: "getColors",
        parameters: [
          { name: "ids", in: "path", required: true, schema: { type: "array", items: { type: "integer" } } },
          {
            name: "point",
            in: "path",
            required: true,
            explode: true,
            schema: { type: "object", properties: { x: { type: "integer" }, y: { type: "integer" } } }
          },
          { name: "X-Tags", in: "header", schema: { type: "array", items: { type: "string" } } },
          {
            name: "X-Range",
            in: "header",
            required: true,
            schema: { type: "object", properties: { from: { type: "integer" }, to: { type: "integer" } } }
          }
        ],
        responses: { 200: echo }
      }
    },
    "/probe": {
      options: {
        operationId: "probe",
        requestBody: { content: { "application/json": { schema: { type: "object" } } } },
        responses: { 204: { description: "no content" } }
      }
    },
    "/etag": {
      get: {
        operationId: "getEtag",
        parameters: [{ name: "If-None-Match", in: "header", schema: { type: "string" } }],
        responses: {
          200: ok({ type: "object", properties: { v: { type: "integer" } } }),
          304: { description: "not modified" }
        }
      }
    },
    "/assets/{id}": {
      post: {
        operationId: "uploadAsset",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" } }],
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["file"],
                properties: {
                  file: { type: "string", format: "binary" },
                  thumbnail: { type: "string", contentMediaType: "image/png" },
                  name: { type: "string" },
                  tags: { type: "array", items: { type: "string" } },
                  meta: { type: "object", properties: { width: { type: "integer" } } }
                }
              },
              encoding: { thumbnail: { contentType: "image/png" } }
            }
          }
        },
        responses: { 201: echo }
      }
    },
    "/raw": {
      put: {
        operationId: "putRaw",
        requestBody: { content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } },
        responses: { 204: { description: "stored" } }
      }
    },
    "/logo": {
      get: {
        operationId: "getLogo",
        responses: {
          200: { description: "the logo", content: { "image/png": { schema: { type: "string", format: "binary" } } } }
        }
      }
    },
    "/customers": {
      get: {
        operationId: "listCustomers",
        parameters: [
          { name: "limit", in: "query", schema: { type: "integer" } },
          { name: "starting_after", in: "query", schema: { type: "string" } }
        ],
        responses: {
          200: ok({
            type: "object",
            required: ["data", "has_more"],
            properties: {
              object: { type: "string", enum: ["list"] },
              data: {
                type: "array",
                items: { type: "object", required: ["id"], properties: { id: { type: "string" } } }
              },
              has_more: { type: "boolean" }
            }
          })
        }
      }
    },
    "/invoices": {
      get: {
        operationId: "listInvoices",
        parameters: [
          { name: "offset", in: "query", schema: { type: "integer" } },
          { name: "limit", in: "query", schema: { type: "integer" } }
        ],
        responses: {
          200: ok({
            type: "object",
            properties: {
              total_count: { type: "integer" },
              invoices: { type: "array", items: { type: "object", properties: { number: { type: "integer" } } } }
            }
          })
        }
      }
    },
    "/buckets": {
      get: {
        operationId: "listBuckets",
        parameters: [{ name: "marker", in: "query", schema: { type: "string" } }],
        responses: {
          200: ok({
            type: "object",
            properties: {
              buckets: { type: "array", items: { type: "string" } },
              next_marker: { type: "string", nullable: true }
            }
          })
        }
      }
    },
    "/events": {
      get: {
        operationId: "listEvents",
        parameters: [
          { name: "page", in: "query", schema: { type: "integer" } },
          { name: "X-Org", in: "header", required: true, schema: { type: "string" } }
        ],
        responses: { 200: ok({ type: "array", items: { type: "string" } }) }
      }
    }
  }
}

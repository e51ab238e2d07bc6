/**
 * The generator's fixes the corpus (Corpus.test.ts, CorpusReal.test.ts) showed, each pinned on
 * the generated text of a small document, on both Effect lines (the corpus type-checks them).
 */
import { Generator } from "@steady/openapi"
import { describe, expect, it } from "vitest"

/** The files generated for a document, on a line. */
const files = (document: Record<string, unknown>, effect: 3 | 4) =>
  Generator.generate(document, { name: "Corpus", effect, format: false }).files

describe("what the corpus showed", () => {
  const tree = {
    openapi: "3.0.3",
    info: { title: "t", version: "1" },
    paths: {
      "/tree": {
        get: {
          operationId: "getTree",
          responses: {
            "200": {
              description: "ok",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Tree" } } }
            }
          }
        }
      }
    },
    components: {
      schemas: {
        Tree: {
          type: "object",
          properties: {
            label: { type: "string" },
            parent: { nullable: true, allOf: [{ $ref: "#/components/schemas/Tree" }] }
          }
        }
      }
    }
  }

  it("a nullable allOf of one component names it, even in a cycle (not its fields, written out 32 levels deep)", () => {
    for (const effect of [3, 4] as const) {
      const schemas = files(tree, effect)["schemas.ts"]
      expect(schemas).toMatch(
        /parent: Schema\.optional\(Schema\.NullOr\(Schema\.suspend\(\(\): Schema\.\w+<Tree> => Tree(?: as unknown as Schema\.Codec<Tree>)?\)\)\)/
      )
      expect(schemas.match(/Schema\.Struct\(/g)).toHaveLength(1)
      // and its written-out type names it too
      expect(schemas).toContain("readonly parent?: Tree | null | undefined\n")
    }
  })

  it("3.1's tuple (prefixItems) is an array of its members, and items: false alone is no Schema.Array(Schema.Never)", () => {
    const document = {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/pair": {
          get: {
            operationId: "getPair",
            responses: {
              "200": {
                description: "ok",
                content: {
                  "application/json": {
                    schema: {
                      type: "object",
                      properties: {
                        pair: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false },
                        open: { type: "array", prefixItems: [{ type: "string" }] },
                        empty: { type: "array", items: false }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    const e3 = files(document, 3)["api.ts"]
    expect(e3).toContain("pair: Schema.optional(Schema.Array(Schema.Union(Schema.String, Schema.Number)))")
    expect(e3).toContain("open: Schema.optional(Schema.Array(Schema.Unknown))")
    expect(e3).toContain("empty: Schema.optional(Schema.Array(Schema.Unknown))")
    expect(files(document, 4)["api.ts"]).toContain(
      "pair: Schema.optional(Schema.Array(Schema.Union([Schema.String, Schema.Number])))"
    )
  })

  it("a spec of webhooks and components only imports nothing its modules do not use", () => {
    const document = {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      webhooks: {
        ping: {
          post: { requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Ping" } } } } }
        }
      },
      components: { schemas: { Ping: { type: "object", properties: { at: { type: "string" } } } } }
    }
    for (const effect of [3, 4] as const) {
      const out = files(document, effect)
      expect(out["api.ts"]).not.toMatch(/HttpApiEndpoint|HttpApiGroup|import \{ Schema|\.\/schemas\.js/)
      expect(out["client.ts"]).not.toContain("const client =")
    }
  })
})

/**
 * The generator: stable output, what the spec's declarations turn into, and the errors of a
 * spec that cannot be read. The generated pet-store client itself is exercised against a real
 * server in packages/examples/test/OpenApi.test.ts.
 */
import { it } from "@effect/vitest"
import { Generator } from "@steady/openapi"
import { Effect, Either, Schema } from "effect"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect } from "vitest"
import { format } from "../src/internal/format.js"
import * as model from "../src/internal/model.js"
import * as names from "../src/internal/names.js"
import { buildDir, syntaxErrors, write } from "./compile.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const examples = Path.join(here, "../../examples")
const petstoreSpec = Path.join(examples, "openapi/petstore.yaml")

const spec = (paths: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  openapi: "3.0.3",
  info: { title: "T", version: "1" },
  paths,
  ...extra
})

const ok = (description = "ok", content?: unknown) => ({ description, ...(content ? { content } : {}) })
const json = (schema: unknown) => ({ "application/json": { schema } })

/** The files for an Effect line (3: as 0.2 wrote them, which these tests pin; 4: the default). */
const generated = (document: Record<string, unknown>, effect: 3 | 4 = 3) =>
  Generator.generate(document, { name: "T", effect }).files

describe("Generator", () => {
  it.effect("is stable: the committed pet-store client is what the spec gives now, byte for byte", () =>
    Effect.gen(function*() {
      const document = yield* Generator.load(petstoreSpec)
      const first = Generator.generate(document, { name: "Petstore", effect: 3 })
      const second = Generator.generate(structuredClone(document), { name: "Petstore", effect: 3 })
      expect(second.files).toEqual(first.files)
      for (const [name, text] of Object.entries(first.files)) {
        // `npm run generate -w @steady/examples` rewrites them
        expect(Fs.readFileSync(Path.join(examples, "src/generated/petstore", name), "utf8")).toBe(text)
      }
      expect(first).toMatchObject({ operations: 7, schemas: 8, skipped: [] })
    }))

  it.effect("Effect 4 is the default: stable, on effect/Schema, effect/http-api and @steady/client", () =>
    Effect.gen(function*() {
      const document = yield* Generator.load(petstoreSpec)
      const first = Generator.generate(document, { name: "Petstore" })
      expect(Generator.generate(structuredClone(document), { name: "Petstore", effect: 4 })).toEqual(first)
      expect(first).toMatchObject({ operations: 7, schemas: 8, skipped: [] })
      const { "api.ts": api, "client.ts": client, "schemas.ts": schemas } = first.files
      expect(api).toContain(
        `import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"`
      )
      expect(api).toContain(
        `const getPet = HttpApiEndpoint.get("getPet", "/pets/:petId", {\n  params: { petId: Schema.Number },\n  success: S.Pet,\n  error: NotFoundResponse\n})`
      )
      expect(api).toContain(`success: S.Pet.pipe(HttpApiSchema.status(201))`)
      expect(api).toContain(`HttpApiEndpoint.delete("deletePet", "/pets/:petId"`)
      expect(client).toContain(`import { ApiClient, Auth, ConnectionPool, Pagination, Policy } from "@steady/client"`)
      expect(client).toContain(`export class Petstore extends Context.Service<Petstore>()("Petstore", {`)
      expect(client).toContain(`listPetsStream: (request: { readonly query: typeof ListPetsQuery.Type })`)
      expect(client).toContain(`Config.Redacted("TOKEN")`)
      expect(schemas).toContain(`export const Status = Schema.Literals(["available", "pending", "adopted"])`)
      expect(Object.values(first.files).join("\n")).not.toMatch(/@effect\/platform|client-effect3/)
      // the Effect 3 output shares nothing of it
      const three = Generator.generate(document, { name: "Petstore", effect: 3 }).files
      expect(three["client.ts"]).toContain(`from "@steady/client-effect3"`)
      expect(() => Generator.generate(document, { name: "Petstore", effect: 5 as 4 })).toThrow(
        new TypeError(`Generator: effect must be 3 or 4, not "5"`)
      )
    }))

  it("Effect 4: a declared error is its body on the wire, the class in the program, with its status", () => {
    const problem = { type: "object", properties: { message: { type: "string" } } }
    const files = generated(
      spec({
        "/a": {
          get: {
            operationId: "a",
            responses: { 200: ok("ok", json({})), 404: ok("nf", json(problem)), 409: ok("c", json(problem)) }
          }
        }
      }),
      4
    )
    expect(files["api.ts"]).toContain(
      [
        `const NotFoundResponse = Schema.Struct({ message: Schema.optional(Schema.String) }).pipe(`,
        `  Schema.decodeTo(`,
        `    Schema.toType(S.NotFound),`,
        `    SchemaTransformation.transform({`,
        `      decode: (body: S.NotFound["body"]) => new S.NotFound({ status: 404, body }),`,
        `      encode: (error: S.NotFound) => error.body`,
        `    })`,
        `  ),`,
        `  HttpApiSchema.status(404)`,
        `)`
      ].join("\n")
    )
    expect(files["api.ts"]).toContain(`error: [NotFoundResponse, ConflictResponse]`)
    expect(files["schemas.ts"]).toContain(`Schema.TaggedError<NotFound>()("NotFound", {`)
  })

  it.effect("reads the same document from YAML and from JSON", () =>
    Effect.gen(function*() {
      const yaml = yield* Generator.load(petstoreSpec)
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-openapi-"))
      const file = Path.join(dir, "petstore.json")
      Fs.writeFileSync(file, JSON.stringify(yaml))
      const fromJson = yield* Generator.load(file)
      expect(Generator.generate(fromJson, { name: "Petstore" }).files).toEqual(
        Generator.generate(yaml, { name: "Petstore" }).files
      )
      Fs.rmSync(dir, { recursive: true })
    }))

  it.effect("$refs to another file are bundled in", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-openapi-"))
      Fs.writeFileSync(
        Path.join(dir, "pet.json"),
        JSON.stringify({ type: "object", required: ["id"], properties: { id: { type: "integer" } } })
      )
      Fs.writeFileSync(
        Path.join(dir, "api.json"),
        JSON.stringify(
          spec({ "/pet": { get: { operationId: "getPet", responses: { 200: ok("ok", json({ $ref: "pet.json" })) } } } })
        )
      )
      const files = Generator.generate(yield* Generator.load(Path.join(dir, "api.json")), { name: "T" }).files
      expect(files["api.ts"]).toContain("Schema.Struct({ id: Schema.Number })")
      Fs.rmSync(dir, { recursive: true })
    }))

  it.effect("a spec that cannot be read is a SpecError that says why", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(Generator.load("/nonexistent/spec.yaml"))
      expect(missing).toMatchObject({ _tag: "SpecError", spec: "/nonexistent/spec.yaml" })
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-openapi-"))
      const swagger = Path.join(dir, "swagger.json")
      Fs.writeFileSync(swagger, JSON.stringify({ swagger: "2.0", info: { title: "x", version: "1" }, paths: {} }))
      expect((yield* Effect.flip(Generator.load(swagger))).message).toMatch(/only OpenAPI 3\.0 and 3\.1/)
      const badRef = Path.join(dir, "bad.json")
      Fs.writeFileSync(
        badRef,
        JSON.stringify(spec({ "/x": { get: { responses: { 200: { $ref: "missing.json" } } } } }))
      )
      expect((yield* Effect.flip(Generator.load(badRef)))._tag).toBe("SpecError")
      Fs.rmSync(dir, { recursive: true })
    }))

  it.effect("null, a string or a number where a $ref leads is a SpecError in the generator's words, not the parser's TypeError", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-openapi-"))
      const ref = { $ref: "#/components/schemas/Pet" }
      for (const components of [null, "x", 1, { schemas: null }, { schemas: true }]) {
        const text = JSON.stringify(
          spec({ "/x": { get: { responses: { 200: ok("ok", json(ref)) } } } }, { components })
        )
        // a self-contained JSON file is read as it is: the $ref to nothing is Schema.Unknown
        const file = Path.join(dir, "spec.json")
        Fs.writeFileSync(file, text)
        expect(Generator.generate(yield* Generator.load(file), { name: "T" }).files["api.ts"]).toContain(
          "success: Schema.Unknown"
        )
        // through the parser (YAML, of which JSON is a part), its TypeError is said in the generator's words
        const yaml = Path.join(dir, "spec.yaml")
        Fs.writeFileSync(yaml, text)
        const error = yield* Effect.flip(Generator.load(yaml))
        expect(error).toBeInstanceOf(Generator.SpecError)
        expect(error.message).toBe(
          "the spec has a node of the wrong shape (null, a string or a number where an object belongs) on the way of a $ref"
        )
      }
      Fs.rmSync(dir, { recursive: true })
    }))

  it("schema: null anywhere is generated as Schema.Unknown; an operation left out is reported with its operationId and why", () => {
    const document = spec({
      "/a/{id}": {
        parameters: [{ name: "id", in: "path", schema: null }, null],
        post: {
          operationId: "a",
          parameters: [{ name: "q", in: "query", schema: null }],
          requestBody: { content: { "application/json": { schema: null } } },
          responses: { 200: ok("ok", json(null)), 404: ok("nf", json(null)), default: null }
        },
        get: null,
        trace: { operationId: "trace\u001b[2J", responses: {} },
        put: {
          operationId: "upload",
          requestBody: { content: { "multipart/form-data": { schema: null } } },
          responses: {}
        }
      }
    }, { components: { schemas: { A: null, B: { type: "object", properties: { x: null }, allOf: [null] } } } })
    for (const effect of [3, 4] as const) {
      const generated = Generator.generate(document, { name: "T", effect })
      expect(generated.operations).toBe(2)
      expect(generated.reports).toEqual([
        {
          method: "GET",
          path: "/a/{id}",
          operationId: undefined,
          generated: false,
          reason: "the operation is null, not an object"
        },
        {
          method: "TRACE",
          path: "/a/{id}",
          operationId: "trace\u001b[2J",
          generated: false,
          reason: "TRACE is not a method HttpApi can declare"
        }
      ])
      // one line each, the operationId quoted with its control characters escaped (a spec cannot drive the terminal)
      expect(generated.skipped).toEqual([
        "GET /a/{id}: the operation is null, not an object",
        `TRACE /a/{id} ("trace\\u001b[2J"): TRACE is not a method HttpApi can declare`
      ])
    }
  })

  it("POST and PATCH retry only with a declared Idempotency-Key; the key is sent by steady, not asked of the caller", () => {
    const withKey = { name: "Idempotency-Key", in: "header", required: true, schema: { type: "string" } }
    const files = generated(spec({
      "/a": {
        post: { operationId: "keyed", parameters: [withKey], responses: { 201: ok() } },
        patch: { operationId: "unkeyed", responses: { 200: ok() } }
      }
    }))
    expect(files["client.ts"]).toContain(`endpoints: { "default.keyed": { idempotencyKey: "auto" } }`)
    expect(files["client.ts"]).not.toContain(`"default.unkeyed"`)
    expect(files["api.ts"]).not.toMatch(/idempotency-key/i)
    expect(files["client.ts"]).toContain("Not retried once it may have reached the server")
  })

  it("declared 4xx/5xx JSON responses become error classes, one per status and body, shared by operations", () => {
    const problem = { type: "object", properties: { message: { type: "string" } } }
    const other = { type: "object", properties: { errors: { type: "array", items: { type: "string" } } } }
    const files = generated(spec(
      {
        "/a": {
          get: {
            operationId: "a",
            responses: { 200: ok(), 404: ok("nf", json({ $ref: "#/components/schemas/Problem" })) }
          }
        },
        "/b": {
          get: {
            operationId: "b",
            responses: {
              200: ok(),
              404: ok("nf", json({ $ref: "#/components/schemas/Problem" })),
              422: ok("v", json(other)),
              default: ok("x", json(problem)),
              "5XX": ok("x", json(problem))
            }
          }
        },
        "/c": { get: { operationId: "c", responses: { 200: ok(), 404: ok("nf", json(other)) } } }
      },
      { components: { schemas: { Problem: problem } } }
    ))
    const schemas = files["schemas.ts"]
    // 404, 422, 404 with another body; and (since 0.3) the 5XX and default ranges' own classes
    expect(schemas.match(/extends Schema\.TaggedError/g)).toHaveLength(5)
    expect(schemas).toMatch(/class Status5xx\b/)
    expect(schemas).toMatch(/class StatusDefault\b/)
    expect(schemas).toContain(`("NotFound", { status: Schema.Literal(404), body: Problem })`)
    expect(schemas).toMatch(/"UnprocessableEntity"/)
    expect(schemas).toMatch(/class NotFoundC\b/) // the same status with another body: its own class
    expect(files["api.ts"]).toContain(
      "const a = HttpApiEndpoint.get(\"a\", \"/a\").addSuccess(HttpApiSchema.Empty(200)).addError(NotFoundResponse)"
    )
  })

  it("pagination is detected from a Link header, a page parameter, or a cursor parameter with a response field", () => {
    const list = { type: "array", items: { type: "string" } }
    const files = generated(spec({
      "/linked": {
        get: {
          operationId: "linked",
          responses: {
            200: { description: "x", headers: { Link: { schema: { type: "string" } } }, content: json(list) }
          }
        }
      },
      "/numbered": {
        get: {
          operationId: "numbered",
          parameters: [{ name: "page", in: "query", schema: { type: "integer" } }],
          responses: { 200: ok("x", json(list)) }
        }
      },
      "/cursored": {
        get: {
          operationId: "cursored",
          parameters: [{ name: "after", in: "query", schema: { type: "string" } }],
          responses: {
            200: ok("x", json({ type: "object", properties: { data: list, nextCursor: { type: "string" } } }))
          }
        }
      },
      "/plain": { get: { operationId: "plain", responses: { 200: ok("x", json(list)) } } }
    }))
    const client = files["client.ts"]
    expect(client).toContain("linkedStream: () =>")
    expect(client).toMatch(/numberedStream: \(request[^]*Pagination\.page\(\{ param: "page" \}\)/)
    expect(client).toMatch(/cursoredStream: [^]*items: \(page\) => page\.data[^]*param: "after"[^]*page\.nextCursor/)
    expect(client).not.toContain("plainStream")
  })

  it("the security scheme picks the auth layer and its Config names", () => {
    const scheme = (s: unknown) =>
      generated(spec({}, { components: { securitySchemes: { s } }, security: [{ s: [] }] }))["client.ts"]
    expect(scheme({ type: "http", scheme: "bearer" })).toContain(`Auth.layerBearer(options.token)`)
    const basic = scheme({ type: "http", scheme: "basic" })
    expect(basic).toContain(`Auth.layerBasic(options.username, options.password)`)
    expect(basic).toContain(`Config.string("USERNAME")`)
    expect(basic).toContain(`Config.redacted("PASSWORD")`)
    expect(scheme({ type: "apiKey", in: "query", name: "api_key" })).toContain(
      `Auth.layerApiKey({ query: "api_key" }, options.apiKey)`
    )
    const oauth = scheme({
      type: "oauth2",
      flows: { clientCredentials: { tokenUrl: "https://auth.example/token", scopes: { write: "w", read: "r" } } }
    })
    expect(oauth).toContain(`tokenUrl: "https://auth.example/token"`)
    expect(oauth).toContain(`scope: ["read", "write"]`)
    expect(scheme({ type: "openIdConnect", openIdConnectUrl: "https://x" })).not.toContain("Auth.")
  })

  const schemaSpec = (extra: Record<string, unknown> = {}) =>
    spec({}, {
      components: {
        schemas: {
          Node: { type: "object", properties: { next: { $ref: "#/components/schemas/Node" } } },
          Kind: { type: "string", enum: ["a", "b", null] },
          Either: { oneOf: [{ type: "string" }, { type: "integer" }] },
          Both: {
            allOf: [{ $ref: "#/components/schemas/Base" }, {
              type: "object",
              required: ["b"],
              properties: { b: { type: "boolean" } }
            }]
          },
          Base: { type: "object", required: ["a"], properties: { a: { type: "string", nullable: true } } },
          Map: { type: "object", additionalProperties: { type: "integer" } },
          "weird-name": { type: ["string", "null"] },
          ...extra
        }
      }
    })

  it("JSON Schema to Effect 4's Schema: Literals, Union and Record take theirs; a number JSON cannot hold is no literal", () => {
    const files = generated(
      schemaSpec({
        One: { enum: ["x"] },
        Infinite: { enum: [Infinity, 1] },
        NotANumber: { const: NaN }
      }),
      4
    )["schemas.ts"]
    expect(files).toContain(
      "next: Schema.optional(Schema.suspend((): Schema.Codec<Node> => Node as unknown as Schema.Codec<Node>))"
    )
    expect(files).toContain(`Schema.NullOr(Schema.Literals(["a", "b"]))`)
    expect(files).toContain(`export const One = Schema.Literal("x")`)
    expect(files).toContain(`export const Infinite = Schema.Literal(1)`)
    expect(files).toContain(`export const NotANumber = Schema.Never`)
    expect(files).toContain("Schema.Union([Schema.String, Schema.Number])")
    expect(files).toContain("export const Both = Schema.Struct({ a: Schema.NullOr(Schema.String), b: Schema.Boolean })")
    expect(files).toContain(" = Schema.Record(Schema.String, Schema.Number)")
    expect(files).toContain(".annotate({ identifier: \"WeirdName\" })")
  })

  it("JSON Schema to Effect Schema: nullable, enums, unions, allOf, maps, and a cycle", () => {
    const files = generated(schemaSpec())["schemas.ts"]
    expect(files).toContain("next: Schema.optional(Schema.suspend((): Schema.Schema<Node> => Node))")
    expect(files).toContain(`Schema.NullOr(Schema.Literal("a", "b"))`)
    expect(files).toContain("Schema.Union(Schema.String, Schema.Number)")
    expect(files).toContain("export const Both = Schema.Struct({ a: Schema.NullOr(Schema.String), b: Schema.Boolean })")
    expect(files).toContain("Schema.Record({ key: Schema.String, value: Schema.Number })")
    expect(files).toContain("export const WeirdName = Schema.NullOr(Schema.String)")
    // Base is defined before Both, which uses it
    expect(files.indexOf("export const Base")).toBeLessThan(files.indexOf("export const Both"))
  })

  it.effect("allOf keeps the narrower property (a FRAME literal over a string), so a union decodes each node to its member", () =>
    Effect.gen(function*() {
      // Figma's shape: a node's `type` is a string on the base, a literal on each kind, listed before or after the base
      const node = {
        type: "object",
        required: ["id", "type"],
        properties: { id: { type: "string" }, type: { type: "string" }, name: { type: "string" } }
      }
      const frame = {
        allOf: [
          {
            type: "object",
            required: ["type"],
            properties: { type: { type: "string", enum: ["FRAME"] }, children: { type: "array", items: {} } }
          },
          { $ref: "#/components/schemas/Node" }
        ]
      }
      const text = {
        allOf: [{ $ref: "#/components/schemas/Node" }, {
          type: "object",
          properties: { type: { const: "TEXT" }, characters: { type: "string" } }
        }]
      }
      const document = spec({}, {
        components: {
          schemas: {
            Node: node,
            Frame: frame,
            Text: text,
            AnyNode: { oneOf: [{ $ref: "#/components/schemas/Frame" }, { $ref: "#/components/schemas/Text" }] }
          }
        }
      })
      const three = generated(document, 3)["schemas.ts"]
      expect(three).toContain(`type: Schema.Literal("FRAME")`)
      expect(three).toContain(`type: Schema.Literal("TEXT")`)
      expect(generated(document, 4)["schemas.ts"]).toContain(`type: Schema.Literal("FRAME")`)
      // decoded: a TEXT node is a Text, with its fields, not a Frame without them
      const dir = buildDir("allof")
      write(dir, Generator.generate(document, { name: "T", effect: 3 }).files)
      const S = yield* Effect.promise(() => import(pathToFileURL(Path.join(dir, "schemas.ts")).href))
      const decoded = Schema.decodeUnknownSync(S.AnyNode)({ id: "1", type: "TEXT", name: "t", characters: "hello" })
      expect(decoded).toEqual({ id: "1", type: "TEXT", name: "t", characters: "hello" })
      expect(Schema.decodeUnknownSync(S.AnyNode)({ id: "2", type: "FRAME", children: [] })).toEqual({
        id: "2",
        type: "FRAME",
        children: []
      })
    }))

  it.live("the CLI writes the files and reports; a bad spec exits 1 with the reason", () =>
    Effect.gen(function*() {
      const out = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-openapi-out-"))
      const cli = (args: ReadonlyArray<string>) =>
        Effect.promise(() =>
          new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
            execFile(
              process.execPath,
              ["--import", "tsx", "--conditions=@steady/source", Path.join(here, "../src/cli.ts"), ...args],
              { timeout: 120_000 },
              (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr })
            )
          )
        )
      const good = yield* cli([petstoreSpec, "--out", out, "--name", "Petstore"])
      expect(good.code).toBe(0)
      expect(good.stdout).toMatch(/7 operations, 8 schemas/)
      expect(good.stdout).not.toMatch(/skipped|partly/)
      // each operation left out, or generated in part, is printed with its operationId and the reason
      const partial = Path.join(out, "partial.json")
      Fs.writeFileSync(
        partial,
        JSON.stringify(spec({
          "/up": {
            trace: { operationId: "echo", responses: {} },
            options: {
              operationId: "probe",
              requestBody: { content: { "application/json": { schema: {} } } },
              responses: {}
            }
          }
        }))
      )
      const reported = yield* cli([partial, "--out", Path.join(out, "partial"), "--no-format"])
      expect(reported.code).toBe(0)
      expect(reported.stdout.split("\n").slice(1)).toEqual([
        `  partly OPTIONS /up ("probe"): a request body on OPTIONS is not sent (HttpApi sends none with OPTIONS)`,
        `  skipped TRACE /up ("echo"): TRACE is not a method HttpApi can declare`,
        "  1 operation skipped, 1 generated in part",
        ""
      ])
      Fs.rmSync(Path.join(out, "partial"), { recursive: true })
      Fs.rmSync(partial)
      expect(Fs.readdirSync(out).sort()).toEqual(["api.ts", "client.ts", "index.ts", "schemas.ts"])
      // Effect 4 by default; --effect 3 writes what 0.2 wrote (the example's committed client)
      expect(Fs.readFileSync(Path.join(out, "client.ts"), "utf8")).toContain(`from "@steady/client"`)
      expect((yield* cli([petstoreSpec, "--out", out, "--name", "Petstore", "--effect", "3"])).code).toBe(0)
      for (const name of Fs.readdirSync(out)) {
        expect(Fs.readFileSync(Path.join(out, name), "utf8")).toBe(
          Fs.readFileSync(Path.join(examples, "src/generated/petstore", name), "utf8")
        )
      }
      const five = yield* cli([petstoreSpec, "--out", out, "--effect", "5"])
      expect(five.code).toBe(2)
      expect(five.stderr).toMatch(/^steady-openapi: --effect is 3 or 4 \(the default\)\nusage: /)
      const bad = yield* cli(["/nonexistent.yaml", "--out", out])
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/steady-openapi: .*nonexistent/)
      const usage = yield* cli([petstoreSpec])
      expect(usage.code).toBe(2)
      expect(Either.right(usage.stderr).pipe(Either.getOrThrow)).toMatch(/usage: steady-openapi/)
      // --help says how to run it: the package is scoped, the bin is not (`npx steady-openapi` asks for another package)
      const help = yield* cli(["--help"])
      expect(help.code).toBe(0)
      expect(help.stdout).toContain("npx -p @steady/openapi steady-openapi")
      expect(help.stdout).toContain("npm install --save-dev @steady/openapi")
      // --no-format: the code as generated, without loading dprint; it parses all the same
      const raw = yield* cli([petstoreSpec, "--out", out, "--name", "Petstore", "--no-format"])
      expect(raw.code).toBe(0)
      expect(raw.stdout).not.toContain("not laid out")
      const files = Object.fromEntries(Fs.readdirSync(out).map((n) => [n, Fs.readFileSync(Path.join(out, n), "utf8")]))
      expect(syntaxErrors(files)).toEqual([])
      expect(files["client.ts"]).not.toBe(
        Generator.generate(yield* Generator.load(petstoreSpec), { name: "Petstore" }).files["client.ts"]
      )
      Fs.rmSync(out, { recursive: true })
    }), 480_000)

  it.effect("format: false skips dprint; the generated code imports only what the package declares as optional peers", () =>
    Effect.gen(function*() {
      const document = yield* Generator.load(petstoreSpec)
      const laidOut = Generator.generate(document, { name: "Petstore" })
      const raw = Generator.generate(document, { name: "Petstore", format: false })
      expect(laidOut.formatted).toBe(true)
      expect(raw.formatted).toBe(false)
      expect(syntaxErrors(raw.files)).toEqual([])
      const pkg = JSON.parse(Fs.readFileSync(Path.join(here, "../package.json"), "utf8"))
      // dprint is optional: the generator runs without it
      expect(Object.keys(pkg.optionalDependencies ?? {}).sort()).toEqual(["@dprint/formatter", "@dprint/typescript"])
      expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith("@dprint/"))).toEqual([])
      // what the code of either line imports, besides effect (the generator's own is effect 3): optional peers,
      // so an install checks their versions without asking for both lines; never the generator or dprint
      const imported = new Set<string>()
      for (const effect of [3, 4] as const) {
        for (const text of Object.values(Generator.generate(document, { name: "Petstore", effect }).files)) {
          for (const [, from] of text.matchAll(/^(?:import|export|\}).* from "([^".][^"]*)"$/gm)) {
            imported.add(from.startsWith("@") ? from.split("/").slice(0, 2).join("/") : from.split("/")[0])
          }
        }
      }
      imported.delete("effect")
      expect([...imported].sort()).toEqual(["@effect/platform", "@steady/client", "@steady/client-effect3"])
      for (const name of imported) {
        expect(pkg.peerDependencies?.[name]).toBeDefined()
        expect(pkg.peerDependenciesMeta?.[name]).toEqual({ optional: true })
      }
    }))
})

describe("what a spec cannot make the generator do", () => {
  it("a schema nested 200 deep, and a $ref into itself, give code on both lines: Schema.Unknown below depth 32", () => {
    let deep: any = { type: "string" }
    for (let i = 0; i < 200; i++) deep = { type: "object", nullable: true, properties: { a: deep } }
    for (const effect of [3, 4] as const) {
      const files = generated(
        spec({}, {
          components: {
            schemas: {
              Deep: deep,
              // not a component ref: followed, and followed again, until the depth says stop
              Loop: { type: "object", properties: { next: { $ref: "#/components/schemas/Loop/properties/next" } } }
            }
          }
        }),
        effect
      )
      const schemas = files["schemas.ts"]
      expect(syntaxErrors(files)).toEqual([])
      expect(schemas.match(/Schema\.Struct\(/g)?.length).toBeLessThanOrEqual(34)
      expect(schemas).toMatch(/export const Deep = [^]*Schema\.Unknown/)
      expect(schemas).toContain("export const Loop = Schema.Struct({ next: Schema.optional(Schema.Unknown) })")
    }
  }, 180_000)

  it("schemas written out past 500,000 nodes (a $ref that is not a component, used ten times a level) are a SpecError", () => {
    const defs: Record<string, unknown> = {}
    for (let i = 0; i < 6; i++) {
      const properties: Record<string, unknown> = {}
      for (let j = 0; j < 10; j++) properties[`p${j}`] = i < 5 ? { $ref: `#/x-defs/d${i + 1}` } : { type: "string" }
      defs[`d${i}`] = { type: "object", properties }
    }
    const document = spec({
      "/a": { get: { operationId: "a", responses: { 200: ok("ok", json({ $ref: "#/x-defs/d0" })) } } }
    }, { "x-defs": defs })
    // 10⁶ nodes: the model stops at the budget, before it writes them out
    expect(() => model.read(document, "T")).toThrow(/more than 500000 nodes/)
    expect(() => generated(document)).toThrow(expect.objectContaining({ _tag: "SpecError" }))
  })

  it("a chain of 50,000 components is put in order by a loop, not by recursion", () => {
    const schemas: Record<string, unknown> = {}
    const name = (i: number) => `S${String(i).padStart(5, "0")}`
    for (let i = 0; i < 50_000; i++) {
      schemas[name(i)] = i + 1 < 50_000
        ? { type: "object", properties: { next: { $ref: `#/components/schemas/${name(i + 1)}` } } }
        : { type: "string" }
    }
    const m = model.read(spec({}, { components: { schemas } }), "T")
    expect(m.components).toHaveLength(50_000)
    // each after what it uses: the last of the chain first
    expect(m.components[0].name).toBe(name(49_999))
    expect(m.components[49_999].name).toBe(name(0))
  })

  it("10,000 operations of one name are named in linear steps, not quadratic ones", () => {
    const namer = new names.Namer()
    const has = Set.prototype.has
    let lookups = 0
    Set.prototype.has = function(this: Set<unknown>, value: unknown) {
      lookups++
      return has.call(this, value)
    }
    try {
      for (let i = 0; i < 10_000; i++) namer.take("getPet")
    } finally {
      Set.prototype.has = has
    }
    expect(namer.take("getPet")).toBe("getPet10001")
    expect(lookups).toBeLessThan(3 * 10_000)
  })

  it("the formatter: code that does not parse, or nests past its stack, is a message without the code; it works after", () => {
    const secret = "do-not-print-7f3a"
    const broken = format("schemas.ts", `export const A = 1\n${secret} ${secret} }`)
    expect(broken).toEqual({ message: expect.stringMatching(/^the generated schemas\.ts does not parse at line 2/) })
    expect(JSON.stringify(broken)).not.toContain(secret)
    const nested = format("schemas.ts", `export const A = ${"f(".repeat(2000)}${")".repeat(2000)}`)
    expect(nested).toEqual({ message: expect.stringMatching(/could not be laid out/) })
    expect(format("index.ts", "export const  a =  1")).toBe("export const a = 1\n")
  })

  it("a document the generator cannot handle is a SpecError that quotes nothing of it", () => {
    const broken = spec({})
    Object.defineProperty(broken, "paths", {
      enumerable: true,
      get: () => {
        throw new TypeError("Cannot read root:x:0:0 of the spec")
      }
    })
    let thrown: unknown
    try {
      generated(broken)
    } catch (e) {
      thrown = e
    }
    expect(thrown).toMatchObject({ _tag: "SpecError", message: "the generator failed on this document (TypeError)" })
  })

  it.live(
    "the CLI: a title with a newline is a comment; a failure is one line, not a stack trace",
    () =>
      Effect.gen(function*() {
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-openapi-cli-"))
        const out = Path.join(dir, "out")
        const file = Path.join(dir, "api.json")
        Fs.writeFileSync(
          file,
          JSON.stringify({
            ...spec({}),
            info: { title: "T\nglobalThis.x = 1 //", version: "1\u2028globalThis.y = 2 //" }
          })
        )
        const run = (args: ReadonlyArray<string>) =>
          Effect.promise(() =>
            new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
              execFile(
                process.execPath,
                ["--import", "tsx", "--conditions=@steady/source", Path.join(here, "../src/cli.ts"), ...args],
                { timeout: 60_000 },
                (error, stdout, stderr) =>
                  resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr })
              )
            )
          )
        const good = yield* run([file, "--out", out, "--name", "T"])
        expect(good.code).toBe(0)
        expect(Fs.readFileSync(Path.join(out, "index.ts"), "utf8").split("\n")[0]).toBe(
          "// Generated by steady-openapi from \"T\\nglobalThis.x = 1 //\" 1\\u2028globalThis.y = 2 //. Do not edit: regenerate it."
        )
        const badName = yield* run([file, "--out", out, "--name", "Effect"])
        expect(badName.code).toBe(1)
        expect(badName.stderr).toBe("steady-openapi: --name Effect is a name the generated code imports\n")
        Fs.rmSync(dir, { recursive: true })
      }),
    60_000
  )
})

describe("paths, names and what each declaration gives", () => {
  const pathParam = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } })

  it("a Google-style path keeps its colon; parameters that collide once renamed get keys of their own", () => {
    const files = generated(spec({
      "/v1/models/{model}:generateContent": {
        post: { operationId: "generate", parameters: [pathParam("model")], responses: { 200: ok() } }
      },
      "/files/{file-path}/{filePath}/{pet id}": {
        get: {
          operationId: "getFile",
          parameters: [pathParam("file-path"), pathParam("filePath"), pathParam("pet id")],
          responses: { 200: ok() }
        }
      }
    }))
    const api = files["api.ts"]
    expect(api).toContain(`"/v1/models/:model([^/]+?)::generateContent"`)
    expect(api).toContain(`"/files/:filePath2/:filePath/:petId"`)
    expect(api).toContain(
      "Schema.Struct({ filePath2: Schema.String, filePath: Schema.String, petId: Schema.String })"
    )
  })

  it("schema and operation names that start with a digit become identifiers", () => {
    const files = generated(spec(
      {
        "/a": {
          get: {
            operationId: "2fa-verify",
            tags: ["3d"],
            responses: { 200: ok("ok", json({ $ref: "#/components/schemas/1Pet" })) }
          }
        }
      },
      { components: { schemas: { "1Pet": { type: "object", properties: { id: { type: "integer" } } } } } }
    ))
    expect(syntaxErrors(files)).toEqual([])
    expect(files["schemas.ts"]).toContain("export const _1Pet = ")
    expect(files["api.ts"]).toContain("const _2faVerify = HttpApiEndpoint.get(")
    expect(files["api.ts"]).toContain("export class _3dGroup extends HttpApiGroup.make(")
  })

  it("only a GET gets a …Stream: a POST search with a page parameter and a Link header does not", () => {
    const list = { type: "array", items: { type: "string" } }
    const paged = {
      parameters: [{ name: "page", in: "query", schema: { type: "integer" } }],
      responses: {
        200: { description: "x", headers: { Link: { schema: { type: "string" } } }, content: json(list) }
      }
    }
    const client = generated(spec({
      "/search": { post: { operationId: "search", ...paged } },
      "/items": { get: { operationId: "items", ...paged } }
    }))["client.ts"]
    expect(client).toContain("itemsStream: (request")
    expect(client).not.toContain("searchStream")
  })

  it("a declared 400 gets its typed class like any other status", () => {
    const problem = { type: "object", properties: { message: { type: "string" } } }
    const files = generated(spec({
      "/a": { get: { operationId: "a", responses: { 200: ok(), 400: ok("bad", json(problem)) } } }
    }))
    expect(files["schemas.ts"]).toContain(`class BadRequest extends Schema.TaggedError<BadRequest>()("BadRequest", {`)
    expect(files["api.ts"]).toContain(".addError(BadRequestResponse)")
    expect(files["client.ts"]).toContain("Fails with `BadRequest` (400), or an `ApiError`.")
  })
})

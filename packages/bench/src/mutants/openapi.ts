import { area, core, coreTests, src, src4 } from "./types.js"

const model = "packages/openapi/src/internal/model.ts"
const escape = "packages/openapi/src/internal/escape.ts"
const refs = "packages/openapi/src/internal/refs.ts"
const httpApi = `${src}httpApi.ts`
const generator = ["packages/openapi/test/Generator.test.ts"]
const hostile = ["packages/openapi/test/Hostile.test.ts"]
const refsTests = ["packages/openapi/test/Refs.test.ts"]
const wire = ["packages/openapi/test/Wire.test.ts"]
const httpApiTests = ["packages/examples/test/HttpApi.test.ts"]
const petstoreTests = ["packages/examples/test/OpenApi.test.ts"]
const effect4Tests = ["packages/openapi/test/Effect4.test.ts"]
const bodies = ["packages/openapi/test/Bodies.test.ts"]
const corpus = ["packages/openapi/test/CorpusFixes.test.ts"]
const schemaTs = "packages/openapi/src/internal/schema.ts"
const paramStyle = `${core}ParamStyle.ts`
const optionalFind =
  `: Predicate.hasProperty(e, "statusTag") && typeof e.statusTag === "string" && set.has(e.statusTag)`

export const openapi = area("OpenAPI", [
  // @steady/openapi
  {
    id: "openapi-key-ignored",
    promise: "a POST that declares an Idempotency-Key sends one and is retried",
    file: model,
    find: "const idempotencyKey = all.some(",
    replace: "const idempotencyKey = false && all.some(",
    tests: generator
  },
  {
    id: "openapi-errors-untyped",
    promise: "a declared 4xx/5xx with a JSON body is the operation's typed error",
    file: model,
    find: "} else if (status >= 400 && jsonSchema !== undefined) {",
    replace: "} else if (status >= 600 && jsonSchema !== undefined) {",
    tests: generator
  },
  {
    id: "openapi-link-not-followed",
    promise: "a Link header on an array response gives a ...Stream method",
    file: model,
    find: "if (responses.linkHeader && isArray) return { _tag: \"link\" }",
    replace: "if (false) return { _tag: \"link\" }",
    tests: generator
  },
  // --effect 4|3
  {
    id: "openapi-default-effect3",
    promise: "steady-openapi writes Effect 4 code unless asked for Effect 3",
    file: "packages/openapi/src/Generator.ts",
    find: "const effect = options.effect ?? 4",
    replace: "const effect = options.effect ?? 3",
    tests: generator
  },
  {
    id: "openapi-effect4-stream-query-dropped",
    promise: "an Effect 4 ...Stream method sends the caller's query on its first page",
    file: "packages/openapi/src/internal/effect4.ts",
    find: "...(pn.urlParams !== undefined ? [`urlParams: request.query`] : []),",
    replace: "...(false ? [`urlParams: request.query`] : []),",
    tests: ["packages/openapi/test/Effect4.test.ts"]
  },
  // Trust II
  {
    id: "openapi-stream-on-post",
    promise: "only a GET gets a ...Stream method: a POST search with a page parameter does not",
    file: model,
    find: "paging: method === \"get\" ? readPaging(responses, query, deref) : undefined,",
    replace: "paging: readPaging(responses, query, deref),",
    tests: generator
  },
  {
    id: "openapi-400-untyped",
    promise: "a declared 400 gets its typed class like any other status",
    file: model,
    find: "} else if (status >= 400 && jsonSchema !== undefined) {",
    replace: "} else if (status > 400 && jsonSchema !== undefined) {",
    tests: generator
  },
  {
    id: "openapi-digit-identifier",
    promise: "schema and operation names that start with a digit become valid identifiers",
    file: "packages/openapi/src/internal/names.ts",
    find: "return /^[0-9]/.test(joined) ? `_${joined}` : joined",
    replace: "return joined",
    tests: generator
  },
  {
    id: "httpapi-400-untyped",
    promise: "a declared 400 (HttpApiDecodeError, or a spec's own) arrives as the declared error, at run time",
    file: httpApi,
    find: "(e): e is ApiError.StatusError => ApiError.isStatusError(e) && info.declared.has(e.status),",
    replace:
      "(e): e is ApiError.StatusError => ApiError.isStatusError(e) && info.declared.has(e.status) && e.status !== 400,",
    tests: [...httpApiTests, ...wire]
  },
  // Hardening II: escaping
  {
    id: "openapi-line-comment-newline",
    promise: "a newline in the title or version does not end the header's line comment",
    file: escape,
    find: "printable(text.replace(/\\r\\n?|\\n|\\t/g, \" \"))",
    replace: "printable(text)",
    tests: hostile
  },
  {
    id: "openapi-line-comment-u2028",
    promise: "U+2028 and U+2029 in the title do not end the header's line comment",
    file: escape,
    find: "\\u007f\\u2028\\u2029\\ufeff",
    replace: "\\u007f\\ufeff",
    tests: hostile
  },
  {
    id: "openapi-block-comment-open",
    promise: "*/ in a description or a server URL does not close a doc comment",
    file: escape,
    find: ".replace(/\\*\\//g, \"*\\\\/\")",
    replace: "",
    tests: hostile
  },
  {
    id: "openapi-template-open",
    promise: "a backtick or ${ in a path stays text in the ...Stream method's template",
    file: escape,
    find: ".replace(/[`$]/g, \"\\\\$&\")",
    replace: "",
    tests: hostile
  },
  {
    id: "openapi-key-unquoted",
    promise: "a property name that is not an identifier is written as a string",
    file: "packages/openapi/src/internal/names.ts",
    find: "    : escape.stringLiteral(name)",
    replace: "    : name",
    tests: hostile
  },
  // Hardening II: $ref confinement
  {
    id: "openapi-ref-outside-folder",
    promise: "a $ref outside the spec's folder and the --allow-ref-dir folders is refused",
    file: refs,
    find: "if (!roots.some((root) => inside(root, real))) {",
    replace: "if (false) {",
    tests: refsTests
  },
  {
    id: "openapi-ref-symlink",
    promise: "a symbolic link in the folder to a file outside it is refused",
    file: refs,
    find: "const real = realpath(path)",
    replace: "const real = Path.resolve(path)",
    tests: refsTests
  },
  {
    id: "openapi-remote-ref-on",
    promise: "remote $refs are refused unless --allow-remote-refs",
    file: refs,
    find: "if (!own && confinement.allowRemoteRefs !== true) {",
    replace: "if (false) {",
    tests: refsTests
  },
  {
    id: "openapi-remote-ref-private",
    promise: "even allowed, a remote $ref never reaches a loopback or private address",
    file: refs,
    find: "if (!trusted && Net.isIP(host) !== 0 && isPrivateAddress(host)) {",
    replace: "if (false) {",
    tests: refsTests
  },
  {
    id: "openapi-yaml-bomb",
    promise: "a YAML spec whose aliases stand for 10^9 nodes is refused before the bundler walks it",
    file: refs,
    find: "if (!aliasesFit(value)) {",
    replace: "if (false) {",
    tests: refsTests
  },
  {
    id: "openapi-ref-size-unbounded",
    promise: "a file over 128 MiB is refused before it is read",
    file: refs,
    find: "if (stat.size > maxBytes) return refuse(",
    replace: "if (false) return refuse(",
    tests: refsTests
  },
  {
    id: "openapi-remote-no-deadline",
    promise: "a remote spec or $ref that drips is cut off at its deadline",
    file: refs,
    find: "() => request.destroy(new Error(`not read in ${timeoutMillis / 1000} s`)),",
    replace: "() => undefined,",
    tests: refsTests
  },
  {
    id: "openapi-redirects-off-by-one",
    promise: "a remote spec's redirects are followed 5 times at most, each checked as the first",
    file: refs,
    find: "if (hop >= maxRedirects) return refuse(",
    replace: "if (hop > maxRedirects) return refuse(",
    tests: refsTests
  },
  // Hardening II: crashes, paths and names
  {
    id: "openapi-namer-quadratic",
    promise: "100,000 operations of one name are named in linear steps, not quadratic ones",
    file: "packages/openapi/src/internal/names.ts",
    find: "let i = this.next.get(base) ?? 2",
    replace: "let i = 2",
    tests: generator
  },
  {
    id: "openapi-node-budget",
    promise: "schemas written out past 500,000 nodes (non-component $refs, YAML aliases) are a SpecError, not a hang",
    file: "packages/openapi/src/internal/schema.ts",
    find: "if (--left < 0) throw new TooLarge()",
    replace: "--left",
    tests: generator
  },
  {
    id: "openapi-depth-unbounded",
    promise: "a deeply nested schema is generated (Schema.Unknown below the limit), never a formatter crash",
    file: "packages/openapi/src/internal/schema.ts",
    find: "export const maxDepth = 32",
    replace: "export const maxDepth = 100_000",
    tests: generator
  },
  {
    id: "openapi-path-keys-collide",
    promise: "path parameters that collide once renamed ({file-path}, {filePath}) get keys of their own",
    file: model,
    find: "for (const n of params) if (!taken.has(n)) taken.set(n, namer.take(names.pathKey(n)))",
    replace: "for (const n of params) if (!taken.has(n)) taken.set(n, names.pathKey(n))",
    tests: [...generator, ...wire]
  },
  {
    id: "openapi-param-runs-into-text",
    promise: "/v1/models/{model}:generateContent reaches the server as written, the parameter ending at the colon",
    file: model,
    find: "return ends ? `:${s.key}` : `:${s.key}([^/]+?)`",
    replace: "return `:${s.key}`",
    tests: [...generator, ...wire]
  },
  // Hardening II: ApiClient.httpApi
  {
    id: "httpapi-path-unencoded",
    promise: "a path parameter is percent-encoded as one segment: a/b?c=d#e never changes the path's shape",
    file: httpApi,
    find: "return pathInternal.path(strings, args)",
    replace: "return strings.map((s, i) => (i === 0 ? s : String(args[i - 1]) + s)).join(\"\")",
    tests: [...httpApiTests, ...wire]
  },
  {
    id: "httpapi-double-colon",
    promise: "'::' in an endpoint's path is a colon of the path's own text",
    file: httpApi,
    find: "if (path[i] === \":\" && path[i + 1] === \":\") {",
    replace: "if (false) {",
    tests: httpApiTests
  },
  {
    id: "httpapi-cut-error-decoded",
    promise: "a declared error's body that steady cut is TooLarge, with its status, not decoded cut",
    file: httpApi,
    find: "return declared > errorBodyLimit || utf8.encode(error.body).byteLength >= errorBodyLimit",
    replace: "return false",
    tests: httpApiTests
  },
  {
    id: "httpapi-undecoded-error-decoded",
    promise: "a declared error whose compressed body did not decode is Read, with its status",
    file: httpApi,
    find: "const coding = undecodedBodies.get(e)",
    replace: "const coding: string | undefined = undefined",
    tests: httpApiTests
  },
  {
    id: "httpapi-invalid-json-mismatch",
    promise: "a declared error's (or a success's) body that is not JSON is InvalidJson, not SchemaMismatch",
    file: httpApi,
    find: "const invalidJson = info.json.has(response.status) && body !== \"\" && !isJsonText(body)",
    replace: "const invalidJson = false",
    tests: httpApiTests
  },
  // issue 30: one vocabulary for the generated errors, and the generator's install
  {
    id: "openapi-error-undescribed",
    promise: "a generated declared error carries the request and the attempts steady saw (Effect 3)",
    file: httpApi,
    find: "Object.assign(e, { request: from.request, attempts: from.attempts })",
    replace: "Object.assign(e, {})",
    tests: petstoreTests
  },
  {
    id: "openapi-error-undescribed-effect4",
    promise: "a generated declared error carries the request and the attempts steady saw (Effect 4)",
    file: `${src4}httpApi.ts`,
    find: "Object.assign(e, { request: from.request, attempts: from.attempts })",
    replace: "Object.assign(e, {})",
    tests: effect4Tests
  },
  {
    id: "openapi-optional-ignores-generated",
    promise: "ApiError.optional(\"NotFoundError\") turns a generated NotFound into None (Effect 3)",
    file: "packages/client-effect3/src/ApiError.ts",
    find: optionalFind,
    replace: ": false",
    tests: petstoreTests
  },
  {
    id: "openapi-optional-ignores-generated-effect4",
    promise: "ApiError.optional(\"NotFoundError\") turns a generated NotFound into None (Effect 4)",
    file: "packages/client/src/ApiError.ts",
    find: optionalFind,
    replace: ": false",
    tests: effect4Tests
  },
  {
    id: "openapi-status-tag-wrong",
    promise: "a generated 404 says steady's NotFoundError as its statusTag",
    file: "packages/openapi/src/internal/code.ts",
    find: "      return \"NotFoundError\"",
    replace: "      return \"ClientError\"",
    tests: generator
  },
  {
    id: "openapi-format-not-optional",
    promise: "format: false (--no-format) writes the code without dprint",
    file: "packages/openapi/src/Generator.ts",
    find: "const formatting = options.format !== false && format.available()",
    replace: "const formatting = format.available()",
    tests: generator
  },
  // issue 31: no silent skip, compiles always
  {
    id: "openapi-null-operation-silent",
    promise: "an operation that is not an object is reported with the reason, not dropped without a word",
    file: model,
    find: "      if (!isObject(op)) {\n        report(",
    replace: "      if (!isObject(op)) {\n        continue\n        report(",
    tests: generator
  },
  {
    id: "openapi-trace-silent",
    promise: "a TRACE operation is reported, not dropped without a word",
    file: model,
    find: "for (const method of [...METHODS, ...OTHER_METHODS]) {",
    replace: "for (const method of METHODS) {",
    tests: generator
  },
  {
    id: "openapi-form-body-unstyled",
    promise: "a form body's deepObject fields go as the encoding says (expand[]=tax), not as form",
    file: model,
    find: "if (e.style === undefined && e.explode === undefined) return []",
    replace: "if (e.style !== null) return []",
    tests: bodies
  },
  {
    id: "openapi-param-explode-ignored",
    promise: "an exploded object path parameter is x=1,y=2, not x,1,y,2",
    file: model,
    find: "const { explode, style } = ParamStyle.encoding(where, p.style, p.explode)",
    replace: "const { explode, style } = ParamStyle.encoding(where, p.style, undefined)",
    tests: bodies
  },
  {
    id: "openapi-304-unexpected",
    promise: "a declared 304 is a success of the operation, not an unexpected status",
    file: `${src}httpApi.ts`,
    find: "declared: new Set([...errors.keys(), ...[...successes.keys()].filter((s) => s < 200 || s >= 300)]),",
    replace: "declared: new Set(errors.keys()),",
    tests: bodies
  },
  {
    id: "openapi-stream-headers-dropped",
    promise: "a …Stream method sends the operation's header parameters on every page (Effect 3)",
    file: "packages/openapi/src/internal/effect3.ts",
    find: "? [`HttpClientRequest.setHeaders(Schema.encodeSync(${pn.headers})(request.headers))`]",
    replace: "? []",
    tests: bodies
  },
  {
    id: "openapi-multipart-skipped",
    promise: "a multipart/form-data request body is generated (files as Blob), not left out",
    file: model,
    find: "} else if (types.includes(\"multipart/form-data\")) {",
    replace:
      "} else if (types.includes(\"multipart/form-data\")) {\n      return \"multipart\"\n    } else if (false) {",
    tests: bodies
  },
  {
    id: "openapi-multipart-encoding-ignored",
    promise: "a multipart field's encoding.contentType types its part",
    file: model,
    find: "return typeof type === \"string\" ? [`${names.key(k)}: ${escape.stringLiteral(type)}`] : []",
    replace: "return []",
    tests: bodies
  },
  {
    id: "openapi-octet-stream-skipped",
    promise: "an application/octet-stream request body is bytes, not left out",
    file: model,
    find: "body = { code: input.target.bytes(escape.stringLiteral(type)), encoding: \"bytes\" }",
    replace: "return \"bytes\"",
    tests: bodies
  },
  {
    id: "openapi-fast-load-external-ref",
    promise: "a JSON spec with a $ref to another file goes through the parser's confinement, not the fast path",
    file: "packages/openapi/src/Generator.ts",
    find: "!Array.isArray(document) && !hasExternalRef(document)",
    replace: "!Array.isArray(document)",
    tests: refsTests
  },
  {
    id: "openapi-binary-response-void",
    promise: "a binary success (image/png) is its bytes, not void",
    file: model,
    find: "} else if (types.length > 0) {\n        // an image, a PDF, a download",
    replace: "} else if (false) {\n        // an image, a PDF, a download",
    tests: bodies
  },
  {
    id: "openapi-allof-wider-wins",
    promise: "allOf keeps a literal property (type: FRAME) over a member's wider type: string",
    file: "packages/openapi/src/internal/schema.ts",
    find: "if (known !== undefined && isLiteral(known, ctx) && !isLiteral(value, ctx)) return",
    replace: "if (known === null) return",
    tests: generator
  },
  {
    id: "openapi-has-more-no-stream",
    promise: "has_more + starting_after pagination gets a …Stream that follows the last id",
    file: model,
    find: "if (withIds !== undefined) return { _tag: \"hasMore\", param: \"starting_after\", items: withIds }",
    replace: "if (withIds === null) return { _tag: \"hasMore\", param: \"starting_after\", items: withIds }",
    tests: bodies
  },
  {
    id: "openapi-offset-no-stream",
    promise: "offset/limit/total_count pagination gets a …Stream that advances the offset",
    file: model,
    find: "if (totals && items !== undefined) return { _tag: \"offset\", param: \"offset\", items }",
    replace: "if (totals && items === null) return { _tag: \"offset\", param: \"offset\", items }",
    tests: bodies
  },
  {
    id: "openapi-marker-no-stream",
    promise: "marker/next_marker pagination gets a …Stream",
    file: model,
    find: "\"pageToken\", \"marker\"].find(",
    replace: "\"pageToken\"].find(",
    tests: bodies
  },
  {
    id: "paramstyle-deepobject-array-indexed",
    promise: "deepObject writes an array of scalars as name[]=x (as Stripe reads it), not name[0]=x",
    file: paramStyle,
    find: "value.forEach((v, i) => nested(scalars ? `${key}[]` : `${key}[${i}]`, v, out, depth + 1))",
    replace: "value.forEach((v, i) => nested(`${key}[${i}]`, v, out, depth + 1))",
    tests: coreTests("ParamStyle")
  },
  {
    id: "paramstyle-label-explode-ignored",
    promise: "label style with explode separates array items with dots (.blue.black), not commas",
    file: paramStyle,
    find: "const separator = style === \"label\" && explode ? \".\" : \",\"",
    replace: "const separator = \",\"",
    tests: coreTests("ParamStyle")
  },
  {
    id: "openapi-corpus-allof-ref-inlined",
    promise:
      "a nullable allOf of one component names the component (a cycle through it is not written out 32 levels deep)",
    file: schemaTs,
    find: "if (schema.allOf.length === 1 && schema.properties === undefined && isComponentRef(schema.allOf[0], ctx)) {",
    replace: "if (schema.allOf.length === 0 && isComponentRef(schema.allOf[0], ctx)) {",
    tests: corpus
  },
  {
    id: "openapi-corpus-tuple-never",
    promise: "3.1's prefixItems tuple is an array of its members, never Schema.Array(Schema.Never)",
    file: schemaTs,
    find: "const members = Array.isArray(schema.prefixItems)",
    replace: "const members = false && Array.isArray(schema.prefixItems)",
    tests: corpus
  },
  {
    id: "openapi-corpus-no-operations-imports",
    promise: "a spec without operations generates modules that import nothing unused (noUnusedLocals)",
    file: "packages/openapi/src/internal/effect4.ts",
    find: "`import { HttpApi${hasOps ? \", HttpApiEndpoint, HttpApiGroup\" : \"\"}${",
    replace: "`import { HttpApi, HttpApiEndpoint, HttpApiGroup${",
    tests: corpus
  }
])

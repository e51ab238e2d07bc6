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
const schemasTests = ["packages/openapi/test/Schemas.test.ts"]
const corpus = ["packages/openapi/test/CorpusFixes.test.ts"]
const schemaTs = "packages/openapi/src/internal/schema.ts"
const paramStyle = `${core}ParamStyle.ts`
const params = "packages/openapi/src/internal/params.ts"
const styles = ["packages/openapi/test/ParamStyles.test.ts"]
const statusRange = `${core}StatusRange.ts`
const responsesTests = ["packages/openapi/test/Responses.test.ts"]
const printer = "packages/openapi/src/internal/printer.ts"
const printerTests = ["packages/openapi/test/Printer.test.ts"]
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
    find: ": `urlParams: request.query`",
    replace: ": `urlParams: {}`",
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
    find: "(e): e is ApiError.StatusError => ApiError.isStatusError(e) && shownStatus(info, e.status) !== undefined,",
    replace:
      "(e): e is ApiError.StatusError => ApiError.isStatusError(e) && shownStatus(info, e.status) !== undefined && e.status !== 400,",
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
    find: "Object.assign(e, { request: from.request, attempts: from.attempts, status: from.status })",
    replace: "Object.assign(e, { status: from.status })",
    tests: petstoreTests
  },
  {
    id: "openapi-error-undescribed-effect4",
    promise: "a generated declared error carries the request and the attempts steady saw (Effect 4)",
    file: `${src4}httpApi.ts`,
    find: "Object.assign(e, { request: from.request, attempts: from.attempts, status: from.status })",
    replace: "Object.assign(e, { status: from.status })",
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
    find: "const formatting = options.format !== false",
    replace: "const formatting = true",
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
    find: "body = { code: input.target.bytes(escape.stringLiteral(type)), encoding: \"bytes\", contentType: type }",
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
  // parameters in every style (ParamStyles.test.ts: each row of the 3.1 table, on both lines)
  {
    id: "openapi-style-query-explode-ignored",
    promise: "a query array with explode false goes as one key (color=blue,black), not repeated keys",
    file: params,
    find: "`${names.key(p.name)}: ${encodingCode(ParamStyle.encoding(\"query\", p.style, p.explode))}`",
    replace: "`${names.key(p.name)}: ${encodingCode(ParamStyle.encoding(\"query\", p.style, undefined))}`",
    tests: styles
  },
  {
    id: "openapi-style-deepobject-flattened",
    promise: "a deepObject query parameter goes as color[R]=100 (a range filter as created[gte]=1), not flattened",
    file: paramStyle,
    find: "if (style === \"deepObject\") {\n    nested(name, value, out, 0)",
    replace: "if (style === \"deepObject\" && false) {\n    nested(name, value, out, 0)",
    tests: styles
  },
  {
    id: "openapi-style-query-unstyled",
    promise: "an operation whose query holds an object or a non-default style gets the whole-query schema",
    file: params,
    find: "if (!params.some((p) => styledQuery(p, h))) return undefined",
    replace: "if (params.length > 0) return undefined",
    tests: styles
  },
  {
    id: "openapi-style-label-plain",
    promise: "a label or matrix path parameter is written in its style (.blue, ;color=blue), a scalar too",
    file: params,
    find: "const styledPath = where === \"path\" && (encoding.style === \"label\" || encoding.style === \"matrix\")",
    replace: "const styledPath = false",
    tests: styles
  },
  {
    id: "openapi-style-cookie-unencoded",
    promise: "a cookie's value is percent-encoded: a ';' or a line break in it cannot add a cookie or a header",
    file: paramStyle,
    find: "      mapText(v, encodeURIComponent),",
    replace: "      mapText(v, (s) => s),",
    tests: styles
  },
  {
    id: "openapi-style-cookie-dropped",
    promise: "cookie parameters are sent, in one Cookie header",
    file: model,
    find: "cookie !== undefined ? [{ name: \"Cookie\", key: \"cookie\", ...cookie, styled: true }] : []",
    replace: "[]",
    tests: styles
  },
  {
    id: "openapi-style-null-query-sent",
    promise: "a nullable query parameter that is null sends nothing (not q=)",
    file: paramStyle,
    find:
      "    if (v === null) continue\n    const own = Object.prototype.hasOwnProperty.call(encodings, k) ? encodings[k] : undefined\n    for (const [key, value] of pairs(k, v, own",
    replace:
      "    const own = Object.prototype.hasOwnProperty.call(encodings, k) ? encodings[k] : undefined\n    for (const [key, value] of pairs(k, v, own",
    tests: styles
  },
  {
    id: "openapi-style-null-header-sent",
    promise: "a nullable header that is null is not sent",
    file: params,
    find: "`(value) => value === null || value === undefined ? undefined : ${write}`",
    replace: "`(value) => value === undefined ? undefined : ${write}`",
    tests: styles
  },
  {
    id: "openapi-style-stream-query-unstyled",
    promise: "an Effect 4 …Stream method sends its query in its style (created[gte]=1), as the method does",
    file: "packages/openapi/src/internal/effect4.ts",
    find: "? `urlParams: Schema.encodeSync(${pn.urlParams})(request.query)`",
    replace: "? `urlParams: request.query as any`",
    tests: styles
  },
  {
    id: "openapi-resp-range-over-exact",
    promise: "a status the operation declares exactly (404) is its own error, not its 4XX range's (Effect 3)",
    file: httpApi,
    find: "info.declared.has(status) ? status : StatusRange.pick(status, info.ranges)",
    replace: "StatusRange.pick(status, info.ranges) ?? status",
    tests: responsesTests
  },
  {
    id: "openapi-resp-range-over-exact-e4",
    promise: "a status the operation declares exactly (404) is its own error, not its 4XX range's (Effect 4)",
    file: `${src4}httpApi.ts`,
    find: "info.declared.has(status) ? status : StatusRange.pick(status, info.ranges)",
    replace: "StatusRange.pick(status, info.ranges) ?? status",
    tests: responsesTests
  },
  {
    id: "openapi-resp-default-before-range",
    promise: "a status falls to its 4XX/5XX range before default",
    file: statusRange,
    find: "for (const range of [\"4XX\", \"5XX\", \"default\"] as const) {\n    const found = ranges.get(range)",
    replace: "for (const range of [\"default\", \"4XX\", \"5XX\"] as const) {\n    const found = ranges.get(range)",
    tests: responsesTests
  },
  {
    id: "openapi-resp-default-takes-non-error",
    promise: "default takes error statuses only: a 3xx (or a 2xx) is not the default error",
    file: statusRange,
    find: ": status >= 400 && status <= 599)",
    replace: ": status >= 200 && status <= 599)",
    tests: responsesTests
  },
  {
    id: "openapi-resp-status-not-received",
    promise: "a range's error says the status received (418), not the one it is declared at (400)",
    file: httpApi,
    find: "Object.assign(e, { request: from.request, attempts: from.attempts, status: from.status })",
    replace: "Object.assign(e, { request: from.request, attempts: from.attempts })",
    tests: responsesTests
  },
  {
    id: "openapi-resp-range-untyped",
    promise: "4XX/5XX/default responses with a JSON body are the operation's typed errors",
    file: model,
    find: "if (range !== undefined && jsonSchema !== undefined) ranges.push({ range, schema: jsonSchema })",
    replace:
      "if (range === undefined && jsonSchema !== undefined) ranges.push({ range: \"default\", schema: jsonSchema })",
    tests: responsesTests
  },
  {
    id: "openapi-resp-download-no-stream",
    promise: "a GET whose success is bytes gets a …Stream method that hands the body over as it arrives",
    file: "packages/openapi/src/internal/responses.ts",
    find: "o.successes.some((s) => s.encoding === \"bytes\")",
    replace: "o.successes.some((s) => s.encoding === \"none\")",
    tests: responsesTests
  },
  {
    id: "openapi-resp-upload-no-stream",
    promise: "an operation whose body is bytes gets a …FromStream method that sends a stream",
    file: "packages/openapi/src/internal/responses.ts",
    find: "o.body?.encoding === \"bytes\" && o.body.contentType !== undefined",
    replace: "o.body?.encoding === \"text\" && o.body.contentType !== undefined",
    tests: responsesTests
  },
  {
    id: "openapi-resp-upload-stream-replayed",
    promise: "a generated upload from a stream is sent once: a 503 after it is not retried (Effect 4)",
    file: `${src4}retryLoop.ts`,
    find: "if (body.isOneShot(request.body) && !classify.provedNotSent(error)) {",
    replace: "if (false) {",
    tests: responsesTests
  },
  {
    id: "openapi-print-width-off-by-one",
    promise: "the printer keeps a group flat up to the 120th column, not the 119th",
    file: printer,
    find: "if (e.flat !== Infinity && out.col + e.flat + after <= width) {",
    replace: "if (e.flat !== Infinity && out.col + e.flat + after < width) {",
    tests: printerTests
  },
  {
    id: "openapi-print-flat-separator-width",
    promise: "the printer measures a flat list with its \", \" separators",
    file: printer,
    find: "    if (k > 0) w += 2\n",
    replace: "    if (k > 0) w += 1\n",
    tests: printerTests
  },
  {
    id: "openapi-print-value-space-twice",
    promise: "a value goes on the next line after its key only past 120 columns (its space counted once)",
    file: printer,
    find: "  return out.col + restWidth(seq, k, suffix) > width",
    replace: "  return out.col + 1 + restWidth(seq, k, suffix) > width",
    tests: printerTests
  },
  {
    id: "openapi-print-comment-blank-lines",
    promise: "a doc comment keeps one empty line where the spec's text has several, as dprint does",
    file: printer,
    find: "if (trimmed === \"*\" && lines[lines.length - 1] === \"*\") continue",
    replace: "if (trimmed === \"*\" && lines[lines.length - 1] === \"**\") continue",
    tests: printerTests
  },
  {
    id: "openapi-print-relative-imports-first",
    promise:
      "the printer takes imports in dprint's order only (packages before relative paths), else dprint sorts them",
    file: printer,
    find: "if (ra !== rb) return ra ? 1 : -1",
    replace: "if (ra !== rb) return ra ? -1 : 1",
    tests: printerTests
  },
  {
    id: "openapi-print-call-arg-hugs",
    promise:
      "a call's one argument that fits on a line of its own goes there (setPath(\\n  Schema.Struct({ … })\\n)), as dprint does",
    file: printer,
    find: "(item.seq.length === 1 || inner + flatSeq(item.seq) > width)",
    replace: "(item.seq.length >= 1 || inner + flatSeq(item.seq) > width)",
    tests: generator
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
  // recursive schemas, readOnly/writeOnly, optional bodies (Schemas.test.ts)
  {
    id: "openapi-schema-recursion-any",
    promise: "a recursive component's suspended reference is typed by its interface on Effect 3, not any",
    file: "packages/openapi/src/internal/syntax.ts",
    find: "suspend: (name) => `Schema.suspend((): Schema.Schema<${name}> => ${name})`,",
    replace: "suspend: (name) => `Schema.suspend((): Schema.Schema<any> => ${name})`,",
    tests: schemasTests
  },
  {
    id: "openapi-schema-recursion-any-effect4",
    promise: "a recursive component's suspended reference is typed by its interface on Effect 4, not any",
    file: "packages/openapi/src/internal/syntax.ts",
    find:
      "suspend: (name) => `Schema.suspend((): Schema.Codec<${name}> => ${name} as unknown as Schema.Codec<${name}>)`,",
    replace: "suspend: (name) => `Schema.suspend((): Schema.Codec<any> => ${name})`,",
    tests: schemasTests
  },
  {
    id: "openapi-schema-cycle-missed",
    promise: "every component on a cycle (A → B → A, not only one that names itself) gets its type written out",
    file: "packages/openapi/src/internal/recursion.ts",
    find: "if (component.length > 1 || list.includes(top.node)) {",
    replace: "if (list.includes(top.node)) {",
    tests: schemasTests
  },
  {
    id: "openapi-schema-readonly-sent",
    promise: "a readOnly property is not in a request body's type, nor sent",
    file: "packages/openapi/src/internal/schema.ts",
    find: "((ctx.variant === \"request\" && property.readOnly === true) ||",
    replace: "((ctx.variant === \"request\" && property.readOnly === null) ||",
    tests: schemasTests
  },
  {
    id: "openapi-schema-writeonly-required",
    promise: "a writeOnly property is not in a response's type, and a response without it decodes",
    file: "packages/openapi/src/internal/schema.ts",
    find: "(ctx.variant === \"response\" && property.writeOnly === true))",
    replace: "(ctx.variant === \"response\" && property.writeOnly === null))",
    tests: schemasTests
  },
  {
    id: "openapi-schema-variant-not-transitive",
    promise: "a component that reaches one with a readOnly property gets a request variant too",
    file: "packages/openapi/src/internal/variants.ts",
    find: "if (!needs.has(by)) {",
    replace: "if (false) {",
    tests: schemasTests
  },
  {
    id: "openapi-schema-optional-body-required",
    promise: "a request body the spec does not require may be left out, and then no body is sent",
    file: model,
    find:
      "if (body !== undefined && requestBody.required !== true && optionalBody.encodings.includes(body.encoding)) {",
    replace:
      "if (body !== undefined && requestBody.required === 1 && optionalBody.encodings.includes(body.encoding)) {",
    tests: schemasTests
  },
  {
    id: "openapi-schema-no-body-content-type",
    promise: "on Effect 4, a left-out optional body goes with no Content-Type (not an empty one)",
    file: "packages/openapi/src/internal/optionalBody.ts",
    find: "=> request.headers[\"content-type\"] === \"\" && request.body._tag",
    replace: "=> request.headers[\"content-type\"] === \"none\" && request.body._tag",
    tests: schemasTests
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
    find: "  Array.isArray(schema.prefixItems)\n    ? [...schema.prefixItems,",
    replace: "  false && Array.isArray(schema.prefixItems)\n    ? [...schema.prefixItems,",
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

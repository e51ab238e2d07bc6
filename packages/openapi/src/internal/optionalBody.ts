/**
 * Optional request bodies (`requestBody.required` false or absent, as OpenAPI defaults it): the
 * payload is its schema or `undefined`, and `undefined` goes out as no body at all (no
 * `Content-Type`), on the same endpoint, so the method keeps every option of the line's
 * HttpApi client (`withResponse` on Effect 3, `responseMode` on Effect 4). The endpoint's
 * payload is a union whose first member is `undefined` encoded as zero bytes with no content
 * type (`noBody`); the method lets the caller leave `payload` out (and the whole request,
 * when the operation has no parameters). JSON, form and byte bodies can be optional; a text or
 * multipart body is required as before.
 *
 * Effect 3's platform sets no `Content-Type` for an empty content type; Effect 4's sends it
 * empty, so the Effect 4 client of a spec with an optional body adds the `noBody` policy, which
 * sends such a request with no body and no `Content-Type` (a spec without one is generated as
 * before).
 *
 * @internal
 */
import type * as model from "./model.js"
import type * as syntax from "./syntax.js"

/** The encodings whose body may be left out. */
export const encodings: ReadonlyArray<string> = ["json", "form", "bytes"]

/** `undefined` as no body: zero bytes and no content type (the platform sets no `Content-Type` for an empty one). */
const noBody = (line: syntax.Syntax): string =>
  line.effect === 3
    ? `Schema.transform(Schema.Uint8ArrayFromSelf, Schema.Undefined, { strict: true, decode: () => undefined, encode: () => new Uint8Array(0) }).pipe(HttpApiSchema.withEncoding({ kind: "Uint8Array", contentType: "" }))`
    : `Schema.Uint8Array.pipe(Schema.decodeTo(Schema.Undefined, SchemaTransformation.transform<undefined, Uint8Array>({ decode: () => undefined, encode: () => new Uint8Array(0) })), HttpApiSchema.asUint8Array({ contentType: "" }))`

/** The payload of an optional body: `undefined` (no body) first, then the body's own schema. */
export const payload = (code: string, line: syntax.Syntax): string =>
  line.effect === 3 ? `Schema.Union(${noBody(line)}, ${code})` : `[${noBody(line)}, ${code}]`

/**
 * The method of an operation whose body is optional: the endpoint's, called with the request
 * and its payload (`undefined` when left out), generic in the line's response option as the
 * endpoint is. The request itself may be left out when the operation has no parameters.
 */
export const method = (o: model.Operation, effect: 3 | 4): string => {
  const endpoint = `client.${o.group}.${o.name}`
  const [generic, param] = effect === 3
    ? ["WithResponse extends boolean = false", "WithResponse"]
    : [`Mode extends HttpApiEndpoint.ClientResponseMode = "decoded-only"`, "Mode"]
  const request = `Parameters<typeof ${endpoint}<${param}>>[0]`
  const optional = o.pathParams.length === 0 && o.query.length === 0 && o.headers.length === 0 ? "?" : ""
  return `<${generic}>(request${optional}: Omit<${request}, "payload"> & { readonly payload?: Exclude<${request}["payload"], undefined> | undefined }) => ${endpoint}<${param}>({ ...request, payload: request${
    optional === "" ? "" : "?"
  }.payload } as ${request})`
}

/** The Effect 4 client's policy (client.ts) that sends a left-out body as none: no body, no `Content-Type`. */
export const policy4 =
  `/** A body the spec does not require, left out: sent as no body and no \`Content-Type\` (the endpoint encodes it as zero bytes of no type). */\n` +
  `const noBody = Policy.make({ name: "no-body", stage: "attempt", wrap: (next) => (request) => next(request.headers["content-type"] === "" && request.body._tag === "Uint8Array" && request.body.body.length === 0 ? { ...request, headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== "content-type" && name !== "content-length")), body: HttpBody.empty } : request) })\n`

/** Whether a spec has an optional body (then the Effect 4 client adds `noBody`). */
export const any = (m: model.Model): boolean => m.operations.some((o) => o.body?.optional === true)

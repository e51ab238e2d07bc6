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

/** `undefined` as no body: zero bytes and no content type (Effect 3's platform sets no `Content-Type` for an empty one). */
const noBody = (line: syntax.Syntax): string =>
  line.effect === 3
    ? `Schema.transform(Schema.Uint8ArrayFromSelf, Schema.Undefined, { strict: true, decode: () => undefined, encode: () => new Uint8Array(0) }).pipe(HttpApiSchema.withEncoding({ kind: "Uint8Array", contentType: "" }))`
    : `Schema.Uint8Array.pipe(Schema.decodeTo(Schema.Undefined, SchemaTransformation.transform<undefined, Uint8Array>({ decode: () => undefined, encode: () => new Uint8Array(0) })), HttpApiSchema.asUint8Array({ contentType: "" }))`

/** api.ts's one definition of "no body" (`name`, from the model), which every optional payload starts with. */
export const definition = (name: string, line: syntax.Syntax): string =>
  `/** A request body the spec does not require, left out: no body, and no \`Content-Type\`. */\nconst ${name} = ${
    noBody(line)
  }\n`

/** The payload of an optional body: `undefined` (no body, `name`) first, then the body's own schema. */
export const payload = (code: string, name: string, line: syntax.Syntax): string =>
  line.effect === 3 ? `Schema.Union(${name}, ${code})` : `[${name}, ${code}]`

/** Whether the operation's whole request may be left out: it has no parameters. */
const bare = (o: model.Operation): boolean =>
  o.pathParams.length === 0 && o.query.length === 0 && o.headers.length === 0

/**
 * The method of an operation whose body is optional: the endpoint's, through `optionalPayload`
 * (or `optionalRequest`, when it has no parameters), which keeps its type parameters (the
 * line's response option), since TypeScript carries a generic function's through a generic
 * higher-order one.
 */
export const method = (o: model.Operation): string =>
  `${bare(o) ? "optionalRequest" : "optionalPayload"}(client.${o.group}.${o.name})`

/**
 * The helpers the client's methods use (client.ts, module scope, the same on both lines): only
 * those used. Each statement is written so that the printer lays it out as dprint does (lines
 * that fit, a function's block), so no spec with an optional body needs dprint.
 */
export const helpers = (m: model.Model): string => {
  const optional = m.operations.filter((o) => o.body?.optional === true)
  if (optional.length === 0) return ""
  // the payload's type starts with `undefined` (the "no body" member), so it may be given as undefined too
  const out: Array<string> = [
    `/** A request whose \`payload\` may be left out (the spec does not require the body). */\n` +
    `type BodyOptional<R extends { readonly payload: unknown }> = Omit<R, "payload"> & { readonly payload?: R["payload"] }\n`
  ]
  if (optional.some((o) => !bare(o))) {
    out.push(
      `/** The method of an endpoint whose body the spec does not require: \`payload\` may be left out, and then no body is sent. */\n` +
        `function optionalPayload<R extends { readonly payload: unknown }, Out>(method: (request: R) => Out) {\n` +
        `return (request: BodyOptional<R>): Out => method({ ...request, payload: request.payload } as R)\n}\n`
    )
  }
  if (optional.some(bare)) {
    out.push(
      `/** The method of an endpoint without parameters whose body the spec does not require: the request may be left out, and then no body is sent. */\n` +
        `function optionalRequest<R extends { readonly payload: unknown }, Out>(method: (request: R) => Out) {\n` +
        `return (request?: BodyOptional<R>): Out => method({ ...request, payload: request?.payload } as R)\n}\n`
    )
  }
  return out.join("\n")
}

/** The Effect 4 client's policy (client.ts) that sends a left-out body as none: no body, no `Content-Type`. */
export const policy4 = `/** Whether the endpoint encoded a left-out body: zero bytes of no type. */\n` +
  `const isBodyless = (request: Policy.Request): boolean => request.headers["content-type"] === "" && request.body._tag === "Uint8Array" && request.body.body.length === 0\n\n` +
  `/** The request without a body and without \`Content-Type\` or \`Content-Length\`. */\n` +
  `function withoutBody(request: Policy.Request): Policy.Request {\n` +
  `const kept = Object.entries(request.headers).filter(([name]) => name !== "content-type" && name !== "content-length")\n` +
  `return { ...request, headers: Object.fromEntries(kept), body: HttpBody.empty }\n}\n\n` +
  `/** A body the spec does not require, left out: sent as no body and no \`Content-Type\` (the endpoint encodes it as zero bytes of no type). */\n` +
  `const noBody = Policy.make({ name: "no-body", stage: "attempt", wrap: (next) => (request) => next(isBodyless(request) ? withoutBody(request) : request) })\n`

/** Whether a spec has an optional body (then the Effect 4 client adds `noBody`). */
export const any = (m: model.Model): boolean => m.operations.some((o) => o.body?.optional === true)

/**
 * A program on the Effect 3 client steady-openapi generated (`--effect 3`) from Stripe's spec
 * (./stripe, the name `Stripe`): CorpusReal.test.ts generates it next to this file, type-checks
 * the lot with `tsc --strict`, imports it and runs each call against Prism's mock of the spec
 * (behind a recording proxy at `origin`). The annotations are the type tests.
 */
import { Effect, Redacted } from "effect"
import * as Stripe from "./stripe/index.js"

/** A call through the generated service, with the basic auth the spec calls for. */
const call = <A, E>(
  origin: string,
  use: (stripe: Stripe.Stripe) => Effect.Effect<A, E>,
  prefer = "dynamic=true"
) =>
  Effect.flatMap(Stripe.Stripe, use).pipe(
    Effect.provide(
      Stripe.layer({
        baseUrl: origin,
        username: "sk_test_corpus",
        password: Redacted.make(""),
        retry: { base: "1 millis" },
        headers: { prefer }
      })
    ),
    Effect.timeout("60 seconds")
  )

/** A form post: a customer with a nested address and metadata (deepObject fields). */
export const formPost = (origin: string) =>
  call(origin, (stripe) =>
    stripe.postCustomers({
      payload: { name: "Jenny Rosen", balance: 250, address: { city: "Berlin" }, metadata: { order: "7" } }
    })).pipe(Effect.map((customer: Stripe.Schemas.Customer) => ({ id: typeof customer.id })))

/** An upload: a multipart body with the file's bytes and its purpose. */
export const upload = (origin: string) =>
  call(origin, (stripe) => stripe.postFiles({ payload: { file: "hello, file", purpose: "dispute_evidence" } })).pipe(
    Effect.map((file: Stripe.Schemas.File) => ({ id: typeof file.id, size: typeof file.size }))
  )

/** A binary download: a quote's PDF, as bytes. */
export const download = (origin: string) =>
  call(origin, (stripe) => stripe.getQuotesQuotePdf({ path: { quote: "qt_1" }, urlParams: {} })).pipe(
    Effect.map((pdf: Uint8Array) => ({ bytes: pdf instanceof Uint8Array }))
  )

/** An array query: `expand` (Stripe's spec: deepObject, `expand[]=customer`). */
export const arrayQuery = (origin: string) =>
  call(origin, (stripe) => stripe.getCharges({ urlParams: { expand: ["data.customer", "data.invoice"], limit: 3 } }))
    .pipe(Effect.map((page) => ({ items: Array.isArray(page.data) })))

/** A declared error: Stripe declares each error as its `default` response (Prism answers the one asked for). */
export const declaredError = (origin: string) =>
  call(
    origin,
    (stripe) => stripe.getCustomersCustomer({ path: { customer: "cus_missing" }, urlParams: {} }),
    "code=404"
  ).pipe(
    Effect.map(() => ({ tag: "none" })),
    Effect.catchAll((e) =>
      Effect.succeed({
        tag: e._tag,
        status: "status" in e ? e.status : undefined,
        message: typeof (e as { readonly body?: { readonly error?: { readonly message?: unknown } } }).body?.error
          ?.message
      })
    )
  )

/**
 * A program on the Effect 4 client generated from test/bodiesSpec.ts (./bodies): Bodies.test.ts
 * generates it next to this file, type-checks it with `tsc --strict` against effect 4.1.5, bundles
 * it and runs it with Node 22 against its loopback server (argv[2]); the last line printed is the
 * outcomes, as JSON. The server echoes what it received; the test checks the wire.
 */
import { Effect, Stream } from "effect"
import * as Bodies from "./bodies/index.js"

const baseUrl = process.argv[2]

const program = Effect.gen(function*() {
  const b = yield* Bodies.Bodies
  const charge = yield* b.createCharge({
    payload: {
      amount: 2000,
      capture: false,
      description: "a b&c=d",
      tags: ["x", "y"],
      expand: ["tax"],
      items: [{ price: "p_1", quantity: 2 }],
      metadata: { order: "7" }
    }
  })
  const colors = yield* b.getColors({
    params: { ids: [3, 4, 5], point: { x: 1, y: 2 } },
    headers: { "x-tags": ["a", "b"], "x-range": { from: 1, to: 9 } }
  })
  const probe = yield* b.probe()
  const fresh = yield* b.getEtag({ headers: { "if-none-match": "\"v1\"" } })
  const events = yield* Stream.runCollect(b.listEventsStream({ query: {}, headers: { "x-org": "acme" } }))
  const asset = yield* b.uploadAsset({
    params: { id: 7 },
    payload: {
      file: new File(["hello"], "hello.txt", { type: "text/plain" }),
      thumbnail: new Blob([new Uint8Array([80, 78])]),
      name: "asset",
      tags: ["a", "b"],
      meta: { width: 2 }
    }
  })
  const raw = yield* b.putRaw({ payload: new TextEncoder().encode("raw bytes") })
  const logo: Uint8Array = yield* b.getLogo()
  const customers = yield* Stream.runCollect(b.listCustomersStream({ query: { limit: 2 } }))
  const invoices = yield* Stream.runCollect(b.listInvoicesStream({ query: { limit: 2 } }))
  const buckets = yield* Stream.runCollect(b.listBucketsStream({ query: {} }))
  return {
    charge,
    colors,
    probe: probe === undefined,
    notModified: fresh === undefined,
    events,
    asset,
    raw: raw === undefined,
    logo: Array.from(logo),
    customers: customers.map((c) => c.id),
    invoices: invoices.map((i) => i.number),
    buckets
  }
}).pipe(Effect.provide(Bodies.layer({ baseUrl, retry: false })), Effect.timeout("30 seconds"))

Effect.runPromise(program).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)

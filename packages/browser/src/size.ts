/**
 * `npm run size -w @steady/browser` (`npm run bench:size`): the bundle a browser downloads for
 * a minimal client, each built the same way (esbuild, `platform: browser`, minified, ESM),
 * then gzipped (level 9). steady's row is ApiClient + Retry + Auth.layerBearer + a Schema
 * decode on FetchHttpClient; the effect row is the same program written with effect (and on
 * Effect 3 @effect/platform) alone (its own retry and header), so the difference is what
 * steady adds. One pair of rows per Effect line.
 */
import * as esbuild from "esbuild"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Zlib from "node:zlib"

const here = Path.dirname(fileURLToPath(import.meta.url))

const programs: Record<string, string> = {
  "steady (ApiClient + Retry + Auth.layerBearer + Schema)": `
    import { FetchHttpClient } from "@effect/platform"
    import { ApiClient, Auth, Retry } from "@steady/client-effect3"
    import { Effect, Layer, Redacted, Schema } from "effect"
    const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
    const program = Effect.gen(function*() {
      const client = yield* ApiClient.make({ baseUrl: "https://api.example", retry: Retry.standard({ times: 3 }) })
      return yield* client.get("/pets/1").pipe(ApiClient.json(Pet))
    })
    Effect.runPromise(program.pipe(
      Effect.provide(Layer.merge(FetchHttpClient.layer, Auth.layerBearer(Redacted.make("token"))))
    )).then(console.log)
  `,
  "effect + @effect/platform alone (same program)": `
    import { FetchHttpClient, HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
    import { Effect, Schedule, Schema } from "effect"
    const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
    const program = Effect.gen(function*() {
      const client = (yield* HttpClient.HttpClient).pipe(
        HttpClient.mapRequest(HttpClientRequest.prependUrl("https://api.example")),
        HttpClient.mapRequest(HttpClientRequest.bearerToken("token")),
        HttpClient.filterStatusOk,
        HttpClient.retryTransient({ schedule: Schedule.exponential("100 millis"), times: 3 })
      )
      return yield* client.get("/pets/1").pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Pet)))
    })
    Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log)
  `,
  "steady, Effect 4 line (ApiClient + Retry + Auth.layerBearer + Schema)": `
    import { ApiClient, Auth, Retry } from "@steady/client"
    import { Effect, Layer, Redacted, Schema } from "effect"
    import { FetchHttpClient } from "effect/http"
    const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
    const program = Effect.gen(function*() {
      const client = yield* ApiClient.make({ baseUrl: "https://api.example", retry: Retry.standard({ times: 3 }) })
      return yield* client.get("/pets/1").pipe(ApiClient.json(Pet))
    })
    Effect.runPromise(program.pipe(
      Effect.provide(Layer.merge(FetchHttpClient.layer, Auth.layerBearer(Redacted.make("token"))))
    )).then(console.log)
  `,
  "effect 4 alone (same program)": `
    import { Effect, Schedule, Schema } from "effect"
    import { FetchHttpClient, HttpClient, HttpClientRequest, HttpClientResponse } from "effect/http"
    const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
    const program = Effect.gen(function*() {
      const client = (yield* HttpClient.HttpClient).pipe(
        HttpClient.mapRequest(HttpClientRequest.prependUrl("https://api.example")),
        HttpClient.mapRequest(HttpClientRequest.bearerToken("token")),
        HttpClient.filterStatusOk,
        HttpClient.retryTransient({ schedule: Schedule.exponential("100 millis"), times: 3 })
      )
      return yield* client.get("/pets/1").pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(Pet)))
    })
    Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log)
  `,
  "ky (retry + json + bearer)": `
    import ky from "ky"
    ky.get("https://api.example/pets/1", { retry: 3, headers: { authorization: "Bearer token" } }).json().then(console.log)
  `,
  "axios (json + bearer)": `
    import axios from "axios"
    axios.get("https://api.example/pets/1", { headers: { authorization: "Bearer token" } }).then((r) => console.log(r.data))
  `
}

/** The Effect 4 programs resolve `effect` (effect 4) as packages/client does. */
const effect4Dir = Path.join(here, "../../client")
const sizes: Array<{ name: string; min: number; gzip: number }> = []
for (const [name, contents] of Object.entries(programs)) {
  const built = await esbuild.build({
    stdin: { contents, resolveDir: /Effect 4|effect 4/.test(name) ? effect4Dir : here, loader: "ts" },
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["@steady/source"],
    logLevel: "warning"
  })
  const code = built.outputFiles[0].contents
  sizes.push({ name, min: code.byteLength, gzip: Zlib.gzipSync(code, { level: 9 }).byteLength })
}
const kib = (n: number) => (n / 1024).toFixed(1)
console.log("| bundle | minified | minified + gzip |\n|---|---:|---:|")
for (const s of sizes) console.log(`| ${s.name} | ${kib(s.min)} KiB | ${kib(s.gzip)} KiB |`)
const [steady3, effect3, steady4, effect4] = sizes
for (const [line, steady, effect] of [["Effect 3", steady3, effect3], ["Effect 4", steady4, effect4]] as const) {
  console.log(
    `\n${line}: steady over effect alone: +${kib(steady.gzip - effect.gzip)} KiB gzipped (+${
      kib(steady.min - effect.min)
    } KiB minified)`
  )
}

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

/** The program with steady, and the same program with effect alone, given how each imports. */
interface Imports {
  readonly steady: string
  readonly effect: string
  readonly http: string
}

/** One Effect line's pair of programs, written with its `imports`. */
const pair = (line: string, style: string, i: Imports): Record<string, string> => ({
  [`steady, ${line}, ${style} (ApiClient + Retry + Auth.layerBearer + Schema)`]: `
    ${i.steady}
    ${i.effect}
    ${i.http}
    const Pet = Schema.Struct({ id: Schema.Number, name: Schema.String })
    const program = Effect.gen(function*() {
      const client = yield* ApiClient.make({ baseUrl: "https://api.example", retry: Retry.standard({ times: 3 }) })
      return yield* client.get("/pets/1").pipe(ApiClient.json(Pet))
    })
    Effect.runPromise(program.pipe(
      Effect.provide(Layer.merge(FetchHttpClient.layer, Auth.layerBearer(Redacted.make("token"))))
    )).then(console.log)
  `,
  [`${line === "Effect 3" ? "effect + @effect/platform" : "effect 4"} alone, ${style} (same program)`]: `
    ${i.effect}
    ${i.http}
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
  `
})

/** `import * as Name from "prefix/Name"`, one line per module. */
const perModule = (prefix: string, names: ReadonlyArray<string>) =>
  names.map((name) => `import * as ${name} from "${prefix}/${name}"`).join("\n")

const effectModules = ["Effect", "Layer", "Redacted", "Schedule", "Schema"]
const httpModules = ["FetchHttpClient", "HttpClient", "HttpClientRequest", "HttpClientResponse"]

/** The Effect 3 line resolves from here; the Effect 4 line as packages/client does (effect 4). */
const lines = [
  {
    line: "Effect 3",
    dir: here,
    barrel: {
      steady: `import { ApiClient, Auth, Retry } from "@steady/client-effect3"`,
      effect: `import { Effect, Layer, Redacted, Schedule, Schema } from "effect"`,
      http: `import { ${httpModules.join(", ")} } from "@effect/platform"`
    },
    modules: {
      steady: perModule("@steady/client-effect3", ["ApiClient", "Auth", "Retry"]),
      effect: perModule("effect", effectModules),
      http: perModule("@effect/platform", httpModules)
    }
  },
  {
    line: "Effect 4",
    dir: Path.join(here, "../../client"),
    barrel: {
      steady: `import { ApiClient, Auth, Retry } from "@steady/client"`,
      effect: `import { Effect, Layer, Redacted, Schedule, Schema } from "effect"`,
      http: `import { ${httpModules.join(", ")} } from "effect/http"`
    },
    modules: {
      steady: perModule("@steady/client", ["ApiClient", "Auth", "Retry"]),
      effect: perModule("effect", effectModules),
      http: perModule("effect/http", httpModules)
    }
  }
] as const

const others: Record<string, string> = {
  "ky (retry + json + bearer)": `
    import ky from "ky"
    ky.get("https://api.example/pets/1", { retry: 3, headers: { authorization: "Bearer token" } }).json().then(console.log)
  `,
  "axios (json + bearer)": `
    import axios from "axios"
    axios.get("https://api.example/pets/1", { headers: { authorization: "Bearer token" } }).then((r) => console.log(r.data))
  `
}

const size = async (contents: string, resolveDir: string) => {
  const built = await esbuild.build({
    stdin: { contents, resolveDir, loader: "ts" },
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
  return { min: code.byteLength, gzip: Zlib.gzipSync(code, { level: 9 }).byteLength }
}

const kib = (n: number) => (n / 1024).toFixed(1)
const rows: Array<string> = []
const increments: Array<string> = []
for (const { barrel, dir, line, modules } of lines) {
  for (const [style, imports] of [["barrel imports", barrel], ["per-module imports", modules]] as const) {
    const [[steadyName, steadyCode], [effectName, effectCode]] = Object.entries(pair(line, style, imports))
    const steady = await size(steadyCode, dir)
    const effect = await size(effectCode, dir)
    rows.push(`| ${steadyName} | ${kib(steady.min)} KiB | ${kib(steady.gzip)} KiB |`)
    rows.push(`| ${effectName} | ${kib(effect.min)} KiB | ${kib(effect.gzip)} KiB |`)
    increments.push(
      `${line}, ${style}: steady over effect alone: +${kib(steady.gzip - effect.gzip)} KiB gzipped (+${
        kib(steady.min - effect.min)
      } KiB minified)`
    )
  }
}
for (const [name, contents] of Object.entries(others)) {
  const s = await size(contents, here)
  rows.push(`| ${name} | ${kib(s.min)} KiB | ${kib(s.gzip)} KiB |`)
}
console.log(["| bundle | minified | minified + gzip |", "|---|---:|---:|", ...rows].join("\n"))
console.log(`\n${increments.join("\n")}`)

#!/usr/bin/env node
// `npm run docs:api`: the API reference of @steady/core, the Effect 4 line (@steady/client, @steady/testing, @steady/redis), @steady/client-effect3, @steady/testing-effect3, @steady/redis-effect3 and @steady/openapi, generated from
// their doc comments with @effect/docgen into docs/api/<package>/ (markdown, one page per
// module). `--check` regenerates into a temporary folder and fails when docs/api is stale.
// The @example blocks are type-checked by packages/examples/test/docs.test.ts, not here:
// docgen would also run them, and many declare the values they use.
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const check = process.argv.includes("--check")
const target = check ? Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-api-")) : Path.join(root, "docs/api")

const packages = ["core", "client", "testing", "redis", "client-effect3", "testing-effect3", "redis-effect3", "openapi"]
Fs.rmSync(target, { recursive: true, force: true })
for (const pkg of packages) {
  const dir = Path.join(root, "packages", pkg)
  const out = Path.join(dir, "docs")
  Fs.rmSync(out, { recursive: true, force: true })
  try {
    execFileSync(Path.join(root, "node_modules/.bin/docgen"), [], {
      cwd: dir,
      env: { ...process.env, DOCGEN_RUN_EXAMPLES: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 120_000
    })
  } catch (error) {
    console.error(`docgen failed in packages/${pkg}:\n${error.stdout ?? ""}${error.stderr ?? ""}`)
    process.exit(1)
  }
  const modules = Path.join(out, "modules")
  Fs.mkdirSync(Path.join(target, pkg), { recursive: true })
  for (const file of Fs.readdirSync(modules)) {
    if (file === "index.md") continue
    Fs.copyFileSync(Path.join(modules, file), Path.join(target, pkg, file))
  }
  Fs.rmSync(out, { recursive: true, force: true })
}
const list = (pkg) =>
  Fs.readdirSync(Path.join(target, pkg)).filter((f) => f !== "index.ts.md").sort()
    .map((f) => `- [${f.replace(/\.ts\.md$/, "")}](${pkg}/${f})`).join("\n")
Fs.writeFileSync(
  Path.join(target, "README.md"),
  `# API reference\n\nGenerated from the doc comments by \`npm run docs:api\` (@effect/docgen); do not edit by hand.\n\n` +
    packages.map((pkg) => `## @steady/${pkg}\n\n${list(pkg)}\n`).join("\n")
)

if (check) {
  const committed = Path.join(root, "docs/api")
  const walk = (dir) =>
    Fs.existsSync(dir)
      ? Fs.readdirSync(dir, { recursive: true }).filter((f) => Fs.statSync(Path.join(dir, f)).isFile()).sort()
      : []
  const a = walk(target)
  const b = walk(committed)
  const stale = [...new Set([...a, ...b])].filter((f) =>
    !a.includes(f) || !b.includes(f) ||
    Fs.readFileSync(Path.join(target, f), "utf8") !== Fs.readFileSync(Path.join(committed, f), "utf8")
  )
  Fs.rmSync(target, { recursive: true, force: true })
  if (stale.length > 0) {
    console.error(`docs/api is stale (run npm run docs:api): ${stale.join(", ")}`)
    process.exit(1)
  }
  console.log("docs/api matches the doc comments")
}

#!/usr/bin/env node
// The consumer test: packs every package (@steady/core; the Effect 4 line, @steady/client and
// @steady/testing; the Effect 3 line, @steady/client-effect3 and @steady/testing-effect3;
// @steady/redis (Effect 4) and @steady/redis-effect3; and @steady/openapi, whose bin generates the pet-store client into each
// project, `--effect 3` or `--effect 4`), installs the tarballs into fresh projects outside the workspace with effect (and,
// on the Effect 3 line, @effect/platform) from the registry, at the lowest and the highest
// versions the peer ranges allow, compiles a sample program with tsc --strict and without
// skipLibCheck, and runs it with plain node against a loopback server (Node 22 for the Effect 4
// line). Run by .ci/run; on its own: npm run test:consumer.
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { node22 } from "./node22.mjs"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const client = JSON.parse(Fs.readFileSync(Path.join(root, "packages/client-effect3/package.json"), "utf8"))
const client4 = JSON.parse(Fs.readFileSync(Path.join(root, "packages/client/package.json"), "utf8"))
const testing4 = JSON.parse(Fs.readFileSync(Path.join(root, "packages/testing/package.json"), "utf8"))
const rootPkg = JSON.parse(Fs.readFileSync(Path.join(root, "package.json"), "utf8"))

const run = (cmd, args, cwd, timeout = 300_000) => {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", timeout, stdio: ["ignore", "pipe", "pipe"] })
  } catch (error) {
    console.error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${error.stdout ?? ""}\n${error.stderr ?? ""}`)
    process.exit(1)
  }
}

// The lowest versions the ranges allow, and the highest the registry has inside them.
const lowest = (range) => range.match(/\d+\.\d+\.\d+/)[0]
const peers = client.peerDependencies
const sets = [
  // ioredis: @steady/redis-effect3 takes either major; the app's own choice, one of each
  { name: "lowest", effect: lowest(peers.effect), platform: lowest(peers["@effect/platform"]), ioredis: "5.9.3" },
  { name: "highest", effect: peers.effect, platform: peers["@effect/platform"], ioredis: "^6.1.0" }
]

/** A fresh TypeScript project: strict, and its dependencies' declarations checked too. */
const project = (dir) => {
  Fs.mkdirSync(Path.join(dir, "src"), { recursive: true })
  Fs.writeFileSync(Path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
  Fs.writeFileSync(
    Path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: false,
        types: ["node"],
        outDir: "out",
        rootDir: "src"
      },
      include: ["src"]
    })
  )
}

const work = Fs.mkdtempSync(Path.join(Os.tmpdir(), "steady-consumer-"))
try {
  const packed = JSON.parse(
    run("npm", [
      "pack",
      "--json",
      "--pack-destination",
      work,
      "-w",
      "@steady/core",
      "-w",
      "@steady/client",
      "-w",
      "@steady/testing",
      "-w",
      "@steady/client-effect3",
      "-w",
      "@steady/redis",
      "-w",
      "@steady/testing-effect3",
      "-w",
      "@steady/redis-effect3",
      "-w",
      "@steady/openapi"
    ], root)
  )
  const tarballOf = (name) => Path.join(work, packed.find((p) => p.name === name).filename)
  const effect3 = ["@steady/core", "@steady/client-effect3", "@steady/testing-effect3", "@steady/redis-effect3", "@steady/openapi"]
  const tarballs = effect3.map(tarballOf)
  for (const p of packed) {
    const tests = p.files.filter((f) => /(^|\/)test(s)?\/|\.test\.[jt]s$/.test(f.path))
    if (tests.length > 0) throw new Error(`${p.name} ships test files: ${tests.map((f) => f.path).join(", ")}`)
    console.log(`${p.name}@${p.version}: ${(p.size / 1000).toFixed(1)} kB packed, ${(p.unpackedSize / 1000).toFixed(1)} kB unpacked, ${p.entryCount} files`)
  }
  for (const set of sets) {
    const dir = Path.join(work, set.name)
    Fs.mkdirSync(Path.join(dir, "src"), { recursive: true })
    project(dir)
    Fs.copyFileSync(Path.join(root, ".ci/consumer-sample.ts"), Path.join(dir, "src/main.ts"))
    run("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      ...tarballs,
      `effect@${set.effect}`,
      `@effect/platform@${set.platform}`,
      `ioredis@${set.ioredis}`,
      `typescript@${rootPkg.devDependencies.typescript}`,
      `@types/node@${rootPkg.devDependencies["@types/node"]}`
    ], dir)
    const installed = (name) => JSON.parse(Fs.readFileSync(Path.join(dir, "node_modules", name, "package.json"), "utf8")).version
    const copies = run("npm", ["ls", "effect", "--all", "--parseable"], dir).trim().split("\n").filter(Boolean)
    if (copies.length !== 1) throw new Error(`expected one copy of effect, found ${copies.length}:\n${copies.join("\n")}`)
    // the generator from its tarball, through its bin: the pet-store client it writes compiles too
    run(Path.join(dir, "node_modules/.bin/steady-openapi"), [
      Path.join(root, "packages/examples/openapi/petstore.yaml"),
      "--out",
      "src/petstore",
      "--name",
      "Petstore",
      "--effect",
      "3"
    ], dir)
    run(Path.join(dir, "node_modules/.bin/tsc"), ["-p", "."], dir)
    const out = run(process.execPath, ["out/main.js"], dir, 60_000)
    const result = JSON.parse(out.trim().split("\n").at(-1))
    if (!installed("ioredis").startsWith(set.ioredis.replace("^", "").split(".")[0])) {
      throw new Error(`expected ioredis ${set.ioredis}, installed ${installed("ioredis")}`)
    }
    const expected = {
      pet: { id: 1, name: "Rex" },
      missing: "none",
      status: "NotFoundError",
      breaker: "CircuitOpenError",
      generic: { name: "Rex", header: "1" },
      fleetLimited: 200
    }
    if (JSON.stringify(result) !== JSON.stringify(expected)) {
      throw new Error(`the sample printed ${JSON.stringify(result)}, expected ${JSON.stringify(expected)}`)
    }
    console.log(
      `${set.name}: effect ${installed("effect")}, @effect/platform ${installed("@effect/platform")}, ioredis ${installed("ioredis")}: ` +
        "installed, steady-openapi generated, tsc --strict (no skipLibCheck) clean, ran with node: ok"
    )
  }
  // The Effect 4 line: @steady/client and @steady/testing with effect from the registry, at the
  // lowest and highest versions their peer range allows, on Node 22; and @steady/openapi, which
  // runs on an Effect 3 of its own (a dependency, not a peer) and writes the pet-store client
  // for the project's Effect 4
  const node = node22()
  const peer4 = client4.peerDependencies.effect
  for (const set of [{ name: "effect4-lowest", effect: lowest(peer4) }, { name: "effect4-highest", effect: peer4 }]) {
    const dir = Path.join(work, set.name)
    project(dir)
    Fs.copyFileSync(Path.join(root, ".ci/consumer-sample-effect4.ts"), Path.join(dir, "src/main.ts"))
    run("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      ...["@steady/core", "@steady/client", "@steady/testing", "@steady/redis", "@steady/openapi"].map(tarballOf),
      `effect@${set.effect}`,
      `typescript@${rootPkg.devDependencies.typescript}`,
      `@types/node@${testing4.devDependencies["@types/node"]}`
    ], dir)
    const installed = JSON.parse(Fs.readFileSync(Path.join(dir, "node_modules/effect/package.json"), "utf8")).version
    // one effect for the program; the generator's Effect 3 is its own, under its folder
    const copies = run("npm", ["ls", "effect", "--all", "--parseable"], dir).trim().split("\n").filter(Boolean)
      .filter((p) => !p.includes(`${Path.sep}@steady${Path.sep}openapi${Path.sep}`))
    if (copies.length !== 1) throw new Error(`expected one copy of effect, found ${copies.length}:\n${copies.join("\n")}`)
    run(Path.join(dir, "node_modules/.bin/steady-openapi"), [
      Path.join(root, "packages/examples/openapi/petstore.yaml"),
      "--out",
      "src/petstore",
      "--name",
      "Petstore"
    ], dir)
    if (!Fs.readFileSync(Path.join(dir, "src/petstore/client.ts"), "utf8").includes('from "@steady/client"')) {
      throw new Error("steady-openapi did not write an Effect 4 client by default")
    }
    run(Path.join(dir, "node_modules/.bin/tsc"), ["-p", "."], dir)
    const out = run(node, ["out/main.js"], dir, 60_000)
    const result = JSON.parse(out.trim().split("\n").at(-1))
    const expected = { pet: { id: 1, name: "Rex" }, missing: "none", denied: "PermissionDeniedError 403", fleet: 200 }
    if (JSON.stringify(result) !== JSON.stringify(expected)) {
      throw new Error(`the Effect 4 sample printed ${JSON.stringify(result)}, expected ${JSON.stringify(expected)}`)
    }
    console.log(
      `${set.name}: effect ${installed}: installed, steady-openapi generated, tsc --strict (no skipLibCheck) clean, ran with node ` +
        `${run(node, ["--version"], dir).trim()}: ok`
    )
  }
} finally {
  Fs.rmSync(work, { recursive: true, force: true })
}

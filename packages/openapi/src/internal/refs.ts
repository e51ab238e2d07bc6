/**
 * Where a spec's `$ref`s may read from. A spec is hostile input: a `$ref` to `/etc/passwd`, to
 * `../../.ssh/id_rsa.yaml` or to `http://169.254.169.254/` must not be read, and a failure must
 * not show what a file holds.
 *
 * - Files: only inside the spec's own folder and the folders the user allows (`--allow-ref-dir`),
 *   after symbolic links are followed; only regular files, at most `maxBytes`.
 * - URLs (http and https): a spec given as a URL may read beside itself (same origin, under its
 *   folder); anything else only with `allowRemoteRefs`, and never from a loopback, private,
 *   link-local or otherwise non-public address (checked on the address connected to, so a name
 *   that resolves to one is refused too). At most `maxBytes`, `timeoutMillis`, 5 redirects,
 *   each checked the same way.
 * - Only the JSON and YAML parsers: a text or binary file is never taken for a schema.
 *
 * @internal
 */
import * as Dns from "node:dns"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Https from "node:https"
import { createRequire } from "node:module"
import * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

interface Yaml {
  readonly load: (text: string, options: { readonly schema: unknown }) => unknown
  readonly JSON_SCHEMA: unknown
}

/**
 * js-yaml, the copy the `$ref` parser itself loads (its dependency, so always beside it): a
 * spec's YAML is parsed here, where its aliases can be counted before anything walks it.
 */
const yaml: Yaml = (() => {
  const swagger = createRequire(import.meta.url).resolve("@apidevtools/swagger-parser")
  const refParser = createRequire(swagger).resolve("@apidevtools/json-schema-ref-parser")
  return createRequire(refParser)("js-yaml")
})()

/**
 * The most nodes a YAML document may hold once its aliases are written out. An alias is a
 * reference to another node, so a few lines can stand for 10⁹ (each level aliasing the one
 * before ten times), and whatever walks the document (the `$ref` bundler first) would never end.
 */
export const maxYamlNodes = 5_000_000

/** Whether a document's aliases, written out, stay under `maxYamlNodes` (one without shared nodes always does). */
const aliasesFit = (root: unknown): boolean => {
  const seen = new Set<object>()
  let shared = false
  const stack: Array<unknown> = [root]
  while (stack.length > 0 && !shared) {
    const node = stack.pop()
    if (typeof node !== "object" || node === null) continue
    if (seen.has(node)) shared = true
    seen.add(node)
    for (const value of Object.values(node)) stack.push(value)
  }
  if (!shared) return true
  // count as a tree: every alias counts what it stands for (a cycle never ends, and passes the limit)
  let count = 0
  stack.length = 0
  stack.push(root)
  while (stack.length > 0) {
    const node = stack.pop()
    if (++count > maxYamlNodes) return false
    if (typeof node === "object" && node !== null) { for (const value of Object.values(node)) stack.push(value) }
  }
  return true
}

/** The largest file or download a spec or a `$ref` may be (GitHub's largest spec is 78 MB). */
export const maxBytes = 128 * 1024 * 1024
/** The longest a remote `$ref` may take, and may stay silent (a parameter of `options` for the tests). */
const defaultTimeoutMillis = 30_000
const maxRedirects = 5

/** @internal */
export interface Confinement {
  readonly allowRefDirs?: ReadonlyArray<string> | undefined
  readonly allowRemoteRefs?: boolean | undefined
}

/** A `$ref` that was refused: the message names it, never what it holds. */
export class Refused extends Error {}

const isUrl = (s: string) => /^https?:\/\//i.test(s)

const realpath = (path: string): string => {
  try {
    return Fs.realpathSync(path)
  } catch {
    return Path.resolve(path)
  }
}

const inside = (dir: string, path: string) => {
  const relative = Path.relative(dir, path)
  return relative === "" || (!relative.startsWith("..") && !Path.isAbsolute(relative))
}

// addresses a spec's `$ref` must never reach: RFC 6890 special-purpose blocks and their IPv6 peers
const blocked = new Net.BlockList()
for (
  const [net, prefix] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 3]
  ] as const
) blocked.addSubnet(net, prefix, "ipv4")
for (
  const [net, prefix] of [
    ["::", 127], // :: and ::1
    ["64:ff9b::", 96],
    ["100::", 64],
    ["2001:db8::", 32],
    ["fc00::", 7],
    ["fe80::", 10],
    ["fec0::", 10],
    ["ff00::", 8]
  ] as const
) blocked.addSubnet(net, prefix, "ipv6")

/** Whether an IP address is one a remote `$ref` must not reach. */
export const isPrivateAddress = (address: string): boolean => {
  const family = Net.isIP(address)
  if (family === 4) return blocked.check(address, "ipv4")
  if (family !== 6) return true
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  if (mapped !== null) return blocked.check(mapped[1], "ipv4")
  if (/^::ffff:/i.test(address)) return true // a mapped address in hex: refused rather than decoded
  return blocked.check(address, "ipv6")
}

/** The resolver options for `SwaggerParser.bundle`, and what it refused (for the error). */
export const options = (spec: string, confinement: Confinement, timeoutMillis = defaultTimeoutMillis) => {
  let refused: Refused | undefined
  const refuse = (message: string): never => {
    refused = new Refused(message)
    throw refused
  }
  const remoteSpec = isUrl(spec) ? new URL(spec) : undefined
  const roots = remoteSpec !== undefined ? [] : [Path.dirname(realpath(spec))]
  for (const dir of confinement.allowRefDirs ?? []) roots.push(realpath(dir))

  const readFile = async (file: { readonly url: string }): Promise<unknown> => {
    let path: string
    try {
      path = file.url.startsWith("file:") ? fileURLToPath(file.url) : decodeURIComponent(file.url)
    } catch {
      return refuse(`$ref ${JSON.stringify(file.url)} is not a file path`)
    }
    if (remoteSpec !== undefined) {
      return refuse(`$ref ${JSON.stringify(path)}: a spec read from a URL cannot read local files`)
    }
    const real = realpath(path)
    if (!roots.some((root) => inside(root, real))) {
      return refuse(
        `$ref ${JSON.stringify(path)} is outside the spec's folder${
          roots.length > 1 ? " and the --allow-ref-dir folders" : ""
        } (${roots.join(", ")}); allow its folder with --allow-ref-dir`
      )
    }
    let stat: Fs.Stats
    try {
      stat = await Fs.promises.stat(real)
    } catch (cause) {
      return refuse(`$ref ${JSON.stringify(path)}: ${(cause as NodeJS.ErrnoException).code ?? "cannot be read"}`)
    }
    if (!stat.isFile()) return refuse(`$ref ${JSON.stringify(path)} is not a file`)
    if (stat.size > maxBytes) return refuse(`$ref ${JSON.stringify(path)} is larger than ${maxBytes} bytes`)
    const data = await Fs.promises.readFile(real).catch((cause: NodeJS.ErrnoException) =>
      refuse(`$ref ${JSON.stringify(path)}: ${cause.code ?? "cannot be read"}`)
    )
    return parse(path, data)
  }

  /**
   * JSON, else YAML, parsed here (the parsers pass a parsed value through): a YAML document
   * whose aliases stand for more than `maxYamlNodes` nodes is refused before anything walks it.
   */
  const parse = (where: string, data: Buffer): unknown => {
    const text = data.toString("utf8").replace(/^\ufeff/, "")
    if (text.trim() === "") return text
    try {
      return JSON.parse(text)
    } catch {
      // not JSON: YAML
    }
    let value: unknown
    try {
      value = yaml.load(text, { schema: yaml.JSON_SCHEMA })
    } catch (e) {
      // the parser's message shows the lines around the error: only the position is told
      const mark = (e as { mark?: { line?: number; column?: number } }).mark
      return refuse(
        `${JSON.stringify(where)} is not JSON or YAML${
          typeof mark?.line === "number" ? ` (line ${mark.line + 1}, column ${(mark.column ?? 0) + 1})` : ""
        }`
      )
    }
    if (!aliasesFit(value)) {
      return refuse(`${JSON.stringify(where)}: its YAML aliases stand for more than ${maxYamlNodes} nodes`)
    }
    return value
  }

  /** Beside a spec read from a URL: the same origin, under its folder. */
  const besideSpec = (url: URL) =>
    remoteSpec !== undefined && url.origin === remoteSpec.origin &&
    url.pathname.startsWith(remoteSpec.pathname.replace(/[^/]*$/, ""))

  const readUrl = async (file: { readonly url: string }): Promise<unknown> => {
    let url = new URL(file.url)
    for (let hop = 0;; hop++) {
      const own = besideSpec(url)
      if (!own && confinement.allowRemoteRefs !== true) {
        return refuse(`$ref ${JSON.stringify(url.href)}: remote $refs are off (allow them with --allow-remote-refs)`)
      }
      const answer = await get(url, own, refuse, timeoutMillis)
      if (answer.location === undefined) return parse(url.href, answer.body)
      if (hop >= maxRedirects) return refuse(`$ref ${JSON.stringify(file.url)}: more than ${maxRedirects} redirects`)
      url = new URL(answer.location, url)
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        return refuse(`$ref ${JSON.stringify(file.url)} redirects to ${url.protocol}, not http(s)`)
      }
    }
  }

  return {
    parserOptions: {
      parse: { text: false, binary: false },
      resolve: {
        external: true,
        file: { order: 100, canRead: (file: { url: string }) => !isUrl(file.url), read: readFile },
        http: { order: 200, canRead: (file: { url: string }) => isUrl(file.url), read: readUrl }
      }
    },
    refused: () => refused
  }
}

/** One GET, bounded in size and time, to an address that passed the check (unless `trusted`). */
const get = (url: URL, trusted: boolean, refuse: (message: string) => never, timeoutMillis: number) =>
  new Promise<{ readonly body: Buffer; readonly location?: string | undefined }>((resolve, reject) => {
    const where = JSON.stringify(url.href)
    let settled = false
    // the whole exchange, not only each wait for a byte: a server that drips is cut off too
    const deadline = setTimeout(
      () => request.destroy(new Error(`not read in ${timeoutMillis / 1000} s`)),
      timeoutMillis
    )
    const fail = (message: string) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      try {
        refuse(message)
      } catch (e) {
        reject(e)
      }
    }
    const host = url.hostname.replace(/^\[|\]$/g, "")
    if (!trusted && Net.isIP(host) !== 0 && isPrivateAddress(host)) {
      clearTimeout(deadline)
      return fail(`$ref ${where}: ${host} is not a public address`)
    }
    // the address is checked where it is connected to: a name that resolves to a private one is refused too
    const lookup: Net.LookupFunction = (hostname, options, callback) =>
      Dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error !== null) return callback(error, "", 0)
        const list = addresses as unknown as Array<Dns.LookupAddress>
        const bad = trusted ? undefined : list.find((a) => isPrivateAddress(a.address))
        if (bad !== undefined) {
          return callback(
            Object.assign(new Error(`${hostname} resolves to ${bad.address}`), { code: "EPRIVATE" }),
            "",
            0
          )
        }
        if ((options as { all?: boolean }).all === true) return (callback as any)(null, list)
        callback(null, list[0].address, list[0].family)
      })
    const request = (url.protocol === "https:" ? Https : Http).get(url, { lookup, timeout: timeoutMillis }, (res) => {
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && typeof res.headers.location === "string") {
        res.resume()
        settled = true
        clearTimeout(deadline)
        return resolve({ body: Buffer.alloc(0), location: res.headers.location })
      }
      if (status !== 200) {
        res.resume()
        return fail(`$ref ${where}: answered ${status}`)
      }
      const chunks: Array<Buffer> = []
      let size = 0
      res.on("data", (chunk: Buffer) => {
        size += chunk.length
        if (size > maxBytes) {
          request.destroy()
          return fail(`$ref ${where} is larger than ${maxBytes} bytes`)
        }
        chunks.push(chunk)
      })
      res.on("end", () => {
        if (settled) return
        settled = true
        clearTimeout(deadline)
        resolve({ body: Buffer.concat(chunks, size) })
      })
      res.on("error", (e) => fail(`$ref ${where}: ${e.message}`))
    })
    request.on("timeout", () => request.destroy(new Error(`nothing received in ${timeoutMillis / 1000} s`)))
    request.on(
      "error",
      (e: NodeJS.ErrnoException) =>
        fail(`$ref ${where}: ${e.code === "EPRIVATE" ? `${e.message}, not a public address` : e.message}`)
    )
  })

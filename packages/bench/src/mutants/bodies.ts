import { area, client, client4, src, src4 } from "./types.js"

export const bodies = area("Bodies", [
  // Bodies
  {
    id: "generic-unbounded-declared",
    promise: "maxResponseBytes holds on every transport (declared length)",
    file: `${src}httpClientTransport.ts`,
    find: "if (ok && declaredBytes > maxBytes && failure.hasBody(request.method, response.status)) {",
    replace: "if (false) {",
    tests: client("Behaviour", "ConnectionPool")
  },
  {
    id: "generic-unbounded-chunked",
    promise: "maxResponseBytes holds on every transport (chunked)",
    file: `${src}httpClientTransport.ts`,
    find: "      if (size <= limit) {\n        chunks.push(chunk)\n        return Effect.succeed(true)",
    replace: "      if (true) {\n        chunks.push(chunk)\n        return Effect.succeed(true)",
    tests: client("Behaviour", "ConnectionPool")
  },
  {
    id: "gzip-lenient-end",
    promise: "a gzip or deflate body cut short is a DecodeError, not a shorter body",
    file: `${src}compression.ts`,
    find: "const zlibFlush = { flush: Zlib.constants.Z_SYNC_FLUSH }",
    replace: "const zlibFlush = { flush: Zlib.constants.Z_SYNC_FLUSH, finishFlush: Zlib.constants.Z_SYNC_FLUSH }",
    tests: client("Compression")
  },
  {
    id: "br-lenient-end",
    promise: "a brotli body cut short is a DecodeError, not a shorter body",
    file: `${src}compression.ts`,
    find: "return Zlib.createBrotliDecompress({ flush: Zlib.constants.BROTLI_OPERATION_FLUSH })",
    replace:
      "return Zlib.createBrotliDecompress({ flush: Zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: Zlib.constants.BROTLI_OPERATION_FLUSH })",
    tests: client("Compression")
  },
  {
    id: "empty-coded-body-fails",
    promise: "an empty body is empty, whatever Content-Encoding it names",
    file: `${src}compression.ts`,
    find: "if (this.received === 0) {",
    replace: "if (false) {",
    tests: client("Compression")
  },
  {
    id: "stacked-codings-last-only",
    promise: "stacked codings (gzip, br) are all decoded",
    file: `${src}compression.ts`,
    find: "for (let i = codings.length - 1; i >= 0; i--) {",
    replace: "for (let i = codings.length - 1; i >= codings.length - 1; i--) {",
    tests: client("Compression")
  },
  {
    id: "stacked-codings-wrong-order",
    promise: "stacked codings are decoded last applied first",
    file: `${src}compression.ts`,
    find: "stages.push({ coding: codings[i], stream })",
    replace: "stages.unshift({ coding: codings[i], stream })",
    tests: client("Compression")
  },
  {
    id: "stacked-codings-unbounded-count",
    promise: "at most 5 stacked codings are decoded",
    file: `${src}compression.ts`,
    find: "if (codings.length > maxCodings)",
    replace: "if (false)",
    tests: client("Compression")
  },
  {
    id: "stacked-stage-unbounded",
    promise: "each stage of stacked codings is bounded by maxResponseBytes",
    file: `${src}compression.ts`,
    find: "if (size > limit) this.fail(",
    replace: "if (false) this.fail(",
    tests: client("Compression")
  },
  {
    id: "unknown-coding-read-as-empty",
    promise: "a 2xx body in an unknown coding (compress; zstd on Node 20) fails with a DecodeError naming it",
    file: `${src}undiciTransport.ts`,
    find: "if (status < 300) return stop(compression.unsupported(request, status, encoding, coding))",
    replace: "",
    tests: client("Compression")
  },
  {
    id: "zstd-zlib-unchecked",
    promise: "a zstd body cut short fails, and every frame of one is decoded (zlib's decoder alone does neither)",
    file: `${src4}compression.ts`,
    find: "return new Zstd(zstdDecompress({ params }))",
    replace: "return zstdDecompress({ params })",
    tests: client4("Compression")
  },
  {
    id: "zstd-cut-frame-accepted",
    promise: "a zstd body that ends inside a frame is a DecodeError, not a shorter body",
    file: `${src4}compression.ts`,
    find: "if (!whole) return done(",
    replace: "if (false) return done(",
    tests: client4("Compression")
  },
  {
    id: "zstd-skippable-frame-refused",
    promise: "a zstd body with a skippable frame between its frames decodes",
    file: `${src4}compression.ts`,
    find: "} else if (value >= 0x184d2a50 && value <= 0x184d2a5f) {",
    replace: "} else if (false) {",
    tests: client4("Compression")
  },
  {
    id: "zstd-frames-unbounded",
    promise: "a zstd body of more than 1,000 frames fails instead of buying a round trip to zlib per 9 bytes",
    file: `${src4}compression.ts`,
    find: "if (++this.frames > maxZstdFrames)",
    replace: "if (false)",
    tests: client4("Compression")
  },
  {
    id: "zstd-window-unbounded",
    promise: "a zstd frame asking for a window over 8 MiB fails instead of allocating it",
    file: `${src4}compression.ts`,
    find: "const params = { [zstdWindowLogMax]: zstdWindowLog }",
    replace: "const params = {}",
    tests: client4("Compression")
  },
  {
    id: "zstd-node20-unexplained",
    promise: "on Node 20 a zstd body's DecodeError says which Node decodes it",
    file: `${src}compression.ts`,
    find: "zstd needs a runtime whose zlib has it, Node 22.15 or later",
    replace: "",
    tests: client("Compression")
  },
  {
    id: "error-body-decode-failure-loses-status",
    promise: "an error whose compressed body is cut keeps its status",
    file: `${src}undiciTransport.ts`,
    find: "if (status >= 300 && queue === undefined) {",
    replace: "if (false) {",
    tests: client("Compression")
  },
  {
    id: "generic-zlib-failure-retried",
    promise: "a body fetch could not decompress is a DecodeError (Read), not a retried ConnectionError",
    file: `${src}httpClientTransport.ts`,
    find: "if (corrupt !== undefined) return corrupt",
    replace: "",
    tests: client("Compression")
  },
  {
    id: "decoder-input-unbounded",
    promise: "compressed input that arrives faster than it inflates pauses the socket instead of queueing in memory",
    file: `${src}undiciTransport.ts`,
    find: "if (!decoder.write(chunk)) {",
    replace: "if (!decoder.write(chunk) && false) {",
    tests: client("Compression")
  },
  {
    id: "encoded-body-shown-as-binary",
    promise: "a body still encoded (or binary) is named in a DecodeError, never shown as raw bytes",
    file: `${src}decode.ts`,
    find: "if (binary.test(text.slice(0, 1024))) {",
    replace: "if (false) {",
    tests: client("Compression")
  },
  {
    id: "undici-unbounded-declared",
    promise: "maxResponseBytes holds on the pool (declared length)",
    file: `${src}undiciTransport.ts`,
    find: "typeof declared === \"string\" && Number(declared) > maxBytes",
    replace: "false",
    tests: client("Behaviour", "ConnectionPool")
  }
])

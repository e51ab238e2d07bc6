import { area, client, client4, core, coreTests, src } from "./types.js"

export const streaming = area("Streaming, uploads, pagination", [
  // Bodies: streaming, uploads, pagination
  {
    id: "stream-no-backpressure",
    promise: "a caller that stops reading pauses the socket (backpressure reaches the server)",
    file: `${src}bodyQueue.ts`,
    find: "if (!this.paused && this.bytes >= highWaterMark) {",
    replace: "if (false) {",
    tests: client("Streaming")
  },
  {
    id: "stream-not-released",
    promise: "a stream that ends early aborts its request and closes the connection",
    file: `${src}streaming.ts`,
    find: "Effect.sync(() => streaming.releaseAll())",
    replace: "Effect.void",
    tests: client("Streaming")
  },
  {
    id: "stream-no-idle-timer",
    promise: "a stalled body is cut by timeout.idle",
    file: `${src}bodyQueue.ts`,
    find: "if (this.idleMillis !== Infinity) this.idleTimer = setTimeout(this.onIdle, this.idleMillis)",
    replace: "",
    tests: client("Streaming")
  },
  {
    id: "sse-id-before-dispatch",
    promise: "a reconnection resumes after the last whole event, not a half-received one",
    file: `${core}EventStream.ts`,
    find: "if (!value.includes(\"\\u0000\")) this.idBuffer = value",
    replace: "if (!value.includes(\"\\u0000\")) this.idBuffer = this.state.lastEventId = value",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-crlf-split-two-ends",
    promise: "a CRLF cut between two chunks is one line end in an event stream",
    file: `${core}Lines.ts`,
    find: "if (i + 1 === text.length) this.skipLf = true",
    replace: "if (i + 1 === text.length) this.skipLf = false",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "ndjson-crlf-split-keeps-cr",
    promise: "a CRLF cut between two chunks is one line end in NDJSON (the CR is not part of the line)",
    file: `${core}Lines.ts`,
    find: "if (!this.bareCr && line.endsWith(\"\\r\")) line = line.slice(0, -1)",
    replace: "if (!this.bareCr && i > start && text.charCodeAt(i - 1) === 13) line = line.slice(0, -1)",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "ndjson-line-numbers-skip-blank",
    promise: "an NDJSON error's line number counts blank lines",
    file: `${core}Ndjson.ts`,
    find: "      this.number++\n      if (text.trim() === \"\") continue\n",
    replace: "      if (text.trim() === \"\") continue\n      this.number++\n",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "lines-dropped-before-too-long",
    promise: "the lines (and events) before a TooLarge failure are delivered before it",
    file: `${src}streaming.ts`,
    find:
      "e instanceof Cut ? Stream.concat(Stream.fromIterable<B>(e.items), Stream.fail(e.error as E2)) : Stream.fail(e)",
    replace: "e instanceof Cut ? Stream.fail(e.error as E2) : Stream.fail(e)",
    tests: client("Sse")
  },
  {
    id: "sse-retry-seconds",
    promise: "the server's retry: is in milliseconds",
    file: `${core}EventStream.ts`,
    find: "this.state.retry = Number(value)",
    replace: "this.state.retry = Number(value) * 1000",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-retry-no-floor",
    promise: "retry: 0 waits minReconnectDelay, not nothing (no reconnect storm)",
    file: `${core}EventStream.ts`,
    find: "const base = Math.max(settings.minMillis, serverRetry ?? settings.delayMillis)",
    replace: "const base = serverRetry ?? settings.delayMillis",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-retry-no-cap",
    promise: "a huge retry: waits maxReconnectDelay, not forever",
    file: `${core}EventStream.ts`,
    find: "return Math.min(settings.maxMillis, base * 2 ** Math.min(quick, 32))",
    replace: "return base * 2 ** Math.min(quick, 32)",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-backoff-flat",
    promise: "each quick reconnection in a row waits twice as long as the one before",
    file: `${core}EventStream.ts`,
    find: "return Math.min(settings.maxMillis, base * 2 ** Math.min(quick, 32))",
    replace: "return Math.min(settings.maxMillis, base)",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-count-resets-on-events",
    promise: "a connection that brings events but breaks at once does not start the reconnect count again",
    file: `${core}EventStream.ts`,
    find: "now - openedAt >= settings.resetAfterMillis ? 0 : quick",
    replace: "now - openedAt >= 0 ? 0 : quick",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-count-never-resets",
    promise: "a connection that stayed open reconnectResetAfter starts the reconnect count again",
    file: `${core}EventStream.ts`,
    find: "now - openedAt >= settings.resetAfterMillis ? 0 : quick",
    replace: "quick",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-pending-event-unbounded",
    promise: "data lines without a blank line fail with TooLarge at maxResponseBytes, not grow without bound",
    file: `${core}EventStream.ts`,
    find: "if (this.size > this.maxChars) return tooLarge",
    replace: "",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-id-not-encoded",
    promise: "a non-ASCII event id is sent as UTF-8 bytes, and the stream resumes",
    file: `${core}EventStream.ts`,
    find: "if (printableAscii.test(id)) return id",
    replace: "return id",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "sse-id-control-sent",
    promise: "an event id with a control character is left out of Last-Event-ID, with a warning",
    file: `${core}EventStream.ts`,
    find: "if (unsendable.test(id)) return undefined",
    replace: "",
    tests: [...coreTests("Streams"), ...client("Sse"), ...client4("Sse")]
  },
  {
    id: "raw-stream-replayable",
    promise: "a ReadableStream body is never sent twice",
    file: `${src}body.ts`,
    find: "body._tag === \"Stream\" || (body._tag === \"Raw\" && !isReplayableValue(body.body))",
    replace: "body._tag === \"Stream\"",
    tests: client("Uploads")
  },
  {
    id: "global-formdata-passed-through",
    promise: "the global FormData is sent on the fast path",
    file: `${src}undiciBody.ts`,
    find: "case \"FormData\":\n      return { body: toUndiciFormData(body.formData) }",
    replace: "case \"FormData\":\n      return { body: body.formData as never }",
    tests: client("Uploads")
  },
  {
    id: "page-past-short-page",
    promise: "an offset listing stops at a page shorter than pageSize",
    file: `${src}pagination.ts`,
    find: "if (items === 0 || (pageSize !== undefined && items < pageSize)) return undefined",
    replace: "if (items === 0) return undefined",
    tests: client("Pagination")
  },
  {
    id: "pages-beyond-limit",
    promise: "a listing longer than maxPages fails instead of ending as if complete",
    file: `${src}pagination.ts`,
    find: "if (step.index >= maxPages) {",
    replace: "if (step.index >= maxPages + 1) {",
    tests: client("Pagination")
  }
])

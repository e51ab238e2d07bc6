import { area, client, src } from "./types.js"

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
    file: `${src}sse.ts`,
    find: "if (!value.includes(\"\\u0000\")) this.idBuffer = value",
    replace: "if (!value.includes(\"\\u0000\")) this.idBuffer = this.state.lastEventId = value",
    tests: client("Sse")
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

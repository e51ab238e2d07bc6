import { Redis as IORedis } from "ioredis"
import { describe, expect, it } from "vitest"

describe("the driver", () => {
  // the project `redis-effect3` runs the suite on ioredis 6, `redis-effect3-ioredis5` on 5
  it("the suite runs on the ioredis major its project names (6, or 5 for redis-effect3-ioredis5)", () => {
    const client = new IORedis({ lazyConnect: true })
    try {
      // ioredis 6 speaks RESP3 unless told otherwise; 5 has no such option
      const protocol = (client.options as { readonly protocol?: number }).protocol
      expect(protocol).toBe(process.env.STEADY_IOREDIS_MAJOR === "5" ? undefined : 3)
    } finally {
      client.disconnect()
    }
  })
})

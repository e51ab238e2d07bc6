import { describe, expect, it } from "vitest"
import * as Gcra from "../src/Gcra.js"

describe("Gcra", () => {
  it("a burst goes through at once, then one permit each emission interval", () => {
    const rate = { emissionMillis: 100, burst: 3 }
    let tat = 0
    const waits: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const r = Gcra.take(tat, rate, 1000, Infinity)
      expect(r.granted).toBe(true)
      waits.push(r.waitMillis)
      tat = r.tat
    }
    expect(waits).toEqual([0, 0, 0, 100, 200])
    // time passing refills the burst
    expect(Gcra.take(tat, rate, 1500 + 200, Infinity)).toMatchObject({ granted: true, waitMillis: 0 })
  })

  it("a permit that would wait past maxWait is refused, says how long, and leaves the state as it was", () => {
    const rate = { emissionMillis: 1000, burst: 1 }
    const first = Gcra.take(0, rate, 0, 0)
    expect(first).toEqual({ granted: true, waitMillis: 0, tat: 1000 })
    expect(Gcra.take(first.tat, rate, 0, 999)).toEqual({ granted: false, waitMillis: 1000, tat: 1000 })
    // exactly maxWait is granted
    expect(Gcra.take(first.tat, rate, 0, 1000)).toEqual({ granted: true, waitMillis: 1000, tat: 2000 })
  })

  it("after a pause the first permit comes at its end, the next ones at the rate (no burst), never earlier", () => {
    const rate = { emissionMillis: 100, burst: 5 }
    const tat = Gcra.pause(0, rate, 10_000)
    expect(Gcra.take(tat, rate, 9_000, Infinity).waitMillis).toBe(1000)
    expect(Gcra.take(tat, rate, 10_000, Infinity)).toMatchObject({ granted: true, waitMillis: 0 })
    const next = Gcra.take(tat, rate, 10_000, Infinity)
    expect(Gcra.take(next.tat, rate, 10_000, Infinity).waitMillis).toBe(100)
    // a pause that ends before the state's own next permit changes nothing
    expect(Gcra.pause(50_000, rate, 10_000)).toBe(50_000)
  })

  it("the memory store keeps the keys in use, not every key ever seen", () => {
    const memory = new Gcra.Memory()
    const slow = { emissionMillis: 10_000, burst: 1 }
    expect(memory.take("hot", slow, 0, 0)).toMatchObject({ granted: true })
    // 5000 keys, each used once: its state is past 10 ms later, as good as none
    for (let i = 0; i < 5000; i++) memory.take(`k${i}`, { emissionMillis: 10, burst: 1 }, i, 0)
    expect(memory.size).toBeLessThan(1024)
    expect(memory.take("hot", slow, 5000, 0)).toMatchObject({ granted: false, waitMillis: 5000 })
    expect(memory.take("k0", { emissionMillis: 10, burst: 1 }, 5000, 0)).toMatchObject({
      granted: true,
      waitMillis: 0
    })
    // a refusal is not stored; a pause is
    memory.pause("paused", slow, 100_000)
    expect(memory.take("paused", slow, 5000, 0)).toMatchObject({ granted: false, waitMillis: 95_000 })
  })

  it("a sweeping map drops only stale entries, once it has doubled since the last sweep", () => {
    const map = new Gcra.SweepingMap<string, number>(4)
    const stale = (v: number) => v < 0
    map.set("a", -1, stale)
    map.set("b", 1, stale)
    map.set("c", -1, stale)
    expect(map.map.size).toBe(3)
    map.set("d", 1, stale) // 4 entries: swept, 2 live left, next sweep at 4
    expect([...map.map.keys()]).toEqual(["b", "d"])
    map.set("e", 1, stale)
    map.set("f", 1, stale) // 4 live: none stale, next sweep at 8
    expect(map.map.size).toBe(4)
    for (let i = 0; i < 3; i++) map.set(`x${i}`, -1, stale)
    expect(map.map.size).toBe(7)
    map.set("g", 1, stale)
    expect([...map.map.keys()]).toEqual(["b", "d", "e", "f", "g"])
  })
})

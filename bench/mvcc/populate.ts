// Fills a store through its own put path (never raw inserts), fast: durability 'relaxed' (no
// fsync per commit) and many puts in flight, so group commit writes big batches. Keys are
// benchKey('pop', i), values 256 random bytes from the seeded pool.
import { openStore } from '../../src/index.js'
import { benchKey, valuePool } from '../support/rng.js'

const values = valuePool(1024, 256, 0x9e3779b9)

/** Puts keys [from, to) into the store at path, then closes it. Returns puts per second. */
export async function populate(path: string, from: number, to: number, inFlight = 512): Promise<number> {
  const store = await openStore({ path, durability: 'relaxed' })
  const start = performance.now()
  try {
    let next = from
    const loop = async (): Promise<void> => {
      while (next < to) {
        const i = next++
        await store.put(benchKey('pop', i), values[i % values.length] as Buffer) // modulo keeps it in range
      }
    }
    await Promise.all(Array.from({ length: inFlight }, loop))
  } finally {
    await store.close()
  }
  return ((to - from) / (performance.now() - start)) * 1000
}

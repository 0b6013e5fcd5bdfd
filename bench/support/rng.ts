// Seeded randomness: every run writes the same values and reads the same keys, so two runs differ
// only by the machine. mulberry32: tiny, fast, good enough for picking keys and filling values.

export const SEED = 0x5eed_e7c4

export function rng(seed: number = SEED): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * `count` random values of `bytes` bytes each. Benchmarks cycle through a pool rather than draw
 * fresh bytes per put, so value generation costs nothing inside the timed loop (same for store
 * and raw SQLite). 256-byte values do not compress, and the pool is larger than one batch.
 */
export function valuePool(count: number, bytes: number, seed: number = SEED): Buffer[] {
  const next = rng(seed)
  return Array.from({ length: count }, () => {
    const b = Buffer.allocUnsafe(bytes)
    for (let i = 0; i < bytes; i++) b[i] = Math.floor(next() * 256)
    return b
  })
}

/** Distinct keys that sort like their number: `/bench/<prefix>/000000042`. */
export function benchKey(prefix: string, i: number): Buffer {
  return Buffer.from(`/bench/${prefix}/${String(i).padStart(9, '0')}`)
}

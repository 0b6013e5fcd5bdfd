// Point gets, store.get(key), against the same read by hand through better-sqlite3: the live row
// joined to its log row, on the same file, with the same pragmas, on a second connection.
//
// Estimate: a point get is two B-tree descents (live by key, log by rowid) of depth 3-4 that hit
// the page cache, ~2-5 us of SQLite work, all in memory (nothing to fsync). The store adds request
// checks, building the range SQL text to find its cached statement, a params object, the row
// mapping and an async function's promise (awaited by the caller): ~2-4 us. So >= 0.5x raw is
// the target and ~0.5-0.7x the expectation. Against etcd (~5.5k gets/s over gRPC, 64 in flight,
// reference/etcd-baseline.md) either should be ~20-50x faster.
//
// tinybench fits here (one call at a time, microseconds each). Both tasks run in one Bench per
// round, order swapped each round, and the ratio is the median over rounds of raw p50 / store
// p50, i.e. store throughput as a fraction of raw.
import { Bench } from 'tinybench'
import { openStore } from '../../src/index.js'
import { openRaw, rawGetter } from '../log/raw-sqlite.js'
import { rng } from '../support/rng.js'
import { benchKey } from '../support/rng.js'
import { median, summarize, type LatencySummary } from '../support/stats.js'

export interface GetBenchOptions {
  /** A store populated with benchKey('pop', i) for i in [0, keyCount). */
  path: string
  keyCount: number
  rounds: number
  timeMs: number
  warmupMs: number
}

export interface GetResult {
  keyCount: number
  storeTask: string
  rawTask: string
  store: LatencySummary
  raw: LatencySummary
  /** Median over rounds of raw p50 / store p50 (store speed as a fraction of raw). */
  ratio: number
}

/** Keys read, in order: a seeded random sample of the populated keys, the same for both tasks. */
function sampleKeys(keyCount: number, n: number): Buffer[] {
  const next = rng(keyCount)
  return Array.from({ length: n }, () => benchKey('pop', Math.floor(next() * keyCount)))
}

export async function runGetBench(o: GetBenchOptions): Promise<GetResult> {
  const store = await openStore({ path: o.path, durability: 'strict' })
  const db = openRaw(o.path, 'strict')
  const rawGet = rawGetter(db)
  const keys = sampleKeys(o.keyCount, 4096)
  const storeTask = `get/keys=${o.keyCount}/store`
  const rawTask = `get/keys=${o.keyCount}/raw`
  const samples = { store: [] as number[], raw: [] as number[] }
  const ratios: number[] = []
  try {
    let si = 0
    let ri = 0
    const tasks = {
      [storeTask]: async () => {
        const kv = await store.get(keys[si++ % keys.length] as Buffer) // modulo keeps it in range
        if (kv === undefined) throw new Error('bench: a populated key is missing')
      },
      [rawTask]: () => {
        if (rawGet(keys[ri++ % keys.length] as Buffer) === undefined) throw new Error('bench: a populated key is missing')
      },
    }
    for (let round = 0; round < o.rounds; round++) {
      const bench = new Bench({ time: o.timeMs, warmupTime: o.warmupMs, iterations: 16, throws: true })
      const order = round % 2 === 0 ? [storeTask, rawTask] : [rawTask, storeTask]
      for (const name of order) bench.add(name, tasks[name] as () => unknown)
      await bench.run()
      const s = bench.getTask(storeTask)?.result?.latency
      const r = bench.getTask(rawTask)?.result?.latency
      if (s?.p50 === undefined || r?.p50 === undefined) throw new Error('bench: a get task has no result')
      // push(...xs) overflows the stack past ~100k samples.
      for (const x of s.samples) samples.store.push(x)
      for (const x of r.samples) samples.raw.push(x)
      ratios.push(r.p50 / s.p50)
    }
  } finally {
    db.close()
    await store.close()
  }
  return {
    keyCount: o.keyCount,
    storeTask,
    rawTask,
    store: summarize(samples.store),
    raw: summarize(samples.raw),
    ratio: median(ratios),
  }
}

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
// With etcd (when installed, holding the same keys): a third task, a linearizable gRPC Range of
// one key, one at a time from this process: a loopback round trip plus a raft read index
// (~150-400 us on these cores), so the store should be ~30-100x faster one call at a time.
//
// tinybench fits here (one call at a time, microseconds each). All tasks run in one Bench per
// round, order rotated each round, and the ratio is the median over rounds of raw p50 / store
// p50, i.e. store throughput as a fraction of raw (and etcd p50 / store p50 for etcd).
import { Bench } from 'tinybench'
import { openStore } from '../../src/index.js'
import { openRaw, rawGetter } from '../log/raw-sqlite.js'
import type { EtcdClient } from '../support/etcd.js'
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
  /** etcd holding benchKey('pop', i) for every i in [0, keyCount) at least. */
  etcd?: EtcdClient
}

export interface EtcdGetResult {
  task: string
  latency: LatencySummary
  /** Median over rounds of etcd p50 / store p50 (how many times faster the store is). */
  ratio: number
}

export interface GetResult {
  keyCount: number
  storeTask: string
  rawTask: string
  store: LatencySummary
  raw: LatencySummary
  /** Median over rounds of raw p50 / store p50 (store speed as a fraction of raw). */
  ratio: number
  etcd?: EtcdGetResult
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
  const etcdTask = `get/keys=${o.keyCount}/etcd`
  const samples = { store: [] as number[], raw: [] as number[], etcd: [] as number[] }
  const ratios: number[] = []
  const etcdRatios: number[] = []
  const etcd = o.etcd
  try {
    let si = 0
    let ri = 0
    let ei = 0
    const tasks: Record<string, () => unknown> = {
      [storeTask]: async () => {
        const kv = await store.get(keys[si++ % keys.length] as Buffer) // modulo keeps it in range
        if (kv === undefined) throw new Error('bench: a populated key is missing')
      },
      [rawTask]: () => {
        if (rawGet(keys[ri++ % keys.length] as Buffer) === undefined) throw new Error('bench: a populated key is missing')
      },
    }
    const names = [storeTask, rawTask]
    if (etcd !== undefined) {
      names.push(etcdTask)
      tasks[etcdTask] = async () => {
        const r = await etcd.range({ key: keys[ei++ % keys.length] as Buffer }) // modulo keeps it in range
        if (r.kvs.length !== 1) throw new Error('bench: a populated key is missing from etcd')
      }
    }
    for (let round = 0; round < o.rounds; round++) {
      const bench = new Bench({ time: o.timeMs, warmupTime: o.warmupMs, iterations: 16, throws: true })
      const order = names.map((_, j) => names[(j + round) % names.length] as string) // index < length
      for (const name of order) bench.add(name, tasks[name] as () => unknown)
      await bench.run()
      const s = bench.getTask(storeTask)?.result?.latency
      const r = bench.getTask(rawTask)?.result?.latency
      if (s?.p50 === undefined || r?.p50 === undefined) throw new Error('bench: a get task has no result')
      // push(...xs) overflows the stack past ~100k samples.
      for (const x of s.samples) samples.store.push(x)
      for (const x of r.samples) samples.raw.push(x)
      ratios.push(r.p50 / s.p50)
      const e = bench.getTask(etcdTask)?.result?.latency
      if (etcd !== undefined && e?.p50 === undefined) throw new Error('bench: the etcd get task has no result')
      if (e?.p50 !== undefined) {
        for (const x of e.samples) samples.etcd.push(x)
        etcdRatios.push(e.p50 / s.p50)
      }
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
    ...(etcd === undefined ? {} : { etcd: { task: etcdTask, latency: summarize(samples.etcd), ratio: median(etcdRatios) } }),
  }
}

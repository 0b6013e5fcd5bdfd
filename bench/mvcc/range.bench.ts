// Range / list of a whole prefix of N keys with 256-byte values: store.range against the same rows
// read by hand through better-sqlite3 (live joined to log by id, as src/log/range-sql.ts does for
// the current state) on a second connection to the same file, same pragmas (as get.bench.ts).
//
// Variants, each as store and raw:
// - full: every key with its value, one call.
// - keysOnly: the live index alone, no join to log, no values.
// - countOnly: count(*) over the live index.
// - paginated list: limit 500, each page starting just after the last key of the previous one
//   (the Kubernetes list pattern), until `more` is false.
//
// Estimate for N = 10,000: the join walks the live index in key order and seeks each log row by
// id: ~1-1.5 us per row in SQLite plus building a JS row object with a 256-byte Buffer (~1-3 us
// on these loaded cores), so raw full ~20-45 ms. The store adds per row the KeyValue mapping and per call the request
// checks and a count(*) (~0.1 us per row, the live index only), so ~0.7-0.9x raw. keysOnly skips
// the join and the value copies: ~2-3x faster than full for both. countOnly is one index scan,
// ~0.3-1 ms, where the store's fixed cost is negligible. The paginated list runs 20 pages of 500:
// the same rows as full plus 20 seeks and 20 calls (and for the store 20 count(*)s over the rest
// of the prefix, which is why pagination costs the store more than raw).
//
// With etcd (when installed and holding the same N keys): each variant as a gRPC Range over
// loopback. etcd walks its in-memory index, reads each value from bbolt and sends ~3 MB for the
// full range, which the client decodes: expect ~20-60 ms for full (~1x-2x the store), ~10-30 ms for
// keysOnly, ~1-3 ms for countOnly (etcd still walks the index), and pagination at ~20 round trips.
//
// tinybench (one call at a time, milliseconds each); store, raw (and etcd) of one variant run in
// the same Bench per round, order rotated each round; ratio = median over rounds of raw p50 /
// store p50 (and etcd p50 / store p50).
import { Bench } from 'tinybench'
import type Database from 'better-sqlite3'
import { openStore, type Store } from '../../src/index.js'
import { openRaw } from '../log/raw-sqlite.js'
import type { EtcdClient } from '../support/etcd.js'
import { median, summarize, type LatencySummary } from '../support/stats.js'

export const PAGE_LIMIT = 500

export interface RangeBenchOptions {
  /** A store populated with benchKey('pop', i) for i in [0, keyCount), and nothing else. */
  path: string
  keyCount: number
  rounds: number
  timeMs: number
  warmupMs: number
  /** etcd holding exactly the same keys under the same prefix. */
  etcd?: EtcdClient
}

export interface RangeRow {
  variant: string
  storeTask: string
  rawTask: string
  store: LatencySummary
  raw: LatencySummary
  /** Median over rounds of raw p50 / store p50 (store speed as a fraction of raw). */
  ratio: number
  /** Present when etcd ran; ratio = median over rounds of etcd p50 / store p50. */
  etcd?: { task: string; latency: LatencySummary; ratio: number }
}

export interface RangeResult {
  keyCount: number
  rows: RangeRow[]
}

const PREFIX = '/bench/pop/'
// The prefix's end: the last byte '/' + 1.
const START = Buffer.from(PREFIX)
const END = Buffer.from('/bench/pop0')

interface Variant {
  name: string
  store: (s: Store) => Promise<number>
  raw: () => number
  etcd: (c: EtcdClient) => Promise<number>
}

function variants(db: Database.Database, keyCount: number): Variant[] {
  const full = db.prepare(
    `SELECT l.key, l.mod_rev, l.create_rev, l.version, l.lease, g.value
     FROM live l JOIN log g ON g.id = l.id WHERE l.key >= ? AND l.key < ? ORDER BY l.key`,
  )
  const page = db.prepare(
    `SELECT l.key, l.mod_rev, l.create_rev, l.version, l.lease, g.value
     FROM live l JOIN log g ON g.id = l.id WHERE l.key >= ? AND l.key < ? ORDER BY l.key LIMIT ?`,
  )
  const keys = db.prepare('SELECT key, mod_rev, create_rev, version, lease FROM live WHERE key >= ? AND key < ? ORDER BY key')
  const count = db.prepare('SELECT count(*) FROM live WHERE key >= ? AND key < ?').pluck()
  const afterKey = (key: Uint8Array): Buffer => Buffer.concat([key, Buffer.of(0)])
  return [
    {
      name: 'full',
      store: async (s) => (await s.range({ key: START, rangeEnd: END })).kvs.length,
      raw: () => full.all(START, END).length,
      etcd: async (c) => (await c.range({ key: START, rangeEnd: END })).kvs.length,
    },
    {
      name: 'keysOnly',
      store: async (s) => (await s.range({ key: START, rangeEnd: END, keysOnly: true })).kvs.length,
      raw: () => keys.all(START, END).length,
      etcd: async (c) => (await c.range({ key: START, rangeEnd: END, keysOnly: true })).kvs.length,
    },
    {
      name: 'countOnly',
      store: async (s) => (await s.range({ key: START, rangeEnd: END, countOnly: true })).count,
      raw: () => count.get(START, END) as number,
      etcd: async (c) => (await c.range({ key: START, rangeEnd: END, countOnly: true })).count,
    },
    {
      name: `paginated/limit=${PAGE_LIMIT}`,
      store: async (s) => {
        let n = 0
        let from: Uint8Array = START
        for (;;) {
          const r = await s.range({ key: from, rangeEnd: END, limit: PAGE_LIMIT })
          n += r.kvs.length
          const last = r.kvs[r.kvs.length - 1]
          if (!r.more || last === undefined) return n
          from = afterKey(last.key)
        }
      },
      raw: () => {
        let n = 0
        let from: Buffer = START
        for (;;) {
          const rows = page.all(from, END, PAGE_LIMIT) as { key: Buffer }[]
          n += rows.length
          const last = rows[rows.length - 1]
          if (rows.length < PAGE_LIMIT || last === undefined || n === keyCount) return n
          from = afterKey(last.key)
        }
      },
      etcd: async (c) => {
        let n = 0
        let from: Uint8Array = START
        for (;;) {
          const r = await c.range({ key: from, rangeEnd: END, limit: PAGE_LIMIT })
          n += r.kvs.length
          const last = r.kvs[r.kvs.length - 1]
          if (!r.more || last === undefined) return n
          from = afterKey(last.key)
        }
      },
    },
  ]
}

export async function runRangeBench(o: RangeBenchOptions): Promise<RangeResult> {
  const store = await openStore({ path: o.path, durability: 'strict' })
  const db = openRaw(o.path, 'strict')
  const rows: RangeRow[] = []
  try {
    for (const v of variants(db, o.keyCount)) {
      const storeTask = `range/keys=${o.keyCount}/${v.name}/store`
      const rawTask = `range/keys=${o.keyCount}/${v.name}/raw`
      const etcdTask = `range/keys=${o.keyCount}/${v.name}/etcd`
      const check = (n: number): void => {
        if (n !== o.keyCount) throw new Error(`bench: ${v.name} saw ${n} keys, expected ${o.keyCount}`)
      }
      const etcd = o.etcd
      const tasks: Record<string, () => unknown> = {
        [storeTask]: async () => check(await v.store(store)),
        [rawTask]: () => check(v.raw()),
      }
      const names = [storeTask, rawTask]
      if (etcd !== undefined) {
        names.push(etcdTask)
        tasks[etcdTask] = async () => check(await v.etcd(etcd))
      }
      const samples = { store: [] as number[], raw: [] as number[], etcd: [] as number[] }
      const ratios: number[] = []
      const etcdRatios: number[] = []
      for (let round = 0; round < o.rounds; round++) {
        const bench = new Bench({ time: o.timeMs, warmupTime: o.warmupMs, iterations: 8, throws: true })
        const order = names.map((_, j) => names[(j + round) % names.length] as string) // index < length
        for (const name of order) bench.add(name, tasks[name] as () => unknown)
        await bench.run()
        const s = bench.getTask(storeTask)?.result?.latency
        const r = bench.getTask(rawTask)?.result?.latency
        if (s?.p50 === undefined || r?.p50 === undefined) throw new Error('bench: a range task has no result')
        for (const x of s.samples) samples.store.push(x)
        for (const x of r.samples) samples.raw.push(x)
        ratios.push(r.p50 / s.p50)
        const e = bench.getTask(etcdTask)?.result?.latency
        if (etcd !== undefined && e?.p50 === undefined) throw new Error('bench: an etcd range task has no result')
        if (e?.p50 !== undefined) {
          for (const x of e.samples) samples.etcd.push(x)
          etcdRatios.push(e.p50 / s.p50)
        }
      }
      const row: RangeRow = { variant: v.name, storeTask, rawTask, store: summarize(samples.store), raw: summarize(samples.raw), ratio: median(ratios) }
      if (etcd !== undefined) row.etcd = { task: etcdTask, latency: summarize(samples.etcd), ratio: median(etcdRatios) }
      rows.push(row)
    }
  } finally {
    db.close()
    await store.close()
  }
  return { keyCount: o.keyCount, rows }
}

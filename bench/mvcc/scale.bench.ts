// Put and get latency as the store grows: 10k -> 100k -> 1M keys (sizes are a flag). One store
// file grows through the sizes, always filled through the store itself (populate.ts).
//
// Estimate: both paths are B-tree descents, so cost grows with depth, log_fanout(N): at ~100 live
// entries per 4 KiB page that is depth 2 -> 3 -> 3-4 from 10k to 1M, a few microseconds at most.
// A get stays in memory (page cache 64 MiB plus the OS cache; 1M keys is ~400 MB of file, so at
// 1M some pages come from the OS cache, ~1 us each). A strict put is dominated by its fsync
// (0.2-0.45 ms); new keys land at random places in the live and log_key_rev B-trees, so each put
// dirties ~3-5 pages wherever the key falls, not one more per level. Expect flat put p50
// (fsync-bound) and get p50 within ~1.5x from 10k to 1M; p99 is fsync and neighbour noise.
//
// tinybench fits: one put at a time (awaited) and one get at a time.
import { Bench } from 'tinybench'
import { openStore } from '../../src/index.js'
import { openRaw, RawPutter } from '../log/raw-sqlite.js'
import { runGetBench, type GetResult } from './get.bench.js'
import { populate } from './populate.js'
import type { EtcdClient } from '../support/etcd.js'
import { benchKey, rng, valuePool } from '../support/rng.js'
import { summarize, type LatencySummary } from '../support/stats.js'
import { tempDir } from '../support/temp.js'

export interface ScaleBenchOptions {
  sizes: readonly number[]
  putTimeMs: number
  getTimeMs: number
  getRounds: number
  warmupMs: number
  /** etcd holding the pop keys [0, keyCount): its gets join the smallest size that fits. */
  etcd?: { client: EtcdClient; keyCount: number }
}

export interface ScaleRow {
  keyCount: number
  populateOpsPerSec: number
  putTask: string
  put: LatencySummary
  /** Raw 'same-rows' 1-row transactions on a small file, run right after: the fsync weather. */
  rawPutTask: string
  rawPut: LatencySummary
  get: GetResult
}

const values = valuePool(1024, 256, 0x51a1e)

/**
 * Strict puts, one at a time, each on a new key next to a random populated key; then, in the
 * same Bench, raw 'same-rows' 1-row transactions on a small separate file. The machine's fsync
 * time drifts by 2-5x between minutes, so the raw figure says how much of a change across sizes
 * is the disk and how much the store.
 */
async function putLatency(
  path: string,
  refPath: string,
  keyCount: number,
  o: ScaleBenchOptions,
  tasks: { store: string; raw: string },
): Promise<{ store: LatencySummary; raw: LatencySummary }> {
  const store = await openStore({ path, durability: 'strict' })
  const db = openRaw(refPath, 'strict')
  const raw = new RawPutter(db, 'same-rows')
  const next = rng(keyCount ^ 0x7075)
  let i = 0
  try {
    const bench = new Bench({ time: o.putTimeMs, warmupTime: o.warmupMs, iterations: 16, throws: true })
    bench.add(tasks.store, async () => {
      const near = benchKey('pop', Math.floor(next() * keyCount))
      const n = i++
      await store.put(Buffer.concat([near, Buffer.from(`/put-${n}`)]), values[n % values.length])
    })
    bench.add(tasks.raw, () => {
      const n = i++
      raw.putBatch([benchKey(`ref-${keyCount}`, n)], () => values[n % values.length] as Buffer) // modulo keeps it in range
    })
    await bench.run()
    const result = (task: string): LatencySummary => {
      const samples = bench.getTask(task)?.result?.latency.samples
      if (samples === undefined) throw new Error(`bench: ${task} has no result`)
      return summarize(samples)
    }
    return { store: result(tasks.store), raw: result(tasks.raw) }
  } finally {
    db.close()
    await store.close()
  }
}

export async function runScaleBench(o: ScaleBenchOptions, progress: (line: string) => void = () => {}): Promise<ScaleRow[]> {
  const dir = tempDir()
  const path = dir.file('scale.db')
  const rows: ScaleRow[] = []
  try {
    let populated = 0
    let etcdDone = false
    for (const keyCount of [...o.sizes].sort((a, b) => a - b)) {
      const populateOpsPerSec = await populate(path, populated, keyCount)
      populated = keyCount
      progress(`  populated ${keyCount} keys (${Math.round(populateOpsPerSec)} relaxed puts/s)`)
      const putTask = `put/strict/writers=1/keys=${keyCount}`
      const rawPutTask = `put/strict/writers=1/raw-same-rows/reference-for-keys=${keyCount}`
      const put = await putLatency(path, dir.file('reference.db'), keyCount, o, { store: putTask, raw: rawPutTask })
      // etcd is populated once, at one size: its gets run at the smallest size it holds.
      const etcd = !etcdDone && o.etcd !== undefined && keyCount <= o.etcd.keyCount ? o.etcd.client : undefined
      if (etcd !== undefined) etcdDone = true
      const get = await runGetBench({ path, keyCount, rounds: o.getRounds, timeMs: o.getTimeMs, warmupMs: o.warmupMs, ...(etcd === undefined ? {} : { etcd }) })
      rows.push({ keyCount, populateOpsPerSec, putTask, put: put.store, rawPutTask, rawPut: put.raw, get })
    }
    return rows
  } finally {
    dir.remove()
  }
}

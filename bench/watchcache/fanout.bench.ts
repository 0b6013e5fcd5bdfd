// Watch fan-out: N watchers on one prefix while writers put steadily under it.
//
// Estimate (2 shared cores): a commit's matching events are found once per distinct range and
// handed to each watcher as one shared frozen array, so fan-out costs one push and one promise
// wake-up per watcher per commit (~1-2 us with the for-await continuation), independent of the
// events in the commit. With 64 puts in flight a commit holds ~50-100 puts, so at 1,000 watchers
// a commit costs ~1-2 ms of fan-out, which competes with the writer for the one event loop: the
// write rate drops until fan-out and commits share the CPU; deliveries/s = puts/s x watchers, so
// ~10-20k puts/s x 1,000 = 10-20 M deliveries/s if the writer keeps ~40% of the loop. Latency
// from ack to delivery is the fan-out of one commit (~1-2 ms at 1,000 watchers, ~10-20 ms at
// 10,000). An idle watcher holds a Watcher object, a pending promise and its closure: ~1-2 KB.
//
// Run alone: npx tsx --expose-gc bench/watchcache/fanout.bench.ts [--quick]
import { openStore, type Store, type Watcher } from '../../src/index.js'
import { benchKey, valuePool } from '../support/rng.js'
import { summarize, type LatencySummary } from '../support/stats.js'
import { tempDir } from '../support/temp.js'

export interface FanoutOptions {
  watchers: readonly number[]
  writers: number
  phaseMs: number
  /** Watchers whose deliveries are timed (all of them count deliveries). */
  sampled: number
  idleWatchers: number
}

export interface FanoutRow {
  watchers: number
  puts: number
  putsPerSec: number
  deliveries: number
  deliveriesPerSec: number
  /** Put acknowledged -> event delivered to a watcher's loop (negative: delivered before the ack). */
  ackToDelivered: LatencySummary
  /** put() called -> event delivered. */
  submitToDelivered: LatencySummary
}

export interface FanoutResult {
  rows: FanoutRow[]
  idleWatchers: number
  idleBytesPerWatcher: number
  idleTotalMiB: number
  gcExposed: boolean
}

export const quickFanout: FanoutOptions = { watchers: [10, 100], writers: 8, phaseMs: 200, sampled: 2, idleWatchers: 1_000 }
export const fullFanout: FanoutOptions = { watchers: [100, 1_000, 10_000], writers: 64, phaseMs: 3_000, sampled: 10, idleWatchers: 10_000 }

const values = valuePool(256, 128)
const KEYS = 1_000

async function consume(w: Watcher, onEvents: (count: number, revisions: readonly number[] | undefined) => void, timed: boolean): Promise<void> {
  for await (const r of w) {
    if (r.events.length === 0) continue
    onEvents(r.events.length, timed ? r.events.map((e) => e.kv.modRevision) : undefined)
  }
}

async function phase(store: Store, watchers: number, o: FanoutOptions): Promise<{ row: FanoutRow; loops: Array<Promise<void>> }> {
  const submitted = new Map<number, number>()
  const acked = new Map<number, number>()
  const delivered: Array<[number, number]> = [] // [revision, time]
  let deliveries = 0
  const loops: Array<Promise<void>> = []
  for (let i = 0; i < watchers; i++) {
    const timed = i < o.sampled
    const w = store.watch({ key: '/bench/fanout/', prefix: true })
    loops.push(
      consume(w, (count, revisions) => {
        deliveries += count
        if (revisions === undefined) return
        const now = performance.now()
        for (const rev of revisions) delivered.push([rev, now])
      }, timed),
    )
  }
  let puts = 0
  let stop = false
  const started = performance.now()
  const writer = async (id: number): Promise<void> => {
    for (let n = id; !stop; n += o.writers) {
      const t0 = performance.now()
      const { revision } = await store.put(benchKey('fanout', n % KEYS), values[n % values.length] as Buffer)
      const t1 = performance.now()
      submitted.set(revision, t0)
      acked.set(revision, t1)
      puts++
    }
  }
  const writing = Array.from({ length: o.writers }, (_, i) => writer(i))
  await new Promise<void>((resolve) => setTimeout(resolve, o.phaseMs))
  stop = true
  await Promise.all(writing)
  const elapsedMs = performance.now() - started
  const deliveredInPhase = deliveries
  // Let the watchers finish what is queued, then end them.
  store.requestProgress()
  await new Promise<void>((resolve) => setTimeout(resolve, 50))
  const ack: number[] = []
  const submit: number[] = []
  for (const [rev, t] of delivered) {
    const a = acked.get(rev)
    const s = submitted.get(rev)
    if (a !== undefined) ack.push(t - a)
    if (s !== undefined) submit.push(t - s)
  }
  const row: FanoutRow = {
    watchers,
    puts,
    putsPerSec: (puts * 1000) / elapsedMs,
    deliveries: deliveredInPhase,
    deliveriesPerSec: (deliveredInPhase * 1000) / elapsedMs,
    ackToDelivered: summarize(ack),
    submitToDelivered: summarize(submit),
  }
  return { row, loops }
}

async function idleMemory(count: number): Promise<{ bytesPerWatcher: number; gcExposed: boolean }> {
  const gc = (globalThis as { gc?: () => void }).gc
  const dir = tempDir()
  const store = await openStore({ path: dir.file('idle.db'), durability: 'relaxed' })
  try {
    store.watch({ key: '/warm/' }).cancel()
    gc?.()
    const before = process.memoryUsage().heapUsed
    const loops: Array<Promise<void>> = []
    for (let i = 0; i < count; i++) loops.push(consume(store.watch({ key: `/idle/${i % 100}/`, prefix: true }), () => {}, false))
    await new Promise<void>((resolve) => setImmediate(resolve))
    gc?.()
    const after = process.memoryUsage().heapUsed
    await store.close()
    await Promise.all(loops)
    return { bytesPerWatcher: (after - before) / count, gcExposed: gc !== undefined }
  } finally {
    await store.close()
    dir.remove()
  }
}

export async function runFanoutBench(o: FanoutOptions): Promise<FanoutResult> {
  const rows: FanoutRow[] = []
  for (const n of o.watchers) {
    const dir = tempDir()
    const store = await openStore({ path: dir.file('fanout.db'), durability: 'relaxed' })
    let loops: Array<Promise<void>> = []
    try {
      const p = await phase(store, n, o)
      rows.push(p.row)
      loops = p.loops
    } finally {
      await store.close() // ends every watcher ('store closed'), so their loops finish
      await Promise.all(loops)
      dir.remove()
    }
  }
  const idle = await idleMemory(o.idleWatchers)
  return {
    rows,
    idleWatchers: o.idleWatchers,
    idleBytesPerWatcher: idle.bytesPerWatcher,
    idleTotalMiB: (idle.bytesPerWatcher * o.idleWatchers) / (1024 * 1024),
    gcExposed: idle.gcExposed,
  }
}

const fmt = (x: number, d = 2): string => x.toFixed(d)

export function fanoutLines(r: FanoutResult): string[] {
  const lines = ['| task | puts/s | deliveries/s | ack->delivered p50 / p99 ms | submit->delivered p50 / p99 ms |', '|---|---|---|---|---|']
  for (const row of r.rows) {
    lines.push(
      `| watch/fanout/watchers=${row.watchers} | ${Math.round(row.putsPerSec)} | ${(row.deliveriesPerSec / 1e6).toFixed(2)} M | ${fmt(row.ackToDelivered.p50)} / ${fmt(row.ackToDelivered.p99)} | ${fmt(row.submitToDelivered.p50)} / ${fmt(row.submitToDelivered.p99)} |`,
    )
  }
  lines.push(`idle: ${r.idleWatchers} watchers, ${Math.round(r.idleBytesPerWatcher)} B each, ${fmt(r.idleTotalMiB, 1)} MiB in all (gc ${r.gcExposed ? 'exposed' : 'not exposed: run with --expose-gc'})`)
  return lines
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runFanoutBench(process.argv.includes('--quick') ? quickFanout : fullFanout)
  console.log(fanoutLines(result).join('\n'))
}

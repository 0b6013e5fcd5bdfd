// The read path (issue 12, docs/read-path.md): consistent reads (resourceVersion "") served from
// the watch cache once it has reached the store's revision, against the KV get they must not be
// slower than, and against the store path they fall back to; and how long the event loop stalls
// while consistent lists of every Pod run beside 1,000 watchers fed by 64 writes in flight.
//
// Estimate (2 shared cores): a consistent cached get learns the head (one data_version pragma,
// ~1 us), checks the cache's revision, looks the key up in a Map and hands out the already
// decoded object: ~2-4 us, about a KV get without encryption (a prepared SELECT, ~3-5 us). A
// consistent list of 10,000 Pods walks a sorted array and reuses the decoded objects: ~1-3 ms; its
// first page of 500 well under 1 ms. The store fallback pays range + AES-GCM + decode per Pod,
// ~40 us x 10,000 = ~400 ms, now in slices of at most readSliceMs (10 ms) that yield between them,
// so the event loop's longest stall is a slice or a commit's fan-out (~1-2 ms at 1,000 watchers),
// not the whole list. The cache's first load is sliced the same way.
//
// Run alone: npx tsx bench/objects/read-path.bench.ts [--quick]
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Bench } from 'tinybench'
import { createReadPool, openStore, ObjectStore, codec, encryption, systemClock, type ReadPool, type Store, type Watcher, type ObjectKv } from '../../src/index.js'
import { valuePool } from '../support/rng.js'
import { median, summarize, type LatencySummary } from '../support/stats.js'
import { tempDir } from '../support/temp.js'
import { benchPod } from './pod-fixture.js'

export interface ReadPathOptions {
  pods: number
  rounds: number
  timeMs: number
  warmupMs: number
  /** The stall phase: watchers, writes in flight, and its length per read mode. */
  watchers: number
  writers: number
  phaseMs: number
}

export const quickReadPath: ReadPathOptions = { pods: 300, rounds: 1, timeMs: 30, warmupMs: 5, watchers: 100, writers: 8, phaseMs: 200 }
export const fullReadPath: ReadPathOptions = { pods: 10_000, rounds: 3, timeMs: 1000, warmupMs: 200, watchers: 1_000, writers: 64, phaseMs: 3_000 }

export interface ReadPathRow {
  task: string
  latency: LatencySummary
  /** Median over rounds of p50 / the baseline's p50 (gets: the KV get; lists: the store fallback list). */
  vsBaseline: number
}

export interface StallRow {
  mode: string
  lists: number
  listP50Ms: number
  puts: number
  /** Longest event-loop stall (monitorEventLoopDelay, 1 ms resolution). */
  loopMaxMs: number
  loopP99Ms: number
  ackToDelivered: LatencySummary
}

export interface ReadPathResults {
  pods: number
  rows: ReadPathRow[]
  /** The cache's first load of the state (sliced): how long until served, and the longest stall meanwhile. */
  firstLoad: { ms: number; loopMaxMs: number }
  stalls: StallRow[]
}

const prefix = '/registry/pods'
const key = (i: number): string => `${prefix}/default/${benchPod(i).metadata.name}`

/** An ObjectKv without the watch cache: every read takes the store path (the fallback). */
function storeOnly(store: Store): ObjectKv {
  return {
    get revision() {
      return store.revision
    },
    get compactRevision() {
      return store.compactRevision
    },
    get: (k, o) => store.get(k, o),
    range: (r) => store.range(r),
    txn: (t) => store.txn(t),
    leaseGrant: (ttl) => store.leaseGrant(ttl),
  }
}

async function untilLoaded(objects: ObjectStore, store: Store): Promise<void> {
  await objects.get(key(0))
  while (store.watchCacheStatus.stateKeys === 0) {
    await new Promise<void>((resolve) => setImmediate(resolve))
    await objects.get(key(0))
  }
}

async function pairedTasks(o: ReadPathOptions, tasks: Record<string, () => Promise<unknown>>, baselineOf: (task: string) => string): Promise<ReadPathRow[]> {
  const names = Object.keys(tasks)
  const samples = new Map<string, number[]>(names.map((n) => [n, []]))
  const ratios = new Map<string, number[]>(names.map((n) => [n, []]))
  for (let round = 0; round < o.rounds; round++) {
    const bench = new Bench({ time: o.timeMs, warmupTime: o.warmupMs, iterations: 5, throws: true })
    // Rotated per round, so a noisy moment does not land on one task only.
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + round) % names.length] as string // index < length
      bench.add(name, tasks[name] as () => Promise<void>)
    }
    await bench.run()
    for (const name of names) {
      const latency = bench.getTask(name)?.result?.latency
      const base = bench.getTask(baselineOf(name))?.result?.latency.p50
      if (latency?.p50 === undefined || base === undefined) throw new Error(`bench: ${name} has no result`)
      for (const x of latency.samples) samples.get(name)?.push(x)
      ratios.get(name)?.push(latency.p50 / base)
    }
  }
  return names.map((task) => ({ task, latency: summarize(samples.get(task) ?? []), vsBaseline: median(ratios.get(task) ?? []) }))
}

/** Consistent lists in a loop beside `watchers` watchers fed by `writers` puts in flight. */
async function stallPhase(store: Store, list: () => Promise<unknown>, mode: string, o: ReadPathOptions): Promise<StallRow> {
  const values = valuePool(64, 1024)
  const acked = new Map<number, number>()
  const delivered: Array<[number, number]> = []
  const watchers: Watcher[] = []
  const loops: Array<Promise<void>> = []
  for (let i = 0; i < o.watchers; i++) {
    const w = store.watch({ key: '/bench/read-path/', prefix: true })
    watchers.push(w)
    const timed = i < 10
    loops.push(
      (async () => {
        for await (const r of w) {
          if (!timed) continue
          const now = performance.now()
          for (const e of r.events) delivered.push([e.kv.modRevision, now])
        }
      })(),
    )
  }
  const loop = monitorEventLoopDelay({ resolution: 1 })
  let stop = false
  let puts = 0
  const listMs: number[] = []
  const writer = async (id: number): Promise<void> => {
    for (let n = id; !stop; n += o.writers) {
      const { revision } = await store.put(`/bench/read-path/${n % 1000}`, values[n % values.length] as Buffer)
      acked.set(revision, performance.now())
      puts++
    }
  }
  const lister = async (): Promise<void> => {
    while (!stop) {
      const t0 = performance.now()
      await list()
      listMs.push(performance.now() - t0)
      // A cached list resolves without touching I/O: give the loop a turn, as a request from a socket would.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
  }
  loop.enable()
  // The histogram skips its first tick: let it have one before the work starts.
  await new Promise<void>((resolve) => setTimeout(resolve, 5))
  const work = [...Array.from({ length: o.writers }, (_, i) => writer(i)), lister()]
  await new Promise<void>((resolve) => setTimeout(resolve, o.phaseMs))
  stop = true
  await Promise.all(work)
  loop.disable()
  for (const w of watchers) w.cancel()
  await Promise.all(loops)
  const ack: number[] = []
  for (const [rev, t] of delivered) {
    const a = acked.get(rev)
    if (a !== undefined) ack.push(t - a)
  }
  return { mode, lists: listMs.length, listP50Ms: median(listMs), puts, loopMaxMs: loop.max / 1e6, loopP99Ms: loop.percentile(99) / 1e6, ackToDelivered: summarize(ack) }
}

export async function runReadPathBench(o: ReadPathOptions): Promise<ReadPathResults> {
  const dir = tempDir()
  const stores: Store[] = []
  let pool: ReadPool | undefined
  try {
    const config: encryption.EncryptionConfig = {
      resources: [{ prefixes: ['/registry/'], providers: [{ aesgcm: { keys: [{ name: 'bench', secret: encryption.SecretKey.generate() }] } }] }],
    }
    const transformer = encryption.createTransformer(config)
    const open = async (file: string, withEncryption: boolean): Promise<Store> => {
      const s = await openStore({ path: dir.file(file), durability: 'relaxed', ...(withEncryption ? { transformer } : {}) })
      stores.push(s)
      return s
    }
    const objectCodec = new codec.ObjectCodec(codec.defaultRegistry())
    let store = await open('read-path.db', true)
    let objects = new ObjectStore({ kv: store, codec: objectCodec, clock: systemClock })
    for (let i = 0; i < o.pods; i += 500) {
      const batch = Array.from({ length: Math.min(500, o.pods - i) }, (_, j) => benchPod(i + j))
      await Promise.all(batch.map((p) => objects.create(`${prefix}/default/${p.metadata.name}`, p)))
    }
    // A cold cache: reopen, then time the first (sliced) load while measuring the loop.
    await store.close()
    store = await open('read-path.db', true)
    objects = new ObjectStore({ kv: store, codec: objectCodec, clock: systemClock })
    const loadLoop = monitorEventLoopDelay({ resolution: 1 })
    loadLoop.enable()
    await new Promise<void>((resolve) => setTimeout(resolve, 5))
    const t0 = performance.now()
    await untilLoaded(objects, store)
    const firstLoad = { ms: performance.now() - t0, loopMaxMs: 0 }
    loadLoop.disable()
    firstLoad.loopMaxMs = loadLoop.max / 1e6
    await objects.list(prefix) // decodes every object once, as a server's first list would
    const fallback = new ObjectStore({ kv: storeOnly(store), codec: objectCodec, clock: systemClock })
    pool = createReadPool({ path: dir.file('read-path.db'), encryption: config, threads: 1 })
    const readPool = pool
    const offThread = new ObjectStore({ kv: storeOnly(store), codec: objectCodec, clock: systemClock, storeRange: (r) => readPool.range(r) })

    // The KV baseline: the same ~1 KiB values (as stored, without encryption) in a plain store.
    const plain = await open('plain.db', false)
    const stored = await store.range({ key: prefix, prefix: true, limit: o.pods })
    for (let i = 0; i < stored.kvs.length; i += 500) await Promise.all(stored.kvs.slice(i, i + 500).map((kv) => plain.put(kv.key, kv.value)))
    let n = 0
    const next = (): string => key(n++ % o.pods)
    const getKv = 'read-path/get/kv (no encryption)'
    const listStore = `read-path/list/pods=${o.pods}/store fallback (sliced)`
    const pageStore = `read-path/list/pods=${o.pods}/limit=500/store fallback`
    const expect = (want: number) => (r: { items: unknown[] }) => {
      if (r.items.length !== want) throw new Error(`bench: a list returned ${r.items.length} items, expected ${want}`)
    }
    const all = expect(o.pods)
    const page = expect(Math.min(500, o.pods))
    const tasks: Record<string, () => Promise<unknown>> = {
      [getKv]: () => plain.get(next()),
      'read-path/get/consistent (cache, encrypted pod)': () => objects.get(next()),
      'read-path/get/store fallback (encrypted pod)': () => fallback.get(next()),
      [`read-path/list/pods=${o.pods}/consistent (cache)`]: async () => all(await objects.list(prefix)),
      [`read-path/list/pods=${o.pods}/limit=500/consistent (cache, first page)`]: async () => page(await objects.list(prefix, { limit: 500 })),
      [listStore]: async () => all(await fallback.list(prefix)),
      [pageStore]: async () => page(await fallback.list(prefix, { limit: 500 })),
      [`read-path/list/pods=${o.pods}/store fallback on a worker thread`]: async () => all(await offThread.list(prefix)),
    }
    const rows = await pairedTasks(o, tasks, (t) => (t.includes('/get/') ? getKv : t.includes('limit=500') ? pageStore : listStore))
    const stalls = [
      await stallPhase(store, () => objects.list(prefix), 'consistent lists from the cache', o),
      await stallPhase(store, () => fallback.list(prefix), 'consistent lists from the store (fallback, sliced)', o),
      await stallPhase(store, () => offThread.list(prefix), 'consistent lists from the store on a worker thread', o),
    ]
    const stats = store.readPathStats()
    if (stats.cache.consistentHits === 0) throw new Error('bench: no consistent read was served by the cache')
    return { pods: o.pods, rows, firstLoad, stalls }
  } finally {
    await pool?.close()
    for (const s of stores) await s.close()
    dir.remove()
  }
}

export function readPathLines(r: ReadPathResults): string[] {
  const f = (x: number): string => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3))
  return [
    `read path: ${r.pods} encrypted ~1 KiB Pods; first cache load (sliced) ${f(r.firstLoad.ms)} ms, longest loop stall meanwhile ${f(r.firstLoad.loopMaxMs)} ms`,
    ...r.rows.map((row) => `  ${row.task.padEnd(72)} p50 ${f(row.latency.p50)} ms  p99 ${f(row.latency.p99)} ms  vs baseline ${row.vsBaseline.toPrecision(3)}x`),
    ...r.stalls.map(
      (s) =>
        `  stall: ${s.mode.padEnd(50)} ${s.lists} lists (p50 ${f(s.listP50Ms)} ms), ${s.puts} puts; loop max ${f(s.loopMaxMs)} ms, p99 ${f(s.loopP99Ms)} ms; ` +
        `ack->delivered p50 ${f(s.ackToDelivered.p50)} ms p99 ${f(s.ackToDelivered.p99)} ms`,
    ),
  ]
}

if (process.argv[1]?.endsWith('read-path.bench.ts') === true) {
  const r = await runReadPathBench(process.argv.includes('--quick') ? quickReadPath : fullReadPath)
  console.log(readPathLines(r).join('\n'))
}

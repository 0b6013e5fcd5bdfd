// Object lists from the store vs from the watch cache (issue 4): N ~1 KiB Pods, encrypted with
// AES-256-GCM as in the object-path section, listed at resourceVersion "" (a consistent read: a
// store range, then decrypt and decode every value) and at "0" (the watch cache's current state:
// objects decoded once per version and shared), with and without a label selector and a limit.
//
// Estimate (2 shared cores): a store list pays per Pod the range row (~3-5 us), AES-GCM open
// (~7 us) and decode (~12 us): ~25 us x 10,000 = ~250 ms. A cached list walks a sorted array of
// entries and hands out the decoded objects: well under 1 us each, so ~2-8 ms, a 30-100x gap,
// which is why Kubernetes serves such lists from its cacher. The first cached list loads the
// state (one store range) and decodes everything: about one store list.
import { Bench } from 'tinybench'
import { openStore, ObjectStore, codec, encryption, systemClock, type Store } from '../../src/index.js'
import { median, summarize, type LatencySummary } from '../support/stats.js'
import { tempDir } from '../support/temp.js'
import { benchPod } from './pod-fixture.js'

export interface ObjectListOptions {
  pods: number
  rounds: number
  timeMs: number
  warmupMs: number
}

export interface ObjectListRow {
  task: string
  latency: LatencySummary
  /** Median over rounds of this task's p50 / the store list's p50. */
  vsStore: number
}

export interface ObjectListResults {
  pods: number
  /** The first cached list: loads the current state and decodes every object. */
  firstCachedMs: number
  rows: ObjectListRow[]
}

const prefix = '/registry/pods'

export async function runObjectListBench(o: ObjectListOptions): Promise<ObjectListResults> {
  const dir = tempDir()
  let store: Store | undefined
  try {
    const transformer = encryption.createTransformer({
      resources: [{ prefixes: ['/registry/'], providers: [{ aesgcm: { keys: [{ name: 'bench', secret: encryption.SecretKey.generate() }] } }] }],
    })
    store = await openStore({ path: dir.file('list.db'), durability: 'relaxed', transformer })
    const objects = new ObjectStore({ kv: store, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: systemClock })
    for (let i = 0; i < o.pods; i += 500) {
      const batch = Array.from({ length: Math.min(500, o.pods - i) }, (_, j) => benchPod(i + j))
      await Promise.all(batch.map((p) => objects.create(`${prefix}/default/${p.metadata.name}`, p)))
    }
    const expect = (n: number) => (r: { items: unknown[] }) => {
      if (r.items.length !== n) throw new Error(`bench: a list returned ${r.items.length} items, expected ${n}`)
    }
    const all = expect(o.pods)
    const page = expect(Math.min(500, o.pods))
    const t0 = performance.now()
    all(await objects.list(prefix, { resourceVersion: '0' }))
    const firstCachedMs = performance.now() - t0
    // rv "" is now a consistent read from the cache (issue 12): the store side reads through an
    // ObjectKv without the cache, which is what rv "" cost before and what its fallback costs.
    const kv = store
    const uncached = new ObjectStore({
      kv: { get revision() { return kv.revision }, get compactRevision() { return kv.compactRevision }, get: (k, g) => kv.get(k, g), range: (r) => kv.range(r), txn: (t) => kv.txn(t), leaseGrant: (ttl) => kv.leaseGrant(ttl) },
      codec: new codec.ObjectCodec(codec.defaultRegistry()),
      clock: systemClock,
    })
    const storeTask = `objects/list/pods=${o.pods}/store (rv "")`
    const tasks: Record<string, () => Promise<void>> = {
      [storeTask]: async () => all(await uncached.list(prefix)),
      [`objects/list/pods=${o.pods}/cache (rv "0")`]: async () => all(await objects.list(prefix, { resourceVersion: '0' })),
      [`objects/list/pods=${o.pods}/cache (rv "0", labelSelector tier=frontend)`]: async () =>
        all(await objects.list(prefix, { resourceVersion: '0', labelSelector: 'tier=frontend' })),
      [`objects/list/pods=${o.pods}/store/limit=500 (first page)`]: async () => page(await uncached.list(prefix, { limit: 500 })),
      [`objects/list/pods=${o.pods}/cache/limit=500 (NotOlderThan, first page)`]: async () =>
        page(await objects.list(prefix, { resourceVersion: '1', resourceVersionMatch: 'NotOlderThan', limit: 500 })),
    }
    const names = Object.keys(tasks)
    const samples = new Map<string, number[]>(names.map((n) => [n, []]))
    const ratios = new Map<string, number[]>(names.map((n) => [n, []]))
    for (let round = 0; round < o.rounds; round++) {
      const bench = new Bench({ time: o.timeMs, warmupTime: o.warmupMs, iterations: 3, throws: true })
      // Rotated per round, so a noisy moment does not land on one task only.
      for (let j = 0; j < names.length; j++) {
        const name = names[(j + round) % names.length] as string // index < length
        bench.add(name, tasks[name] as () => Promise<void>)
      }
      await bench.run()
      const base = bench.getTask(storeTask)?.result?.latency.p50
      if (base === undefined) throw new Error('bench: the store list has no result')
      for (const name of names) {
        const latency = bench.getTask(name)?.result?.latency
        if (latency?.p50 === undefined) throw new Error(`bench: ${name} has no result`)
        for (const x of latency.samples) samples.get(name)?.push(x)
        ratios.get(name)?.push(latency.p50 / base)
      }
    }
    const rows = names.map((task) => ({ task, latency: summarize(samples.get(task) ?? []), vsStore: median(ratios.get(task) ?? []) }))
    return { pods: o.pods, firstCachedMs, rows }
  } finally {
    await store?.close()
    dir.remove()
  }
}

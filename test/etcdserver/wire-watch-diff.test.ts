// The watch differential test over the wire: a random history goes to etcd 3.4 and to the front
// (wire-pair.ts, answers compared on the way), then watchers from random revisions, on keys,
// prefixes and ranges, with and without prevKv and filters, are opened through the same gRPC watch
// client (test/support/etcd-watch.ts) on both, and the events delivered up to the current revision
// are compared, as are compacted endings. Exclusions are etcd 3.4.23's watch bugs, as in
// test/diff/etcd-watch-diff.test.ts: a future start (#20221) and a start at a compaction revision
// that is a delete (#18089, #19179). On the front, a progress request (answered once every
// watcher of the stream is in sync, W12) says when everything up to the current revision came.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import type { WatchEvent, WatchRequest, WatchResponse } from '../../src/index.js'
import { plain, show } from '../diff/outcomes.js'
import { stepArb } from '../diff/steps.js'
import { startTestFront } from '../support/etcd-front.js'
import { findEtcd, startEtcd } from '../support/etcd-server.js'
import { EtcdWatchStream, type EtcdWatcher } from '../support/etcd-watch.js'
import { b, keys } from '../support/model-arbitraries.js'
import { runStep, WirePair } from './wire-pair.js'

const seed = process.env.ETCHLOG_DIFF_SEED !== undefined ? Number(process.env.ETCHLOG_DIFF_SEED) : Math.floor(Math.random() * 2 ** 31)
const steps = Number(process.env.ETCHLOG_WIRE_WATCH_OPS ?? 200)
const watchers = Number(process.env.ETCHLOG_WIRE_WATCH_WATCHERS ?? 24)
// Only reached when a side owes a response it never sends (or the machine is very slow): then what came is compared.
const guardMs = 10_000

const shapeArb = fc.record({
  key: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.constant(b()) }),
  end: fc.oneof(fc.constant({}), fc.constant({ prefix: true }), { weight: 2, arbitrary: fc.constant({ rangeEnd: b(0) }) }, fc.constantFrom(...keys).map((k) => ({ rangeEnd: k }))),
  start: fc.constantFrom('one', 'compact-1', 'compact', 'compact+1', 'middle', 'middle', 'current', 'now'),
  random: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  prevKv: fc.boolean(),
  filters: fc.subarray<'NOPUT' | 'NODELETE'>(['NOPUT', 'NODELETE']),
})

interface Collected { events: WatchEvent[]; ending?: { compactRevision?: number; cancelReason?: string } }
const view = (e: WatchEvent): unknown => plain(e.prevKv === undefined ? { type: e.type, kv: e.kv } : { type: e.type, kv: e.kv, prevKv: e.prevKv })
const endingOf = (r: WatchResponse): Collected['ending'] => (r.compactRevision !== undefined ? { compactRevision: r.compactRevision } : r.cancelReason === undefined ? {} : { cancelReason: r.cancelReason })

async function nextWithin(w: EtcdWatcher, ms: number): Promise<IteratorResult<WatchResponse, undefined> | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([w.next(), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/** Events until a response promises `revision` (front: exact, after a progress request) or `count` came. */
async function collect(stream: EtcdWatchStream, request: WatchRequest, until: { revision?: number; count?: number; ends?: boolean }): Promise<Collected> {
  const w = await stream.watch(request)
  const out: Collected = { events: [] }
  if (until.revision !== undefined) stream.requestProgress()
  for (;;) {
    if (until.count !== undefined && out.events.length >= until.count && until.ends !== true) return out
    const r = await nextWithin(w, guardMs)
    if (r === undefined || r.done === true) return out
    out.events.push(...r.value.events)
    if (r.value.canceled === true) {
      out.ending = endingOf(r.value)
      return out
    }
    if (until.revision !== undefined && r.value.revision >= until.revision && r.value.events.length === 0) return out
  }
}

test('watches from random revisions deliver the same events through the front as through etcd 3.4', async (t) => {
  const bin = findEtcd()
  if (bin === undefined) {
    if (process.env.ETCHLOG_REQUIRE_ETCD === '1') assert.fail('etcd not installed')
    t.skip('etcd not installed')
    return
  }
  t.diagnostic(`seed ${seed}`)
  const server = await startEtcd(bin)
  t.after(() => server.stop())
  const f = await startTestFront(t)
  const p = new WirePair(server.endpoint, f.endpoint)
  t.after(() => {
    p.etcd.close()
    p.front.close()
  })
  for (const [i, gen] of fc.sample(stepArb, { seed, numRuns: steps }).entries()) {
    p.ctx.revision = f.store.revision
    p.ctx.compactRevision = f.store.compactRevision
    const step = gen(p.ctx)
    if (step.kind === 'compact' && i > steps * 0.4) continue
    await runStep(p, step)
  }
  const revision = f.store.revision
  const compact = f.store.compactRevision
  const stats = new Map<string, number>()
  const count = (k: string): void => void stats.set(k, (stats.get(k) ?? 0) + 1)
  for (const shape of fc.sample(shapeArb, { seed: seed + 1, numRuns: watchers })) {
    const low = Math.max(1, compact)
    const starts: Record<string, number> = { one: 1, 'compact-1': Math.max(1, compact - 1), compact: low, 'compact+1': compact + 1, middle: low + Math.floor(shape.random * (revision - low + 1)), current: revision, now: 0 }
    const request: WatchRequest = { key: shape.key, ...shape.end, startRevision: starts[shape.start] ?? 0, prevKv: shape.prevKv, filters: shape.filters }
    const frontStream = new EtcdWatchStream(f.endpoint)
    const etcdStream = new EtcdWatchStream(server.endpoint, p.leases)
    try {
      const mine = await collect(frontStream, request, { revision })
      if (request.startRevision === compact && compact > 0 && mine.events.some((e) => e.type === 'DELETE' && e.kv.modRevision === compact)) {
        count('excluded: start at a compaction revision that is a delete (#18089, #19179)')
        continue
      }
      const theirs = await collect(etcdStream, request, { count: mine.events.length, ends: mine.ending !== undefined })
      const what = `watch ${show(request)} at revision ${revision}, compacted ${compact}`
      assert.deepEqual(mine.events.map(view), theirs.events.map(view), `${what}: events, front (actual) vs etcd (expected)`)
      assert.deepEqual(mine.ending, theirs.ending, `${what}: how the watch ended`)
      count(mine.ending !== undefined ? 'compared: ended' : mine.events.length === 0 ? 'compared: no events' : 'compared: with events')
    } finally {
      frontStream.close()
      etcdStream.close()
    }
  }
  t.diagnostic([...stats].sort().map(([k, v]) => `${k}=${v}`).join(', '))
  assert.ok((stats.get('compared: with events') ?? 0) > 0)
})

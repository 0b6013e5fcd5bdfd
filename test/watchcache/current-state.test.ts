// The watch cache's current state (latest version of every live key): the structure on its own,
// Store.rangeFromCache against store.range at the cache's revision after random writes, deletes,
// txns, lease expiries and compactions (keys with 0x00 and 0xff edges), and the state supplying
// prevKv, so that a cached key's update reaches prevKv watchers before its caller is answered.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { join } from 'node:path'
import { FakeClock, openStore, type KeyValue } from '../../src/index.js'
import { CompactedError, resolveLimits, StoreClosedError } from '../../src/util/index.js'
import { WatchCache, type EventSource } from '../../src/watchcache/index.js'
import { CurrentState, stateEntryOverheadBytes } from '../../src/watchcache/current-state.js'
import { keyRangeOf } from '../../src/watchcache/key-range.js'
import { keyArb, keys } from '../support/model-arbitraries.js'
import { openTestStore, tempDir } from '../support/temp-store.js'

const b = (...bytes: number[]): Buffer => Buffer.from(bytes)
const kv = (key: Buffer, value: string, rev: number): KeyValue => ({ key, value: Buffer.from(value), createRevision: rev, modRevision: rev, version: 1, lease: 0 })
const show = (kvs: readonly KeyValue[]): string[] => kvs.map((x) => `${Buffer.from(x.key).toString('hex')}=${Buffer.from(x.value).toString()}`)

test('the state queues events while loading, keeps byte order across creates and deletes, and counts its bytes', () => {
  const s = new CurrentState(5)
  s.load([kv(b(0x61), 'a', 2), kv(b(0x62), 'b', 3)])
  s.apply([{ type: 'PUT', kv: kv(b(0x61, 0xff), 'queued', 6) }])
  assert.equal(s.ready, false)
  assert.throws(() => s.range(keyRangeOf({ key: '', rangeEnd: b(0) })), /before its load ended/)
  s.finishLoad()
  const all = keyRangeOf({ key: '', rangeEnd: b(0) })
  assert.deepEqual(show(s.range(all)), ['61=a', '61ff=queued', '62=b'])
  s.apply([
    { type: 'DELETE', kv: kv(b(0x61), '', 7) },
    { type: 'PUT', kv: kv(b(0), 'zero', 7) },
    { type: 'PUT', kv: kv(b(0xff, 0xff), 'top', 7) },
  ])
  // Deleted then created again before any range: the key must appear once.
  s.apply([{ type: 'PUT', kv: kv(b(0x61), 'again', 8) }])
  s.apply([{ type: 'DELETE', kv: kv(b(0xff, 0xff), '', 9) }, { type: 'PUT', kv: kv(b(0xff, 0xff), 'top2', 9) }])
  assert.deepEqual(show(s.range(all)), ['00=zero', '61=again', '61ff=queued', '62=b', 'ffff=top2'])
  assert.deepEqual(show(s.range(keyRangeOf({ key: b(0x61), prefix: true }))), ['61=again', '61ff=queued'])
  assert.deepEqual(show(s.range(keyRangeOf({ key: b(0x61, 0xff) }))), ['61ff=queued'])
  assert.deepEqual(show(s.range(keyRangeOf({ key: b(0x61, 0), rangeEnd: b(0x62) }))), ['61ff=queued'])
  assert.equal(s.size, 5)
  s.apply([{ type: 'DELETE', kv: kv(b(0x62), '', 10) }])
  assert.equal(s.bytesUsed, [['00', 'zero'], ['61', 'again'], ['61ff', 'queued'], ['ffff', 'top2']].reduce((n, [k, v]) => n + (k ?? '').length / 2 + (v ?? '').length + stateEntryOverheadBytes, 0))
  assert.throws(() => s.apply([{ type: 'DELETE', kv: kv(b(0x62), '', 11) }]), /does not hold/)
})

const opArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('put' as const), key: keyArb, value: fc.nat(9), lease: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('del' as const), key: keyArb, prefix: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('txn' as const), keys: fc.uniqueArray(keyArb, { minLength: 1, maxLength: 4, selector: (k) => k.toString('hex') }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const), back: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('expire' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), key: fc.constantFrom(...keys), prefix: fc.boolean() }) },
)

test('property: rangeFromCache equals store.range at the cache revision after random writes, deletes, txns, lease expiries and compactions', async (t) => {
  const clock = new FakeClock()
  const { store } = await openTestStore(t, { clock, limits: { watchResponseEventsMax: 3 } })
  const lease = (await store.leaseGrant(5)).id
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => {
      for (const o of ops) {
        if (o.op === 'put') await store.put(o.key, `${o.value}`, { lease: o.lease && (await store.leases()).some((l) => l.id === lease) ? lease : 0 })
        else if (o.op === 'del') await store.deleteRange({ key: o.key, prefix: o.prefix })
        else if (o.op === 'txn') await store.txn({ success: o.keys.map((key, i) => (i % 2 === 0 ? { put: { key, value: 't' } } : { deleteRange: { key } })) })
        else if (o.op === 'compact') {
          const target = store.revision - o.back
          if (target > store.compactRevision) await store.compact(target, { physical: true })
        } else if (o.op === 'expire') {
          clock.advance(6_000)
          await store.flush()
        }
        const request = o.op === 'read' ? { key: o.key, prefix: o.prefix } : { key: b(0), rangeEnd: b(0) }
        const cached = await store.rangeFromCache(request)
        assert.ok(cached !== undefined)
        assert.equal(cached.revision, store.revision, 'local writes are in the state before their callers are answered')
        const exact = await store.range({ ...request, revision: cached.revision })
        assert.deepEqual(show(cached.kvs), show(exact.kvs))
        assert.deepEqual(cached.kvs, exact.kvs)
      }
      if (!(await store.leases()).some((l) => l.id === lease)) await store.leaseGrant(5, lease)
    }),
    { numRuns: Number(process.env['CURRENT_STATE_RUNS'] ?? 40) },
  )
})

test('with the state loaded, an update of a key outside the ring gets its prevKv from the state, synchronously', async (t) => {
  const { store } = await openTestStore(t, { limits: { watchCacheEventsMin: 2, watchCacheEventsMax: 2 } })
  await store.put('a', '1') // 2, before the cache
  for (let i = 0; i < 4; i++) await store.put(`z${i}`, 'x') // 3..6
  await store.rangeFromCache({ key: 'a' }) // loads the state at 6
  await store.put('z9', 'x') // 7, fills the ring with unrelated keys
  await store.put('z8', 'x') // 8
  const w = store.watch({ key: 'a', prevKv: true })
  let got: string | undefined
  void w.next().then((r) => {
    const e = r.done === true ? undefined : r.value.events[0]
    got = e === undefined ? 'none' : `${e.type} prev=${Buffer.from(e.prevKv?.value ?? []).toString()}@${e.prevKv?.modRevision}`
  })
  await store.put('a', '2') // 9: 'a' is in no ring slot, only in the state
  await Promise.resolve()
  assert.equal(got, 'PUT prev=1@2', 'delivered with prevKv by the time the put is answered')
  w.cancel()
})

test('a load overtaken by a compaction sends that read to the store (undefined); the next read loads again', async (t) => {
  const { store } = await openTestStore(t)
  await store.put('a', '1')
  let failNext = true
  // The store as the cache's event source, except that the first state read finds its revision compacted.
  const source: EventSource = {
    onCommit: (l) => store.onCommit(l),
    readEvents: (after, limit) => store.readEvents(after, limit),
    eventPositionBefore: (r) => store.eventPositionBefore(r),
    lastEventPosition: () => store.lastEventPosition(),
    get: (k, o) => store.get(k, o),
    range: async (r) => {
      if (!failNext) return store.range(r)
      failNext = false
      throw new CompactedError(r.revision ?? 0, (r.revision ?? 0) + 1)
    },
  }
  const cache = new WatchCache(source, { limits: resolveLimits({}), clock: new FakeClock(), progressNotifyIntervalMs: 1_000 })
  t.after(() => cache.close())
  assert.equal(await cache.readRange({ key: 'a' }), undefined)
  assert.equal(cache.status.stateOff, false, 'not turned off: only that read missed the cache')
  assert.deepEqual(show((await cache.readRange({ key: 'a' }))?.kvs ?? []), ['61=1'])
})

test('closing the store fails a waiting not-older-than read with StoreClosedError', async () => {
  const dir = tempDir()
  try {
    const store = await openStore({ path: join(dir.path, 'db'), durability: 'relaxed', clock: new FakeClock() })
    const waiting = store.rangeFromCache({ key: 'a', notOlderThan: store.revision + 1 })
    await store.close()
    await assert.rejects(waiting, StoreClosedError)
  } finally {
    dir.remove()
  }
})

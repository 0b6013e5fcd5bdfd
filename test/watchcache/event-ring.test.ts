// The ring on its own (eviction, dynamic capacity under a fake clock), and watches that start
// before the ring's oldest event: served from the log, then from the ring, then live, with no gap
// and no duplicate at either hand-over.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventRing } from '../../src/watchcache/event-ring.js'
import type { CachedEvent } from '../../src/watchcache/cached-event.js'
import { FakeClock } from '../../src/util/index.js'
import { openTestStore } from '../support/temp-store.js'
import { Reader } from '../support/watch-reader.js'

const ev = (revision: number, bytes = 10): CachedEvent => {
  const kv = { key: Buffer.from('k'), value: Buffer.alloc(0), createRevision: 1, modRevision: revision, version: 1, lease: 0 }
  const plain = { type: 'PUT' as const, kv }
  return { revision, key: kv.key, plain, withPrev: plain, bytes }
}

const fixed = (capacity: number) => ({ capacityMin: capacity, capacityMax: capacity, freshMs: 75_000 })

test('the ring evicts the oldest events by count and by bytes, and finds revisions', () => {
  const ring = new EventRing(fixed(4), 100)
  assert.deepEqual([2, 3, 3, 4].flatMap((r) => ring.push(ev(r), 0)), [])
  assert.deepEqual(ring.push(ev(5), 0).map((e) => e.revision), [2])
  assert.equal(ring.startIndex, 1)
  assert.equal(ring.at(ring.firstIndexAtOrAfter(4)).revision, 4)
  assert.equal(ring.firstIndexAtOrAfter(3), 1)
  assert.equal(ring.firstIndexAtOrAfter(6), ring.endIndex)
  assert.deepEqual(ring.push(ev(6, 75), 0).map((e) => e.revision), [3, 3])
  assert.ok(ring.bytesUsed <= 100)
  assert.deepEqual(ring.push(ev(7, 500), 0).map((e) => e.revision), [4, 5, 6, 7], 'an event above bytesMax is not kept')
  assert.equal(ring.endIndex - ring.startIndex, 0)
  ring.push(ev(8), 0)
  assert.throws(() => ring.push(ev(6), 0), /revision order/)
})

test('a full ring doubles while its oldest event is fresh, up to capacityMax, and then evicts', () => {
  const ring = new EventRing({ capacityMin: 4, capacityMax: 16, freshMs: 1_000 }, 1e9)
  let rev = 1
  const evicted: number[] = []
  const fill = (n: number, now: number): void => {
    for (let i = 0; i < n; i++) evicted.push(...ring.push(ev(++rev), now).map((e) => e.revision))
  }
  fill(4, 0)
  assert.equal(ring.capacity, 4)
  fill(1, 999) // full, the oldest is 999 ms old: fresh, so grow instead of evicting
  assert.equal(ring.capacity, 8)
  fill(3 + 1 + 7, 999)
  assert.equal(ring.capacity, 16, 'doubles again, then stops at capacityMax')
  assert.deepEqual(evicted, [], 'nothing evicted while it could grow')
  fill(1, 999)
  assert.equal(ring.capacity, 16)
  assert.deepEqual(evicted, [2], 'at capacityMax the oldest goes even though it is fresh')
  assert.equal(ring.endIndex - ring.startIndex, 16)
  for (let i = ring.startIndex; i < ring.endIndex; i++) assert.equal(ring.at(i).revision, i + 2, 'absolute indexes survive the resizes')
})

test('a full ring whose events are old shrinks by halves to capacityMin, keeping the newest', () => {
  const ring = new EventRing({ capacityMin: 4, capacityMax: 16, freshMs: 1_000 }, 1e9)
  let rev = 1
  for (let i = 0; i < 16; i++) ring.push(ev(++rev), 0)
  assert.equal(ring.capacity, 16)
  // Full again at time 1,000: the oldest is exactly freshMs old (not younger), the event a quarter
  // back (4 from the newest) is not older than freshMs either: neither grow nor shrink.
  assert.deepEqual(ring.push(ev(++rev), 1_000).map((e) => e.revision), [2])
  assert.equal(ring.capacity, 16)
  // At 1,001 the quarter-back event (time 0) is stale: halve to 8, keeping the newest 8, then add.
  const gone = ring.push(ev(++rev), 1_001).map((e) => e.revision)
  assert.equal(ring.capacity, 8)
  assert.deepEqual(gone, Array.from({ length: 9 }, (_, i) => i + 3))
  assert.deepEqual(Array.from({ length: 8 }, (_, i) => ring.at(ring.startIndex + i).revision), Array.from({ length: 8 }, (_, i) => i + 12))
  // Fresh events at 1,001: the quarter back is now fresh, so no shrink, and while the oldest is
  // stale (time 0) no growth either: it evicts. Six pushes leave the oldest at time 1,000...
  for (let i = 0; i < 6; i++) ring.push(ev(++rev), 1_001)
  assert.equal(ring.capacity, 8)
  // ...which is fresh at 1,001, so the ring grows rather than evict it.
  assert.deepEqual(ring.push(ev(++rev), 1_001), [])
  assert.equal(ring.capacity, 16)
  for (let i = 0; i < 7; i++) ring.push(ev(++rev), 1_001)
  // Much later, every event stale: 16 -> 8 -> 4, one halving per push, never below capacityMin.
  ring.push(ev(++rev), 10_000)
  assert.equal(ring.capacity, 8)
  ring.push(ev(++rev), 10_000)
  assert.equal(ring.capacity, 4)
  ring.push(ev(++rev), 20_000)
  ring.push(ev(++rev), 30_000)
  assert.equal(ring.capacity, 4)
  assert.equal(ring.at(ring.endIndex - 1).revision, rev)
})

test('the store ring grows with fresh writes and shrinks after a quiet freshness window (fake clock)', async (t) => {
  const clock = new FakeClock()
  const limits = { watchCacheEventsMin: 2, watchCacheEventsMax: 8, watchCacheEventFreshMs: 10_000 }
  const { store } = await openTestStore(t, { clock, limits })
  const all = new Reader(store.watch({ key: 'k', prefix: true }))
  assert.equal(store.watchCacheStatus.ringCapacity, 2)
  for (let i = 0; i < 8; i++) await store.put(`k${i}`, 'v')
  await all.until(store.revision)
  assert.deepEqual([store.watchCacheStatus.ringCapacity, store.watchCacheStatus.ringEvents], [8, 8], 'fresh writes grew it 2 -> 4 -> 8')
  clock.advance(60_000)
  await store.put('k0', 'w')
  assert.deepEqual([store.watchCacheStatus.ringCapacity, store.watchCacheStatus.ringEvents], [4, 4], 'stale: halved, the newest kept')
  await store.put('k1', 'w')
  assert.equal(store.watchCacheStatus.ringCapacity, 4, 'the event a quarter back is the fresh newest one: no shrink')
  clock.advance(60_000)
  await store.put('k2', 'w')
  assert.deepEqual([store.watchCacheStatus.ringCapacity, store.watchCacheStatus.ringEvents], [2, 2], 'halved again, to watchCacheEventsMin')
  // Nothing is lost for watchers: a start older than the ring is served from the log.
  const again = new Reader(store.watch({ key: 'k', prefix: true, startRevision: 2 }))
  assert.equal((await again.until(store.revision)).length, 11)
})

test('a start older than the ring reads the log, then the ring, then goes live: no gap, no duplicate', async (t) => {
  const { store } = await openTestStore(t, { limits: { watchCacheEventsMax: 4, watchResponseEventsMax: 3 } })
  for (let i = 0; i < 5; i++) await store.put(`k${i}`, 'old') // 2..6, before the cache
  store.watch({ key: 'start-the-cache' })
  for (let i = 0; i < 8; i++) await store.put(`k${i}`, 'new') // 7..14; the ring keeps 11..14
  const w = new Reader(store.watch({ key: 'k', prefix: true, startRevision: 3 }))
  const seen: number[] = []
  for (let r = await w.next(); ; r = await w.next()) {
    seen.push(...r.events.map((e) => e.kv.modRevision))
    // Writes while catching up land in the ring and must not be lost or repeated.
    if (seen.length === 3) await store.put('k-during', 'x') // 15
    if (r.revision >= 16) break
    if (seen.length === 6) await store.put('k-during', 'y') // 16
  }
  assert.deepEqual(seen, Array.from({ length: 14 }, (_, i) => i + 3))
})

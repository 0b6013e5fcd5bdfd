// The ring on its own, and watches that start before the ring's oldest event: served from the
// log, then from the ring, then live, with no gap and no duplicate at either hand-over.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventRing } from '../../src/watchcache/event-ring.js'
import type { CachedEvent } from '../../src/watchcache/cached-event.js'
import { openTestStore } from '../support/temp-store.js'
import { Reader } from '../support/watch-reader.js'

const ev = (revision: number, bytes = 10): CachedEvent => {
  const kv = { key: Buffer.from('k'), value: Buffer.alloc(0), createRevision: 1, modRevision: revision, version: 1, lease: 0 }
  const plain = { type: 'PUT' as const, kv }
  return { revision, key: kv.key, plain, withPrev: plain, bytes }
}

test('the ring evicts the oldest events by count and by bytes, and finds revisions', () => {
  const ring = new EventRing(4, 100)
  assert.deepEqual([2, 3, 3, 4].flatMap((r) => ring.push(ev(r))), [])
  assert.deepEqual(ring.push(ev(5)).map((e) => e.revision), [2])
  assert.equal(ring.startIndex, 1)
  assert.equal(ring.at(ring.firstIndexAtOrAfter(4)).revision, 4)
  assert.equal(ring.firstIndexAtOrAfter(3), 1)
  assert.equal(ring.firstIndexAtOrAfter(6), ring.endIndex)
  assert.deepEqual(ring.push(ev(6, 75)).map((e) => e.revision), [3, 3])
  assert.ok(ring.bytesUsed <= 100)
  assert.deepEqual(ring.push(ev(7, 500)).map((e) => e.revision), [4, 5, 6, 7], 'an event above bytesMax is not kept')
  assert.equal(ring.endIndex - ring.startIndex, 0)
  ring.push(ev(8))
  assert.throws(() => ring.push(ev(6)), /revision order/)
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

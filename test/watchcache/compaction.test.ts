// Watches at and below the compaction point (W5, W6) and the etcd bugs around it (W17: #18089,
// #19179), served from the ring and from the log.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cancelReasons } from '../../src/index.js'
import { openTestStore } from '../support/temp-store.js'
import { Reader } from '../support/watch-reader.js'

test('W5: a start below the compaction revision answers once with compactRevision and canceled', async (t) => {
  const { store } = await openTestStore(t)
  for (let i = 0; i < 4; i++) await store.put('k', `${i}`) // 2..5
  await store.compact(4)
  for (const cacheStarted of [false, true]) {
    if (cacheStarted) store.watch({ key: 'other' })
    const w = new Reader(store.watch({ key: 'k', startRevision: 3 }))
    const r = await w.next()
    assert.equal(r.compactRevision, 4)
    assert.equal(r.canceled, true)
    assert.equal(r.cancelReason, cancelReasons.compacted)
    assert.deepEqual(r.events, [])
    assert.equal(await w.finished(), true)
    // Exactly the compaction revision is valid.
    const at = new Reader(store.watch({ key: 'k', startRevision: 4 }))
    assert.deepEqual(await at.until(5), ['PUT k@4=2', 'PUT k@5=3'])
  }
})

for (const where of ['log', 'ring'] as const) {
  test(`W17 #18089/#19179: a delete at the compaction revision is delivered to a watch from it (${where})`, async (t) => {
    const { store } = await openTestStore(t)
    if (where === 'ring') store.watch({ key: 'zzz' }) // the cache starts now and keeps what follows
    await store.put('a', '1') // 2
    await store.put('b', '1') // 3
    await store.deleteRange({ key: 'a' }) // 4
    await store.put('b', '2') // 5
    await store.compact(4, { physical: true })
    const w = new Reader(store.watch({ key: '', prefix: true, startRevision: 4 }))
    assert.deepEqual(await w.until(5), ['DELETE a@4', 'PUT b@5=2'])
  })
}

test('W6: a watcher catching up from the log that falls behind a later compaction is compacted and canceled', async (t) => {
  const { store } = await openTestStore(t, { limits: { watchResponseEventsMax: 2 } })
  for (let i = 0; i < 10; i++) await store.put(`k${i}`, 'v') // 2..11
  const w = new Reader(store.watch({ key: 'k', prefix: true, startRevision: 2 }))
  assert.deepEqual(await w.until(3), ['PUT k0@2=v', 'PUT k1@3=v'])
  await store.compact(8, { physical: true })
  const r = await w.next()
  assert.equal(r.canceled, true)
  assert.equal(r.compactRevision, 8)
  assert.deepEqual(r.events, [])
  assert.equal(await w.finished(), true)
})

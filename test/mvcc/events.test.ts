// The committed-event stream that a watch cache is fed from: every write, once, in revision and
// op order, whole revisions at a time, from local and remote commits alike.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock, openStore, type KvEvent } from '../../src/index.js'
import { openTestStore, text } from '../support/temp-store.js'

const brief = (e: KvEvent): string => `${e.type} ${text(e.kv.key)}@${e.kv.modRevision}${e.type === 'PUT' ? `=${text(e.kv.value)} v${e.kv.version}` : ''}`

test('events come in revision and op order; a delete carries only key and deletion revision (REV8)', async (t) => {
  const { store } = await openTestStore(t)
  await store.put('a', '1') // 2
  await store.txn({ success: [{ put: { key: 'c', value: '3' } }, { put: { key: 'b', value: '2' } }] }) // 3
  await store.put('a', '4') // 4
  await store.deleteRange({ key: 'a', rangeEnd: 'c' }) // 5: a, b
  const batch = store.readEvents(0, 100)
  assert.deepEqual(batch.events.map(brief), ['PUT a@2=1 v1', 'PUT c@3=3 v1', 'PUT b@3=2 v1', 'PUT a@4=4 v2', 'DELETE a@5', 'DELETE b@5'])
  const del = batch.events[4]
  assert.deepEqual(del?.kv, { key: Buffer.from('a'), value: Buffer.alloc(0), createRevision: 0, modRevision: 5, version: 0, lease: 0 })
  assert.equal(batch.revision, 5)
  const positions = batch.events.map((e) => e.position)
  assert.deepEqual(positions, [...positions].sort((x, y) => x - y))
  assert.equal(batch.position, positions[positions.length - 1])
  assert.equal(store.lastEventPosition(), batch.position)
  // Reading on from a position continues exactly after it.
  assert.deepEqual(store.readEvents(positions[2] as number, 100).events.map(brief), ['PUT a@4=4 v2', 'DELETE a@5', 'DELETE b@5'])
  assert.deepEqual(store.readEvents(batch.position, 100).events, [])
})

test('a limit never splits a revision (W7 atomic)', async (t) => {
  const { store } = await openTestStore(t)
  await store.txn({ success: Array.from({ length: 5 }, (_, i) => ({ put: { key: `k${i}`, value: 'v' } })) }) // 2
  await store.put('z', 'v') // 3
  const first = store.readEvents(0, 2)
  assert.equal(first.events.length, 5, 'all five events of revision 2 come together')
  assert.ok(first.events.every((e) => e.kv.modRevision === 2))
  const next = store.readEvents(first.position, 2)
  assert.deepEqual(next.events.map(brief), ['PUT z@3=v v1'])
})

test('eventPositionBefore(revision) starts reading at that revision', async (t) => {
  const { store } = await openTestStore(t)
  for (let i = 0; i < 10; i++) await store.put(`k${i}`, `${i}`) // revisions 2..11
  const from = store.eventPositionBefore(7)
  assert.deepEqual(store.readEvents(from, 2).events.map((e) => e.kv.modRevision), [7, 8])
  assert.equal(store.readEvents(store.eventPositionBefore(12), 10).events.length, 0)
  await store.compact(5, { physical: true })
  assert.deepEqual(store.readEvents(store.eventPositionBefore(5), 1).events.map((e) => e.kv.modRevision), [5])
})

test('lease revokes and expiries appear as deletes in one revision', async (t) => {
  const clock = new FakeClock()
  const { store } = await openTestStore(t, { clock })
  const lease = await store.leaseGrant(5)
  await store.put('x', '1', { lease: lease.id })
  await store.put('y', '1', { lease: lease.id })
  clock.advance(5_000)
  await store.flush()
  const deletes = store.readEvents(0, 100).events.filter((e) => e.type === 'DELETE')
  assert.deepEqual(deletes.map(brief), ['DELETE x@4', 'DELETE y@4'])
})

test('onCommit fires for a local write before its caller is answered', async (t) => {
  const { store } = await openTestStore(t)
  const seen: number[] = []
  const off = store.onCommit((h) => seen.push(h.revision))
  const r = store.put('a', '1').then((res) => {
    assert.deepEqual(seen, [2], 'the listener ran before the put resolved')
    return res
  })
  assert.equal((await r).revision, 2)
  await store.compact(2)
  assert.deepEqual(seen.slice(-1), [2])
  off()
  await store.put('a', '2')
  assert.equal(seen.length, 2, 'no calls after unsubscribing')
})

test('commits of another connection are noticed by the poll while someone listens', async (t) => {
  const clock = new FakeClock()
  const ts = await openTestStore(t, { clock, remotePollMs: 25 })
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  const seen: number[] = []
  ts.store.onCommit((h) => seen.push(h.revision))
  await other.put('from-elsewhere', 'v')
  assert.deepEqual(seen, [], 'nothing until the poll runs')
  clock.advance(25)
  assert.deepEqual(seen, [2])
  assert.deepEqual(ts.store.readEvents(0, 10).events.map(brief), ['PUT from-elsewhere@2=v v1'])
})

// REV1-REV8 (reference §1): the one store-wide revision, and the per-key fields it drives.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { openTestStore as open, text } from '../support/temp-store.js'
import { logKeysAt } from '../support/on-disk.js'

test('REV1: an empty store is at revision 1 and the first write gets revision 2', async (t) => {
  const { store } = await open(t)
  assert.equal(store.revision, 1)
  assert.equal((await store.status()).revision, 1)
  const empty = await store.range({ key: 'a' })
  assert.equal(empty.revision, 1)
  assert.deepEqual(empty.kvs, [])
  assert.equal((await store.put('a', '1')).revision, 2)
  assert.equal((await store.put('b', '1')).revision, 3)
  assert.equal(store.revision, 3)
})

test('REV2: put, a delete of >=1 key, a writing txn and a revoke that deletes keys each bump by exactly 1', async (t) => {
  const { store } = await open(t)
  assert.equal((await store.put('a', '1')).revision, 2)
  await store.put('b', '1')
  await store.put('c', '1')
  assert.equal(store.revision, 4)
  const del = await store.deleteRange({ key: 'a', rangeEnd: 'c' })
  assert.equal(del.deleted, 2)
  assert.equal(del.revision, 5)
  assert.equal(store.revision, 5)
  const txn = await store.txn({ success: [{ put: { key: 'x', value: '1' } }, { put: { key: 'y', value: '1' } }] })
  assert.equal(txn.revision, 6)
  assert.equal(store.revision, 6)
  const { id } = await store.leaseGrant(60)
  assert.equal(store.revision, 6, 'a lease grant writes no key')
  await store.put('l1', 'v', { lease: id })
  await store.put('l2', 'v', { lease: id })
  assert.equal(store.revision, 8)
  assert.equal((await store.leaseRevoke(id)).revision, 9)
  assert.equal(store.revision, 9)
})

test('REV3: deleting nothing, a read-only txn and a txn whose executed branch only reads do not bump', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1')
  const del = await store.deleteRange({ key: 'zz', rangeEnd: 'zzz' })
  assert.equal(del.deleted, 0)
  assert.equal(del.revision, 2)
  assert.equal(store.revision, 2)

  const readOnly = await store.txn({ success: [{ range: { key: 'a' } }] })
  assert.equal(readOnly.succeeded, true)
  assert.equal(readOnly.revision, 2)
  assert.equal(store.revision, 2)

  // The failure branch would write, but the success branch runs and only reads.
  const readBranch = await store.txn({
    compare: [{ key: 'a', target: 'VERSION', result: 'EQUAL', value: 1 }],
    success: [{ range: { key: 'a' } }],
    failure: [{ put: { key: 'a', value: '2' } }],
  })
  assert.equal(readBranch.succeeded, true)
  assert.equal(readBranch.revision, 2)
  // A txn whose executed branch deletes nothing does not bump either.
  const noDelete = await store.txn({ success: [{ deleteRange: { key: 'nothing' } }] })
  assert.equal(noDelete.revision, 2)
  assert.equal(store.revision, 2)
  assert.equal(text((await store.get('a'))?.value), '1')
})

test('REV3: a put of an identical value bumps the revision and the version', async (t) => {
  const { store } = await open(t)
  await store.put('a', 'same')
  const again = await store.put('a', 'same')
  assert.equal(again.revision, 3)
  const kv = await store.get('a')
  assert.equal(kv?.version, 2)
  assert.equal(kv?.modRevision, 3)
  assert.equal(kv?.createRevision, 2)
})

test('REV4: a historical read reports the current revision; a write reports the mod revision it wrote', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1') // 2
  await store.put('a', '2') // 3
  await store.put('b', '1') // 4
  const old = await store.range({ key: 'a', revision: 2 })
  assert.equal(old.revision, 4, 'header revision is the current one, not the one read at')
  assert.equal(old.kvs[0]?.modRevision, 2)
  assert.equal(text(old.kvs[0]?.value), '1')
  const txn = await store.txn({ success: [{ put: { key: 'a', value: '3' } }, { put: { key: 'c', value: '1' } }] })
  assert.equal(txn.revision, 5)
  const now = await store.range({ key: 'a', rangeEnd: 'd' })
  assert.equal(now.revision, 5)
  assert.deepEqual(
    now.kvs.map((kv) => [text(kv.key), kv.modRevision]),
    [['a', 5], ['b', 4], ['c', 5]],
  )
})

test('REV5: createRevision, modRevision, version and lease describe the key life', async (t) => {
  const { store } = await open(t)
  const { id } = await store.leaseGrant(60, 77)
  assert.equal(id, 77)
  await store.put('other', 'x') // 2
  await store.put('k', 'v1') // 3
  await store.put('other', 'y') // 4
  await store.put('k', 'v2', { lease: 77 }) // 5
  await store.put('k', 'v3', { lease: 77 }) // 6
  const kv = await store.get('k')
  assert.ok(kv !== undefined)
  assert.equal(text(kv.key), 'k')
  assert.equal(text(kv.value), 'v3')
  assert.equal(kv.createRevision, 3)
  assert.equal(kv.modRevision, 6)
  assert.equal(kv.version, 3)
  assert.equal(kv.lease, 77)
  const plain = await store.get('other')
  assert.equal(plain?.lease, 0)
  assert.equal(plain?.version, 2)
  assert.equal(plain?.createRevision, 2)
  assert.equal(plain?.modRevision, 4)
})

test('REV6: delete makes a tombstone; re-creating starts a new life with version 1', async (t) => {
  const { store } = await open(t)
  await store.put('k', 'a') // 2
  await store.put('k', 'b') // 3
  const del = await store.deleteRange({ key: 'k' }) // 4
  assert.equal(del.revision, 4)
  assert.equal(await store.get('k'), undefined)
  const after = await store.range({ key: 'k' })
  assert.equal(after.count, 0)
  assert.deepEqual(after.kvs, [])
  // A read at the deletion revision already misses it.
  assert.equal((await store.range({ key: 'k', revision: 4 })).count, 0)
  await store.put('k', 'c') // 5
  const kv = await store.get('k')
  assert.equal(kv?.version, 1)
  assert.equal(kv?.createRevision, 5)
  assert.equal(kv?.modRevision, 5)
})

test('REV6: historical reads still see the old versions of a deleted and re-created key', async (t) => {
  const { store } = await open(t)
  await store.put('k', 'a') // 2
  await store.put('k', 'b') // 3
  await store.deleteRange({ key: 'k' }) // 4
  await store.put('k', 'c') // 5
  const at = async (revision: number) => (await store.range({ key: 'k', revision })).kvs[0]
  const v2 = await at(2)
  assert.deepEqual([text(v2?.value), v2?.createRevision, v2?.modRevision, v2?.version], ['a', 2, 2, 1])
  const v3 = await at(3)
  assert.deepEqual([text(v3?.value), v3?.createRevision, v3?.modRevision, v3?.version], ['b', 2, 3, 2])
  assert.equal(await at(4), undefined)
  const v5 = await at(5)
  assert.deepEqual([text(v5?.value), v5?.createRevision, v5?.modRevision, v5?.version], ['c', 5, 5, 1])
  assert.equal(text((await store.get('k', { revision: 3 }))?.value), 'b')
})

test('REV7: all writes of one txn share one revision, in op order', async (t) => {
  const ts = await open(t)
  const { store } = ts
  await store.put('c', '0') // 2
  const r = await store.txn({
    success: [
      { put: { key: 'z', value: '1' } },
      { deleteRange: { key: 'c' } },
      { put: { key: 'a', value: '1' } },
      { put: { key: 'm', value: '1' } },
    ],
  })
  assert.equal(r.revision, 3)
  assert.equal(store.revision, 3)
  for (const key of ['z', 'a', 'm']) assert.equal((await store.get(key))?.modRevision, 3)
  assert.equal(await store.get('c'), undefined)
  assert.equal((await store.range({ key: 'a', rangeEnd: '\0', revision: 2 })).count, 1)
  // Rows (the future watch events) keep op order, not key order.
  assert.deepEqual(logKeysAt(ts.path, 3), ['z', 'c', 'a', 'm'])
})

test('REV8: a key whose version is 1 was created at its mod revision; a delete leaves no version behind', async (t) => {
  const { store } = await open(t)
  await store.put('k', 'a') // 2
  const created = await store.get('k')
  assert.equal(created?.version, 1)
  assert.equal(created?.createRevision, created?.modRevision)
  await store.put('k', 'b') // 3
  const updated = await store.get('k')
  assert.equal(updated?.version, 2)
  assert.notEqual(updated?.createRevision, updated?.modRevision)
  const del = await store.deleteRange({ key: 'k', prevKv: true }) // 4
  assert.equal(del.revision, 4)
  assert.equal(del.prevKvs?.[0]?.modRevision, 3)
  assert.equal((await store.range({ key: 'k', revision: 4 })).kvs.length, 0)
})

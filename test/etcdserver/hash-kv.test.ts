// HashKV (M4): equal for equal histories, stable across a restart, different when history differs.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hashKv } from '../../src/etcdserver/hash-kv.js'
import { openTestStore } from '../support/temp-store.js'

test('HashKV is stable across restarts and equal for equal histories, also after compaction', async (t) => {
  const a = await openTestStore(t)
  const b = await openTestStore(t)
  for (const ts of [a, b]) {
    await ts.store.put('x', '1')
    await ts.store.put('y', '2')
    await ts.store.deleteRange({ key: 'x' })
    await ts.store.put('x', '3')
    await ts.store.compact(3, { physical: true })
  }
  const ha = await hashKv(a.store, 0)
  assert.equal(ha.compactRevision, 3)
  assert.equal(ha.revision, 5)
  assert.deepEqual(await hashKv(b.store, 0), ha)
  const reopened = await a.reopen()
  assert.deepEqual(await hashKv(reopened, 0), ha)
  assert.notEqual((await hashKv(reopened, 4)).hash, ha.hash)
  await b.store.put('x', '4')
  assert.notEqual((await hashKv(b.store, 0)).hash, ha.hash)
  assert.equal((await hashKv(b.store, 5)).hash, ha.hash, 'a past revision hashes as it did')
  await assert.rejects(hashKv(b.store, 2), /compacted/)
  await assert.rejects(hashKv(b.store, 99), /future revision/)
})

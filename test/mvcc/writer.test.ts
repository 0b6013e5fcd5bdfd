// Group commit: writes issued together commit together, each caller gets its own result in
// submission order, and a refused write fails only its own caller.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LeaseNotFoundError, StoreClosedError, TooManyRequestsError } from '../../src/index.js'
import { tempStore, text } from '../support/temp-store.js'

test('writes issued in one tick get consecutive revisions in submission order', async (t) => {
  const ts = await tempStore()
  t.after(() => ts.done())
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => ts.store.put(`k${i}`, `v${i}`)))
  assert.deepEqual(
    results.map((r) => r.revision),
    Array.from({ length: 50 }, (_, i) => i + 2),
  )
  assert.equal(ts.store.revision, 51)
})

test('a write that fails its check fails alone; its neighbours in the group commit', async (t) => {
  const ts = await tempStore()
  t.after(() => ts.done())
  const [a, bad, c] = await Promise.allSettled([
    ts.store.put('a', '1'),
    ts.store.put('b', '2', { lease: 12345 }),
    ts.store.put('c', '3'),
  ])
  assert.equal(a?.status === 'fulfilled' && a.value.revision, 2)
  assert.ok(bad?.status === 'rejected' && bad.reason instanceof LeaseNotFoundError)
  assert.equal(c?.status === 'fulfilled' && c.value.revision, 3)
  assert.equal(await ts.store.get('b'), undefined)
})

test('a txn that fails a check mid-way leaves nothing of itself in the group', async (t) => {
  const ts = await tempStore()
  t.after(() => ts.done())
  const [first, txn] = await Promise.allSettled([
    ts.store.put('x', '1'),
    ts.store.txn({ success: [{ put: { key: 'y', value: '2' } }, { put: { key: 'z', value: '3', lease: 99 } }] }),
  ])
  assert.equal(first?.status, 'fulfilled')
  assert.ok(txn?.status === 'rejected' && txn.reason instanceof LeaseNotFoundError)
  assert.equal(await ts.store.get('y'), undefined)
  assert.equal(ts.store.revision, 2)
})

test('more queued writes than pendingWritesMax are refused with TooManyRequests', async (t) => {
  const ts = await tempStore({ limits: { pendingWritesMax: 4 } })
  t.after(() => ts.done())
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => ts.store.put(`k${i}`, 'v')))
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected'],
  )
  const refused = results[5]
  assert.ok(refused?.status === 'rejected' && refused.reason instanceof TooManyRequestsError)
  assert.equal(refused.reason.code, 'TooManyRequests')
})

test('close() commits queued writes first; afterwards every call fails with StoreClosedError', async () => {
  const ts = await tempStore()
  const pending = ts.store.put('last', 'write')
  await ts.store.close()
  assert.equal((await pending).revision, 2)
  await assert.rejects(ts.store.get('last'), StoreClosedError)
  assert.throws(() => ts.store.revision, StoreClosedError)
  const reopened = await ts.reopen()
  assert.equal(text((await reopened.get('last'))?.value), 'write')
  await ts.done()
})

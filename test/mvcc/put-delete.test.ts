// P1-P5, D1-D2 (reference §3): Put with prevKv / ignoreValue / ignoreLease / lease, DeleteRange.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError, KeyNotFoundError, LeaseNotFoundError } from '../../src/index.js'
import { openTestStore as open, text } from '../support/temp-store.js'
import { logKeysAt } from '../support/on-disk.js'
import { rejectsWith } from '../support/assertions.js'

test('P1: every put writes a new version, even with an unchanged value', async (t) => {
  const { store } = await open(t)
  assert.equal((await store.put('k', 'v')).revision, 2)
  assert.equal((await store.put('k', 'v')).revision, 3)
  assert.equal((await store.put('k', 'v')).revision, 4)
  const kv = await store.get('k')
  assert.equal(text(kv?.value), 'v')
  assert.equal(kv?.version, 3)
  assert.equal(kv?.modRevision, 4)
  assert.equal(kv?.createRevision, 2)
  assert.equal(text((await store.range({ key: 'k', revision: 3 })).kvs[0]?.value), 'v')
  assert.equal((await store.range({ key: 'k', revision: 3 })).kvs[0]?.version, 2)
})

test('P1: an empty key is refused, an empty value is allowed', async (t) => {
  const { store } = await open(t)
  await rejectsWith(store.put('', 'v'), InvalidArgumentError, 'Invalid', /etcdserver: key is not provided/)
  await rejectsWith(store.put(new Uint8Array(0), 'v'), InvalidArgumentError, 'Invalid', /key is not provided/)
  await rejectsWith(store.txn({ success: [{ put: { key: '', value: 'v' } }] }), InvalidArgumentError, 'Invalid', /key is not provided/)
  assert.equal(store.revision, 1)
  assert.equal((await store.put('empty', '')).revision, 2)
  assert.equal((await store.put('absent')).revision, 3)
  assert.equal((await store.put('bytes', new Uint8Array(0))).revision, 4)
  for (const key of ['empty', 'absent', 'bytes']) {
    const kv = await store.get(key)
    assert.ok(kv !== undefined, key)
    assert.equal(kv.value.length, 0)
    assert.equal(kv.version, 1)
  }
  assert.equal((await store.range({ key: 'a', rangeEnd: 'f' })).count, 3)
})

test('P2: prevKv returns the key as it was before the put, absent for a new key', async (t) => {
  const { store } = await open(t)
  const { id } = await store.leaseGrant(60, 5)
  const first = await store.put('k', 'one', { prevKv: true }) // 2
  assert.equal(first.prevKv, undefined)
  await store.put('k', 'two', { lease: id }) // 3
  const third = await store.put('k', 'three', { prevKv: true }) // 4
  assert.ok(third.prevKv !== undefined)
  assert.equal(text(third.prevKv.key), 'k')
  assert.equal(text(third.prevKv.value), 'two')
  assert.equal(third.prevKv.createRevision, 2)
  assert.equal(third.prevKv.modRevision, 3)
  assert.equal(third.prevKv.version, 2)
  assert.equal(third.prevKv.lease, 5)
  const noFlag = await store.put('k', 'four')
  assert.equal(noFlag.prevKv, undefined)
  // After a delete the key is new again: no prevKv.
  await store.deleteRange({ key: 'k' })
  assert.equal((await store.put('k', 'again', { prevKv: true })).prevKv, undefined)
})

test('P3: ignoreValue rewrites the current value', async (t) => {
  const { store } = await open(t)
  const { id } = await store.leaseGrant(60, 9)
  await store.put('k', 'keep', { lease: id }) // 2
  const r = await store.put('k', undefined, { ignoreValue: true, lease: id, prevKv: true }) // 3
  assert.equal(r.revision, 3)
  assert.equal(text(r.prevKv?.value), 'keep')
  const kv = await store.get('k')
  assert.equal(text(kv?.value), 'keep')
  assert.equal(kv?.version, 2)
  assert.equal(kv?.modRevision, 3)
  assert.equal(kv?.lease, 9)
  // An empty value is "no value": allowed with ignoreValue.
  await store.put('k', '', { ignoreValue: true })
  const after = await store.get('k')
  assert.equal(text(after?.value), 'keep')
  // Without ignoreLease, lease 0 detaches, as etcd does.
  assert.equal(after?.lease, 0)
})

test('P3: ignoreValue on a missing key fails with "key not found"; with a value, "value is provided"', async (t) => {
  const { store } = await open(t)
  await rejectsWith(store.put('missing', undefined, { ignoreValue: true }), KeyNotFoundError, 'NotFound', /etcdserver: key not found/)
  await store.put('gone', 'x') // 2
  await store.deleteRange({ key: 'gone' }) // 3
  await rejectsWith(store.put('gone', undefined, { ignoreValue: true }), KeyNotFoundError, 'NotFound', /key not found/)
  await store.put('k', 'v') // 4
  await rejectsWith(store.put('k', 'new', { ignoreValue: true }), InvalidArgumentError, 'Invalid', /etcdserver: value is provided/)
  assert.equal(store.revision, 4)
  assert.equal(text((await store.get('k'))?.value), 'v')
  assert.equal(await store.get('missing'), undefined)
})

test('P4: ignoreLease keeps the current lease while changing the value', async (t) => {
  const { store } = await open(t)
  const { id } = await store.leaseGrant(60, 11)
  await store.put('k', 'a', { lease: id })
  const r = await store.put('k', 'b', { ignoreLease: true, prevKv: true })
  assert.equal(r.prevKv?.lease, 11)
  const kv = await store.get('k')
  assert.equal(text(kv?.value), 'b')
  assert.equal(kv?.lease, 11)
  assert.equal(kv?.version, 2)
  assert.deepEqual((await store.leaseTimeToLive(id, { keys: true })).keys?.map((k) => text(k)), ['k'])
  // Both ignores: only the version and mod revision change.
  await store.put('k', undefined, { ignoreLease: true, ignoreValue: true })
  const both = await store.get('k')
  assert.deepEqual([text(both?.value), both?.lease, both?.version], ['b', 11, 3])
})

test('P4: ignoreLease on a missing key fails with "key not found"; with a lease, "lease is provided"', async (t) => {
  const { store } = await open(t)
  const { id } = await store.leaseGrant(60, 12)
  await rejectsWith(store.put('missing', 'v', { ignoreLease: true }), KeyNotFoundError, 'NotFound', /etcdserver: key not found/)
  await store.put('k', 'v') // 2
  await rejectsWith(store.put('k', 'w', { ignoreLease: true, lease: id }), InvalidArgumentError, 'Invalid', /etcdserver: lease is provided/)
  assert.equal(store.revision, 2)
  assert.equal((await store.get('k'))?.lease, 0)
})

test('P5: a put with an unknown lease fails with "requested lease not found" and writes nothing', async (t) => {
  const { store } = await open(t)
  await store.put('k', 'v') // 2
  await rejectsWith(store.put('k', 'w', { lease: 424242 }), LeaseNotFoundError, 'NotFound', /etcdserver: requested lease not found/)
  await rejectsWith(store.put('new', 'w', { lease: 424242 }), LeaseNotFoundError, 'NotFound', /requested lease not found/)
  assert.equal(store.revision, 2)
  assert.equal(text((await store.get('k'))?.value), 'v')
  assert.equal(await store.get('new'), undefined)
})

test('P5: a plain put detaches the lease: revoking it no longer deletes the key', async (t) => {
  const { store } = await open(t)
  const { id } = await store.leaseGrant(60, 21)
  await store.put('k', 'a', { lease: id }) // 2
  await store.put('k', 'b') // 3
  assert.equal((await store.get('k'))?.lease, 0)
  assert.deepEqual((await store.leaseTimeToLive(id, { keys: true })).keys, [])
  const revoke = await store.leaseRevoke(id)
  assert.equal(revoke.revision, 3, 'revoking a lease without keys writes nothing')
  assert.equal(text((await store.get('k'))?.value), 'b')
})

test('P5: a put with another lease moves the key to it', async (t) => {
  const { store } = await open(t)
  await store.leaseGrant(60, 31)
  await store.leaseGrant(60, 32)
  await store.put('k', 'a', { lease: 31 }) // 2
  await store.put('k', 'b', { lease: 32 }) // 3
  assert.equal((await store.get('k'))?.lease, 32)
  assert.deepEqual((await store.leaseTimeToLive(31, { keys: true })).keys, [])
  assert.deepEqual((await store.leaseTimeToLive(32, { keys: true })).keys?.map((k) => text(k)), ['k'])
  assert.equal((await store.leaseRevoke(31)).revision, 3)
  assert.ok((await store.get('k')) !== undefined)
  assert.equal((await store.leaseRevoke(32)).revision, 4)
  assert.equal(await store.get('k'), undefined)
})

test('D1: deleteRange uses the range interval rules and deletes every key at one revision', async (t) => {
  const ts = await open(t)
  const { store } = ts
  for (const k of ['a', 'ab', 'abc', 'b', 'c', 'd']) await store.put(k, k) // 2..7
  const point = await store.deleteRange({ key: 'ab' })
  assert.deepEqual([point.deleted, point.revision], [1, 8])
  const prefix = await store.deleteRange({ key: 'a', prefix: true })
  assert.deepEqual([prefix.deleted, prefix.revision], [2, 9])
  const interval = await store.deleteRange({ key: 'b', rangeEnd: 'd' })
  assert.deepEqual([interval.deleted, interval.revision], [2, 10])
  // One tombstone (one future DELETE event) per deleted key, in key order, at that revision.
  assert.deepEqual(logKeysAt(ts.path, 9), ['a', 'abc'])
  assert.deepEqual(logKeysAt(ts.path, 10), ['b', 'c'])
  assert.equal((await store.range({ key: 'b', rangeEnd: 'd', revision: 9 })).count, 2)
  assert.equal((await store.range({ key: 'b', rangeEnd: 'd', revision: 10 })).count, 0)
  assert.deepEqual((await store.range({ key: '\0', rangeEnd: '\0' })).kvs.map((kv) => text(kv.key)), ['d'])
  const rest = await store.deleteRange({ key: '\0', rangeEnd: '\0' })
  assert.deepEqual([rest.deleted, rest.revision], [1, 11])
  assert.equal((await store.range({ key: '\0', rangeEnd: '\0' })).count, 0)
  assert.equal(store.revision, 11)
})

test('D1: deleting nothing does not bump the revision', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1') // 2
  await store.put('b', '1') // 3
  await store.deleteRange({ key: 'b' }) // 4
  for (const req of [{ key: 'zz' }, { key: 'b' }, { key: 'c', rangeEnd: 'z' }, { key: 'b', rangeEnd: 'a' }, { key: 'x', prefix: true }]) {
    const r = await store.deleteRange({ ...req, prevKv: true })
    assert.equal(r.deleted, 0, JSON.stringify(req))
    assert.equal(r.revision, 4, JSON.stringify(req))
    assert.deepEqual(r.prevKvs, [])
  }
  assert.equal(store.revision, 4)
  assert.equal((await store.status()).revision, 4)
})

test('D2: prevKv lists the deleted key-values as they were, in key order', async (t) => {
  const { store } = await open(t)
  const { id } = await store.leaseGrant(60, 41)
  await store.put('c', 'c1') // 2
  await store.put('a', 'a1') // 3
  await store.put('a', 'a2', { lease: id }) // 4
  await store.put('b', 'b1') // 5
  const r = await store.deleteRange({ key: 'a', rangeEnd: 'c', prevKv: true })
  assert.equal(r.deleted, 2)
  assert.equal(r.revision, 6)
  assert.deepEqual(
    r.prevKvs?.map((kv) => [text(kv.key), text(kv.value), kv.createRevision, kv.modRevision, kv.version, kv.lease]),
    [
      ['a', 'a2', 3, 4, 2, 41],
      ['b', 'b1', 5, 5, 1, 0],
    ],
  )
  const without = await store.deleteRange({ key: 'c' })
  assert.equal(without.deleted, 1)
  assert.equal(without.prevKvs, undefined)
  // The deleted key is no longer attached to the lease.
  assert.deepEqual((await store.leaseTimeToLive(id, { keys: true })).keys, [])
})

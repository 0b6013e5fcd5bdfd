// L1-L5 (reference §7) on a FakeClock, and our own L6: deadlines are persisted across reopen.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { FakeClock, InvalidArgumentError, LeaseExistsError, LeaseNotFoundError } from '../../src/index.js'
import { openTestStore, text } from '../support/temp-store.js'
import { logKeysAt } from '../support/on-disk.js'
import { rejectsWith } from '../support/assertions.js'

async function open(t: TestContext) {
  const clock = new FakeClock()
  const ts = await openTestStore(t, { clock })
  return { ...ts, clock, store: ts.store }
}

test('L1: a TTL below 2 s is raised to 2 s; the granted TTL is returned', async (t) => {
  const { store } = await open(t)
  assert.deepEqual(await store.leaseGrant(1, 1), { id: 1, ttl: 2 })
  assert.deepEqual(await store.leaseGrant(0, 2), { id: 2, ttl: 2 })
  assert.deepEqual(await store.leaseGrant(-5, 3), { id: 3, ttl: 2 })
  assert.deepEqual(await store.leaseGrant(2, 4), { id: 4, ttl: 2 })
  assert.deepEqual(await store.leaseGrant(30, 5), { id: 5, ttl: 30 })
  assert.equal((await store.leaseTimeToLive(1)).grantedTtl, 2)
  assert.equal(store.revision, 1, 'granting writes no key')
})

test('L1: a TTL above 9,000,000,000 s is refused with "too large lease TTL"', async (t) => {
  const { store } = await open(t)
  await rejectsWith(store.leaseGrant(9_000_000_001, 1), InvalidArgumentError, 'Invalid', /etcdserver: too large lease TTL/)
  assert.deepEqual(await store.leases(), [])
  assert.deepEqual(await store.leaseGrant(9_000_000_000, 1), { id: 1, ttl: 9_000_000_000 })
})

test('L1: an existing ID is refused; ID 0 lets the store choose a new one', async (t) => {
  const { store } = await open(t)
  await store.leaseGrant(60, 7)
  await rejectsWith(store.leaseGrant(10, 7), LeaseExistsError, 'AlreadyExists', /etcdserver: lease already exists/)
  assert.equal((await store.leaseTimeToLive(7)).grantedTtl, 60, 'the existing lease is untouched')
  const a = await store.leaseGrant(60)
  const b = await store.leaseGrant(60, 0)
  assert.ok(Number.isSafeInteger(a.id) && a.id > 0)
  assert.ok(Number.isSafeInteger(b.id) && b.id > 0)
  assert.notEqual(a.id, b.id)
  assert.notEqual(a.id, 7)
  assert.deepEqual((await store.leases()).map((l) => l.id).sort((x, y) => x - y), [7, a.id, b.id].sort((x, y) => x - y))
})

test('L2: revoke deletes every attached key in one revision, in key order', async (t) => {
  const ts = await open(t)
  const { store } = ts
  const { id } = await store.leaseGrant(60, 9)
  await store.put('b', '1', { lease: id }) // 2
  await store.put('other', '1') // 3
  await store.put('c', '1', { lease: id }) // 4
  await store.put('a', '1', { lease: id }) // 5
  const r = await store.leaseRevoke(id)
  assert.equal(r.revision, 6)
  assert.equal(store.revision, 6)
  assert.deepEqual((await store.range({ key: '\0', rangeEnd: '\0' })).kvs.map((kv) => text(kv.key)), ['other'])
  assert.deepEqual((await store.range({ key: '\0', rangeEnd: '\0', revision: 5 })).count, 4)
  assert.deepEqual(logKeysAt(ts.path, 6), ['a', 'b', 'c'])
  assert.deepEqual(await store.leases(), [])
  assert.equal((await store.leaseTimeToLive(id)).ttl, -1)
})

test('L2: revoking an unknown lease is LeaseNotFound; a lease without keys revokes without a revision', async (t) => {
  const { store } = await open(t)
  await store.put('k', 'v') // 2
  await rejectsWith(store.leaseRevoke(404), LeaseNotFoundError, 'NotFound', /etcdserver: requested lease not found/)
  await store.leaseGrant(60, 5)
  assert.equal((await store.leaseRevoke(5)).revision, 2)
  assert.equal(store.revision, 2)
  await rejectsWith(store.leaseRevoke(5), LeaseNotFoundError, 'NotFound', /requested lease not found/)
})

test('L3: keepAlive resets the remaining TTL to the granted one and returns it', async (t) => {
  const { store, clock } = await open(t)
  await store.leaseGrant(10, 3)
  clock.advance(6_500)
  assert.equal((await store.leaseTimeToLive(3)).ttl, 3, '3.5 s left, truncated')
  assert.deepEqual(await store.leaseKeepAlive(3), { id: 3, ttl: 10 })
  assert.equal(store.revision, 1, 'a keepAlive writes no key')
  assert.equal((await store.leaseTimeToLive(3)).ttl, 10)
  clock.advance(9_000)
  await store.flush()
  assert.equal((await store.leaseTimeToLive(3)).ttl, 1, 'not expired: the deadline moved')
  assert.deepEqual((await store.leases()).map((l) => l.id), [3])
})

test('L3: keepAlive of an unknown or expired lease answers TTL 0', async (t) => {
  const { store, clock } = await open(t)
  assert.deepEqual(await store.leaseKeepAlive(77), { id: 77, ttl: 0 })
  await store.leaseGrant(5, 8)
  clock.advance(5_000)
  assert.deepEqual(await store.leaseKeepAlive(8), { id: 8, ttl: 0 })
  await store.flush()
  assert.deepEqual(await store.leaseKeepAlive(8), { id: 8, ttl: 0 })
  assert.deepEqual(await store.leases(), [])
})

test('L4: timeToLive gives remaining seconds, granted TTL and, when asked, the attached keys', async (t) => {
  const { store, clock } = await open(t)
  await store.leaseGrant(30, 4)
  await store.put('z', '1', { lease: 4 })
  await store.put('a', '1', { lease: 4 })
  await store.put('m', '1')
  clock.advance(10_200)
  const r = await store.leaseTimeToLive(4, { keys: true })
  assert.equal(r.id, 4)
  assert.equal(r.ttl, 19)
  assert.equal(r.grantedTtl, 30)
  assert.deepEqual(r.keys?.map((k) => text(k)), ['a', 'z'])
  const noKeys = await store.leaseTimeToLive(4)
  assert.equal(noKeys.keys, undefined)
  assert.equal(noKeys.ttl, 19)
})

test('L4: timeToLive of an unknown or expired lease is -1; leases() lists the IDs', async (t) => {
  const { store, clock } = await open(t)
  const unknown = await store.leaseTimeToLive(99, { keys: true })
  assert.equal(unknown.ttl, -1)
  assert.deepEqual(unknown.keys, [])
  await store.leaseGrant(5, 20)
  await store.leaseGrant(60, 10)
  await store.leaseGrant(60, 30)
  assert.deepEqual((await store.leases()).map((l) => l.id), [10, 20, 30])
  clock.advance(5_000)
  // Expired even before the expiry pass has run.
  assert.equal((await store.leaseTimeToLive(20)).ttl, -1)
  await store.flush()
  assert.equal((await store.leaseTimeToLive(20)).ttl, -1)
  assert.deepEqual((await store.leases()).map((l) => l.id), [10, 30])
  assert.equal((await store.status()).leases, 2)
})

test('L5: an expired lease deletes its keys in one revision; a lease without keys expires without one', async (t) => {
  const ts = await open(t)
  const { store, clock } = ts
  await store.leaseGrant(5, 1)
  await store.leaseGrant(5, 2) // no keys
  await store.leaseGrant(20, 3)
  await store.put('b', '1', { lease: 1 }) // 2
  await store.put('a', '1', { lease: 1 }) // 3
  await store.put('c', '1', { lease: 3 }) // 4
  await store.put('keep', '1') // 5
  clock.advance(4_999)
  await store.flush()
  assert.equal(store.revision, 5, 'nothing expires before the deadline')
  assert.equal((await store.leases()).length, 3)
  clock.advance(1)
  await store.flush()
  assert.equal(store.revision, 6, 'lease 1 takes one revision, lease 2 none')
  assert.deepEqual(logKeysAt(ts.path, 6), ['a', 'b'])
  assert.deepEqual((await store.range({ key: '\0', rangeEnd: '\0' })).kvs.map((kv) => text(kv.key)), ['c', 'keep'])
  assert.deepEqual((await store.leases()).map((l) => l.id), [3])
  clock.advance(15_000)
  await store.flush()
  assert.equal(store.revision, 7)
  assert.deepEqual((await store.range({ key: '\0', rangeEnd: '\0' })).kvs.map((kv) => text(kv.key)), ['keep'])
  assert.deepEqual(await store.leases(), [])
})

test('L5: leases expiring together each take their own revision', async (t) => {
  const ts = await open(t)
  const { store, clock } = ts
  await store.leaseGrant(5, 1)
  await store.leaseGrant(5, 2)
  await store.put('x1', '1', { lease: 1 }) // 2
  await store.put('y2', '1', { lease: 2 }) // 3
  await store.put('x2', '1', { lease: 2 }) // 4
  await store.put('y1', '1', { lease: 1 }) // 5
  clock.advance(60_000)
  await store.flush()
  assert.equal(store.revision, 7)
  assert.deepEqual([logKeysAt(ts.path, 6), logKeysAt(ts.path, 7)], [['x1', 'y1'], ['x2', 'y2']])
  assert.equal((await store.range({ key: '\0', rangeEnd: '\0' })).count, 0)
})

test('L6 (ours): lease deadlines survive a reopen instead of restarting the TTL', async (t) => {
  const ts = await open(t)
  const { clock } = ts
  await ts.store.leaseGrant(10, 5)
  await ts.store.put('k', 'v', { lease: 5 }) // 2
  clock.advance(4_000)
  const store = await ts.reopen()
  const left = await store.leaseTimeToLive(5, { keys: true })
  assert.equal(left.ttl, 6, 'the remaining TTL, not the full 10 s')
  assert.equal(left.grantedTtl, 10)
  assert.deepEqual(left.keys?.map((k) => text(k)), ['k'])
  clock.advance(6_000)
  await store.flush()
  assert.equal(await store.get('k'), undefined)
  assert.equal(store.revision, 3)
  assert.deepEqual(await store.leases(), [])
})

// Leases shared between objects created with a TTL (lease-manager.ts), as the apiserver's etcd3
// leaseManager shares them: one grant serves every create of that TTL for a while, each object
// still lives at least its TTL and at most 5 % (<= 60 s) longer.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LeaseManager, objectsPerLeaseMax, reuseSeconds } from '../../src/objects/lease-manager.js'
import { FakeClock } from '../../src/util/index.js'
import { openObjectStore, pod } from '../support/object-store.js'

/** A leaseGrant that counts its calls and answers the TTL asked for, after `gate` resolves. */
function fakeGrants() {
  const granted: number[] = []
  let release: () => void = () => {}
  let gate: Promise<void> = Promise.resolve()
  return {
    granted,
    hold(): void {
      gate = new Promise((resolve) => (release = resolve))
    },
    release: () => release(),
    kv: {
      async leaseGrant(ttl: number) {
        granted.push(ttl)
        await gate
        return { id: granted.length, ttl }
      },
    },
  }
}

test('reuse window: 5 % of the TTL, at most 60 s, whole seconds', () => {
  assert.equal(reuseSeconds(5), 0)
  assert.equal(reuseSeconds(100), 5)
  assert.equal(reuseSeconds(3600), 60)
  assert.equal(reuseSeconds(10_000_000), 60)
})

test('creates of one TTL share a lease until it would outlive them by more than the reuse window', async () => {
  const clock = new FakeClock(1_000_000)
  const g = fakeGrants()
  const m = new LeaseManager(g.kv, clock)
  const first = await m.leaseFor(600) // reuse window 30 s: a 630 s lease
  assert.deepEqual(g.granted, [630])
  clock.advance(29_000)
  assert.equal(await m.leaseFor(600), first, '29 s later: expires 1 s after this object would, within the window')
  clock.advance(1_000)
  const second = await m.leaseFor(600)
  assert.notEqual(second, first, '30 s later: the lease would end exactly at this object\'s TTL, not after it')
  assert.deepEqual(g.granted, [630, 630])
  assert.notEqual(await m.leaseFor(100), second, 'another TTL gets its own lease')
  assert.deepEqual(g.granted, [630, 630, 105])
  assert.equal(m.ttlsHeld, 2)
  clock.advance(700_000) // both leases have expired
  await m.leaseFor(7)
  assert.equal(m.ttlsHeld, 1, 'expired leases are dropped when the next one is granted')
})

test('concurrent creates wait for one grant; a lease takes at most objectsPerLeaseMax objects', async () => {
  const clock = new FakeClock(0)
  const g = fakeGrants()
  const m = new LeaseManager(g.kv, clock)
  g.hold()
  const waiting = Array.from({ length: 10 }, () => m.leaseFor(3600))
  g.release()
  const ids = await Promise.all(waiting)
  assert.deepEqual(new Set(ids), new Set([1]))
  assert.deepEqual(g.granted, [3660])
  for (let i = 10; i < objectsPerLeaseMax; i++) assert.equal(await m.leaseFor(3600), 1)
  assert.equal(await m.leaseFor(3600), 2, 'the 1001st object gets a new lease')
  m.forget(2)
  assert.equal(await m.leaseFor(3600), 3, 'a forgotten (revoked) lease is not handed out again')
})

test('objects with a TTL share a lease in the store and all vanish by TTL + reuse window', async (t) => {
  const { objects, store, clock } = await openObjectStore(t)
  for (const name of ['e1', 'e2', 'e3']) await objects.create(`/registry/events/${name}`, pod(name), { ttlSeconds: 600 })
  const leases = await Promise.all(['e1', 'e2', 'e3'].map(async (n) => (await store.get(`/registry/events/${n}`))?.lease))
  assert.equal(new Set(leases).size, 1)
  const lease = leases[0] as number
  assert.notEqual(lease, 0)
  assert.equal((await store.leaseTimeToLive(lease)).grantedTtl, 630)
  assert.equal((await store.leases()).length, 1, 'one lease, not three')
  clock.advance(599_000)
  await store.flush()
  assert.equal((await objects.list('/registry/events')).items.length, 3, 'every object lives at least its TTL')
  clock.advance(32_000)
  await store.flush()
  assert.equal((await objects.list('/registry/events')).items.length, 0)
})

test('a shared lease revoked by someone else: the next create grants a new one and succeeds', async (t) => {
  const { objects, store } = await openObjectStore(t)
  await objects.create('/registry/events/a', pod('a'), { ttlSeconds: 600 })
  const lease = (await store.get('/registry/events/a'))?.lease as number
  await store.leaseRevoke(lease)
  await objects.create('/registry/events/b', pod('b'), { ttlSeconds: 600 })
  const b = await store.get('/registry/events/b')
  assert.ok(b !== undefined && b.lease !== 0 && b.lease !== lease)
  assert.equal(await store.get('/registry/events/a'), undefined, 'revoking the lease deleted its object')
})

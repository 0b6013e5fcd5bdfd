// guaranteedUpdate with cachedExistingObject (Kubernetes' GuaranteedUpdate argument): no read when
// the copy is current, the key's lease kept, and a stale copy never decides anything on its own —
// a lost CAS, a failed precondition, a tryUpdate error or a no-op on it is checked against the store.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { KubeObject } from '../../src/codec/index.js'
import { ConflictError, NotFoundError } from '../../src/objects/index.js'
import { InvalidArgumentError } from '../../src/util/index.js'
import { counter, counterValue, kvOver, objectStoreOver, openObjectStore } from '../support/object-store.js'

const increment = (o: KubeObject): KubeObject => ({ ...o, data: { n: String(counterValue(o) + 1) } })

async function counting(t: Parameters<typeof openObjectStore>[0]) {
  const opened = await openObjectStore(t)
  let reads = 0
  const kv = kvOver(opened.store, {
    get: (key, options) => {
      reads++
      return opened.store.get(key, options)
    },
  })
  return { ...opened, counted: objectStoreOver(kv), reads: () => reads }
}

test('a current cached copy: the update reads nothing, and the key keeps its lease', async (t) => {
  const { objects, counted, reads, store } = await counting(t)
  const created = await objects.create('/registry/events/c', counter('c', 1), { ttlSeconds: 600 })
  const lease = (await store.get('/registry/events/c'))?.lease
  const updated = await counted.guaranteedUpdate('/registry/events/c', increment, { cachedExistingObject: created })
  assert.equal(reads(), 0)
  assert.equal(counterValue(updated), 2)
  assert.equal(updated.metadata.uid, created.metadata.uid)
  assert.equal((await store.get('/registry/events/c'))?.lease, lease)
  assert.notEqual(lease, 0)
})

test('a stale cached copy: the CAS fails and the update is applied to the fresh object', async (t) => {
  const { objects, counted } = await counting(t)
  const stale = await objects.create('/c/n', counter('n', 1))
  await objects.guaranteedUpdate('/c/n', increment) // 2, behind the copy's back
  const updated = await counted.guaranteedUpdate('/c/n', increment, { cachedExistingObject: stale })
  assert.equal(counterValue(updated), 3, 'no lost update')
  assert.equal(counterValue(await objects.get('/c/n')), 3)
})

test('a precondition, a tryUpdate error and a no-op seen on a stale copy are checked against the store', async (t) => {
  const { objects, counted, reads } = await counting(t)
  const v1 = await objects.create('/c/p', counter('p', 1))
  const v2 = await objects.guaranteedUpdate('/c/p', increment)
  // Precondition on the current version: false on the copy (v1), true on the store.
  const r1 = await counted.guaranteedUpdate('/c/p', increment, { cachedExistingObject: v1, preconditions: { resourceVersion: v2.metadata.resourceVersion } })
  assert.equal(counterValue(r1), 3)
  // tryUpdate refuses what it sees on the copy, not what the store holds.
  const r2 = await counted.guaranteedUpdate(
    '/c/p',
    (o) => {
      if (counterValue(o) < 3) throw new Error('too old')
      return increment(o)
    },
    { cachedExistingObject: v1 },
  )
  assert.equal(counterValue(r2), 4)
  // "Set n to 1" is a no-op on the copy (n = 1) but not on the store (n = 4): it must be written.
  const before = reads()
  const r3 = await counted.guaranteedUpdate('/c/p', (o) => ({ ...o, data: { n: '1' } }), { cachedExistingObject: v1 })
  assert.equal(counterValue(r3), 1)
  assert.equal(counterValue(await objects.get('/c/p')), 1)
  assert.equal(reads() - before, 1, 'the no-op on the copy made exactly one refresh')
  // A precondition that fails on the store too is a Conflict; a deleted key is NotFound.
  await assert.rejects(counted.guaranteedUpdate('/c/p', increment, { cachedExistingObject: v1, preconditions: { uid: 'other' } }), ConflictError)
  await objects.delete('/c/p')
  await assert.rejects(counted.guaranteedUpdate('/c/p', increment, { cachedExistingObject: v2 }), NotFoundError)
})

test('a cached copy without the resourceVersion it was read at is Invalid', async (t) => {
  const { objects } = await openObjectStore(t)
  const created = await objects.create('/c/x', counter('x'))
  const copy = { ...created, metadata: { ...created.metadata, resourceVersion: '' } }
  await assert.rejects(objects.guaranteedUpdate('/c/x', increment, { cachedExistingObject: copy }), InvalidArgumentError)
})

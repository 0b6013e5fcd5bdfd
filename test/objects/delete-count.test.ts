// delete (CAS with preconditions, retry on a lost race) and count.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { KubeObject } from '../../src/codec/index.js'
import { ConflictError, NotFoundError } from '../../src/objects/index.js'
import { counter, counterValue, kvOver, objectStoreOver, openObjectStore, pod } from '../support/object-store.js'

const increment = (o: KubeObject): KubeObject => ({ ...o, data: { n: String(counterValue(o) + 1) } })

test('delete returns the last state with the deletion revision as resourceVersion; NotFound after', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const created = await objects.create('/p/a', pod('a', { labels: { x: 'y' } }))
  const gone = await objects.delete('/p/a')
  assert.equal(gone.metadata.resourceVersion, String(store.revision))
  assert.deepEqual({ ...gone, metadata: { ...gone.metadata, resourceVersion: '' } }, { ...created, metadata: { ...created.metadata, resourceVersion: '' } })
  assert.equal(await store.get('/p/a'), undefined)
  await assert.rejects(objects.delete('/p/a'), (e: unknown) => e instanceof NotFoundError && e.httpStatus === 404)
  await assert.rejects(objects.get('/p/a'), NotFoundError)
})

test('delete preconditions: a uid or resourceVersion mismatch is Conflict and deletes nothing', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const a = await objects.create('/p/a', pod('a'))
  await assert.rejects(objects.delete('/p/a', { preconditions: { uid: 'someone-else' } }), ConflictError)
  await assert.rejects(objects.delete('/p/a', { preconditions: { resourceVersion: '1' } }), ConflictError)
  assert.ok((await store.get('/p/a')) !== undefined)
  // Same name, new life: the old uid no longer matches (Kubernetes' guard against deleting a recreated object).
  await objects.delete('/p/a')
  await objects.create('/p/a', pod('a'))
  await assert.rejects(objects.delete('/p/a', { preconditions: { uid: a.metadata.uid } }), ConflictError)
  const b = await objects.get('/p/a')
  await objects.delete('/p/a', { preconditions: { uid: b.metadata.uid, resourceVersion: b.metadata.resourceVersion } })
  assert.equal(await objects.get('/p/a', { ignoreNotFound: true }), undefined)
})

test('a delete that loses a race retries while the preconditions hold, and stops when they do not', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const a = await objects.create('/p/a', counter('a'))
  let txns = 0
  let target = '/p/a'
  // Before the first CAS lands, someone else updates the object.
  const racing = objectStoreOver(
    kvOver(store, {
      txn: async (r) => {
        txns += 1
        if (txns === 1) await objects.guaranteedUpdate(target, increment)
        return store.txn(r)
      },
    }),
  )
  const last = await racing.delete('/p/a', { preconditions: { uid: a.metadata.uid } })
  assert.equal(txns, 2)
  assert.equal(counterValue(last), 1, 'the last state is the one the retry deleted')

  await objects.create('/p/b', counter('b'))
  const seen = await objects.get('/p/b')
  txns = 0
  target = '/p/b'
  await assert.rejects(racing.delete('/p/b', { preconditions: { resourceVersion: seen.metadata.resourceVersion } }), ConflictError)
  assert.equal(counterValue(await objects.get('/p/b')), 1)
})

test('concurrent deletes: exactly one wins, the others see NotFound', async (t) => {
  const { objects } = await openObjectStore(t)
  await objects.create('/p/a', pod('a'))
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => objects.delete('/p/a')))
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
  for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof NotFoundError)
})

test('count counts keys under the prefix plus "/" only', async (t) => {
  const { objects } = await openObjectStore(t)
  assert.equal(await objects.count('/registry/pods'), 0)
  for (const k of ['/registry/pods/a/x', '/registry/pods/b/y', '/registry/podsx/z', '/registry/pods']) await objects.create(k, pod('p'))
  assert.equal(await objects.count('/registry/pods'), 2)
  assert.equal(await objects.count('/registry/pods/'), 2)
  assert.equal(await objects.count('/registry/pods/a'), 1)
  await objects.delete('/registry/pods/a/x')
  assert.equal(await objects.count('/registry/pods'), 1)
})

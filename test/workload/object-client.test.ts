// The workload's adapter over ObjectStore: a PUT of a stale copy gets 409 Conflict and is retried
// on a fresh read (RetryOnConflict); a change that changes nothing writes nothing; tryUpdate gets
// a private copy; deletes are conditional; lists page through continue tokens; events get leases.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { codec, ObjectStore, type Store } from '../../src/index.js'
import { listPageSize, ObjectClient } from '../../src/workload/object-client.js'
import { realScheduler } from './real-scheduler.js'
import { openWorkloadStore } from './workload-store.js'
import { kvOver } from '../support/object-store.js'

const configMap = (name: string, data: Record<string, string>): codec.KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', uid: '', resourceVersion: '', generation: 0, creationTimestamp: '' },
  data,
})
const key = (name: string): string => `/registry/configmaps/ns/${name}`
const data = (o: codec.KubeObject | undefined): unknown => o?.['data']

async function client(t: import('node:test').TestContext): Promise<{ store: Store; objects: ObjectStore; client: ObjectClient }> {
  const { store } = await openWorkloadStore(t)
  const objects = new ObjectStore({ kv: store, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: realScheduler })
  return { store, objects, client: new ObjectClient(objects) }
}

test('updateFrom a stale copy: 409 Conflict, a fresh read, the change applied on top of the other writer', async (t) => {
  const { objects, client: c } = await client(t)
  const stale = await objects.create(key('a'), configMap('a', { owner: 'one' }))
  await objects.guaranteedUpdate(key('a'), (o) => ({ ...o, data: { owner: 'two' } }))
  const out = await c.updateFrom(key('a'), stale, (o) => {
    o['data'] = { ...(o['data'] as Record<string, string>), seen: 'yes' }
    return o
  })
  assert.equal(out.written, true)
  assert.equal(out.attempts, 2, 'one conflict, one write')
  assert.deepEqual(data(out.object), { owner: 'two', seen: 'yes' })
  assert.deepEqual(data(await objects.get(key('a'))), { owner: 'two', seen: 'yes' })
})

test('a change that changes nothing writes nothing; tryUpdate gets a private, mutable copy', async (t) => {
  const { store, objects, client: c } = await client(t)
  const cached = await objects.create(key('a'), configMap('a', { v: '1' }))
  const revision = store.revision
  const same = await c.updateFrom(key('a'), cached, (o) => o)
  assert.deepEqual([same.written, same.attempts, store.revision], [false, 1, revision])
  const none = await c.update(key('a'), () => undefined)
  assert.deepEqual([none.written, store.revision], [false, revision])
  const changed = await c.update(key('a'), (o) => {
    assert.equal(Object.isFrozen(o), false)
    ;(o['data'] as Record<string, string>)['v'] = '2'
    return o
  })
  assert.equal(changed.written, true)
  assert.equal(changed.object?.metadata.resourceVersion, String(store.revision))
  assert.deepEqual(data(cached), { v: '1' }, 'the caller\'s copy is untouched')
  const missing = await c.update(key('gone'), (o) => o)
  assert.deepEqual([missing.missing, missing.written], [true, false])
})

test('delete holds to the resourceVersion; upsert creates then updates; create reports an existing key', async (t) => {
  const { store, objects, client: c } = await client(t)
  const first = await objects.create(key('a'), configMap('a', { v: '1' }))
  await objects.guaranteedUpdate(key('a'), (o) => ({ ...o, data: { v: '2' } }))
  assert.equal(await c.delete(key('a'), first.metadata.resourceVersion), false, 'moved on since')
  const current = await c.get(key('a'))
  assert.ok(current !== undefined)
  assert.equal(await c.delete(key('a'), current.metadata.resourceVersion), true)
  assert.equal(await c.get(key('a')), undefined)
  assert.equal(await c.delete(key('a'), current.metadata.resourceVersion), false, 'already gone')

  const made = await c.upsert(key('b'), () => configMap('b', { v: '1' }), (o) => o)
  assert.deepEqual([made.written, data(made.object)], [true, { v: '1' }])
  const set = await c.upsert(key('b'), () => configMap('b', { v: 'fresh' }), (o) => ({ ...o, data: { v: '2' } }))
  assert.deepEqual([set.written, data(set.object)], [true, { v: '2' }])
  assert.equal(await c.create(key('b'), configMap('b', {})), undefined)

  const event = await c.create(key('c'), configMap('c', {}), 30)
  assert.ok(event !== undefined)
  const row = await store.get(key('c'))
  assert.ok(row !== undefined && row.lease !== 0, 'created with a lease')
})

test('list pages through continue tokens, all at the first page\'s revision, with selectors', async (t) => {
  const { store, objects, client: c } = await client(t)
  const count = listPageSize + 20
  await Promise.all(Array.from({ length: count }, (_, i) => objects.create(key(`m${String(i).padStart(4, '0')}`), { ...configMap('x', {}), metadata: { ...configMap('x', {}).metadata, name: `m${String(i).padStart(4, '0')}`, labels: { odd: String(i % 2) } } })))
  const revision = store.revision
  const all = await c.list('/registry/configmaps/')
  assert.equal(all.items.length, count)
  assert.equal(all.revision, revision)
  const odd = await c.list('/registry/configmaps/ns/', { labelSelector: 'odd=1' })
  assert.equal(odd.items.length, count / 2)
})

test('updateFrom a current copy passes it as cachedExistingObject: no read of the store', async (t) => {
  const { store } = await openWorkloadStore(t)
  let reads = 0
  const kv = kvOver(store, {
    get: (k, options) => {
      reads++
      return store.get(k, options)
    },
  })
  const objects = new ObjectStore({ kv, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: realScheduler })
  const c = new ObjectClient(objects)
  const cached = await objects.create(key('a'), configMap('a', { v: '1' }))
  const out = await c.updateFrom(key('a'), cached, (o) => ({ ...o, data: { v: '2' } }))
  assert.deepEqual([out.written, out.attempts, data(out.object), reads], [true, 1, { v: '2' }, 0])
})

// create and get: system fields, AlreadyExists, resourceVersion semantics of get, TTL leases, keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AlreadyExistsError, NotFoundError, TooLargeResourceVersionError } from '../../src/objects/index.js'
import { CompactedError, InvalidArgumentError } from '../../src/util/index.js'
import { openObjectStore, pod } from '../support/object-store.js'

test('create sets uid, creationTimestamp, generation 1 and returns the put revision as resourceVersion', async (t) => {
  const { objects, store, clock } = await openObjectStore(t)
  const created = await objects.create('/registry/pods/default/web', pod('web', { namespace: 'default' }))
  assert.equal(created.metadata.uid, 'uid-1')
  assert.equal(created.metadata.generation, 1)
  assert.equal(created.metadata.creationTimestamp, new Date(Math.floor(clock.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z'))
  assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  assert.equal(created.metadata.resourceVersion, String(store.revision))
  const kv = await store.get('/registry/pods/default/web')
  assert.equal(String(kv?.modRevision), created.metadata.resourceVersion)
  assert.deepEqual(await objects.get('/registry/pods/default/web'), created)
})

test('create overwrites a client-sent uid, timestamp and generation, and refuses a resourceVersion', async (t) => {
  const { objects } = await openObjectStore(t)
  const o = pod('a')
  Object.assign(o.metadata, { uid: 'mine', creationTimestamp: '2000-01-01T00:00:00Z', generation: 7 })
  const created = await objects.create('/p/a', o)
  assert.equal(created.metadata.uid, 'uid-1')
  assert.equal(created.metadata.generation, 1)
  assert.notEqual(created.metadata.creationTimestamp, '2000-01-01T00:00:00Z')
  const withRv = pod('b')
  withRv.metadata.resourceVersion = '5'
  await assert.rejects(objects.create('/p/b', withRv), (e: unknown) => e instanceof InvalidArgumentError && /resourceVersion should not be set/.test(e.message))
})

test('create over an existing key is AlreadyExists (409) and writes nothing', async (t) => {
  const { objects, store } = await openObjectStore(t)
  await objects.create('/p/a', pod('a'))
  const before = store.revision
  await assert.rejects(objects.create('/p/a', pod('a', { image: 'other' })), (e: unknown) => {
    assert.ok(e instanceof AlreadyExistsError)
    assert.equal(e.code, 'AlreadyExists')
    assert.equal(e.httpStatus, 409)
    return true
  })
  assert.equal(store.revision, before)
})

test('get: "" and "0" read the latest, N reads as of N, NotFound or undefined for a missing key', async (t) => {
  const { objects } = await openObjectStore(t)
  const v1 = await objects.create('/p/a', pod('a'))
  const v2 = await objects.guaranteedUpdate('/p/a', (o) => ({ ...o, spec: { containers: [{ name: 'c', image: 'v2' }] } }))
  assert.deepEqual(await objects.get('/p/a'), v2)
  assert.deepEqual(await objects.get('/p/a', { resourceVersion: '' }), v2)
  assert.deepEqual(await objects.get('/p/a', { resourceVersion: '0' }), v2)
  assert.deepEqual(await objects.get('/p/a', { resourceVersion: v1.metadata.resourceVersion }), v1)
  assert.deepEqual(await objects.get('/p/a', { resourceVersion: v2.metadata.resourceVersion }), v2)
  // Before the create, the key did not exist.
  await assert.rejects(objects.get('/p/a', { resourceVersion: String(Number(v1.metadata.resourceVersion) - 1) }), NotFoundError)
  await assert.rejects(objects.get('/p/b'), (e: unknown) => e instanceof NotFoundError && e.code === 'NotFound' && e.httpStatus === 404)
  assert.equal(await objects.get('/p/b', { ignoreNotFound: true }), undefined)
})

test('get at a compacted revision is Expired; beyond the current one is Timeout "too large resource version"', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const v1 = await objects.create('/p/a', pod('a'))
  await objects.guaranteedUpdate('/p/a', (o) => ({ ...o, spec: { containers: [] } }))
  await store.compact(store.revision)
  await assert.rejects(objects.get('/p/a', { resourceVersion: v1.metadata.resourceVersion }), (e: unknown) => e instanceof CompactedError && e.code === 'Expired')
  await assert.rejects(objects.get('/p/a', { resourceVersion: String(store.revision + 1) }), (e: unknown) => {
    assert.ok(e instanceof TooLargeResourceVersionError)
    assert.equal(e.code, 'Timeout')
    assert.equal(e.httpStatus, 504)
    assert.match(e.message, /too large resource version: \d+, current: \d+/)
    return true
  })
})

test('a resourceVersion that is not a decimal revision is Invalid', async (t) => {
  const { objects } = await openObjectStore(t)
  for (const rv of ['-1', 'x', '1.5', '01', ' 1', '99999999999999999999']) {
    await assert.rejects(objects.get('/p/a', { resourceVersion: rv }), InvalidArgumentError, rv)
  }
})

test('keys: empty, "/", "." and ".." segments are Invalid (PrepareKey)', async (t) => {
  const { objects } = await openObjectStore(t)
  for (const key of ['', '/', '.', '..', '/a/../b', '/a/./b', 'a/..', './a', '/p/.']) {
    await assert.rejects(objects.get(key), (e: unknown) => e instanceof InvalidArgumentError && e.code === 'Invalid', key)
    await assert.rejects(objects.create(key, pod('x')), InvalidArgumentError, key)
    await assert.rejects(objects.list(key), InvalidArgumentError, key)
  }
  // Dots inside a segment are fine.
  await objects.create('/p/a.b/..c', pod('x'))
  assert.equal((await objects.get('/p/a.b/..c')).metadata.name, 'x')
})

test('create with ttlSeconds attaches a lease: the object vanishes when it expires', async (t) => {
  const { objects, store, clock } = await openObjectStore(t)
  await objects.create('/registry/events/e1', pod('e1'), { ttlSeconds: 5 })
  await objects.create('/registry/events/e2', pod('e2'))
  const kv = await store.get('/registry/events/e1')
  assert.ok(kv !== undefined && kv.lease !== 0)
  const ttl = await store.leaseTimeToLive(kv.lease)
  assert.equal(ttl.grantedTtl, 5)
  clock.advance(6000)
  await store.flush()
  assert.equal(await objects.get('/registry/events/e1', { ignoreNotFound: true }), undefined)
  assert.equal((await objects.get('/registry/events/e2')).metadata.name, 'e2')
  await assert.rejects(objects.create('/p/x', pod('x'), { ttlSeconds: 0 }), InvalidArgumentError)
})

test('an object the codec cannot store is Invalid before anything is written', async (t) => {
  const { objects, store } = await openObjectStore(t)
  const before = store.revision
  const bad = pod('a')
  bad['spec'] = { when: new Date(0) }
  await assert.rejects(objects.create('/p/a', bad), InvalidArgumentError)
  assert.equal(store.revision, before)
})

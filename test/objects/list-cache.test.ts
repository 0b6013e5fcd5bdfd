// Lists and gets served from the watch cache (Kubernetes' cacher, reference 1.4, 1.5, 2.3):
// resourceVersion "0" and "not older than N" read the cache's current state at its revision; a
// not-older-than read waits (on the fake clock) for the cache to reach N, then 504s at 3 s; the
// state follows local writes, another connection's writes and compactions, and equals the store's
// exact list at the cache's revision after any sequence of them (property test).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { KubeObject } from '../../src/codec/index.js'
import { openStore, type Store } from '../../src/index.js'
import { NotFoundError, TooLargeResourceVersionError, toStatus, type ListOptions, type ListResult, type ObjectStore } from '../../src/objects/index.js'
import { objectStoreOver, openObjectStore, pod } from '../support/object-store.js'
import { turns } from '../support/watch-reader.js'

const names = (r: ListResult): string[] => r.items.map((o) => o.metadata.name)

/** Settles into a box, so a test can see that a promise is still pending without waiting on it. */
function track<T>(p: Promise<T>): { settled: boolean; value?: T; error?: unknown; done: Promise<void> } {
  const box: { settled: boolean; value?: T; error?: unknown; done: Promise<void> } = { settled: false, done: Promise.resolve() }
  box.done = p.then(
    (value) => {
      box.settled = true
      box.value = value
    },
    (error: unknown) => {
      box.settled = true
      box.error = error
    },
  )
  return box
}

async function allPages(objects: ObjectStore, prefix: string, options: ListOptions): Promise<{ items: KubeObject[]; first: ListResult }> {
  const first = await objects.list(prefix, options)
  const items = [...first.items]
  for (let token = first.continue; token !== undefined; ) {
    const page = await objects.list(prefix, { limit: options.limit, labelSelector: options.labelSelector, continue: token })
    assert.equal(page.resourceVersion, first.resourceVersion, 'later pages read at the first page revision')
    items.push(...page.items)
    token = page.continue
  }
  return { items, first }
}

test('not older than N waits for the cache to reach N and answers as soon as a write lands', async (t) => {
  const { objects, store } = await openObjectStore(t)
  await objects.create('/p/a', pod('a'))
  const next = store.revision + 1
  const listed = track(objects.list('/p', { resourceVersion: String(next), resourceVersionMatch: 'NotOlderThan' }))
  const legacy = track(objects.list('/p', { resourceVersion: String(next) }))
  await turns(20)
  assert.equal(listed.settled, false, 'waits: the cache has not reached N')
  assert.equal(legacy.settled, false, 'RV N without a match or limit is not-older-than too')
  await objects.create('/p/b', pod('b'))
  await listed.done
  await legacy.done
  assert.equal(listed.error, undefined)
  assert.deepEqual(names(listed.value as ListResult), ['a', 'b'])
  assert.equal(listed.value?.resourceVersion, String(next))
  assert.deepEqual(names(legacy.value as ListResult), ['a', 'b'])
})

test('not older than N is also woken by another connection\'s write, noticed by the poll on the fake clock', async (t) => {
  const { objects, store, ts, clock } = await openObjectStore(t, { remotePollMs: 25 })
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  await objects.create('/p/a', pod('a'))
  const next = store.revision + 1
  const listed = track(objects.list('/p', { resourceVersion: String(next), resourceVersionMatch: 'NotOlderThan' }))
  await objectStoreOver(other).create('/p/b', pod('b'))
  await turns(20)
  assert.equal(listed.settled, false, 'this store has not looked at the file yet')
  clock.advance(25)
  await listed.done
  assert.deepEqual(names(listed.value as ListResult), ['a', 'b'])
  assert.equal(listed.value?.resourceVersion, String(next))
})

test('not older than N times out with 504 Too large resource version at 3 s of fake time', async (t) => {
  const { objects, store, clock } = await openObjectStore(t)
  await objects.create('/p/a', pod('a'))
  const current = store.revision
  const listed = track(objects.list('/p', { resourceVersion: String(current + 2), resourceVersionMatch: 'NotOlderThan' }))
  clock.advance(2_999)
  await turns(20)
  assert.equal(listed.settled, false, 'still waiting just before 3 s')
  clock.advance(1)
  await listed.done
  const err = listed.error
  assert.ok(err instanceof TooLargeResourceVersionError, String(err))
  assert.equal(err.httpStatus, 504)
  assert.equal(err.requested, current + 2)
  assert.equal(err.current, current)
  assert.match(err.message, /too large resource version: \d+, current: \d+/)
  assert.equal(toStatus(err).reason, 'Timeout')
  // A write after the timeout changes nothing for that read, and the next one succeeds.
  await objects.create('/p/b', pod('b'))
  await objects.create('/p/c', pod('c'))
  assert.deepEqual(names(await objects.list('/p', { resourceVersion: String(current + 2), resourceVersionMatch: 'NotOlderThan' })), ['a', 'b', 'c'])
})

test('RV "0" lists and gets come from the cache: decoded once, frozen, limit ignored; so do "" and exact ones once it is loaded', async (t) => {
  const { objects, store } = await openObjectStore(t)
  for (const n of ['a', 'b', 'c']) await objects.create(`/p/${n}`, pod(n))
  const first = await objects.list('/p', { resourceVersion: '0', limit: 1 })
  assert.deepEqual(names(first), ['a', 'b', 'c'], 'limit is ignored for RV "0", as Kubernetes does')
  assert.equal(first.continue, undefined)
  assert.equal(first.resourceVersion, String(store.revision))
  assert.ok(Object.isFrozen(first.items[0]) && Object.isFrozen(first.items[0]?.metadata), 'cached objects are shared and frozen')
  await objects.guaranteedUpdate('/p/b', (o) => ({ ...o, metadata: { ...o.metadata, labels: { v: '2' } } }))
  const second = await objects.list('/p', { resourceVersion: '0' })
  assert.equal(second.items[0], first.items[0], 'an unchanged key: the same decoded object')
  assert.notEqual(second.items[1], first.items[1])
  assert.deepEqual(second.items[1]?.metadata.labels, { v: '2' }, 'local writes are in the cache before their caller is answered')
  assert.equal(await objects.get('/p/b', { resourceVersion: '0' }), second.items[1], 'get RV "0" shares the cached object')
  await assert.rejects(objects.get('/p/zz', { resourceVersion: '0' }), NotFoundError)
  assert.equal(await objects.get('/p/zz', { resourceVersion: '0', ignoreNotFound: true }), undefined)
  // Not older than N with a limit pages from the cache; the rest comes from the store at its revision.
  const paged = await allPages(objects, '/p', { resourceVersion: '1', resourceVersionMatch: 'NotOlderThan', limit: 2 })
  assert.deepEqual(paged.items.map((o) => o.metadata.name), ['a', 'b', 'c'])
  assert.equal(paged.first.remainingItemCount, 1)
  assert.ok(Object.isFrozen(paged.first.items[0]))
  // KEP-2340: "" (consistent) and exact reads come from the loaded cache too: the same shared objects.
  assert.equal((await objects.list('/p')).items[0], second.items[0])
  assert.equal((await objects.list('/p', { resourceVersion: String(store.revision), resourceVersionMatch: 'Exact' })).items[0], second.items[0])
  assert.equal(await objects.get('/p/a'), second.items[0])
  assert.ok(store.watchCacheStatus.stateKeys === 3 && store.watchCacheStatus.stateBytes > 0)
})

test('a state larger than watchCacheStateBytesMax is dropped: cached reads fall back to the store', async (t) => {
  const { objects, store } = await openObjectStore(t, { limits: { watchCacheStateBytesMax: 1_500 } })
  await objects.create('/p/a', pod('a'))
  assert.deepEqual(names(await objects.list('/p', { resourceVersion: '0' })), ['a'])
  assert.equal(store.watchCacheStatus.stateOff, false)
  for (const n of ['b', 'c', 'd', 'e']) await objects.create(`/p/${n}`, pod(n, { image: 'x'.repeat(100) }))
  assert.equal(store.watchCacheStatus.stateOff, true, 'the feed dropped it once it grew past the bound')
  assert.equal(store.watchCacheStatus.stateBytes, 0)
  const r = await objects.list('/p', { resourceVersion: '0' })
  assert.deepEqual(names(r), ['a', 'b', 'c', 'd', 'e'])
  assert.ok(!Object.isFrozen(r.items[0]), 'read from the store')
  assert.equal((await objects.get('/p/e', { resourceVersion: '0' })).metadata.name, 'e')
})

test('another connection compacting past the cache: the state reloads and lists stay right', async (t) => {
  const { objects, store, ts } = await openObjectStore(t)
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  const remote = objectStoreOver(other)
  await objects.create('/p/a', pod('a'))
  assert.deepEqual(names(await objects.list('/p', { resourceVersion: '0' })), ['a'])
  await remote.create('/p/b', pod('b'))
  await remote.delete('/p/a')
  await remote.create('/p/c', pod('c'))
  await other.compact(other.revision, { physical: true })
  const r = await objects.list('/p', { resourceVersion: '0' })
  assert.deepEqual(names(r), ['b', 'c'])
  assert.equal(r.resourceVersion, String(other.revision))
  await remote.delete('/p/b')
  assert.deepEqual(names(await objects.list('/p', { resourceVersion: String(other.revision), resourceVersionMatch: 'NotOlderThan' })), ['c'])
})

type Step =
  | { kind: 'create' | 'update' | 'delete'; name: string; remote: boolean; label: string }
  | { kind: 'compact'; back: number; remote: boolean }
  | { kind: 'list'; selector: string; limit: number }

const nameArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f')
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constantFrom('create' as const, 'update' as const, 'delete' as const), name: nameArb, remote: fc.boolean(), label: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('compact' as const), back: fc.nat(3), remote: fc.boolean() }),
  fc.record({ kind: fc.constant('list' as const), selector: fc.constantFrom('', 'l=x', 'l!=x'), limit: fc.nat(3) }),
)

async function write(objects: ObjectStore, kv: Store, step: Step): Promise<void> {
  if (step.kind === 'list') return
  if (step.kind === 'compact') {
    const target = kv.revision - step.back
    if (target > kv.compactRevision) await kv.compact(target, { physical: true })
    return
  }
  const key = `/p/${step.name}`
  const exists = (await objects.get(key, { ignoreNotFound: true })) !== undefined
  if (step.kind === 'delete' && exists) await objects.delete(key)
  else if (step.kind === 'update' && exists) await objects.guaranteedUpdate(key, (o) => ({ ...o, metadata: { ...o.metadata, labels: { l: step.label } } }))
  else if (step.kind === 'create' && !exists) await objects.create(key, pod(step.name, { labels: { l: step.label } }))
}

test('property: a cache-served list equals the store list at the cache revision, after random writes, deletes and compactions from two connections', async (t) => {
  const { objects, store, ts } = await openObjectStore(t)
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  const remote = objectStoreOver(other)
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
      // Runs share the store and its cache: each starts where the last one left the keyspace.
      for (const step of steps) {
        const remoteStep = step.kind !== 'list' && step.remote
        await write(remoteStep ? remote : objects, remoteStep ? other : store, step)
        const selector = step.kind === 'list' ? step.selector : ''
        const cached = await objects.list('/p', { resourceVersion: '0', labelSelector: selector })
        assert.equal(cached.resourceVersion, String(store.revision), 'the cache keeps up with both connections')
        const exact = await objects.list('/p', { resourceVersion: cached.resourceVersion, resourceVersionMatch: 'Exact', labelSelector: selector })
        assert.deepEqual(cached.items, exact.items)
        if (step.kind === 'list' && step.limit > 0) {
          const paged = await allPages(objects, '/p', { resourceVersion: '1', resourceVersionMatch: 'NotOlderThan', limit: step.limit, labelSelector: selector })
          assert.deepEqual(paged.items, cached.items, 'pages from the cache, then the store at its revision, make the same list')
        }
      }
    }),
    { numRuns: Number(process.env['LIST_CACHE_RUNS'] ?? 40), verbose: 1 },
  )
})

// Consistent reads (resourceVersion "") from the watch cache, KEP-2340 (docs/read-path.md): the
// first one starts the state's load and reads the store; once loaded, gets and lists wait for the
// cache to reach the store's current revision and answer from it; every fallback is counted by
// reason; a write acknowledged before the read (here, on another connection, or in another
// process) is always seen; continue pages and exact reads come from the state rebuilt at their
// revision while the ring covers it, and from the store after.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import fc from 'fast-check'
import type { KubeObject } from '../../src/codec/index.js'
import { openStore, type Store } from '../../src/index.js'
import type { ListResult, ObjectStore } from '../../src/objects/index.js'
import { Child, killChildren } from '../support/child-process.js'
import { objectStoreOver, openObjectStore, pod } from '../support/object-store.js'
import { tempDir } from '../support/temp-store.js'
import type { WriterAck, WriterReply } from '../support/watch-writer-child.js'
import { turns } from '../support/watch-reader.js'

const names = (r: ListResult): string[] => r.items.map((o) => o.metadata.name)
const strip = (o: KubeObject): string => JSON.stringify(o)

/** Loads the cache's state: the first consistent read starts the load; wait until it is ready. */
async function loaded(objects: ObjectStore, store: Store): Promise<void> {
  await objects.get('/x/none', { ignoreNotFound: true })
  for (let i = 0; i < 1000 && store.readPathStats().cache.hits === 0; i++) {
    await turns(1)
    await objects.get('/x/none', { ignoreNotFound: true })
  }
  assert.ok(store.readPathStats().cache.hits > 0, 'the state loaded')
}

test('the first consistent read goes to the store (loading), later ones come from the cache; counters say so', async (t) => {
  const { objects, store } = await openObjectStore(t)
  for (const n of ['a', 'b', 'c']) await objects.create(`/p/${n}`, pod(n))
  const first = await objects.get('/p/a')
  assert.ok(!Object.isFrozen(first), 'read (and decoded) from the store')
  let stats = objects.readPathStats()
  assert.equal(stats.cache?.fallbacks.loading, 1)
  assert.deepEqual(stats.gets, { cache: 0, store: 1 })
  await loaded(objects, store)
  const hitsBefore = store.readPathStats().cache.consistentHits
  const again = await objects.get('/p/a')
  assert.ok(Object.isFrozen(again), 'from the cache: shared, frozen')
  assert.equal(strip(again), strip(first))
  assert.deepEqual(names(await objects.list('/p')), ['a', 'b', 'c'])
  stats = objects.readPathStats()
  assert.equal(stats.cache?.consistentHits, hitsBefore + 2)
  assert.equal(stats.lists, 1)
  assert.ok(stats.eventLoopDelay !== undefined && stats.eventLoopDelay.maxMs >= 0)
})

test('read after ack: a write acknowledged on another connection is in the next consistent read, with no poll', async (t) => {
  const { objects, store, ts } = await openObjectStore(t, { remotePollMs: 60_000 })
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  const remote = objectStoreOver(other)
  await objects.create('/p/a', pod('a'))
  await loaded(objects, store)
  for (let i = 0; i < 20; i++) {
    const written = await remote.guaranteedUpdate('/p/a', (o) => ({ ...o, metadata: { ...o.metadata, labels: { n: String(i) } } }))
    const created = await remote.create(`/p/n${i}`, pod(`n${i}`))
    // The fake clock never moves: only the read itself can have learnt the other connection's writes.
    const got = await objects.get('/p/a')
    assert.equal(got.metadata.labels?.['n'], String(i))
    assert.ok(Number(got.metadata.resourceVersion) >= Number(written.metadata.resourceVersion))
    const listed = await objects.list('/p')
    assert.ok(Number(listed.resourceVersion) >= Number(created.metadata.resourceVersion))
    assert.ok(names(listed).includes(`n${i}`))
  }
  const stats = store.readPathStats().cache
  assert.ok(stats.consistentHits >= 40, `served by the cache (${JSON.stringify(stats)})`)
})

test('read after ack across processes: every write a child process acknowledged is in the next consistent cached read', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('etchlog-rya-')
  t.after(async () => {
    await killChildren()
    dir.remove()
  })
  const path = join(dir.path, 'etchlog.db')
  const store = await openStore({ path, durability: 'relaxed', remotePollMs: 60_000 })
  t.after(() => store.close())
  await store.put('seed', '0')
  const child = new Child('writer', new URL('../support/watch-writer-child.ts', import.meta.url), [path, 'w', '7'], 60_000)
  await child.next<WriterReply>('ready')
  await store.rangeFromCache({ key: 'k', prefix: true, consistent: true })
  for (let i = 0; i < 1000 && store.watchCacheStatus.stateKeys === 0; i++) await turns(1)
  const ops = 60
  child.send({ cmd: 'run', ops, keys: ['k0', 'k1', 'k2', 'k3'] })
  let checked = 0
  const ran = child.next<Extract<WriterReply, { type: 'ran' }>>('ran')
  let writes = Number.POSITIVE_INFINITY
  void ran.then((r) => (writes = r.writes))
  while (checked < writes) {
    // The acks come before 'ran' (one IPC channel, in order); 'ran' tells how many there were.
    const m = await Promise.race([child.next<WriterAck>('ack'), ran])
    if (m.type !== 'ack') continue
    const cached = await store.rangeFromCache({ key: 'k', prefix: true, consistent: true })
    assert.ok(cached !== undefined, 'served by the cache')
    assert.ok(cached.revision >= m.revision, `read after ack: cache at ${cached.revision}, ack at ${m.revision}`)
    const truth = await store.range({ key: 'k', rangeEnd: 'l', revision: cached.revision })
    assert.deepEqual(cached.kvs.map((kv) => `${kv.key}@${kv.modRevision}`), truth.kvs.map((kv) => `${kv.key}@${kv.modRevision}`))
    checked++
  }
  assert.equal(checked, (await ran).writes)
  assert.ok(checked > 10, `${checked} acknowledged writes checked`)
  await child.call({ cmd: 'close' }, 'closed')
})

test('a cache that cannot reach the revision in consistentReadWaitMs hands the read to the store (not-caught-up)', async (t) => {
  const { store, clock } = await openObjectStore(t, { limits: { consistentReadWaitMs: 200 } })
  await store.put('a', '1')
  await store.rangeFromCache({ key: 'a', consistent: true })
  for (let i = 0; i < 1000 && store.watchCacheStatus.stateKeys === 0; i++) await turns(1)
  // As if the store were one revision further than the cache can get.
  const pending = store.rangeFromCache({ key: 'a', consistent: true, notOlderThan: store.revision + 1 })
  await turns(5)
  clock.advance(199)
  await turns(5)
  assert.equal(store.readPathStats().cache.fallbacks['not-caught-up'], 0, 'still waiting')
  clock.advance(1)
  assert.equal(await pending, undefined)
  const stats = store.readPathStats().cache
  assert.equal(stats.fallbacks['not-caught-up'], 1)
  assert.equal(stats.waits, 1)
  assert.equal(stats.waitMsTotal, 200)
})

test('a state over watchCacheStateBytesMax: consistent reads go to the store (state-off) and stay right', async (t) => {
  const { objects, store } = await openObjectStore(t, { limits: { watchCacheStateBytesMax: 1_500 } })
  await objects.create('/p/a', pod('a'))
  await loaded(objects, store)
  for (const n of ['b', 'c', 'd', 'e']) await objects.create(`/p/${n}`, pod(n, { image: 'x'.repeat(100) }))
  assert.deepEqual(names(await objects.list('/p')), ['a', 'b', 'c', 'd', 'e'])
  assert.equal((await objects.get('/p/e')).metadata.name, 'e')
  assert.equal(store.readPathStats().cache.fallbacks['state-off'], 2)
})

test('pagination from the cache at the first page revision, with writes between pages', async (t) => {
  const { objects, store } = await openObjectStore(t)
  for (const n of ['a', 'b', 'c', 'd', 'e']) await objects.create(`/p/${n}`, pod(n))
  await loaded(objects, store)
  const first = await objects.list('/p', { limit: 2 })
  assert.deepEqual(names(first), ['a', 'b'])
  assert.equal(first.remainingItemCount, 3)
  const at = first.resourceVersion
  // Writes after the first page: the next pages must not show them.
  await objects.delete('/p/c')
  await objects.guaranteedUpdate('/p/d', (o) => ({ ...o, metadata: { ...o.metadata, labels: { late: 'yes' } } }))
  await objects.create('/p/bb', pod('bb'))
  const hits = store.readPathStats().cache.hits
  const second = await objects.list('/p', { limit: 2, continue: first.continue })
  const third = await objects.list('/p', { limit: 2, continue: second.continue })
  assert.equal(second.resourceVersion, at)
  assert.deepEqual(names(second), ['c', 'd'])
  assert.equal(second.items[1]?.metadata.labels, undefined, 'd as it was at the first page revision')
  assert.deepEqual(names(third), ['e'])
  assert.equal(third.continue, undefined)
  assert.equal(store.readPathStats().cache.hits, hits + 2, 'both pages from the cache')
  const truth = await objects.list('/p', { resourceVersion: at, resourceVersionMatch: 'Exact' })
  assert.deepEqual([...names(first), ...names(second), ...names(third)], names(truth))
})

test('a continue page whose revision left the ring is read from the store (revision-not-held)', async (t) => {
  const { objects, store } = await openObjectStore(t, { limits: { watchCacheEventsMin: 4, watchCacheEventsMax: 4, watchCacheEventFreshMs: 1 } })
  for (const n of ['a', 'b', 'c']) await objects.create(`/p/${n}`, pod(n))
  await loaded(objects, store)
  const first = await objects.list('/p', { limit: 1 })
  for (let i = 0; i < 6; i++) await objects.create(`/q/${i}`, pod(`q${i}`))
  const second = await objects.list('/p', { limit: 5, continue: first.continue })
  assert.deepEqual(names(second), ['b', 'c'])
  assert.equal(second.resourceVersion, first.resourceVersion)
  assert.equal(store.readPathStats().cache.fallbacks['revision-not-held'], 1)
})

test('property: exact gets and lists from the cache equal the store at every revision the ring holds', async (t) => {
  const { objects, store } = await openObjectStore(t)
  await objects.create('/p/a0', pod('a0'))
  await loaded(objects, store)
  // The ring holds every event after this revision (the cache started at it).
  const cachedFrom = store.revision
  const keys = ['a0', 'a1', 'a2', 'a3']
  let seed = 12345
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  for (let i = 0; i < 60; i++) {
    const k = keys[Math.floor(rnd() * keys.length)] as string
    const r = rnd()
    const labelled = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, labels: { i: String(i) } } })
    if (r < 0.6) await objects.guaranteedUpdate(`/p/${k}`, (o) => (o === undefined ? pod(k, { labels: { i: String(i) } }) : labelled(o)), { ignoreNotFound: true })
    else await objects.delete(`/p/${k}`).catch((err: unknown) => assert.equal((err as { code?: string }).code, 'NotFound'))
  }
  const misses = store.readPathStats().cache.fallbacks['revision-not-held']
  const hits = store.readPathStats().cache.hits
  let exact = 0
  for (let rev = store.compactRevision + 1; rev <= store.revision; rev++) {
    const rv = String(rev)
    const truth = await store.range({ key: '/p/', rangeEnd: '/p0', revision: rev })
    const listed = await objects.list('/p', { resourceVersion: rv, resourceVersionMatch: 'Exact' })
    assert.deepEqual(listed.items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`), truth.kvs.map((kv) => `${Buffer.from(kv.key).toString().slice(3)}@${kv.modRevision}`), `list at ${rev}`)
    const one = await objects.get('/p/a1', { resourceVersion: rv, ignoreNotFound: true })
    const row = truth.kvs.find((kv) => Buffer.from(kv.key).toString() === '/p/a1')
    assert.equal(one?.metadata.resourceVersion, row === undefined ? undefined : String(row.modRevision), `get at ${rev}`)
    exact += 2
  }
  // Revisions before the cache started are read from the store: a list and a get for each.
  const before = 2 * (cachedFrom - 1 - store.compactRevision)
  assert.equal(store.readPathStats().cache.fallbacks['revision-not-held'] - misses, before)
  assert.equal(store.readPathStats().cache.hits - hits, exact - before, 'the rest served by the cache')
})

test('the first load yields to the event loop between slices: reads go to the store meanwhile', async (t) => {
  const { objects, store } = await openObjectStore(t, { limits: { readSliceMs: 1 } })
  for (let b = 0; b < 30; b++) {
    await store.txn({ success: Array.from({ length: 100 }, (_, i) => ({ put: { key: `/p/k${String(b * 100 + i).padStart(5, '0')}`, value: 'v'.repeat(200) } })) })
  }
  await store.rangeFromCache({ key: '/p/', prefix: true, consistent: true })
  let ranBetween = 0
  for (let i = 0; i < 10_000 && store.watchCacheStatus.stateKeys === 0; i++) {
    ranBetween++
    assert.equal(await store.rangeFromCache({ key: '/p/k00001', consistent: true }), undefined, 'still loading: the store answers')
    await turns(1)
  }
  assert.equal(store.watchCacheStatus.stateKeys, 3000)
  assert.ok(ranBetween > 1, `the event loop ran ${ranBetween} turns during the load`)
  assert.ok(store.readPathStats().cache.fallbacks.loading >= ranBetween)
  const r = await store.rangeFromCache({ key: '/p/', prefix: true, consistent: true })
  assert.equal(r?.kvs.length, 3000)
  void objects
})

test('model: after random creates, updates and deletes on two connections and compactions, every consistent read equals the store at its latest revision', async (t) => {
  const { objects, store, ts } = await openObjectStore(t, { remotePollMs: 60_000 })
  const other = await openStore({ path: ts.path, durability: 'relaxed' })
  t.after(() => other.close())
  const remote = objectStoreOver(other)
  await loaded(objects, store)
  const keys = ['a', 'b', 'c', 'd']
  const op = fc.record({ remote: fc.boolean(), key: fc.constantFrom(...keys), kind: fc.constantFrom('upsert', 'upsert', 'delete', 'compact') })
  let step = 0
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      for (const o of ops) {
        const via = o.remote ? remote : objects
        step++
        if (o.kind === 'upsert') await via.guaranteedUpdate(`/p/${o.key}`, (cur) => ({ ...(cur ?? pod(o.key)), metadata: { ...(cur?.metadata ?? { name: o.key }), labels: { step: String(step) } } }) as KubeObject, { ignoreNotFound: true })
        else if (o.kind === 'delete') await via.delete(`/p/${o.key}`).catch((err: unknown) => assert.equal((err as { code?: string }).code, 'NotFound'))
        else await (o.remote ? other : store).compact(Math.max(store.compactRevision + 1, store.revision - 2)).catch((err: unknown) => assert.equal((err as { code?: string }).code, 'Expired'))
        // The model: the store's own latest range, read after the operation was acknowledged.
        const listed = await objects.list('/p')
        const truth = await store.range({ key: '/p/', prefix: true, revision: Number(listed.resourceVersion) })
        assert.ok(Number(listed.resourceVersion) >= store.revision, 'not behind the store')
        assert.deepEqual(listed.items.map((x) => `${x.metadata.name}@${x.metadata.resourceVersion}`), truth.kvs.map((kv) => `${Buffer.from(kv.key).toString().slice(3)}@${kv.modRevision}`))
        const k = o.key
        const got = await objects.get(`/p/${k}`, { ignoreNotFound: true })
        const row = truth.kvs.find((kv) => Buffer.from(kv.key).toString() === `/p/${k}`)
        assert.equal(got?.metadata.resourceVersion, row === undefined ? undefined : String(row.modRevision), `get /p/${k}`)
      }
    }),
    { numRuns: 15, seed: 4242 },
  )
  const stats = store.readPathStats().cache
  t.diagnostic(JSON.stringify(stats))
  assert.ok(stats.consistentHits > 50, 'the reads were served by the cache')
})

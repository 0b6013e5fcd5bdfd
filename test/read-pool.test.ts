// Store reads on worker threads (src/read-pool.ts): each worker has its own read-only connection;
// lists read through it equal lists read on the main thread (encrypted values decrypted in the
// worker), pinned revisions included; a store error keeps its class; a worker that dies fails only
// its own read, with ReadWorkerError, and the next read runs on its replacement.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CompactedError, createReadPool, encryption, ObjectStore, ReadWorkerError, codec, systemClock, type ObjectKv, type Store } from '../src/index.js'
import { pod } from './support/object-store.js'
import { openTestStore } from './support/temp-store.js'

const secret = encryption.SecretKey.generate()
const config: encryption.EncryptionConfig = { resources: [{ prefixes: ['/registry/'], providers: [{ aesgcm: { keys: [{ name: 'k1', secret }] } }] }] }

/** An ObjectKv without the watch cache: lists take the store path. */
function storeOnly(store: Store): ObjectKv {
  return {
    get revision() {
      return store.revision
    },
    get compactRevision() {
      return store.compactRevision
    },
    get: (k, o) => store.get(k, o),
    range: (r) => store.range(r),
    txn: (t) => store.txn(t),
    leaseGrant: (ttl) => store.leaseGrant(ttl),
  }
}

test('lists through worker threads equal lists on the main thread; errors keep their class; a dead worker fails only its read', { timeout: 120_000 }, async (t) => {
  const { store, path } = await openTestStore(t, { transformer: encryption.createTransformer(config) })
  const objectCodec = new codec.ObjectCodec(codec.defaultRegistry())
  const main = new ObjectStore({ kv: storeOnly(store), codec: objectCodec, clock: systemClock })
  for (let i = 0; i < 60; i++) await main.create(`/registry/pods/p${String(i).padStart(2, '0')}`, pod(`p${i}`, { labels: { even: String(i % 2 === 0) } }))
  const pool = createReadPool({ path, encryption: config, threads: 1 })
  t.after(() => pool.close())
  let offReads = 0
  const storeRange = (r: Parameters<typeof pool.range>[0]): ReturnType<typeof pool.range> => {
    offReads++
    return pool.range(r)
  }
  const off = new ObjectStore({ kv: storeOnly(store), codec: objectCodec, clock: systemClock, storeRange, readSliceMs: 1 })
  const show = (r: { items: Array<{ metadata: { name: string; resourceVersion: string } }> }): string[] => r.items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`)
  assert.deepEqual(show(await off.list('/registry/pods')), show(await main.list('/registry/pods')))
  assert.ok(offReads > 0, 'the pages were read by the pool')
  const at = store.revision
  await main.delete('/registry/pods/p00')
  await main.create('/registry/pods/zz', pod('zz'))
  const exact = { resourceVersion: String(at), resourceVersionMatch: 'Exact' as const }
  assert.deepEqual(show(await off.list('/registry/pods', exact)), show(await main.list('/registry/pods', exact)))
  const paged = { limit: 7, labelSelector: 'even=true' }
  const first = await off.list('/registry/pods', paged)
  assert.deepEqual(show(first), show(await main.list('/registry/pods', paged)))
  assert.equal(first.items.length, 7)
  // The store's own errors come back with their class.
  await store.compact(at)
  await assert.rejects(pool.range({ key: '/registry/pods/', prefix: true, revision: 2 }), CompactedError)
  // A worker that dies mid-read: that read fails, typed; the pool replaces the thread.
  const died = await pool.exitOneWorker()
  assert.ok(died instanceof ReadWorkerError, `a typed error: ${String(died)}`)
  assert.equal(died.code, 'InternalError')
  assert.deepEqual(show(await off.list('/registry/pods')), show(await main.list('/registry/pods')))
  await pool.close()
  await assert.rejects(pool.range({ key: 'a' }), { code: 'Invalid' })
})

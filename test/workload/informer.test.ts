// The workload's informer over the object API: a watch whose start was compacted away answers
// 410 Expired, and the informer lists again and carries on, ending equal to the store; the
// watch-list mode fills its cache from initial events.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { codec, ObjectStore, type Store } from '../../src/index.js'
import { ActorContext } from '../../src/workload/context.js'
import { CommitTimes } from '../../src/workload/commit-times.js'
import { Informer, type InformerMode } from '../../src/workload/informer.js'
import { ObjectClient, type ListPage } from '../../src/workload/object-client.js'
import { clusterShape, defaultWorkloadOptions } from '../../src/workload/options.js'
import { Stats } from '../../src/workload/stats.js'
import { realScheduler } from './real-scheduler.js'
import { openWorkloadStore } from './workload-store.js'

const prefix = '/registry/configmaps/'
const syncDeadlineMs = 10_000

const configMap = (name: string, value: string): codec.KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', uid: '', resourceVersion: '', generation: 0, creationTimestamp: '' },
  data: { value },
})

/** The first list returns, then two more changes land and the store compacts past the list's revision. */
class CompactingClient extends ObjectClient {
  private first = true

  constructor(
    objects: ObjectStore,
    private readonly store: Store,
  ) {
    super(objects)
  }

  override async list(path: string): Promise<ListPage> {
    const page = await super.list(path)
    if (this.first) {
      this.first = false
      await this.objects.create(`${prefix}ns/c`, configMap('c', 'new'))
      await this.objects.guaranteedUpdate(`${prefix}ns/a`, (o) => ({ ...o, data: { value: 'changed' } }))
      await this.store.compact(this.store.revision)
    }
    return page
  }
}

function setup(store: Store, objects: ObjectStore, client: ObjectClient, mode: InformerMode): { informer: Informer; stats: Stats; done(): Promise<void> } {
  const stats = new Stats()
  const options = { ...defaultWorkloadOptions, dbPath: '/unused', seed: 1 }
  const ctx = new ActorContext(store, client, realScheduler, stats, options, clusterShape(options), new AbortController().signal)
  const commitTimes = new CommitTimes(store, realScheduler)
  const informer = new Informer(ctx, commitTimes, prefix, () => undefined, mode)
  return {
    informer,
    stats,
    async done() {
      await informer.stop()
      commitTimes.close()
    },
  }
}

/** Waits until the informer has every change up to the store's revision, asking for bookmarks meanwhile. */
async function synced(informer: Informer, store: Store, objects: ObjectStore): Promise<void> {
  const target = store.revision
  const deadline = performance.now() + syncDeadlineMs
  let reached = false
  const waiting = informer.syncedTo(target).then(() => {
    reached = true
  })
  while (!reached) {
    assert.ok(performance.now() < deadline, `informer stuck at revision ${informer.revision} < ${target}`)
    objects.requestBookmarks()
    await Promise.race([waiting, new Promise((resolve) => setTimeout(resolve, 20))])
  }
}

async function assertEqualsStore(informer: Informer, store: Store): Promise<void> {
  const truth = await store.range({ key: prefix, prefix: true, revision: informer.revision, keysOnly: true })
  const stored = truth.kvs.map((kv) => [Buffer.from(kv.key).toString('utf8'), String(kv.modRevision)])
  const cached = [...informer.cache].map(([key, o]) => [key, o.metadata.resourceVersion]).sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1))
  assert.deepEqual(cached, stored)
}

test('a watch whose start was compacted gets 410 Expired; the informer re-lists once and ends equal to the store', async (t) => {
  const { store, defer } = await openWorkloadStore(t)
  const objects = new ObjectStore({ kv: store, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: realScheduler })
  await objects.create(`${prefix}ns/a`, configMap('a', 'one'))
  await objects.create(`${prefix}ns/b`, configMap('b', 'two'))
  const { informer, stats, done } = setup(store, objects, new CompactingClient(objects, store), 'list-watch')
  // Stopped before the store closes, which would end its watch with a 410.
  defer(done)
  await informer.start()
  await synced(informer, store, objects)
  assert.equal(informer.errorCodes.get(410), 1, 'one ERROR 410 from the compacted start')
  assert.equal(stats.relists, 1)
  assert.equal(stats.of('list').ops, 2, 'the first list and the re-list')
  assert.deepEqual([...informer.cache.keys()].sort(), [`${prefix}ns/a`, `${prefix}ns/b`, `${prefix}ns/c`])
  assert.equal(informer.cache.get(`${prefix}ns/a`)?.['data']?.['value' as never], 'changed')
  await assertEqualsStore(informer, store)
  // The watch opened after the re-list delivers what follows.
  await objects.delete(`${prefix}ns/b`)
  await synced(informer, store, objects)
  assert.equal(informer.cache.has(`${prefix}ns/b`), false)
  assert.ok(stats.watchEvents >= 1)
  await assertEqualsStore(informer, store)
})

test('watch-list mode fills the cache from initial events, then follows changes', async (t) => {
  const { store, defer } = await openWorkloadStore(t)
  const objects = new ObjectStore({ kv: store, codec: new codec.ObjectCodec(codec.defaultRegistry()), clock: realScheduler })
  await objects.create(`${prefix}ns/a`, configMap('a', 'one'))
  await objects.create(`${prefix}ns/b`, configMap('b', 'two'))
  const { informer, stats, done } = setup(store, objects, new ObjectClient(objects), 'watch-list')
  defer(done)
  await informer.start()
  assert.equal(informer.cache.size, 2)
  assert.equal(stats.of('list').ops, 1, 'the initial events count as one list')
  assert.equal(stats.watchEvents, 0, 'initial events are not deliveries')
  await objects.guaranteedUpdate(`${prefix}ns/a`, (o) => ({ ...o, data: { value: 'changed' } }))
  await synced(informer, store, objects)
  assert.equal(stats.watchEvents, 1)
  await assertEqualsStore(informer, store)
})

// The workload's object client over HTTPS against an in-process etchlog server: a PUT of a stale
// cached copy gets 409 and is retried after a re-read (client-go RetryOnConflict); a watch whose
// start was compacted gets 410 and the informer re-lists and ends equal to the server's state.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { codec } from '../../src/index.js'
import { ActorContext } from '../../src/workload/context.js'
import { CommitTimes } from '../../src/workload/commit-times.js'
import { HttpObjectClient } from '../../src/workload/http-object-client.js'
import { HttpTransport, readKubeconfig } from '../../src/workload/http-transport.js'
import { Informer } from '../../src/workload/informer.js'
import type { ListPage } from '../../src/workload/object-api.js'
import { clusterShape, defaultWorkloadOptions } from '../../src/workload/options.js'
import { Stats } from '../../src/workload/stats.js'
import { startTestServer, type TestServer } from '../support/api-server.js'
import { realScheduler } from './real-scheduler.js'

const prefix = '/registry/configmaps/'
const syncDeadlineMs = 10_000

const configMap = (name: string, value: string): codec.KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', uid: '', resourceVersion: '', generation: 0, creationTimestamp: '' },
  data: { value },
})

const namespace: codec.KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', uid: '', resourceVersion: '', generation: 0, creationTimestamp: '' } }

/** A server, a transport to it, and `defer`: cleanups that run before the server closes (its close waits for every open session). */
async function setup(t: import('node:test').TestContext): Promise<{ server: TestServer; transport: HttpTransport; defer(f: () => unknown): void }> {
  const server = await startTestServer()
  const transport = new HttpTransport(readKubeconfig(server.serving.kubeconfigPath))
  const cleanups: Array<() => unknown> = [() => transport.close()]
  t.after(async () => {
    for (const f of cleanups.reverse()) await f()
    await server.close()
  })
  const client = new HttpObjectClient(transport)
  assert.ok(await client.create('/registry/namespaces/ns', namespace))
  return { server, transport, defer: (f) => cleanups.push(f) }
}

const value = (o: codec.KubeObject | undefined): unknown => (o as { data?: { value?: unknown } } | undefined)?.data?.value

test('updateFrom a stale cached copy: 409 Conflict, re-read, retried on the fresh object', async (t) => {
  const { server, transport } = await setup(t)
  const client = new HttpObjectClient(transport)
  const created = await client.create(`${prefix}ns/a`, configMap('a', '1'))
  assert.ok(created !== undefined)
  assert.equal(await client.create(`${prefix}ns/a`, configMap('a', 'again')), undefined, 'AlreadyExists -> undefined')
  // Another writer moves the object on: the cached copy is now stale.
  const moved = await client.update(`${prefix}ns/a`, (o) => ({ ...o, metadata: { ...o.metadata, labels: { other: 'writer' } } }))
  assert.equal(moved.written, true)
  assert.notEqual(moved.object?.metadata.resourceVersion, created.metadata.resourceVersion)
  const seen: string[] = []
  const out = await client.updateFrom(`${prefix}ns/a`, created, (o) => {
    seen.push(o.metadata.resourceVersion)
    return { ...o, data: { value: String(Number(value(o)) + 1) } }
  })
  assert.equal(out.attempts, 2, 'one 409, one success')
  assert.deepEqual(seen, [created.metadata.resourceVersion, moved.object?.metadata.resourceVersion])
  assert.equal(out.written, true)
  const stored = await client.get(`${prefix}ns/a`)
  assert.equal(value(stored), '2')
  assert.equal(stored?.metadata.labels?.['other'], 'writer', "the other writer's change survived")
  // Straight from the server: the same object.
  const reply = await server.call('GET', '/api/v1/namespaces/ns/configmaps/a')
  assert.equal((reply.json()['metadata'] as { resourceVersion: string }).resourceVersion, out.object?.metadata.resourceVersion)
  // A conditional delete at a stale resourceVersion is refused; at the current one it succeeds.
  assert.equal(await client.delete(`${prefix}ns/a`, created.metadata.resourceVersion), false)
  assert.equal(await client.delete(`${prefix}ns/a`, stored?.metadata.resourceVersion ?? ''), true)
  assert.equal(await client.get(`${prefix}ns/a`), undefined)
})

/** Before every PUT, another writer changes the object first: the PUT's resourceVersion is always stale. */
class RacedTransport extends HttpTransport {
  races = 0

  override async call(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    if (method === 'PUT') {
      this.races++
      await super.call('PATCH', path, { metadata: { labels: { race: String(this.races) } } }, 'application/merge-patch+json')
    }
    return super.call(method, path, body, contentType)
  }
}

test('a conflict on every try gives up after five tries with the 409', async (t) => {
  const { server, defer } = await setup(t)
  const transport = new RacedTransport(readKubeconfig(server.serving.kubeconfigPath))
  defer(() => transport.close())
  const client = new HttpObjectClient(transport)
  const created = await client.create(`${prefix}ns/b`, configMap('b', '1'))
  assert.ok(created !== undefined)
  let tries = 0
  await assert.rejects(
    client.updateFrom(`${prefix}ns/b`, created, (o) => {
      tries++
      return { ...o, data: { value: 'mine' } }
    }),
    (err: unknown) => err instanceof Error && 'status' in err && err.status === 409,
  )
  assert.equal(tries, 5, 'client-go RetryOnConflict: five tries')
  assert.equal(transport.races, 5)
  assert.equal(value(await client.get(`${prefix}ns/b`)), '1', 'no try was written')
})

/** The first list returns, then changes land and the server's store compacts past the list's revision. */
class CompactingClient extends HttpObjectClient {
  private first = true

  constructor(
    transport: HttpTransport,
    private readonly server: TestServer,
  ) {
    super(transport, () => server.serving.store.requestProgress())
  }

  override async list(path: string): Promise<ListPage> {
    const page = await super.list(path)
    if (this.first) {
      this.first = false
      await this.create(`${prefix}ns/c`, configMap('c', 'new'))
      await this.update(`${prefix}ns/a`, (o) => ({ ...o, data: { value: 'changed' } }))
      const store = this.server.serving.store
      await store.compact(store.revision)
    }
    return page
  }
}

test('a watch over HTTP from a compacted revision gets 410; the informer re-lists and ends equal to the server', async (t) => {
  const { server, transport, defer } = await setup(t)
  const client = new CompactingClient(transport, server)
  await client.create(`${prefix}ns/a`, configMap('a', 'one'))
  await client.create(`${prefix}ns/b`, configMap('b', 'two'))
  const store = server.serving.store
  const stats = new Stats()
  const options = { ...defaultWorkloadOptions, dbPath: '/unused', seed: 1 }
  const ctx = new ActorContext(store, client, realScheduler, stats, options, clusterShape(options), new AbortController().signal)
  const commitTimes = new CommitTimes(store, realScheduler)
  const informer = new Informer(ctx, commitTimes, prefix, () => undefined, 'list-watch')
  defer(async () => {
    await informer.stop()
    commitTimes.close()
  })
  await informer.start()
  const synced = async (): Promise<void> => {
    const target = store.revision
    let reached = false
    const waiting = informer.syncedTo(target).then(() => {
      reached = true
    })
    const deadline = performance.now() + syncDeadlineMs
    while (!reached) {
      assert.ok(performance.now() < deadline, `informer stuck at revision ${informer.revision} < ${target}`)
      client.requestBookmarks()
      await Promise.race([waiting, new Promise((resolve) => setTimeout(resolve, 50))])
    }
  }
  const equalsServer = async (): Promise<void> => {
    const list = await client.list(prefix)
    const stored = list.items.map((o) => [`${prefix}ns/${o.metadata.name}`, o.metadata.resourceVersion]).sort()
    const cached = [...informer.cache].map(([key, o]) => [key, o.metadata.resourceVersion]).sort()
    assert.deepEqual(cached, stored)
  }
  await synced()
  assert.equal(informer.errorCodes.get(410), 1, 'one ERROR 410 from the compacted start')
  assert.equal(stats.relists, 1)
  assert.equal(stats.of('list').ops, 2, 'the first list and the re-list')
  assert.equal(value(informer.cache.get(`${prefix}ns/a`)), 'changed')
  await equalsServer()
  await client.delete(`${prefix}ns/b`, informer.cache.get(`${prefix}ns/b`)?.metadata.resourceVersion ?? '')
  await synced()
  assert.equal(informer.cache.has(`${prefix}ns/b`), false)
  await equalsServer()
})

// The informer against a scripted client (a 410 ERROR event makes it re-list, and the re-list's
// differences reach the handlers) and against a real server (a stream that ends is followed by a
// re-list, and the cache ends equal to the server's state).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ApiClient, Informer, type KubeObject, type ListResult, type WatchEvent } from '../../src/controllers/index.js'
import { systemClock } from '../../src/util/index.js'
import { startTestServer, type TestServer } from '../support/api-server.js'
import { waitFor } from './helpers.js'

const cm = (name: string, rv: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'a', uid: `uid-${name}`, resourceVersion: rv } })
const ref = { group: '', version: 'v1', resource: 'configmaps', namespaced: true }

test('a 410 ERROR event makes the informer re-list; what vanished meanwhile is a delete', async () => {
  const lists: ListResult[] = [
    { items: [cm('x', '1'), cm('y', '2')], metadata: { resourceVersion: '2' } },
    { items: [cm('x', '5')], metadata: { resourceVersion: '6' } },
  ]
  const watchPaths: string[] = []
  let watches = 0
  const client = {
    list: async <T extends KubeObject>(): Promise<ListResult<T>> => (lists.shift() ?? { items: [cm('x', '5')], metadata: { resourceVersion: '6' } }) as ListResult<T>,
    watch: async (path: string, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> => {
      watchPaths.push(path)
      watches += 1
      if (watches === 1) {
        onEvent({ type: 'ADDED', object: cm('z', '3') })
        onEvent({ type: 'ERROR', object: { metadata: { name: '', uid: '', resourceVersion: '' }, code: 410, reason: 'Expired' } as unknown as KubeObject })
        return
      }
      // Later watches stay open until the informer stops.
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
    },
  }
  const seen: string[] = []
  const inf = new Informer(client, ref, { clock: systemClock, log: () => undefined })
  inf.on({ add: (o) => seen.push(`add ${o.metadata.name}`), update: (_a, b) => seen.push(`update ${b.metadata.name}`), delete: (o) => seen.push(`delete ${o.metadata.name}`) })
  inf.start()
  await waitFor('second watch', async () => (watches >= 2 ? true : undefined))
  await inf.stop()
  assert.equal(inf.lists, 2)
  assert.match(watchPaths[0] ?? '', /resourceVersion=2/)
  assert.match(watchPaths[1] ?? '', /resourceVersion=6/)
  assert.deepEqual(seen, ['add x', 'add y', 'add z', 'update x', 'delete y', 'delete z'])
  assert.deepEqual(inf.list().map((o) => o.metadata.name), ['x'])
})

let s: TestServer
let client: ApiClient
before(async () => {
  s = await startTestServer()
  client = new ApiClient({ server: `https://127.0.0.1:${s.port}`, ca: s.ca, cert: s.admin.cert ?? '', key: s.admin.key ?? '' })
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'inf' } })
})
after(async () => {
  client.close()
  await s.close()
})

test('against the server: streams that end are followed by re-lists and the cache matches the server', async () => {
  const inf = new Informer(client, ref, { clock: systemClock, log: () => undefined, namespace: 'inf', watchTimeoutSeconds: 1 })
  inf.start()
  await inf.hasSynced()
  for (let i = 0; i < 20; i++) await client.create('/api/v1/namespaces/inf/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { i: String(i) } })
  await waitFor('a re-list after the 1 s watch ended', async () => (inf.lists >= 2 ? true : undefined))
  for (let i = 0; i < 20; i += 2) await client.delete(`/api/v1/namespaces/inf/configmaps/c${i}`)
  await client.patch('/api/v1/namespaces/inf/configmaps/c1', { data: { i: 'one' } })
  const server = await client.list('/api/v1/namespaces/inf/configmaps')
  const want = server.items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort()
  await waitFor('cache equal to the server', async () => {
    const got = inf.list().map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort()
    return JSON.stringify(got) === JSON.stringify(want) ? true : undefined
  })
  await inf.stop()
  assert.equal(want.length, 10)
})

test('ApiClient errors carry the Status reason', async () => {
  await assert.rejects(client.get('/api/v1/namespaces/inf/configmaps/nope'), (err: Error & { code?: string; httpStatus?: number }) => err.code === 'NotFound' && err.httpStatus === 404)
  await client.create('/api/v1/namespaces/inf/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' } })
  await assert.rejects(client.create('/api/v1/namespaces/inf/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' } }), { code: 'AlreadyExists' })
})

// The real @kubernetes/client-node 2.x against the server: an informer over 1,000 objects sees
// every change, re-lists after a compaction-induced 410, and ends equal to the server's state;
// KubernetesObjectApi does CRUD through discovery.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { CoreV1Api, KubeConfig, KubernetesObjectApi, makeInformer, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node'
import { startTestServer, type TestServer } from '../support/api-server.js'

let s: TestServer
let kc: KubeConfig
before(async () => {
  s = await startTestServer()
  kc = new KubeConfig()
  kc.loadFromFile(join(s.dataDir, 'kubeconfig'))
  for (const name of ['informed', 'elsewhere']) assert.equal((await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } })).status, 201)
})
after(async () => s.close())

async function eventually(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`not within ${deadlineMs} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const cm = (name: string, v: string): V1ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'informed' }, data: { v } })

async function serverState(): Promise<Map<string, string>> {
  const list = (await s.call('GET', '/api/v1/namespaces/informed/configmaps')).json() as { items: { metadata: { name: string }; data?: { v?: string } }[] }
  return new Map(list.items.map((i) => [i.metadata.name, i.data?.v ?? '']))
}

test('an informer over 1,000 ConfigMaps sees every change, re-lists after a 410, and ends equal to the server', async () => {
  for (let i = 0; i < 1000; i++) {
    const r = await s.call('POST', '/api/v1/namespaces/informed/configmaps', { body: cm(`cm-${i}`, '0') })
    assert.equal(r.status, 201)
  }
  const core = kc.makeApiClient(CoreV1Api)
  const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/informed/configmaps', () => core.listNamespacedConfigMap({ namespace: 'informed' }))
  let errors = 0
  informer.on('error', () => {
    errors += 1
  })
  await informer.start()
  const cached = (): Map<string, string> => new Map(informer.list('informed').map((o) => [o.metadata?.name ?? '', o.data?.v ?? '']))
  await eventually(() => cached().size === 1000, 'the informer lists 1,000 objects')
  // Changes while watching: updates, deletes and creates.
  for (let i = 0; i < 50; i++) await s.call('PUT', `/api/v1/namespaces/informed/configmaps/cm-${i}`, { body: cm(`cm-${i}`, '1') })
  for (let i = 50; i < 100; i++) await s.call('DELETE', `/api/v1/namespaces/informed/configmaps/cm-${i}`)
  for (let i = 1000; i < 1050; i++) await s.call('POST', '/api/v1/namespaces/informed/configmaps', { body: cm(`cm-${i}`, '2') })
  const want = await serverState()
  await eventually(() => JSON.stringify([...cached()].sort()) === JSON.stringify([...want].sort()), 'the informer cache equals the server after the changes')
  // A write the informer does not watch moves the revision on; compacting there makes its resume point too old.
  await s.call('POST', '/api/v1/namespaces/elsewhere/configmaps', { body: { ...cm('other', 'x'), metadata: { name: 'other', namespace: 'elsewhere' } } })
  await s.serving.store.compact(s.serving.store.revision)
  // Changes it will only learn about by re-listing, then its watch is cut: the resume gets 410 and it re-lists.
  for (let i = 100; i < 110; i++) await s.call('DELETE', `/api/v1/namespaces/informed/configmaps/cm-${i}`)
  s.serving.server.endStreams()
  for (let i = 110; i < 120; i++) await s.call('PUT', `/api/v1/namespaces/informed/configmaps/cm-${i}`, { body: cm(`cm-${i}`, '3') })
  const final = await serverState()
  await eventually(() => JSON.stringify([...cached()].sort()) === JSON.stringify([...final].sort()), 'the informer cache equals the server after the 410 and re-list')
  await informer.stop()
  assert.equal(errors, 0, 'a 410 is handled by re-listing, not reported as an error')
})

test('KubernetesObjectApi: create, read, patch, replace, delete a Deployment found through discovery', async () => {
  const api = KubernetesObjectApi.makeApiClient(kc)
  const spec: KubernetesObject & { spec: unknown } = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'informed' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
  }
  const created = await api.create(spec)
  assert.ok(created.metadata?.uid !== undefined)
  const read = (await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'informed' } })) as KubernetesObject & { spec: { replicas: number } }
  assert.equal(read.spec.replicas, 1)
  const patched = (await api.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'informed' }, spec: { replicas: 3 } } as KubernetesObject)) as KubernetesObject & { spec: { replicas: number } }
  assert.equal(patched.spec.replicas, 3)
  const replaced = (await api.replace({ ...read, spec: { ...read.spec, replicas: 2 }, metadata: { ...read.metadata, resourceVersion: patched.metadata?.resourceVersion } })) as KubernetesObject & { spec: { replicas: number } }
  assert.equal(replaced.spec.replicas, 2)
  await api.delete({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'informed' } })
  assert.equal((await s.call('GET', '/apis/apps/v1/namespaces/informed/deployments/web')).status, 404)
})

// The API server over HTTPS, as clients see it: authentication, CRUD with Kubernetes' status
// codes and wording, lists, selectors, Tables, discovery, watch streams, subresources, bad input.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../support/api-server.js'

let s: TestServer
before(async () => {
  s = await startTestServer()
  const ns = await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } } })
  assert.equal(ns.status, 201, ns.text)
})
after(async () => s.close())

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels: Record<string, string> = {}): unknown => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data })

test('no credentials: 401 Status, except /version and health', async () => {
  const r = await s.call('GET', '/api/v1/namespaces', { as: null })
  assert.equal(r.status, 401)
  assert.equal(r.json().reason, 'Unauthorized')
  const v = await s.call('GET', '/version', { as: null })
  assert.equal(v.status, 200)
  assert.equal(v.json().minor, '32', 'kubectl-surface fact 1: the dispatcher runs kubectl 1.32 for minor 32')
})

test('create, get, replace with a stale resourceVersion (409), update, delete (404 after)', async () => {
  const created = await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: cm('settings') })
  assert.equal(created.status, 201, created.text)
  const obj = created.json() as { metadata: { resourceVersion: string; uid: string; namespace: string } }
  assert.equal(obj.metadata.namespace, 'payments')
  assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/)
  const again = await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: cm('settings') })
  assert.equal(again.status, 409)
  assert.equal(again.json().reason, 'AlreadyExists')
  assert.equal(again.json().message, 'configmaps "settings" already exists')
  const put = await s.call('PUT', '/api/v1/namespaces/payments/configmaps/settings', { body: { ...(cm('settings', { a: '2' }) as object), metadata: { name: 'settings', resourceVersion: obj.metadata.resourceVersion } } })
  assert.equal(put.status, 200, put.text)
  const stale = await s.call('PUT', '/api/v1/namespaces/payments/configmaps/settings', { body: { ...(cm('settings', { a: '3' }) as object), metadata: { name: 'settings', resourceVersion: obj.metadata.resourceVersion } } })
  assert.equal(stale.status, 409)
  assert.equal(stale.json().message, 'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again')
  const got = await s.call('GET', '/api/v1/namespaces/payments/configmaps/settings')
  assert.deepEqual((got.json() as { data: unknown }).data, { a: '2' })
  const del = await s.call('DELETE', '/api/v1/namespaces/payments/configmaps/settings')
  assert.equal(del.status, 200)
  assert.equal(del.json().status, 'Success')
  const gone = await s.call('GET', '/api/v1/namespaces/payments/configmaps/settings')
  assert.equal(gone.status, 404)
  assert.equal(gone.json().message, 'configmaps "settings" not found')
  assert.deepEqual(gone.json().details, { name: 'settings', group: '', kind: 'configmaps' })
})

test('a no-op update keeps the resourceVersion', async () => {
  const c = (await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: cm('noop') })).json() as { metadata: { resourceVersion: string } }
  const put = (await s.call('PUT', '/api/v1/namespaces/payments/configmaps/noop', { body: cm('noop') })).json() as { metadata: { resourceVersion: string } }
  assert.equal(put.metadata.resourceVersion, c.metadata.resourceVersion)
})

test('bad input gets a Status, and the store is untouched', async () => {
  const cases: [string, string, unknown, string | undefined, number][] = [
    ['POST', '/api/v1/namespaces/payments/configmaps', '{not json', 'application/json', 400],
    ['POST', '/api/v1/namespaces/payments/configmaps', { ...(cm('x') as object), metadata: { name: 'x', namespace: 'other' } }, undefined, 400],
    ['POST', '/api/v1/namespaces/payments/configmaps', { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'y' } }, undefined, 400],
    ['POST', '/api/v1/namespaces/payments/configmaps', cm('Not_A_Name'), undefined, 422],
    ['POST', '/api/v1/namespaces/payments/configmaps', cm('x'), 'text/plain', 415],
    ['POST', '/api/v1/namespaces/nowhere/configmaps', cm('x'), undefined, 404],
    ['GET', '/api/v1/namespaces/payments/widgets', undefined, undefined, 404],
    ['POST', '/api/v1/namespaces/payments/configmaps/x', cm('x'), undefined, 405],
    ['GET', '/api/v1/namespaces/payments/pods?fieldSelector=spec.bogus%3Dx', undefined, undefined, 400],
    ['POST', '/api/v1/namespaces/payments/configmaps', 'x'.repeat(3 * 1024 * 1024 + 1), 'application/json', 413],
  ]
  const before = s.serving.store.revision
  for (const [method, path, body, type, code] of cases) {
    const r = await s.call(method, path, { body, ...(type === undefined ? {} : { contentType: type }) })
    assert.equal(r.status, code, `${method} ${path}: ${r.text.slice(0, 200)}`)
    const status = r.json()
    assert.equal(status.kind, 'Status')
    assert.equal(status.code, code)
  }
  assert.equal(s.serving.store.revision, before, 'no refused request wrote anything')
  const invalid = await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: cm('Not_A_Name') })
  assert.match(String(invalid.json().message), /^ConfigMap "Not_A_Name" is invalid: metadata.name: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain/)
})

test('lists: label selectors, field selectors, limit and continue, all namespaces', async () => {
  for (let i = 0; i < 5; i++) await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: cm(`page-${i}`, {}, { tier: i % 2 === 0 ? 'even' : 'odd' }) })
  const even = (await s.call('GET', '/api/v1/namespaces/payments/configmaps?labelSelector=tier%3Deven')).json() as { items: { metadata: { name: string } }[]; kind: string }
  assert.equal(even.kind, 'ConfigMapList')
  assert.deepEqual(even.items.map((i) => i.metadata.name), ['page-0', 'page-2', 'page-4'])
  const named = (await s.call('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dpage-3')).json() as { items: unknown[] }
  assert.equal(named.items.length, 1)
  const first = (await s.call('GET', '/api/v1/namespaces/payments/configmaps?labelSelector=tier&limit=2')).json() as { items: unknown[]; metadata: { continue: string } }
  assert.equal(first.items.length, 2)
  const rest = (await s.call('GET', `/api/v1/namespaces/payments/configmaps?labelSelector=tier&limit=2&continue=${encodeURIComponent(first.metadata.continue)}`)).json() as { items: unknown[] }
  assert.equal(rest.items.length, 2)
})

test('Tables for kubectl get: columns, rows with PartialObjectMetadata', async () => {
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'
  const t = (await s.call('GET', '/api/v1/namespaces/payments/configmaps?limit=500', { accept })).json() as { kind: string; columnDefinitions: { name: string }[]; rows: { cells: unknown[]; object: { kind: string; metadata: { name: string } } }[] }
  assert.equal(t.kind, 'Table')
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Data', 'Age'])
  assert.ok(t.rows.length > 0)
  assert.equal(t.rows[0]?.object.kind, 'PartialObjectMetadata')
  assert.equal(t.rows[0]?.cells[0], t.rows[0]?.object.metadata.name)
})

test('discovery: aggregated with its content type, legacy lists with subresources after their resource', async () => {
  const agg = await s.call('GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' })
  assert.equal(agg.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')
  const groups = (agg.json() as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name)
  for (const g of ['apps', 'batch', 'rbac.authorization.k8s.io', 'route.openshift.io', 'project.openshift.io']) assert.ok(groups.includes(g), g)
  const apps = (await s.call('GET', '/apis/apps/v1')).json() as { resources: { name: string; kind: string }[] }
  const names = apps.resources.map((r) => r.name)
  assert.ok(names.indexOf('deployments') < names.indexOf('deployments/scale'))
  assert.equal(apps.resources.find((r) => r.name === 'deployments/scale')?.kind, 'Scale')
  assert.equal((await s.call('GET', '/apis/nothing.example.com/v1')).status, 404)
})

test('watch: headers at once, events in order, ERROR 410 for a compacted start', async () => {
  const list = (await s.call('GET', '/api/v1/namespaces/payments/configmaps')).json() as { metadata: { resourceVersion: string } }
  const rv = list.metadata.resourceVersion
  const watching = s.stream(`/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion=${rv}`, (lines) => lines.length >= 3)
  await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: cm('w1') })
  await s.call('PUT', '/api/v1/namespaces/payments/configmaps/w1', { body: cm('w1', { a: '9' }) })
  await s.call('DELETE', '/api/v1/namespaces/payments/configmaps/w1')
  const events = (await watching).map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } })
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED'])
  assert.ok(events.every((e) => e.object.metadata.name === 'w1'))
  await s.serving.store.compact(s.serving.store.revision)
  const expired = await s.stream(`/api/v1/namespaces/payments/configmaps?watch=true&resourceVersion=${rv}`, (lines) => lines.length >= 1)
  const e = JSON.parse(expired[0] ?? '{}') as { type: string; object: { code: number; reason: string } }
  assert.equal(e.type, 'ERROR')
  assert.equal(e.object.code, 410)
  assert.equal(e.object.reason, 'Expired')
})

test('status and scale subresources: status writes change only status; scale speaks autoscaling/v1', async () => {
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } }, status: { replicas: 99 } }
  const created = (await s.call('POST', '/apis/apps/v1/namespaces/payments/deployments', { body: dep })).json() as { status?: unknown; metadata: { generation: number } }
  assert.equal(created.status, undefined, 'status is dropped on create')
  const st = await s.call('PUT', '/apis/apps/v1/namespaces/payments/deployments/web/status', { body: { ...dep, spec: { ...dep.spec, replicas: 7 }, status: { replicas: 2 } } })
  assert.equal(st.status, 200, st.text)
  const after = st.json() as { spec: { replicas: number }; status: { replicas: number } }
  assert.equal(after.spec.replicas, 2, 'a status write does not change spec')
  assert.equal(after.status.replicas, 2)
  const scale = (await s.call('GET', '/apis/apps/v1/namespaces/payments/deployments/web/scale')).json() as { kind: string; spec: { replicas: number }; status: { selector: string } }
  assert.equal(scale.kind, 'Scale')
  assert.equal(scale.spec.replicas, 2)
  assert.equal(scale.status.selector, 'app=web')
  const put = await s.call('PUT', '/apis/apps/v1/namespaces/payments/deployments/web/scale', { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 5 } } })
  assert.equal(put.status, 200, put.text)
  const d = (await s.call('GET', '/apis/apps/v1/namespaces/payments/deployments/web')).json() as { spec: { replicas: number }; metadata: { generation: number } }
  assert.equal(d.spec.replicas, 5)
  assert.equal(d.metadata.generation, 2, 'a spec change bumps generation')
})

test('namespaces: delete marks Terminating, refuses new content, finalize removes it', async () => {
  await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } } })
  const del = await s.call('DELETE', '/api/v1/namespaces/doomed')
  assert.equal(del.status, 202, del.text)
  assert.equal((del.json() as { status: { phase: string } }).status.phase, 'Terminating')
  const refused = await s.call('POST', '/api/v1/namespaces/doomed/configmaps', { body: cm('late') })
  assert.equal(refused.status, 403)
  assert.match(String(refused.json().message), /being terminated/)
  const fin = await s.call('PUT', '/api/v1/namespaces/doomed/finalize', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' }, spec: { finalizers: [] } } })
  assert.equal(fin.status, 200, fin.text)
  assert.equal((await s.call('GET', '/api/v1/namespaces/doomed')).status, 404)
})

test('finalizers: delete lingers with deletionTimestamp until the last finalizer is removed', async () => {
  await s.call('POST', '/api/v1/namespaces/payments/configmaps', { body: { ...(cm('held') as object), metadata: { name: 'held', finalizers: ['example.com/hold'] } } })
  const del = await s.call('DELETE', '/api/v1/namespaces/payments/configmaps/held')
  assert.equal(del.status, 202)
  const held = (await s.call('GET', '/api/v1/namespaces/payments/configmaps/held')).json() as { metadata: { deletionTimestamp?: string } }
  assert.ok(held.metadata.deletionTimestamp !== undefined)
  const add = await s.call('PUT', '/api/v1/namespaces/payments/configmaps/held', { body: { ...(cm('held') as object), metadata: { name: 'held', finalizers: ['example.com/hold', 'example.com/more'] } } })
  assert.equal(add.status, 422, 'no new finalizers on an object being deleted')
  const release = await s.call('PUT', '/api/v1/namespaces/payments/configmaps/held', { body: { ...(cm('held') as object), metadata: { name: 'held', finalizers: [] } } })
  assert.equal(release.status, 200, release.text)
  assert.equal((await s.call('GET', '/api/v1/namespaces/payments/configmaps/held')).status, 404)
})

test('exec and attach answer a clear Status: the simulated nodes run no containers', async () => {
  const r = await s.call('POST', '/api/v1/namespaces/payments/pods/x/exec?command=sh')
  assert.equal(r.status, 400)
  assert.match(String(r.json().message), /run no containers/)
})

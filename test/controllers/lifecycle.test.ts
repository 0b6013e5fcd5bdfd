// Deletion through the control loops: a namespace's contents then the namespace; a Deployment's
// ReplicaSet and pods by the garbage collector with Background, Foreground and Orphan propagation.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../support/api-server.js'
import { createNamespace, deployment, items, running, status, waitFor } from './helpers.js'

let s: TestServer
before(async () => {
  s = await startTestServer({ nodes: 2 })
})
after(async () => s.close())

async function deployed(ns: string, name: string, replicas: number): Promise<void> {
  const r = await s.call('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { body: deployment(name, replicas) })
  assert.equal(r.status, 201, r.text)
  await waitFor(`${replicas} running pods of ${name}`, async () => (running(await items(s, `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${name}`)).length === replicas ? true : undefined))
}

test('deleting a namespace removes its contents, then the namespace', async () => {
  await createNamespace(s, 'doomed')
  await deployed('doomed', 'api', 2)
  const cm = await s.call('POST', '/api/v1/namespaces/doomed/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } } })
  assert.equal(cm.status, 201, cm.text)
  const del = await s.call('DELETE', '/api/v1/namespaces/doomed')
  assert.ok(del.status === 200 || del.status === 202, `${del.status} ${del.text}`)
  await waitFor('namespace gone', async () => ((await status(s, '/api/v1/namespaces/doomed')) === 404 ? true : undefined))
  assert.equal((await items(s, '/api/v1/namespaces/doomed/pods')).length, 0)
  assert.equal((await items(s, '/api/v1/namespaces/doomed/configmaps')).length, 0)
  assert.equal((await items(s, '/apis/apps/v1/namespaces/doomed/deployments')).length, 0)
})

test('deleting a Deployment (Background) removes its ReplicaSet and pods through the GC', async () => {
  await createNamespace(s, 'bg')
  await deployed('bg', 'web', 2)
  const del = await s.call('DELETE', '/apis/apps/v1/namespaces/bg/deployments/web?propagationPolicy=Background')
  assert.ok(del.status === 200 || del.status === 202, `${del.status} ${del.text}`)
  await waitFor('RS and pods gone', async () => ((await items(s, '/apis/apps/v1/namespaces/bg/replicasets')).length === 0 && (await items(s, '/api/v1/namespaces/bg/pods')).length === 0 ? true : undefined))
})

test('Foreground: the Deployment stays, marked, until its ReplicaSet and pods are gone', async () => {
  await createNamespace(s, 'fg')
  await deployed('fg', 'web', 2)
  const del = await s.call('DELETE', '/apis/apps/v1/namespaces/fg/deployments/web?propagationPolicy=Foreground')
  assert.ok(del.status === 200 || del.status === 202, `${del.status} ${del.text}`)
  const marked = del.json() as { metadata: { finalizers?: string[]; deletionTimestamp?: string } }
  assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion'])
  await waitFor('deployment gone', async () => ((await status(s, '/apis/apps/v1/namespaces/fg/deployments/web')) === 404 ? true : undefined))
  assert.equal((await items(s, '/apis/apps/v1/namespaces/fg/replicasets')).length, 0, 'dependents go before the owner')
  assert.equal((await items(s, '/api/v1/namespaces/fg/pods')).length, 0)
})

test('Orphan: the Deployment goes, its ReplicaSet and pods stay without the owner reference', async () => {
  await createNamespace(s, 'orph')
  await deployed('orph', 'web', 2)
  const del = await s.call('DELETE', '/apis/apps/v1/namespaces/orph/deployments/web?propagationPolicy=Orphan')
  assert.ok(del.status === 200 || del.status === 202, `${del.status} ${del.text}`)
  await waitFor('deployment gone', async () => ((await status(s, '/apis/apps/v1/namespaces/orph/deployments/web')) === 404 ? true : undefined))
  const rs = await items(s, '/apis/apps/v1/namespaces/orph/replicasets')
  assert.equal(rs.length, 1)
  assert.equal(rs[0]?.metadata.ownerReferences, undefined)
  // The orphaned ReplicaSet keeps its pods (give the GC a chance to misbehave first).
  const marker = await s.call('POST', '/api/v1/namespaces/orph/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } } })
  assert.equal(marker.status, 201)
  assert.equal(running(await items(s, '/api/v1/namespaces/orph/pods')).length, 2)
})

test('a pod whose owner never existed is collected', async () => {
  await createNamespace(s, 'stray')
  const r = await s.call('POST', '/api/v1/namespaces/stray/configmaps', {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'child', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'ghost', uid: '11111111-2222-3333-4444-555555555555' }] } },
  })
  assert.equal(r.status, 201, r.text)
  await waitFor('child collected', async () => ((await status(s, '/api/v1/namespaces/stray/configmaps/child')) === 404 ? true : undefined))
})

test('a deleted pod held by a finalizer is stopped by its kubelet, and goes when the finalizer does', async () => {
  await createNamespace(s, 'held')
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', finalizers: ['example.com/hold'] }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } }
  assert.equal((await s.call('POST', '/api/v1/namespaces/held/pods', { body: pod })).status, 201)
  await waitFor('running', async () => (running(await items(s, '/api/v1/namespaces/held/pods')).length === 1 ? true : undefined))
  const del = await s.call('DELETE', '/api/v1/namespaces/held/pods/p')
  assert.equal(del.status, 202, del.text)
  const stopped = await waitFor('terminated', async () => {
    const p = (await s.call('GET', '/api/v1/namespaces/held/pods/p')).json() as { status?: { phase?: string; containerStatuses?: { ready: boolean; state: { terminated?: { exitCode: number } } }[] } }
    return p.status?.phase === 'Succeeded' ? p : undefined
  })
  assert.equal(stopped.status?.containerStatuses?.[0]?.ready, false)
  assert.equal(stopped.status?.containerStatuses?.[0]?.state.terminated?.exitCode, 0)
  const freed = await s.call('PATCH', '/api/v1/namespaces/held/pods/p', { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' })
  assert.equal(freed.status, 200, freed.text)
  await waitFor('gone', async () => ((await status(s, '/api/v1/namespaces/held/pods/p')) === 404 ? true : undefined))
})

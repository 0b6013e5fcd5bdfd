// Deployments through the whole loop over HTTPS: Deployment -> ReplicaSet -> Pods, scheduled on
// two simulated nodes and made Running by their kubelets; scaling; a rolling update to a new RS.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../support/api-server.js'
import { createNamespace, deployment, items, running, waitFor } from './helpers.js'

let s: TestServer
before(async () => {
  s = await startTestServer({ nodes: 2 })
  await createNamespace(s, 'shop')
})
after(async () => s.close())

const podsPath = '/api/v1/namespaces/shop/pods'

test('a Deployment of 3 replicas gets 3 Running pods spread over 2 Ready nodes', async () => {
  const nodes = await waitFor('2 Ready nodes', async () => {
    const list = await items(s, '/api/v1/nodes')
    return list.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2 ? list : undefined
  })
  assert.deepEqual(nodes.map((n) => (n.status?.nodeInfo as { kubeletVersion: string }).kubeletVersion), ['v1.32.4', 'v1.32.4'])
  const lease = await s.call('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1')
  assert.equal(lease.status, 200, lease.text)
  const created = await s.call('POST', '/apis/apps/v1/namespaces/shop/deployments', { body: deployment('web', 3) })
  assert.equal(created.status, 201, created.text)
  const pods = await waitFor('3 Running pods', async () => {
    const list = running(await items(s, podsPath))
    return list.length === 3 ? list : undefined
  })
  assert.equal(new Set(pods.map((p) => p.spec?.nodeName)).size, 2, 'least-pods scheduling uses both nodes')
  for (const p of pods) {
    assert.match(String(p.status?.podIP), /^10\.244\./)
    assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'ReplicaSet')
  }
  const rs = await items(s, '/apis/apps/v1/namespaces/shop/replicasets')
  assert.equal(rs.length, 1)
  assert.equal(rs[0]?.metadata.labels?.['pod-template-hash'] !== undefined, true)
  const dep = await waitFor('deployment status', async () => {
    const d = (await s.call('GET', '/apis/apps/v1/namespaces/shop/deployments/web')).json() as { status?: Record<string, unknown> }
    return d.status?.availableReplicas === 3 && d.status.updatedReplicas === 3 ? d : undefined
  })
  const conds = dep.status?.conditions as { type: string; status: string; reason: string }[]
  assert.equal(conds.find((c) => c.type === 'Available')?.status, 'True')
  assert.equal(conds.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable')
})

test('pods/log reads what the simulated container wrote', async () => {
  const pod = (await items(s, podsPath))[0]
  assert.ok(pod !== undefined)
  const r = await s.call('GET', `${podsPath}/${pod.metadata.name}/log`)
  assert.equal(r.status, 200, r.text)
  assert.match(r.text, /started from image nginx:1\.27/)
})

test('scaling to 1 removes 2 pods', async () => {
  const r = await s.call('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web', { body: { spec: { replicas: 1 } }, contentType: 'application/merge-patch+json' })
  assert.equal(r.status, 200, r.text)
  await waitFor('1 pod left', async () => ((await items(s, podsPath)).length === 1 ? true : undefined))
})

test('an image change rolls out to a new ReplicaSet and the old one scales to 0', async () => {
  await s.call('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web', { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' })
  await waitFor('3 running', async () => (running(await items(s, podsPath)).length === 3 ? true : undefined))
  const r = await s.call('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web', { body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } }, contentType: 'application/merge-patch+json' })
  assert.equal(r.status, 200, r.text)
  await waitFor('rollout done', async () => {
    const pods = running(await items(s, podsPath))
    const rs = await items(s, '/apis/apps/v1/namespaces/shop/replicasets')
    const d = (await s.call('GET', '/apis/apps/v1/namespaces/shop/deployments/web')).json() as { status?: { updatedReplicas?: number; replicas?: number; availableReplicas?: number } }
    const done = (await items(s, podsPath)).length === 3 && pods.length === 3 && pods.every((p) => p.spec?.template === undefined) && rs.length === 2 && d.status?.updatedReplicas === 3 && d.status.replicas === 3 && d.status.availableReplicas === 3
    return done ? true : undefined
  })
  const rs = await items(s, '/apis/apps/v1/namespaces/shop/replicasets')
  const byImage = new Map(rs.map((x) => [x.spec?.template?.spec?.containers?.[0]?.image, x.spec?.replicas]))
  assert.deepEqual(Object.fromEntries(byImage), { 'nginx:1.27': 0, 'nginx:1.28': 3 })
  const d = (await s.call('GET', '/apis/apps/v1/namespaces/shop/deployments/web')).json() as { metadata: { annotations?: Record<string, string> } }
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2')
})

test('Recreate: the old pods go before the new ones come', async () => {
  const body = deployment('batch', 2) as { spec: Record<string, unknown> }
  body.spec.strategy = { type: 'Recreate' }
  assert.equal((await s.call('POST', '/apis/apps/v1/namespaces/shop/deployments', { body })).status, 201)
  const sel = `${podsPath}?labelSelector=app%3Dbatch`
  await waitFor('2 running', async () => (running(await items(s, sel)).length === 2 ? true : undefined))
  const r = await s.call('PATCH', '/apis/apps/v1/namespaces/shop/deployments/batch', { body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'busybox:1' }] } } } }, contentType: 'application/merge-patch+json' })
  assert.equal(r.status, 200, r.text)
  let mixed = false
  await waitFor('2 new pods', async () => {
    const pods = await items(s, sel)
    const images = new Set(pods.map((p) => (p.spec as { containers?: { image?: string }[] } | undefined)?.containers?.[0]?.image))
    if (images.size > 1) mixed = true
    return running(pods).length === 2 && images.size === 1 && images.has('busybox:1') ? true : undefined
  })
  assert.equal(mixed, false, 'old and new pods never ran side by side')
})

// A kubelet that stops posting: its node turns NotReady (Ready=Unknown) after the 40 s grace
// period on a fake clock, its pods are evicted and replaced on the node that is still alive.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startCluster, stoppedAnnotation, type Cluster } from '../../src/controllers/index.js'
import { FakeClock } from '../../src/util/index.js'
import { startTestServer, type TestServer } from '../support/api-server.js'
import { createNamespace, deployment, items, running, waitFor, type Item } from './helpers.js'

let s: TestServer
let cluster: Cluster
// Starts at the real time and runs ahead of it, so the server's own node lifecycle controller (on
// the real clock) never sees these leases as old: only the one under test judges them.
const clock = new FakeClock(Date.now())
before(async () => {
  s = await startTestServer({ nodes: 0, controllers: true })
  cluster = await startCluster({ server: `https://127.0.0.1:${s.port}`, ca: s.ca, cert: s.admin.cert ?? '', key: s.admin.key ?? '', nodes: 2, clock, loops: ['kubelets', 'node-lifecycle'] })
  await createNamespace(s, 'edge')
})
after(async () => {
  await cluster.stop()
  await s.close()
})

const ready = (n: Item | undefined): string | undefined => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status
const node = async (name: string): Promise<Item> => (await s.call('GET', `/api/v1/nodes/${name}`)).json() as unknown as Item

test('a silent node turns NotReady after 40 s and its pods are evicted and replaced', async () => {
  const tick = (): void => clock.advance(100)
  const r = await s.call('POST', '/apis/apps/v1/namespaces/edge/deployments', { body: deployment('app', 4) })
  assert.equal(r.status, 201, r.text)
  const pods = await waitFor('4 running pods', async () => {
    const list = running(await items(s, '/api/v1/namespaces/edge/pods'))
    return list.length === 4 ? list : undefined
  }, 20_000, tick)
  assert.ok(pods.some((p) => p.spec?.nodeName === 'node-2'), 'node-2 runs some pods')
  const stop = await s.call('PATCH', '/api/v1/nodes/node-2', { body: { metadata: { annotations: { [stoppedAnnotation]: 'true' } } }, contentType: 'application/merge-patch+json' })
  assert.equal(stop.status, 200, stop.text)
  await waitFor('the kubelet sees its annotation', async () => (cluster.kubelets[1]?.alive === false ? true : undefined))
  // 30 s of silence is within the grace period: still Ready.
  for (let i = 0; i < 30; i++) {
    clock.advance(1000)
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  assert.equal(ready(await node('node-2')), 'True', 'not NotReady before 40 s')
  await waitFor('node-2 NotReady', async () => (ready(await node('node-2')) === 'Unknown' ? true : undefined), 20_000, () => clock.advance(1000))
  assert.equal(ready(await node('node-1')), 'True', 'the live node stays Ready')
  const moved = await waitFor('4 running pods, all on node-1', async () => {
    const list = await items(s, '/api/v1/namespaces/edge/pods')
    return running(list).length === 4 && list.every((p) => p.spec?.nodeName === 'node-1') ? list : undefined
  }, 20_000, tick)
  assert.equal(moved.length, 4)
  const taints = ((await node('node-2')) as unknown as { spec?: { taints?: { key: string }[] } }).spec?.taints ?? []
  assert.ok(taints.some((t) => t.key === 'node.kubernetes.io/unreachable'))
})

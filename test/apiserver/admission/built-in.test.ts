// The built-in admission plugins over a real server: ServiceAccount, LimitRanger, ResourceQuota
// (including 50 racing creates against a quota of 10 pods).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../../support/api-server.js'

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(async () => s.close())

type Json = Record<string, unknown>

async function namespace(name: string): Promise<void> {
  const r = await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } })
  assert.equal(r.status, 201, r.text)
}

function pod(name: string, resources?: Json, extra: Json = {}): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx', ...(resources === undefined ? {} : { resources }) }], ...extra } }
}

function spec(r: { json(): Json }): Json {
  return r.json().spec as Json
}

test('ServiceAccount: a new namespace has its default account; pods run as it with the token mounted', async () => {
  await namespace('sa-one')
  const sa = await s.call('GET', '/api/v1/namespaces/sa-one/serviceaccounts/default')
  assert.equal(sa.status, 200, sa.text)
  const created = await s.call('POST', '/api/v1/namespaces/sa-one/pods', { body: pod('web') })
  assert.equal(created.status, 201, created.text)
  const sp = spec(created) as { serviceAccountName: string; volumes: Json[]; containers: { volumeMounts: Json[] }[] }
  assert.equal(sp.serviceAccountName, 'default')
  const volume = sp.volumes.find((v) => String(v.name).startsWith('kube-api-access-'))
  assert.ok(volume !== undefined, JSON.stringify(sp.volumes))
  assert.match(String(volume.name), /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/)
  const sources = (volume.projected as { sources: Json[] }).sources
  assert.deepEqual(sources[0], { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } })
  assert.deepEqual(sp.containers[0]?.volumeMounts, [{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }])
})

test('ServiceAccount: automount off (pod or account) mounts nothing; a missing account is 403', async () => {
  await namespace('sa-two')
  const off = await s.call('POST', '/api/v1/namespaces/sa-two/pods', { body: pod('off', undefined, { automountServiceAccountToken: false }) })
  assert.equal(off.status, 201, off.text)
  assert.equal(spec(off).volumes, undefined)
  const acct = await s.call('POST', '/api/v1/namespaces/sa-two/serviceaccounts', { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet' }, automountServiceAccountToken: false } })
  assert.equal(acct.status, 201, acct.text)
  const quiet = await s.call('POST', '/api/v1/namespaces/sa-two/pods', { body: pod('quiet', undefined, { serviceAccountName: 'quiet' }) })
  assert.equal(quiet.status, 201, quiet.text)
  assert.equal(spec(quiet).volumes, undefined)
  const missing = await s.call('POST', '/api/v1/namespaces/sa-two/pods', { body: pod('ghost', undefined, { serviceAccountName: 'ghost' }) })
  assert.equal(missing.status, 403, missing.text)
  assert.equal(missing.json().message, 'pods "ghost" is forbidden: error looking up service account sa-two/ghost: serviceaccount "ghost" not found')
})

test('LimitRanger: defaults fill in, min and max are enforced with kube wording', async () => {
  await namespace('lr')
  const lr = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' }, min: { cpu: '50m' }, max: { cpu: '1', memory: '1Gi' } }] } }
  assert.equal((await s.call('POST', '/api/v1/namespaces/lr/limitranges', { body: lr })).status, 201)
  const created = await s.call('POST', '/api/v1/namespaces/lr/pods', { body: pod('defaults') })
  assert.equal(created.status, 201, created.text)
  const c = (spec(created) as { containers: { resources: Json }[] }).containers[0]
  assert.deepEqual(c?.resources, { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } })
  const note = (created.json().metadata as { annotations: Record<string, string> }).annotations['kubernetes.io/limit-ranger']
  assert.equal(note, 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app')
  const big = await s.call('POST', '/api/v1/namespaces/lr/pods', { body: pod('big', { limits: { cpu: '2' } }) })
  assert.equal(big.status, 403, big.text)
  assert.equal(big.json().reason, 'Forbidden')
  assert.equal(big.json().message, 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2')
  const both = await s.call('POST', '/api/v1/namespaces/lr/pods', { body: pod('both', { requests: { cpu: '10m' }, limits: { cpu: '2', memory: '2Gi' } }) })
  assert.equal(both.status, 403, both.text)
  assert.equal(both.json().message, 'pods "both" is forbidden: [minimum cpu usage per Container is 50m, but request is 10m, maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi]')
})

test('ResourceQuota: 50 racing creates against pods=10 leave exactly 10, the rest 403 with kube wording', async () => {
  await namespace('quota')
  const q = await s.call('POST', '/api/v1/namespaces/quota/resourcequotas', { body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods' }, spec: { hard: { pods: '10' } } } })
  assert.equal(q.status, 201, q.text)
  const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => s.call('POST', '/api/v1/namespaces/quota/pods', { body: pod(`p${i}`) })))
  const codes = replies.map((r) => r.status)
  assert.equal(codes.filter((c) => c === 201).length, 10, codes.join(','))
  assert.equal(codes.filter((c) => c === 403).length, 40, codes.join(','))
  const refused = replies.find((r) => r.status === 403)
  assert.match(String(refused?.json().message), /^pods "p\d+" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10, limited: pods=10$/)
  const list = await s.call('GET', '/api/v1/namespaces/quota/pods')
  assert.equal((list.json().items as unknown[]).length, 10)
  const status = (await s.call('GET', '/api/v1/namespaces/quota/resourcequotas/pods')).json().status
  assert.deepEqual(status, { hard: { pods: '10' }, used: { pods: '10' } })
  // A delete gives its pod back to the quota.
  const survivors = (list.json().items as { metadata: { name: string } }[]).map((i) => i.metadata.name)
  assert.equal((await s.call('DELETE', `/api/v1/namespaces/quota/pods/${survivors[0] ?? ''}`)).status, 200)
  const again = await s.call('POST', '/api/v1/namespaces/quota/pods', { body: pod('after-delete') })
  assert.equal(again.status, 201, again.text)
  const full = await s.call('POST', '/api/v1/namespaces/quota/pods', { body: pod('one-too-many') })
  assert.equal(full.status, 403, full.text)
})

test('ResourceQuota: compute requests are summed and required; counts of other kinds; dry run charges nothing', async () => {
  await namespace('compute')
  const hard = { 'requests.cpu': '1', 'requests.memory': '1Gi', configmaps: '2' }
  assert.equal((await s.call('POST', '/api/v1/namespaces/compute/resourcequotas', { body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard } } })).status, 201)
  const bare = await s.call('POST', '/api/v1/namespaces/compute/pods', { body: pod('bare') })
  assert.equal(bare.status, 403, bare.text)
  assert.equal(bare.json().message, 'pods "bare" is forbidden: failed quota: compute: must specify requests.cpu,requests.memory')
  const ok = await s.call('POST', '/api/v1/namespaces/compute/pods', { body: pod('a', { requests: { cpu: '600m', memory: '512Mi' } }) })
  assert.equal(ok.status, 201, ok.text)
  const dry = await s.call('POST', '/api/v1/namespaces/compute/pods?dryRun=All', { body: pod('dry', { requests: { cpu: '300m', memory: '256Mi' } }) })
  assert.equal(dry.status, 201, dry.text)
  const over = await s.call('POST', '/api/v1/namespaces/compute/pods', { body: pod('b', { requests: { cpu: '500m', memory: '128Mi' } }) })
  assert.equal(over.status, 403, over.text)
  assert.equal(over.json().message, 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1')
  const cm = (name: string): Json => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: {} })
  // kube-root-ca.crt is not published here, so the namespace holds no configmap yet.
  assert.equal((await s.call('POST', '/api/v1/namespaces/compute/configmaps', { body: cm('one') })).status, 201)
  assert.equal((await s.call('POST', '/api/v1/namespaces/compute/configmaps', { body: cm('two') })).status, 201)
  const third = await s.call('POST', '/api/v1/namespaces/compute/configmaps', { body: cm('three') })
  assert.equal(third.status, 403, third.text)
  assert.equal(third.json().message, 'configmaps "three" is forbidden: exceeded quota: compute, requested: configmaps=1, used: configmaps=2, limited: configmaps=2')
  const status = (await s.call('GET', '/api/v1/namespaces/compute/resourcequotas/compute')).json().status
  assert.deepEqual(status, { hard: { 'requests.cpu': '1', 'requests.memory': '1Gi', configmaps: '2' }, used: { 'requests.cpu': '600m', 'requests.memory': '512Mi', configmaps: '2' } })
})

test('ResourceQuota: a create refused by validation (422) or over an existing name (409) charges nothing', async () => {
  await namespace('leaks')
  assert.equal((await s.call('POST', '/api/v1/namespaces/leaks/resourcequotas', { body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'cm' }, spec: { hard: { configmaps: '1' } } } })).status, 201)
  const bad = await s.call('POST', '/api/v1/namespaces/leaks/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_A_Name' } } })
  assert.equal(bad.status, 422, bad.text)
  const first = await s.call('POST', '/api/v1/namespaces/leaks/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } } })
  assert.equal(first.status, 201, first.text)
  const again = await s.call('POST', '/api/v1/namespaces/leaks/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } } })
  assert.equal(again.status, 409, again.text)
  const status = (await s.call('GET', '/api/v1/namespaces/leaks/resourcequotas/cm')).json().status
  assert.deepEqual(status, { hard: { configmaps: '1' }, used: { configmaps: '1' } })
})

test('LimitRanger: per-Pod sums and the limit/request ratio', async () => {
  await namespace('lr-pod')
  const lr = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'pod' }, spec: { limits: [{ type: 'Pod', max: { memory: '1Gi' } }, { type: 'Container', maxLimitRequestRatio: { cpu: '2' } }] } }
  assert.equal((await s.call('POST', '/api/v1/namespaces/lr-pod/limitranges', { body: lr })).status, 201)
  const two = (mem: string): Json => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `two-${mem.toLowerCase()}` }, spec: { containers: ['a', 'b'].map((n) => ({ name: n, image: 'x', resources: { requests: { cpu: '100m' }, limits: { cpu: '200m', memory: mem } } })) } })
  assert.equal((await s.call('POST', '/api/v1/namespaces/lr-pod/pods', { body: two('512Mi') })).status, 201)
  const big = await s.call('POST', '/api/v1/namespaces/lr-pod/pods', { body: two('768Mi') })
  assert.equal(big.status, 403, big.text)
  assert.equal(big.json().message, 'pods "two-768mi" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1536Mi')
  const ratio = await s.call('POST', '/api/v1/namespaces/lr-pod/pods', { body: pod('ratio', { requests: { cpu: '100m' }, limits: { cpu: '400m' } }) })
  assert.equal(ratio.status, 403, ratio.text)
  // No memory limit either: the Pod max needs one, and both reasons come back together.
  assert.equal(ratio.json().message, 'pods "ratio" is forbidden: [maximum memory usage per Pod is 1Gi.  No limit is specified, cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000]')
})

test('ServiceAccount: a namespace refused by validation leaves no account behind', async () => {
  const bad = await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_Name' } } })
  assert.equal(bad.status, 422, bad.text)
  const accounts = await s.call('GET', '/api/v1/serviceaccounts')
  const namespaces = (accounts.json().items as { metadata: { namespace: string } }[]).map((i) => i.metadata.namespace)
  assert.ok(!namespaces.includes('Bad_Name'), namespaces.join(','))
})

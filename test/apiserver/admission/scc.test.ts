// OpenShift SecurityContextConstraints admission over a real server: restricted-v2 for every
// authenticated user, anyuid and privileged through RBAC `use` (for the user or the pod's service
// account), refusals with the reasons oc prints, the chosen SCC in openshift.io/scc.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { issue } from '../../../src/apiserver/index.js'
import { startTestServer, type Credentials, type TestServer } from '../../support/api-server.js'

let s: TestServer
let alice: Credentials
let range: [number, number]
before(async () => {
  s = await startTestServer()
  const pki = join(s.dataDir, 'pki')
  const ca = { cert: readFileSync(join(pki, 'ca.crt'), 'utf8'), key: readFileSync(join(pki, 'ca.key'), 'utf8') }
  alice = issue(ca, Date.now(), { cn: 'alice', orgs: ['dev'], client: true })
  const ns = await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } })
  assert.equal(ns.status, 201, ns.text)
  const uidRange = String((ns.json().metadata as { annotations: Record<string, string> }).annotations['openshift.io/sa.scc.uid-range'])
  const m = /^(\d+)\/(\d+)$/.exec(uidRange)
  assert.ok(m !== null, uidRange)
  range = [Number(m[1]), Number(m[1]) + Number(m[2]) - 1]
  const rb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'alice-edit' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }] }
  assert.equal((await s.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', { body: rb })).status, 201)
})
after(async () => s.close())

type Json = Record<string, unknown>

function pod(name: string, container: Json = {}, spec: Json = {}): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'nginx', ...container }], ...spec } }
}

function annotations(r: { json(): Json }): Record<string, string> {
  return (r.json().metadata as { annotations?: Record<string, string> }).annotations ?? {}
}

async function grantUse(scc: string, subject: Json): Promise<void> {
  const name = `use-${scc}-${String(subject.name)}`
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules: [{ apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: [scc], verbs: ['use'] }] }
  assert.equal((await s.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', { body: role })).status, 201)
  const rb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [subject] }
  assert.equal((await s.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', { body: rb })).status, 201)
}

test('the built-in SCCs exist', async () => {
  const list = await s.call('GET', '/apis/security.openshift.io/v1/securitycontextconstraints')
  assert.equal(list.status, 200, list.text)
  const names = (list.json().items as { metadata: { name: string } }[]).map((i) => i.metadata.name).sort()
  assert.deepEqual(names, ['anyuid', 'nonroot-v2', 'privileged', 'restricted', 'restricted-v2'])
})

test('an ordinary user gets restricted-v2 and its defaults', async () => {
  const r = await s.call('POST', '/api/v1/namespaces/team/pods', { body: pod('plain'), as: alice })
  assert.equal(r.status, 201, r.text)
  assert.equal(annotations(r)['openshift.io/scc'], 'restricted-v2')
  const spec = r.json().spec as { securityContext: Json; containers: { securityContext: Json }[] }
  assert.equal(spec.securityContext.fsGroup, range[0])
  assert.deepEqual(spec.containers[0]?.securityContext, { runAsUser: range[0], allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } })
})

test('root, privilege and host namespaces are refused with the reasons oc prints', async () => {
  const root = await s.call('POST', '/api/v1/namespaces/team/pods', { body: pod('root', { securityContext: { runAsUser: 0 } }), as: alice })
  assert.equal(root.status, 403, root.text)
  assert.equal(root.json().reason, 'Forbidden')
  const no = (n: string): string => `provider "${n}": Forbidden: not usable by user or serviceaccount`
  assert.equal(root.json().message, `pods "root" is forbidden: unable to validate against any security context constraint: [${no('anyuid')}, ${no('restricted')}, provider "restricted-v2": .containers[0].runAsUser: Invalid value: 0: must be in the ranges: [${range[0]}, ${range[1]}], ${no('nonroot-v2')}, ${no('privileged')}]`)
  const priv = await s.call('POST', '/api/v1/namespaces/team/pods', { body: pod('priv', { securityContext: { privileged: true } }), as: alice })
  assert.equal(priv.status, 403, priv.text)
  assert.match(String(priv.json().message), /provider "restricted-v2": \.containers\[0\]\.privileged: Invalid value: true: Privileged containers are not allowed/)
  const host = await s.call('POST', '/api/v1/namespaces/team/pods', { body: pod('host', { ports: [{ containerPort: 80, hostPort: 80 }] }, { hostNetwork: true, hostPID: true }), as: alice })
  assert.equal(host.status, 403, host.text)
  const message = String(host.json().message)
  assert.match(message, /provider "restricted-v2": \.spec\.securityContext\.hostNetwork: Invalid value: true: Host network is not allowed to be used/)
  assert.match(message, /provider "restricted-v2": \.spec\.securityContext\.hostPID: Invalid value: true: Host PID is not allowed to be used/)
  assert.match(message, /provider "restricted-v2": \.containers\[0\]\.hostPort: Invalid value: 80: Host ports are not allowed to be used/)
  assert.equal((await s.call('GET', '/api/v1/namespaces/team/pods/root')).status, 404)
})

test('RBAC `use` on anyuid lets the user run as root; on privileged for the pod\'s service account, privileged pods', async () => {
  await grantUse('anyuid', { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' })
  const root = await s.call('POST', '/api/v1/namespaces/team/pods', { body: pod('root-ok', { securityContext: { runAsUser: 0 } }), as: alice })
  assert.equal(root.status, 201, root.text)
  assert.equal(annotations(root)['openshift.io/scc'], 'anyuid')
  const sa = await s.call('POST', '/api/v1/namespaces/team/serviceaccounts', { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } } })
  assert.equal(sa.status, 201, sa.text)
  await grantUse('privileged', { kind: 'ServiceAccount', name: 'builder', namespace: 'team' })
  const priv = await s.call('POST', '/api/v1/namespaces/team/pods', { body: pod('priv-ok', { securityContext: { privileged: true } }, { serviceAccountName: 'builder' }), as: alice })
  assert.equal(priv.status, 201, priv.text)
  assert.equal(annotations(priv)['openshift.io/scc'], 'privileged')
  const pinned = await s.call('POST', '/api/v1/namespaces/team/pods', { body: { ...pod('pinned'), metadata: { name: 'pinned', annotations: { 'openshift.io/required-scc': 'restricted-v2' } } }, as: alice })
  assert.equal(pinned.status, 201, pinned.text)
  assert.equal(annotations(pinned)['openshift.io/scc'], 'restricted-v2')
})

test('system:masters may run privileged pods', async () => {
  const r = await s.call('POST', '/api/v1/namespaces/team/pods', { body: pod('admin-priv', { securityContext: { privileged: true } }, { hostNetwork: true }) })
  assert.equal(r.status, 201, r.text)
  assert.equal(annotations(r)['openshift.io/scc'], 'privileged')
})

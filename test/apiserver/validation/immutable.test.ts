import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateUpdate } from '../../../src/apiserver/validation/index.js'

type Obj = Record<string, unknown>
const meta = { name: 'x', namespace: 'default', uid: 'u1' }

function fields(apiVersion: string, kind: string, old: Obj, next: Obj): string[] {
  return validateUpdate(apiVersion, kind, old, next).map((c) => `${c.field}: ${c.message}`)
}

test('metadata name, namespace and uid are fixed', () => {
  assert.deepEqual(fields('v1', 'ConfigMap', { metadata: meta }, { metadata: { ...meta, name: 'y' } }), ['metadata.name: Invalid value: "y": field is immutable'])
  assert.deepEqual(fields('v1', 'ConfigMap', { metadata: meta }, { metadata: { ...meta, uid: 'u2' } }), ['metadata.uid: Invalid value: "u2": field is immutable'])
  assert.deepEqual(fields('v1', 'ConfigMap', { metadata: meta }, { metadata: { ...meta, labels: { a: 'b' } } }), [])
})

test('immutable ConfigMap and Secret', () => {
  const cm = { metadata: meta, immutable: true, data: { a: '1' } }
  assert.deepEqual(fields('v1', 'ConfigMap', cm, { ...cm, data: { a: '2' } }), ['data: Forbidden: field is immutable when `immutable` is set'])
  assert.deepEqual(fields('v1', 'ConfigMap', cm, { ...cm, immutable: false }), ['immutable: Forbidden: field is immutable when `immutable` is set'])
  assert.deepEqual(fields('v1', 'ConfigMap', cm, { ...cm, metadata: { ...meta, labels: { l: 'v' } } }), [])
  const mutable = { metadata: meta, data: { a: '1' } }
  assert.deepEqual(fields('v1', 'ConfigMap', mutable, { ...mutable, data: { a: '2' }, immutable: true }), [])
  const secret = { metadata: meta, immutable: true, type: 'Opaque', data: { a: 'MQ==' } }
  assert.deepEqual(fields('v1', 'Secret', secret, { ...secret, data: {} }), ['data: Forbidden: field is immutable when `immutable` is set'])
  assert.deepEqual(fields('v1', 'Secret', { metadata: meta, type: 'Opaque' }, { metadata: meta, type: 'kubernetes.io/tls' }), ['type: Invalid value: "kubernetes.io/tls": field is immutable'])
})

test('workload selectors are immutable; replicas and templates are not', () => {
  const d = { metadata: meta, spec: { replicas: 1, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } } } } }
  for (const kind of ['Deployment', 'ReplicaSet', 'DaemonSet']) {
    assert.deepEqual(fields('apps/v1', kind, d, { ...d, spec: { ...d.spec, selector: { matchLabels: { app: 'b' } } } }), ['spec.selector: Invalid value: "object": field is immutable'], kind)
    assert.deepEqual(fields('apps/v1', kind, d, { ...d, spec: { ...d.spec, replicas: 5 } }), [], kind)
  }
  const sts = { metadata: meta, spec: { ...d.spec, serviceName: 's', podManagementPolicy: 'OrderedReady' } }
  assert.deepEqual(fields('apps/v1', 'StatefulSet', sts, { ...sts, spec: { ...sts.spec, replicas: 3, minReadySeconds: 5 } }), [])
  assert.equal(fields('apps/v1', 'StatefulSet', sts, { ...sts, spec: { ...sts.spec, serviceName: 't' } })[0]?.startsWith('spec: Forbidden: updates to statefulset spec for fields other than'), true)
})

test('job selector and template are immutable', () => {
  const job = { metadata: meta, spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } }, completions: 1, parallelism: 1 } }
  assert.deepEqual(fields('batch/v1', 'Job', job, { ...job, spec: { ...job.spec, parallelism: 4 } }), [])
  assert.deepEqual(fields('batch/v1', 'Job', job, { ...job, spec: { ...job.spec, template: {} } }), ['spec.template: Invalid value: "object": field is immutable'])
  assert.deepEqual(fields('batch/v1', 'Job', job, { ...job, spec: { ...job.spec, completions: 2 } }), ['spec.completions: Invalid value: 2: field is immutable'])
})

test('pods may change only images, activeDeadlineSeconds and add tolerations', () => {
  const pod = { metadata: meta, spec: { containers: [{ name: 'c', image: 'nginx:1' }], tolerations: [{ key: 'a', operator: 'Exists' }], nodeName: 'n1' } }
  const spec = pod.spec
  assert.deepEqual(fields('v1', 'Pod', pod, { ...pod, spec: { ...spec, containers: [{ name: 'c', image: 'nginx:2' }] } }), [])
  assert.deepEqual(fields('v1', 'Pod', pod, { ...pod, spec: { ...spec, activeDeadlineSeconds: 30 } }), [])
  assert.deepEqual(fields('v1', 'Pod', pod, { ...pod, spec: { ...spec, tolerations: [...spec.tolerations, { key: 'b', operator: 'Exists' }] } }), [])
  const removed = fields('v1', 'Pod', pod, { ...pod, spec: { ...spec, tolerations: [] } })
  assert.equal(removed.length, 1)
  assert.match(removed[0] ?? '', /^spec: Forbidden: pod updates may not change fields other than/)
  assert.equal(fields('v1', 'Pod', pod, { ...pod, spec: { ...spec, nodeName: 'n2' } }).length, 1)
  assert.equal(fields('v1', 'Pod', pod, { ...pod, spec: { ...spec, containers: [{ name: 'd', image: 'nginx:1' }] } }).length, 1)
})

test('service clusterIP, claim spec, role bindings', () => {
  const svc = { metadata: meta, spec: { clusterIP: '10.0.0.5', ports: [{ port: 80 }] } }
  assert.deepEqual(fields('v1', 'Service', svc, { ...svc, spec: { ...svc.spec, clusterIP: '10.0.0.6' } }), ['spec.clusterIP: Invalid value: "10.0.0.6": field is immutable'])
  assert.deepEqual(fields('v1', 'Service', svc, { ...svc, spec: { ...svc.spec, ports: [{ port: 81 }] } }), [])
  assert.deepEqual(fields('v1', 'Service', { metadata: meta, spec: {} }, svc), [], 'an unset clusterIP may be allocated')
  const pvc = { metadata: meta, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'fast' } }
  assert.deepEqual(fields('v1', 'PersistentVolumeClaim', pvc, { ...pvc, spec: { ...pvc.spec, resources: { requests: { storage: '2Gi' } } } }), [])
  assert.equal(fields('v1', 'PersistentVolumeClaim', pvc, { ...pvc, spec: { ...pvc.spec, storageClassName: 'slow' } }).length, 1)
  const rb = { metadata: meta, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' }, subjects: [] }
  assert.deepEqual(fields('rbac.authorization.k8s.io/v1', 'RoleBinding', rb, { ...rb, subjects: [{ kind: 'User', name: 'bob' }] }), [])
  assert.deepEqual(fields('rbac.authorization.k8s.io/v1', 'RoleBinding', rb, { ...rb, roleRef: { ...rb.roleRef, name: 'b' } }), ['roleRef: Invalid value: "object": cannot change roleRef'])
})

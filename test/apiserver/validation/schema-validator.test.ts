import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadKubernetesSchemas } from '../../../src/apiserver/openapi/index.js'
import { findDuplicateFields, SchemaValidator } from '../../../src/apiserver/validation/index.js'

const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32'
const validator = new SchemaValidator(await loadKubernetesSchemas())

// `kubectl create … --dry-run=client -o json` needs no server for these.
const kubectlSamples: string[][] = [
  ['create', 'configmap', 'cfg', '--from-literal=a=b'],
  ['create', 'secret', 'generic', 's', '--from-literal=a=b'],
  ['create', 'namespace', 'ns1'],
  ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80'],
  ['create', 'job', 'j', '--image=busybox', '--dry-run=client', '-o', 'json', '--', 'echo', 'hi'],
  ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *'],
  ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080'],
  ['create', 'service', 'nodeport', 'np', '--tcp=80:8080'],
  ['create', 'serviceaccount', 'sa'],
  ['create', 'rolebinding', 'rb', '--role=r', '--user=bob'],
  ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--user=bob'],
  ['create', 'ingress', 'ing', '--rule=foo.com/bar=svc:80'],
  ['create', 'quota', 'q', '--hard=pods=2'],
  ['create', 'priorityclass', 'pc', '--value=10'],
  ['create', 'poddisruptionbudget', 'pdb', '--selector=app=x', '--min-available=1'],
]

const podSpec = {
  containers: [
    {
      name: 'app',
      image: 'nginx:1.27',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.1 } },
      readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
      env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    },
  ],
  volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
}
const template = { metadata: { labels: { app: 'x' } }, spec: podSpec }
const selector = { matchLabels: { app: 'x' } }
const meta = { name: 'x', namespace: 'default', creationTimestamp: null }

// Kinds kubectl cannot create offline: realistic manifests as users write them.
const inlineSamples: Array<[string, Record<string, unknown>]> = [
  ['v1', { kind: 'Pod', metadata: meta, spec: podSpec }],
  ['apps/v1', { kind: 'StatefulSet', metadata: meta, spec: { serviceName: 'x', replicas: 3, selector, template, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } }],
  ['apps/v1', { kind: 'DaemonSet', metadata: meta, spec: { selector, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } } } }],
  ['apps/v1', { kind: 'ReplicaSet', metadata: meta, spec: { replicas: 1, selector, template } }],
  ['v1', { kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, spec: { podCIDR: '10.0.0.0/24', taints: [{ key: 'k', effect: 'NoSchedule' }] } }],
  ['v1', { kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv' } } }],
  ['v1', { kind: 'PersistentVolumeClaim', metadata: meta, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  ['storage.k8s.io/v1', { kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'example.com/fast', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' }],
  ['networking.k8s.io/v1', { kind: 'NetworkPolicy', metadata: meta, spec: { podSelector: selector, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }] }] } }],
  ['rbac.authorization.k8s.io/v1', { kind: 'Role', metadata: meta, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] }],
  ['rbac.authorization.k8s.io/v1', { kind: 'ClusterRole', metadata: { name: 'cr' }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }],
  [
    'apiextensions.k8s.io/v1',
    {
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    required: ['size'],
                    properties: { size: { type: 'integer', minimum: 1, default: 3 }, port: { 'x-kubernetes-int-or-string': true }, cfg: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
                    'x-kubernetes-validations': [{ rule: 'self.size < 10', message: 'too big' }],
                  },
                },
              },
            },
          },
        ],
      },
    },
  ],
]

test('realistic samples of every served kind validate with no cause and no unknown field', { skip: !existsSync(kubectl) && 'kubectl 1.32 not installed' }, () => {
  const home = mkdtempSync(join(tmpdir(), 'samples-'))
  try {
    for (const args of kubectlSamples) {
      const full = args.includes('--') ? args : [...args, '--dry-run=client', '-o', 'json']
      const text = execFileSync(kubectl, full, { env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: join(home, 'none') } }).toString()
      const obj = JSON.parse(text) as { apiVersion: string; kind: string }
      assert.ok(validator.hasSchema(obj.apiVersion, obj.kind), `${obj.kind} has a schema`)
      const r = validator.validate(obj.apiVersion, obj.kind, obj, 'Strict')
      assert.deepEqual([r.causes, r.unknownFields], [[], []], `${obj.kind}: ${JSON.stringify(r.causes)}`)
    }
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})

test('inline samples validate too', () => {
  for (const [apiVersion, obj] of inlineSamples) {
    const r = validator.validate(apiVersion, obj.kind as string, { apiVersion, ...obj }, 'Strict')
    assert.deepEqual([r.causes, r.unknownFields], [[], []], `${String(obj.kind)}: ${JSON.stringify(r)}`)
  }
})

function deployment(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector, template, ...spec } }
}

test('unknown fields: Strict fails, Warn warns, Ignore is silent; all three drop them', () => {
  const obj = deployment({ foo: 1 })
  ;(obj.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0] = { name: 'a', image: 'b', bar: true }
  const strict = validator.validate('apps/v1', 'Deployment', obj, 'Strict')
  assert.equal(strict.strictError, 'strict decoding error: unknown field "spec.foo", unknown field "spec.template.spec.containers[0].bar"')
  assert.deepEqual(strict.warnings, [])
  const warn = validator.validate('apps/v1', 'Deployment', obj, 'Warn')
  assert.equal(warn.strictError, undefined)
  assert.deepEqual(warn.warnings, ['unknown field "spec.foo"', 'unknown field "spec.template.spec.containers[0].bar"'])
  const ignore = validator.validate('apps/v1', 'Deployment', obj, 'Ignore')
  assert.deepEqual([ignore.warnings, ignore.strictError, ignore.causes], [[], undefined, []])
  const kept = ignore.object as { spec: Record<string, unknown> & { template: { spec: { containers: unknown[] } } } }
  assert.equal('foo' in kept.spec, false)
  assert.deepEqual(kept.spec.template.spec.containers[0], { name: 'a', image: 'b' })
  assert.equal('foo' in (obj.spec as Record<string, unknown>), true, 'the input is not mutated')
})

test('duplicate fields from the raw body join the unknown ones', () => {
  const raw = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"replicas":2,"foo":1}}'
  const dups = findDuplicateFields(raw)
  const strict = validator.validate('apps/v1', 'Deployment', JSON.parse(raw), 'Strict', dups)
  assert.equal(strict.strictError, 'strict decoding error: unknown field "spec.foo", duplicate field "spec.replicas"')
  const warn = validator.validate('apps/v1', 'Deployment', JSON.parse(raw), 'Warn', dups)
  assert.deepEqual(warn.warnings, ['unknown field "spec.foo"', 'duplicate field "spec.replicas"'])
  const noSchema = validator.validate('example.com/v1', 'Nothing', {}, 'Strict', ['a'])
  assert.equal(noSchema.strictError, 'strict decoding error: duplicate field "a"')
})

test('causes use the real server wording', () => {
  const r = validator.validate('apps/v1', 'Deployment', deployment({ replicas: 'x', strategy: { type: 'Sometimes' }, selector: undefined }), 'Strict')
  assert.deepEqual(r.causes, [
    { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' },
    { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "x": spec.replicas in body must be of type integer: "string"', field: 'spec.replicas' },
    { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Recreate", "RollingUpdate"', field: 'spec.strategy.type' },
  ])
  const cm = validator.validate('v1', 'ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 1 } }, 'Strict')
  assert.deepEqual(cm.causes, [{ reason: 'FieldValueTypeInvalid', message: 'Invalid value: 1: data.a in body must be of type string: "integer"', field: 'data.a' }])
  const half = validator.validate('apps/v1', 'Deployment', deployment({ replicas: 1.5 }), 'Strict')
  assert.equal(half.causes[0]?.message, 'Invalid value: 1.5: spec.replicas in body must be of type integer: "number"')
})

test('int-or-string and quantities accept both JSON types, nothing else', () => {
  const ok = validator.validate('apps/v1', 'Deployment', deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } } }), 'Strict')
  assert.deepEqual(ok.causes, [])
  const bad = validator.validate('apps/v1', 'Deployment', deployment({ strategy: { rollingUpdate: { maxSurge: true } } }), 'Strict')
  assert.deepEqual(bad.causes.map((c) => c.message), ['Invalid value: true: spec.strategy.rollingUpdate.maxSurge in body must be of type integer,string: "boolean"'])
})

test('kinds with no schema pass unchecked', () => {
  assert.equal(validator.warm('route.openshift.io/v1', 'Route'), false)
  assert.equal(validator.warm('v1', 'Service'), true)
  const r = validator.validate('route.openshift.io/v1', 'Route', { spec: { anything: 1 } }, 'Strict')
  assert.deepEqual([r.causes, r.unknownFields], [[], []])
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { PatchError, applyMergePatch, applyStrategicMergePatch, createMergePatch, strategicSchemaFor, type PatchSchema } from '../../../src/apiserver/patch/index.js'
import { jsonObject } from '../../support/patch-arbitraries.js'

function schemaOf(apiVersion: string, kind: string): PatchSchema {
  const schema = strategicSchemaFor(apiVersion, kind)
  assert.ok(schema !== undefined, `${apiVersion} ${kind} has a table`)
  return schema
}
const deploySchema = schemaOf('apps/v1', 'Deployment')
const podSchema = schemaOf('v1', 'Pod')

const container = (name: string, image: string, extra: Record<string, unknown> = {}) => ({ name, image, ...extra })
type Obj = Record<string, unknown>
function deployment(containers: Obj[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'payments', labels: { app: 'web' }, annotations: { keep: 'me' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers, ...extra } },
    },
  }
}
type Deploy = ReturnType<typeof deployment>
const smp = (doc: unknown, patch: unknown, schema = deploySchema) => applyStrategicMergePatch(doc, patch, schema) as Deploy
const containersOf = (d: Deploy): Obj[] => d.spec.template.spec.containers

const live = deployment([
  container('web', 'nginx:1', { ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }),
  container('sidecar', 'envoy:1', { volumeMounts: [{ name: 'cfg', mountPath: '/etc/envoy' }] }),
])

test('kubectl apply delta: $setElementOrder/containers with one changed container', () => {
  const before = structuredClone(live)
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}' } },
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ name: 'sidecar', image: 'envoy:2' }] } } },
  }
  const out = smp(live, patch)
  assert.deepEqual(containersOf(out), [containersOf(live)[0], { ...containersOf(live)[1], image: 'envoy:2' }])
  assert.deepEqual(out.metadata.annotations, { keep: 'me', 'kubectl.kubernetes.io/last-applied-configuration': '{...}' })
  assert.deepEqual(live, before, 'input untouched')
})

test('kubectl apply delta: a container added in the middle lands where $setElementOrder puts it', () => {
  const patch = {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'init' }, { name: 'sidecar' }], containers: [{ name: 'init', image: 'busybox' }] } } },
  }
  assert.deepEqual(containersOf(smp(live, patch)).map((c) => c.name), ['web', 'init', 'sidecar'])
})

test('kubectl apply delta: a container removed from the file is deleted with $patch: delete', () => {
  const patch = {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } },
  }
  assert.deepEqual(containersOf(smp(live, patch)), [containersOf(live)[0]])
})

test('kubectl apply delta: a field removed from the file is sent as null and deleted', () => {
  const out = smp(live, { spec: { strategy: { rollingUpdate: null } } })
  assert.deepEqual(out.spec.strategy, { type: 'RollingUpdate' })
})

test('kubectl set image: only the image of the named container changes', () => {
  const out = smp(live, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } })
  assert.deepEqual(containersOf(out), [{ ...containersOf(live)[0], image: 'nginx:2' }, containersOf(live)[1]])
})

test('kubectl rollout restart: an annotation on the pod template, labels kept', () => {
  const out = smp(live, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-08T02:00:00Z' } } } } })
  assert.deepEqual(out.spec.template.metadata, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-08T02:00:00Z' } })
  assert.deepEqual(containersOf(out), containersOf(live))
})

test('kubectl scale / patch: scalars replaced, maps merged', () => {
  const out = smp(live, { spec: { replicas: 4 }, metadata: { labels: { tier: 'fe' } } })
  assert.equal(out.spec.replicas, 4)
  assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'fe' })
})

test('env merges by name, ports by containerPort, volumeMounts by mountPath, volumes by name', () => {
  const patch = {
    spec: {
      template: {
        spec: {
          volumes: [{ name: 'cfg', configMap: { name: 'envoy2' } }],
          containers: [
            { name: 'web', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }], ports: [{ containerPort: 443 }] },
            { name: 'sidecar', volumeMounts: [{ name: 'cfg', mountPath: '/etc/envoy', readOnly: true }] },
          ],
        },
      },
    },
  }
  const base = deployment(containersOf(live), { volumes: [{ name: 'cfg', configMap: { name: 'envoy' } }, { name: 'tmp', emptyDir: {} }] })
  const out = smp(base, patch)
  const [web, sidecar] = containersOf(out) as Record<string, unknown>[]
  // Without $setElementOrder the real server interleaves by live position: A stays before B;
  // an item the live list never had goes before server-only items it cannot be ranked against.
  assert.deepEqual(web?.env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }])
  assert.deepEqual(web?.ports, [{ containerPort: 443 }, { containerPort: 80 }])
  assert.deepEqual(sidecar?.volumeMounts, [{ name: 'cfg', mountPath: '/etc/envoy', readOnly: true }])
  assert.deepEqual((out.spec.template.spec as Record<string, unknown>).volumes, [{ name: 'cfg', configMap: { name: 'envoy2' } }, { name: 'tmp', emptyDir: {} }])
})

test('lists without a merge strategy (tolerations, args) are replaced', () => {
  const base = deployment([container('web', 'nginx', { args: ['a', 'b'] })], { tolerations: [{ key: 'x', operator: 'Exists' }] })
  const out = smp(base, { spec: { template: { spec: { tolerations: [{ key: 'y', operator: 'Exists' }], containers: [{ name: 'web', args: ['c'] }] } } } })
  assert.deepEqual((out.spec.template.spec as Record<string, unknown>).tolerations, [{ key: 'y', operator: 'Exists' }])
  assert.deepEqual(containersOf(out)[0], container('web', 'nginx', { args: ['c'] }))
})

test('finalizers merge as a set; $deleteFromPrimitiveList removes from it', () => {
  const base = { ...live, metadata: { ...live.metadata, finalizers: ['a', 'b'] } }
  assert.deepEqual(smp(base, { metadata: { finalizers: ['c', 'a'] } }).metadata, { ...base.metadata, finalizers: ['c', 'a', 'b'] })
  const out = smp(base, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'], finalizers: ['d'] } })
  assert.deepEqual(out.metadata, { ...base.metadata, finalizers: ['d', 'b'] })
  assert.deepEqual((smp(base, { metadata: { '$setElementOrder/finalizers': ['b', 'a'] } }).metadata as Obj).finalizers, ['b', 'a'])
})

test('ownerReferences merge by uid', () => {
  const ref = (uid: string, name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid })
  const base = { ...live, metadata: { ...live.metadata, ownerReferences: [ref('1', 'a'), ref('2', 'b')] } }
  const out = smp(base, { metadata: { ownerReferences: [{ uid: '2', controller: true }] } })
  assert.deepEqual(out.metadata, { ...base.metadata, ownerReferences: [ref('1', 'a'), { ...ref('2', 'b'), controller: true }] })
})

test('$patch: replace on a map and in a list; $patch: delete on a map', () => {
  const labels = smp(live, { spec: { template: { metadata: { labels: { $patch: 'replace', v: '2' } } } } })
  assert.deepEqual(labels.spec.template.metadata.labels, { v: '2' })
  const list = smp(live, { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } })
  assert.deepEqual(containersOf(list), [{ name: 'only', image: 'x' }])
  const gone = smp(live, { spec: { strategy: { $patch: 'delete' } } })
  assert.deepEqual(gone.spec.strategy, {})
  const merged = smp(live, { spec: { strategy: { $patch: 'merge', type: 'Recreate' } } })
  assert.deepEqual(merged.spec.strategy, { type: 'Recreate', rollingUpdate: { maxSurge: 1 } })
})

test('$retainKeys clears the keys it does not name (deployment strategy switch)', () => {
  const out = smp(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } })
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' })
})

test('status conditions merge by type (kubectl patch --subresource=status)', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }, { type: 'Scheduled', status: 'True' }] } }
  const out = applyStrategicMergePatch(pod, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, podSchema)
  assert.deepEqual(out, { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Scheduled', status: 'True' }] } })
})

test('a new key holding directives is taken without them', () => {
  const bare = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }
  const out = smp(bare, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'a', image: 'x', env: [{ name: 'Q', $patch: 'delete' }] }], nodeName: null } } } })
  assert.deepEqual(out, { ...bare, spec: { template: { spec: { containers: [{ name: 'a', image: 'x', env: [] }] } } } })
})

test('$setElementOrder for a list the table does not merge: the order alone changes nothing', () => {
  const base = deployment(containersOf(live), { readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] })
  const out = smp(base, { spec: { template: { spec: { '$setElementOrder/readinessGates': [{ conditionType: 'b' }, { conditionType: 'a' }] } } } })
  assert.deepEqual(out, base)
  const replaced = smp(base, { spec: { template: { spec: { '$setElementOrder/readinessGates': [{ conditionType: 'c' }], readinessGates: [{ conditionType: 'c' }] } } } })
  assert.deepEqual((replaced.spec.template.spec as Obj).readinessGates, [{ conditionType: 'c' }])
})

function assertPatchError(fn: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PatchError, String(err))
    assert.equal(err.code, code)
    if (typeof message === 'string') assert.equal(err.message, message)
    else assert.match(err.message, message)
    return true
  })
}

test('malformed patches: 400 for bad directives, 422 for patches that cannot apply', () => {
  assertPatchError(() => smp(live, [1]), 'BadRequest', /must be a JSON object/)
  assertPatchError(() => smp(live, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), 'Invalid', 'map: {"image":"x"} does not contain declared merge key: name')
  assertPatchError(() => smp(live, { spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }), 'BadRequest', 'merging lists cannot yet be specified in the patch')
  assertPatchError(() => smp(live, { spec: { strategy: { $patch: 'frob' } } }), 'BadRequest', /^unknown patch type: frob in map/)
  assertPatchError(() => smp(live, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }), 'Invalid', "patch content doesn't match retainKeys list")
  assertPatchError(() => smp(live, { spec: { strategy: { $retainKeys: 'type' } } }), 'BadRequest', 'invalid patch format of retainKeys')
  assertPatchError(() => smp(live, { spec: { template: { spec: { '$setElementOrder/containers': 'x' } } } }), 'BadRequest', 'invalid patch format of setElementOrder list')
  assertPatchError(() => smp({ metadata: { finalizers: [['a']] } }, { metadata: { finalizers: [['b']] } }), 'Invalid', 'lists of lists are not supported')
})

test('property: without directives, SMP on a kind with no merge lists equals a merge patch', () => {
  const cmSchema = schemaOf('v1', 'ConfigMap')
  fc.assert(
    fc.property(jsonObject, jsonObject, jsonObject, (a, b, extra) => {
      for (const patch of [createMergePatch(a, b), extra]) {
        assert.deepEqual(applyStrategicMergePatch(a, patch, cmSchema), applyMergePatch(a, patch))
      }
    }),
    { numRuns: 300 },
  )
})

test('strategicSchemaFor: built-in kinds have a table, custom resources do not (415 for SMP)', () => {
  for (const [v, k] of [
    ['v1', 'Pod'], ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'Namespace'], ['v1', 'Node'], ['v1', 'PersistentVolumeClaim'],
    ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'], ['apps/v1', 'ReplicaSet'], ['batch/v1', 'Job'], ['batch/v1', 'CronJob'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRole'], ['networking.k8s.io/v1', 'Ingress'], ['coordination.k8s.io/v1', 'Lease'], ['storage.k8s.io/v1', 'StorageClass'],
  ] as const) assert.ok(strategicSchemaFor(v, k) !== undefined, `${v} ${k}`)
  assert.equal(strategicSchemaFor('example.com/v1', 'Widget'), undefined)
  assert.equal(strategicSchemaFor('v1', 'Widget'), undefined)
  assert.equal(strategicSchemaFor('apps/v1beta1', 'Deployment'), undefined)
})

test('the pod template of every workload kind reuses the Pod table', () => {
  const patch = { containers: [{ name: 'web', image: 'nginx:2' }] }
  const podSpec = { containers: [{ name: 'web', image: 'nginx:1', ports: [{ containerPort: 80 }] }, { name: 'log', image: 'fluent' }] }
  const want = { containers: [{ name: 'web', image: 'nginx:2', ports: [{ containerPort: 80 }] }, { name: 'log', image: 'fluent' }] }
  const wrap = (kind: string, spec: unknown): Obj => {
    if (kind === 'CronJob') return { spec: { jobTemplate: { spec: { template: { spec } } } } }
    if (kind === 'PodTemplate') return { template: { spec } }
    if (kind === 'Pod') return { spec }
    return { spec: { template: { spec } } }
  }
  for (const [v, k] of [['v1', 'Pod'], ['v1', 'PodTemplate'], ['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'], ['apps/v1', 'ReplicaSet'], ['batch/v1', 'Job'], ['batch/v1', 'CronJob']] as const) {
    assert.deepEqual(applyStrategicMergePatch(wrap(k, podSpec), wrap(k, patch), schemaOf(v, k)), wrap(k, want), k)
  }
})

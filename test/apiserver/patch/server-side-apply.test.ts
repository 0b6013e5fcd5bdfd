import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApplyConflictError, PatchError, serverSideApply, trackUpdate, type KubeObject, type ManagedFieldsEntry } from '../../../src/apiserver/patch/index.js'

const t1 = '2026-12-08T01:00:00Z'
const t2 = '2026-12-08T02:00:00Z'
const t3 = '2026-12-08T03:00:00Z'
type Obj = Record<string, unknown>

function deployment(o: { replicas?: number; image?: string; labels?: Obj; containers?: Obj[] } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'payments', labels: o.labels ?? { app: 'web' } },
    spec: {
      ...(o.replicas === undefined ? {} : { replicas: o.replicas }),
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: o.containers ?? [{ name: 'web', image: o.image ?? 'nginx:1' }] } },
    },
  }
}

/** What the store adds on create: the fields nobody owns. */
function stored(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: 'u-1', resourceVersion: '7', generation: 1, creationTimestamp: t1 } }
}

const entries = (obj: KubeObject) => (obj.metadata?.managedFields ?? []) as ManagedFieldsEntry[]
const entry = (obj: KubeObject, manager: string) => entries(obj).find((e) => e.manager === manager)
const spec = (obj: KubeObject) => obj.spec as { replicas?: number; template: { spec: { containers: Obj[] } } }

/** An applied configuration's set: leaves and list items only (structured-merge-diff ToFieldSet). */
const appliedFields = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
    },
  },
}

/** An update's set also has the maps it added ("." under labels), as kubectl create shows. */
const createdFields = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
    },
  },
}

function assertConflict(fn: () => unknown, message: string, causes: { message: string; field: string }[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApplyConflictError, String(err))
    assert.equal(err.code, 'Conflict')
    assert.equal(err.message, message)
    assert.deepEqual(err.causes, causes.map((c) => ({ reason: 'FieldManagerConflict', ...c })))
    return true
  })
}

test('apply on a missing object creates it, owned by the applier', () => {
  const config = deployment({ replicas: 2 })
  const out = serverSideApply(undefined, config, { manager: 'kubectl', force: false, now: t1 })
  assert.deepEqual(out, {
    ...config,
    metadata: { ...config.metadata, managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: t1, fieldsType: 'FieldsV1', fieldsV1: appliedFields }] },
  })
})

test('re-applying an unchanged configuration changes nothing (same object, same time)', () => {
  const live = stored(serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: t1 }))
  const again = serverSideApply(live, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: t2 })
  assert.deepEqual(again, live)
})

test('two appliers: changing a field the other owns is a conflict, worded like the real server', () => {
  const live = stored(serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'alice', force: false, now: t1 }))
  assertConflict(
    () => serverSideApply(live, deployment({ replicas: 3 }), { manager: 'bob', force: false, now: t2 }),
    'Apply failed with 1 conflict: conflict with "alice": .spec.replicas',
    [{ message: 'conflict with "alice"', field: '.spec.replicas' }],
  )
  assertConflict(
    () => serverSideApply(live, deployment({ replicas: 3, image: 'nginx:2' }), { manager: 'bob', force: false, now: t2 }),
    'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    [
      { message: 'conflict with "alice"', field: '.spec.replicas' },
      { message: 'conflict with "alice"', field: '.spec.template.spec.containers[name="web"].image' },
    ],
  )
})

test('force moves the conflicting fields to the applier; the same values are shared', () => {
  const live = stored(serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'alice', force: false, now: t1 }))
  const out = serverSideApply(live, deployment({ replicas: 3 }), { manager: 'bob', force: true, now: t2 })
  assert.equal(spec(out).replicas, 3)
  const alice = entry(out, 'alice')
  const bob = entry(out, 'bob')
  assert.ok(alice !== undefined && bob !== undefined)
  assert.equal((alice.fieldsV1['f:spec'] as Obj)['f:replicas'], undefined, 'alice lost .spec.replicas')
  assert.deepEqual(bob.fieldsV1, appliedFields, 'bob owns all it applied')
  assert.deepEqual((alice.fieldsV1['f:spec'] as Obj)['f:selector'], {}, 'same-valued fields stay shared')
  assert.equal(alice.time, t1)
  assert.equal(bob.time, t2)
})

test('a field the applier no longer applies is removed, unless another manager owns it', () => {
  const both = { app: 'web', tier: 'fe', team: 'pay' }
  let live = stored(serverSideApply(undefined, deployment({ labels: both }), { manager: 'alice', force: false, now: t1 }))
  live = serverSideApply(live, deployment({ labels: { app: 'web', team: 'pay' } }), { manager: 'bob', force: false, now: t2 })
  const dropped = serverSideApply(live, deployment({ labels: { app: 'web' } }), { manager: 'alice', force: false, now: t3 })
  assert.deepEqual(dropped.metadata?.labels, { app: 'web', team: 'pay' }, 'tier removed, team kept for bob')
  const bobDrops = serverSideApply(dropped, deployment({ labels: { app: 'web' } }), { manager: 'bob', force: false, now: t3 })
  assert.deepEqual(bobDrops.metadata?.labels, { app: 'web' })
})

test('a container dropped from the configuration is removed from the list', () => {
  const two = [{ name: 'web', image: 'nginx:1' }, { name: 'log', image: 'fluent:1' }]
  const live = stored(serverSideApply(undefined, deployment({ containers: two }), { manager: 'kubectl', force: false, now: t1 }))
  const out = serverSideApply(live, deployment({ containers: [two[0] as Obj] }), { manager: 'kubectl', force: false, now: t2 })
  assert.deepEqual(spec(out).template.spec.containers, [two[0]])
})

test('associative lists merge by key: live-only items keep their place', () => {
  const live = stored(serverSideApply(undefined, deployment({ containers: [{ name: 'a', image: '1' }, { name: 'x', image: '1' }, { name: 'b', image: '1' }] }), { manager: 'ops', force: false, now: t1 }))
  const out = serverSideApply(live, deployment({ containers: [{ name: 'b', image: '1' }, { name: 'a', image: '1' }] }), { manager: 'dev', force: false, now: t2 })
  assert.deepEqual(spec(out).template.spec.containers.map((c) => c.name), ['x', 'b', 'a'])
})

test('apply after client-side apply (kubectl apply --server-side migration)', () => {
  const csa = deployment({ replicas: 2 })
  csa.metadata = { ...csa.metadata, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }
  const live = stored(trackUpdate(undefined, csa, { manager: 'kubectl-client-side-apply', now: t1 }))
  assert.deepEqual(entries(live).map((e) => [e.manager, e.operation]), [['kubectl-client-side-apply', 'Update']])
  const same = serverSideApply(live, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: t2 })
  assert.deepEqual(entries(same).map((e) => [e.manager, e.operation]), [['kubectl', 'Apply'], ['kubectl-client-side-apply', 'Update']])
  assertConflict(
    () => serverSideApply(live, deployment({ replicas: 3 }), { manager: 'kubectl', force: false, now: t2 }),
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    [{ message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }],
  )
})

test('an object with no managedFields belongs to before-first-apply when first applied', () => {
  const live = stored(deployment({ replicas: 1 }))
  assertConflict(
    () => serverSideApply(live, deployment({ replicas: 5 }), { manager: 'kubectl', force: false, now: t2 }),
    'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
    [{ message: 'conflict with "before-first-apply" using apps/v1', field: '.spec.replicas' }],
  )
})

test('an update takes the fields it changed from the applier, which then conflicts', () => {
  const applied = stored(serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: t1 }))
  const edited = trackUpdate(applied, { ...applied, spec: { ...spec(applied), template: { ...(applied.spec as Obj).template as Obj, spec: { containers: [{ name: 'web', image: 'nginx:9' }] } } } }, { manager: 'kubectl-edit', now: t2 })
  const edit = entry(edited, 'kubectl-edit')
  assert.deepEqual(edit?.fieldsV1, { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } } })
  assert.equal(edit?.operation, 'Update')
  assertConflict(
    () => serverSideApply(edited, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: t3 }),
    'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="web"].image',
    [{ message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.template.spec.containers[name="web"].image' }],
  )
})

test('update tracking: create owns everything but server fields; a no-op update keeps managedFields', () => {
  const created = trackUpdate(undefined, stored(deployment({ replicas: 1 })), { manager: 'kubectl-create', now: t1 })
  assert.deepEqual(entries(created), [{ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: t1, fieldsType: 'FieldsV1', fieldsV1: createdFields }])
  assert.deepEqual(trackUpdate(created, structuredClone(created), { manager: 'kubectl-edit', now: t2 }), created)
  const scaled = trackUpdate(created, { ...created, spec: { ...spec(created), replicas: 4 } }, { manager: 'kubectl-scale', now: t2 })
  assert.deepEqual(entries(scaled).map((e) => [e.manager, e.time]), [['kubectl-create', t1], ['kubectl-scale', t2]])
  const removed = trackUpdate(scaled, { ...scaled, spec: { ...spec(scaled), replicas: undefined } }, { manager: 'kubectl-edit', now: t3 })
  assert.deepEqual(entries(removed).map((e) => e.manager), ['kubectl-create'], 'a removed field leaves every set; empty entries go')
})

test('status is never owned on the main resource; the status subresource owns only status', () => {
  const withStatus = { ...deployment({ replicas: 1 }), status: { replicas: 1 } }
  const applied = serverSideApply(undefined, withStatus, { manager: 'kubectl', force: false, now: t1 })
  assert.equal(applied.status, undefined, 'an apply to the main resource does not write status')
  const live = stored({ ...applied, status: { replicas: 0 } })
  const updated = trackUpdate(live, { ...live, status: { replicas: 1, readyReplicas: 1 } }, { manager: 'deployment-controller', now: t2, subresource: 'status' })
  const e = entry(updated, 'deployment-controller')
  assert.equal(e?.subresource, 'status')
  assert.deepEqual(e?.fieldsV1, { 'f:status': { 'f:readyReplicas': {}, 'f:replicas': {} } })
  const mainUpdate = trackUpdate(live, { ...live, status: { replicas: 5 } }, { manager: 'kubectl-edit', now: t2 })
  assert.equal(entry(mainUpdate, 'kubectl-edit'), undefined)
})

test('entries are one per (manager, operation, subresource), Apply before Update', () => {
  let obj = stored(serverSideApply(undefined, deployment({ replicas: 1 }), { manager: 'kubectl', force: false, now: t1 }))
  obj = trackUpdate(obj, { ...obj, metadata: { ...obj.metadata, labels: { app: 'web', x: '1' } } }, { manager: 'kubectl', now: t2 })
  obj = trackUpdate(obj, { ...obj, metadata: { ...obj.metadata, labels: { app: 'web', x: '1', y: '1' } } }, { manager: 'kubectl', now: t3 })
  obj = trackUpdate(obj, { ...obj, status: { replicas: 1 } }, { manager: 'kubectl', now: t3, subresource: 'status' })
  assert.deepEqual(entries(obj).map((e) => [e.manager, e.operation, e.subresource ?? '', e.time]), [
    ['kubectl', 'Apply', '', t1],
    ['kubectl', 'Update', '', t3],
    ['kubectl', 'Update', 'status', t3],
  ])
  assert.deepEqual(entry(obj, 'kubectl') && entries(obj)[1]?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:x': {}, 'f:y': {} } } })
})

test('a client that rewrites managedFields (the migration JSON patch) is taken at its word', () => {
  const live = stored(trackUpdate(undefined, deployment({ replicas: 2 }), { manager: 'kubectl-client-side-apply', now: t1 }))
  const moved = entries(live).map((e) => ({ ...e, manager: 'kubectl', operation: 'Apply' as const }))
  const out = trackUpdate(live, { ...live, metadata: { ...live.metadata, managedFields: moved } }, { manager: 'kubectl', now: t2 })
  assert.deepEqual(entries(out), moved)
  const cleared = trackUpdate(live, { ...live, metadata: { ...live.metadata, managedFields: [{}] } }, { manager: 'kubectl', now: t2 })
  assert.equal(cleared.metadata?.managedFields, undefined)
})

test('custom resources: deduced schema, every map granular ("." once an update adds it), lists atomic', () => {
  const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, ports: [1, 2], nested: { a: 'x' } } }
  const out = serverSideApply(undefined, cr, { manager: 'op', force: false, now: t1 })
  assert.deepEqual(entry(out, 'op')?.fieldsV1, { 'f:spec': { 'f:nested': { 'f:a': {} }, 'f:ports': {}, 'f:size': {} } })
  const next = serverSideApply(stored(out as KubeObject), { ...cr, spec: { size: 1, ports: [3] } }, { manager: 'op', force: false, now: t2 })
  assert.deepEqual(next.spec, { size: 1, ports: [3] })
})

test('apply input errors: no field manager (422), managedFields in the configuration (400)', () => {
  assert.throws(() => serverSideApply(undefined, deployment(), { manager: '', force: false, now: t1 }), (e: unknown) => e instanceof PatchError && e.code === 'Invalid' && /fieldManager: Required value/.test(e.message))
  const bad = deployment()
  bad.metadata = { ...bad.metadata, managedFields: [{ manager: 'x' }] }
  assert.throws(() => serverSideApply(undefined, bad, { manager: 'k', force: false, now: t1 }), (e: unknown) => e instanceof PatchError && e.code === 'BadRequest')
})

test('inputs are never mutated', () => {
  const live = stored(serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'alice', force: false, now: t1 }))
  const config = deployment({ replicas: 3, labels: { app: 'web', x: 'y' } })
  const [l, c] = [structuredClone(live), structuredClone(config)]
  serverSideApply(live, config, { manager: 'bob', force: true, now: t2 })
  trackUpdate(live, config, { manager: 'bob', now: t2 })
  assert.deepEqual(live, l)
  assert.deepEqual(config, c)
})

test('container ports are keyed by containerPort and protocol, TCP when not given', () => {
  const withPorts = (ports: Obj[]) => deployment({ containers: [{ name: 'web', image: 'nginx:1', ports }] })
  const live = stored(serverSideApply(undefined, withPorts([{ containerPort: 80 }]), { manager: 'kubectl', force: false, now: t1 }))
  const c = ((entry(live, 'kubectl')?.fieldsV1['f:spec'] as Obj)['f:template'] as Obj)['f:spec'] as Obj
  assert.deepEqual((c['f:containers'] as Obj)['k:{"name":"web"}'], { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } })
  const tcp = serverSideApply(live, withPorts([{ containerPort: 80, protocol: 'TCP', name: 'http' }]), { manager: 'kubectl', force: false, now: t2 })
  assert.deepEqual(spec(tcp).template.spec.containers[0]?.ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }], 'one item, not two')
  const dropped = serverSideApply(tcp, withPorts([{ containerPort: 443 }]), { manager: 'kubectl', force: false, now: t3 })
  assert.deepEqual(spec(dropped).template.spec.containers[0]?.ports, [{ containerPort: 443 }], 'port 80 pruned')
})

test('custom resources: an update that adds a map owns the map itself too', () => {
  const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { nested: { a: 'x' } } }
  const out = trackUpdate(undefined, cr, { manager: 'op', now: t1 })
  assert.deepEqual(entry(out, 'op')?.fieldsV1, { 'f:spec': { '.': {}, 'f:nested': { '.': {}, 'f:a': {} } } })
})

test('a no-op keeps managedFields exactly as stored, even in another order', () => {
  const created = stored(trackUpdate(undefined, deployment({ replicas: 1 }), { manager: 'kubectl-create', now: t1 }))
  const applied = serverSideApply(created, deployment({ replicas: 1 }), { manager: 'kubectl', force: false, now: t2 })
  const reordered = { ...applied, metadata: { ...applied.metadata, managedFields: [...entries(applied)].reverse() } }
  assert.deepEqual(serverSideApply(reordered, deployment({ replicas: 1 }), { manager: 'kubectl', force: false, now: t3 }), reordered)
  assert.deepEqual(trackUpdate(reordered, structuredClone(reordered), { manager: 'kubectl-edit', now: t3 }), reordered)
})

test('apply to the status subresource writes and owns status only', () => {
  const live = stored(serverSideApply(undefined, deployment({ replicas: 2 }), { manager: 'kubectl', force: false, now: t1 }))
  const config = { ...deployment({ replicas: 9 }), status: { readyReplicas: 2, conditions: [{ type: 'Available', status: 'True' }] } }
  const out = serverSideApply(live, config, { manager: 'ctrl', force: false, now: t2, subresource: 'status' })
  assert.equal(spec(out).replicas, 2, 'spec untouched')
  assert.deepEqual(out.status, config.status)
  const e = entry(out, 'ctrl')
  assert.equal(e?.subresource, 'status')
  assert.deepEqual(e?.fieldsV1, { 'f:status': { 'f:conditions': { 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:readyReplicas': {} } })
})

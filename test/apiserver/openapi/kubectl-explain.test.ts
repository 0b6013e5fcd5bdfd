// Real kubectl 1.32 against a tiny HTTP server that serves only /version, legacy discovery
// and the OpenApiBuilder documents: `kubectl explain` reads nothing else, so its output shows
// whether the documents carry the real schemas (descriptions, types, x-kubernetes-group-version-kind).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadKubernetesSchemas, OpenApiBuilder, type ServedResource } from '../../../src/apiserver/openapi/index.js'
import { KubectlFakeServer, kubectl132 } from '../../support/openapi-kubectl-server.js'

const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
const served: ServedResource[] = [
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, verbs, subresources: ['status', 'scale'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs, subresources: [] },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, verbs, subresources: [] },
  { group: 'route.openshift.io', version: 'v1', resource: 'routes', kind: 'Route', namespaced: true, verbs, subresources: ['status'] },
]
const skip = !existsSync(kubectl132) && 'kubectl 1.32 not installed'
const catalog = await loadKubernetesSchemas()

test('kubectl explain prints the real field docs from /openapi/v3', { skip }, async () => {
  const server = new KubectlFakeServer(new OpenApiBuilder(catalog, () => served, () => new Map()), served)
  await server.start()
  try {
    const out = await server.run(['explain', 'deployment.spec.strategy'])
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /GROUP:\s+apps/)
    assert.match(out.stdout, /KIND:\s+Deployment/)
    assert.match(out.stdout, /FIELD: strategy <DeploymentStrategy>/)
    assert.match(out.stdout, /The deployment strategy to use to replace existing pods with new ones\./)
    assert.match(out.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/)
    assert.match(out.stdout, /type\s+<string>\s+enum: Recreate, RollingUpdate/)
    const replicas = await server.run(['explain', 'deployment.spec.replicas'])
    assert.match(replicas.stdout, /FIELD: replicas <integer>/)
    const cm = await server.run(['explain', 'configmap.data'])
    assert.match(cm.stdout, /FIELD: data <map\[string\]string>/)
    const route = await server.run(['explain', 'routes'])
    assert.equal(route.code, 0, route.stderr)
    assert.match(route.stdout, /KIND:\s+Route/)
    assert.match(route.stdout, /served without a published schema/)
  } finally {
    await server.close()
  }
})

test('kubectl apply of an existing object: validation left to the server, list merge keys from kubectl\'s own types', { skip }, async () => {
  const spec = (containers: object[], replicas: number): object => ({
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
  })
  const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } }
  const before = { ...base, spec: spec([{ name: 'c', image: 'nginx:1' }, { name: 'sidecar', image: 'envoy:1' }], 1) }
  const existing = {
    ...before,
    metadata: { ...base.metadata, uid: 'u1', resourceVersion: '5', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(before) } },
  }
  const objects = new Map([['/apis/apps/v1/namespaces/default/deployments/web', existing]])
  const server = new KubectlFakeServer(new OpenApiBuilder(catalog, () => served, () => new Map()), served, objects)
  await server.start()
  try {
    const file = join(server.home, 'web.json')
    writeFileSync(file, JSON.stringify({ ...base, spec: spec([{ name: 'c', image: 'nginx:2' }], 3) }))
    const out = await server.run(['apply', '-f', file])
    assert.equal(out.code, 0, out.stderr)
    assert.match(out.stdout, /deployment\.apps\/web configured/)
    const patch = server.requests.find((r) => r.method === 'PATCH')
    assert.ok(patch, 'kubectl sent a PATCH')
    assert.match(patch.url, /fieldValidation=Strict/, 'kubectl found the fieldValidation parameter and left validation to the server')
    assert.equal(patch.contentType, 'application/strategic-merge-patch+json')
    // The dropped sidecar is deleted by merge key, not left behind by an atomic list.
    const body = JSON.parse(patch.body) as { spec: { template: { spec: Record<string, unknown> } } }
    assert.deepEqual(body.spec.template.spec['$setElementOrder/containers'], [{ name: 'c' }])
    assert.deepEqual(body.spec.template.spec.containers, [{ image: 'nginx:2', name: 'c' }, { $patch: 'delete', name: 'sidecar' }])
    const v2 = server.requests.filter((r) => r.url.startsWith('/openapi/v2'))
    assert.ok(v2.every((r) => r.accept.startsWith('application/com.github.proto-openapi.spec.v2')), 'kubectl asks v2 only in protobuf')
  } finally {
    await server.close()
  }
})

test('/openapi/v2 answers JSON only to clients that take JSON (kubectl asks protobuf and gets 406)', { skip }, async () => {
  const server = new KubectlFakeServer(new OpenApiBuilder(catalog, () => served, () => new Map()), served)
  await server.start()
  try {
    const json = await fetch(`${server.url}/openapi/v2`, { headers: { accept: 'application/json' } })
    assert.equal(json.status, 200)
    assert.equal(((await json.json()) as { swagger: string }).swagger, '2.0')
    const proto = await fetch(`${server.url}/openapi/v2`, { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } })
    assert.equal(proto.status, 406)
    await proto.arrayBuffer()
  } finally {
    await server.close()
  }
})

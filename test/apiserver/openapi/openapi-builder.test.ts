import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadKubernetesSchemas, OpenApiBuilder, type JsonSchema, type ServedResource } from '../../../src/apiserver/openapi/index.js'

const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']
function res(group: string, version: string, resource: string, kind: string, namespaced = true, subresources: string[] = []): ServedResource {
  return { group, version, resource, kind, namespaced, verbs, subresources }
}

// Every kind the server is meant to serve (shared/reference/scenarios.md §9).
const builtIns: ServedResource[] = [
  res('', 'v1', 'pods', 'Pod', true, ['status']),
  res('', 'v1', 'services', 'Service', true, ['status']),
  res('', 'v1', 'configmaps', 'ConfigMap'),
  res('', 'v1', 'secrets', 'Secret'),
  res('', 'v1', 'nodes', 'Node', false, ['status']),
  res('', 'v1', 'namespaces', 'Namespace', false, ['status']),
  res('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  res('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  res('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  res('apps', 'v1', 'deployments', 'Deployment', true, ['status', 'scale']),
  res('apps', 'v1', 'replicasets', 'ReplicaSet', true, ['status', 'scale']),
  res('apps', 'v1', 'statefulsets', 'StatefulSet', true, ['status', 'scale']),
  res('apps', 'v1', 'daemonsets', 'DaemonSet', true, ['status']),
  res('batch', 'v1', 'jobs', 'Job', true, ['status']),
  res('batch', 'v1', 'cronjobs', 'CronJob', true, ['status']),
  res('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  res('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
  res('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  res('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  res('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  res('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['status']),
  res('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy'),
  res('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['status']),
]
const openshift = [res('route.openshift.io', 'v1', 'routes', 'Route', true, ['status']), res('project.openshift.io', 'v1', 'projects', 'Project', false)]

const catalog = await loadKubernetesSchemas()

type Doc = { paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, JsonSchema> } }

function refsResolve(doc: object, prefix: string, defs: Record<string, unknown>): string[] {
  const missing: string[] = []
  for (const m of JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)) {
    const ref = m[1] ?? ''
    if (!ref.startsWith(prefix) || defs[ref.slice(prefix.length)] === undefined) missing.push(ref)
  }
  return missing
}

test('every served built-in kind has a real schema with its group-version-kind', () => {
  for (const r of builtIns) {
    const apiVersion = r.group === '' ? r.version : `${r.group}/${r.version}`
    const name = catalog.kinds.get(`${apiVersion}/${r.kind}`)
    assert.ok(name !== undefined, `${apiVersion} ${r.kind} has no schema`)
    const schema = catalog.definitions.get(name)
    assert.deepEqual(schema?.['x-kubernetes-group-version-kind'], [{ group: r.group, version: r.version, kind: r.kind }])
    assert.ok(typeof schema?.description === 'string' && schema.description.length > 10, `${r.kind} has no description`)
  }
})

test('v3 index lists each group-version with a content hash', () => {
  const b = new OpenApiBuilder(catalog, () => [...builtIns, ...openshift], () => new Map())
  const index = b.v3Index()
  assert.ok(index.paths['api/v1'])
  assert.match(index.paths['apis/apps/v1']?.serverRelativeURL ?? '', /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/)
  assert.ok(index.paths['apis/route.openshift.io/v1'])
  assert.equal(b.v3Document('apis/nope/v1'), undefined)
})

test('patch operations carry the kind and the fieldValidation parameter kubectl looks for', () => {
  const b = new OpenApiBuilder(catalog, () => builtIns, () => new Map())
  const doc = b.v3Document('apis/apps/v1') as Doc
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch
  assert.deepEqual(patch?.['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' })
  const params = patch?.parameters as Array<{ name: string; in: string }>
  assert.ok(params.some((p) => p.name === 'fieldValidation' && p.in === 'query'))
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']?.patch
  assert.deepEqual(scale?.['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' })
  const cluster = (b.v3Document('api/v1') as Doc).paths['/api/v1/nodes/{name}']?.patch
  assert.deepEqual(cluster?.['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Node' })
})

test('each v3 document is self-contained: every $ref resolves inside it', () => {
  const b = new OpenApiBuilder(catalog, () => [...builtIns, ...openshift], () => new Map())
  for (const gv of Object.keys(b.v3Index().paths)) {
    const doc = b.v3Document(gv) as Doc
    assert.deepEqual(refsResolve(doc, '#/components/schemas/', doc.components.schemas), [], gv)
  }
  const v2 = b.v2Document() as { swagger: string; definitions: Record<string, unknown> }
  assert.equal(v2.swagger, '2.0')
  assert.deepEqual(refsResolve(v2, '#/definitions/', v2.definitions), [])
  assert.ok(v2.definitions['io.k8s.api.apps.v1.Deployment'])
})

test('kinds without a shipped schema get a permissive one; CRD schemas appear after invalidate()', () => {
  const crds = new Map<string, JsonSchema>()
  const widget = res('example.com', 'v1', 'widgets', 'Widget')
  const b = new OpenApiBuilder(catalog, () => [...openshift, widget], () => crds)
  const routes = (b.v3Document('apis/route.openshift.io/v1') as Doc).components.schemas['io.openshift.route.v1.Route']
  assert.equal(routes?.['x-kubernetes-preserve-unknown-fields'], true)
  assert.deepEqual(routes?.['x-kubernetes-group-version-kind'], [{ group: 'route.openshift.io', version: 'v1', kind: 'Route' }])
  const before = b.v3Index().paths['apis/example.com/v1']?.serverRelativeURL
  crds.set('example.com/v1/Widget', { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } })
  assert.equal(b.v3Index().paths['apis/example.com/v1']?.serverRelativeURL, before, 'cached until invalidate')
  b.invalidate()
  assert.notEqual(b.v3Index().paths['apis/example.com/v1']?.serverRelativeURL, before)
  const widgetSchema = (b.v3Document('apis/example.com/v1') as Doc).components.schemas['com.example.v1.Widget']
  assert.deepEqual(widgetSchema?.properties?.spec, { type: 'object', properties: { size: { type: 'integer' } } })
  assert.ok(widgetSchema?.properties?.metadata)
})

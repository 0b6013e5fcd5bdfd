// The scenarios' CI/CD pipeline end to end over HTTPS, with the exact ServiceAccount, Role and
// RoleBinding they give: its token (from the TokenRequest API) updates a Deployment's image in
// payments (200), is refused anywhere else (403), and nothing works without a token (401);
// deleting and recreating the account invalidates the old token.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../support/api-server.js'

let s: TestServer
let token: string
before(async () => {
  s = await startTestServer()
  const ok = async (method: string, path: string, body: unknown): Promise<Record<string, unknown>> => {
    const r = await s.call(method, path, { body })
    assert.ok(r.status === 200 || r.status === 201, `${method} ${path}: ${r.status} ${r.text}`)
    return r.json()
  }
  await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } })
  await ok('POST', '/api/v1/namespaces/payments/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'cicd-deployer' } })
  await ok('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/payments/roles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'deployer' },
    rules: [
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
      { apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: ['get', 'list', 'create', 'update', 'patch'] },
    ],
  })
  await ok('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'cicd-deployer-binding' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
    subjects: [{ kind: 'ServiceAccount', name: 'cicd-deployer', namespace: 'payments' }],
  })
  for (const ns of ['payments', 'default']) {
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } } })
  }
  const tr = await ok('POST', '/api/v1/namespaces/payments/serviceaccounts/cicd-deployer/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } })
  token = (tr.status as { token: string }).token
})
after(async () => s.close())

const setImage = (ns: string, image: string, as: { token: string } | null): ReturnType<TestServer['call']> =>
  s.call('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web`, { body: { spec: { template: { spec: { containers: [{ name: 'web', image }] } } } }, contentType: 'application/strategic-merge-patch+json', as })

/** RBAC follows the store by a watch: the binding made above counts once delivered. */
async function eventually(call: () => ReturnType<TestServer['call']>, status: number): Promise<Awaited<ReturnType<TestServer['call']>>> {
  const deadline = Date.now() + 10_000
  let r = await call()
  while (r.status !== status && Date.now() < deadline) r = await call()
  return r
}

test('the deployer token sets the image in payments (200)', async () => {
  const r = await eventually(() => setImage('payments', 'nginx:1.27', { token }), 200)
  assert.equal(r.status, 200, r.text)
  const image = (r.json() as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]?.image
  assert.equal(image, 'nginx:1.27')
})

test('the same token is refused anywhere else (403) and for verbs its Role lacks', async () => {
  const other = await setImage('default', 'nginx:1.27', { token })
  assert.equal(other.status, 403)
  assert.equal(other.json().message, 'deployments.apps "web" is forbidden: User "system:serviceaccount:payments:cicd-deployer" cannot patch resource "deployments" in API group "apps" in the namespace "default"')
  assert.equal((await s.call('GET', '/api/v1/namespaces/payments/secrets', { as: { token } })).status, 403)
  assert.equal((await s.call('DELETE', '/apis/apps/v1/namespaces/payments/deployments/web', { as: { token } })).status, 403)
  assert.equal((await s.call('GET', '/api/v1/nodes', { as: { token } })).status, 403)
})

test('no token (or a wrong one) is 401', async () => {
  assert.equal((await setImage('payments', 'nginx:1.28', null)).status, 401)
  assert.equal((await setImage('payments', 'nginx:1.28', { token: `${token}x` })).status, 401)
})

test('deleting and recreating the account invalidates the old token', async () => {
  assert.equal((await s.call('DELETE', '/api/v1/namespaces/payments/serviceaccounts/cicd-deployer')).status, 200)
  assert.equal((await s.call('POST', '/api/v1/namespaces/payments/serviceaccounts', { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'cicd-deployer' } } })).status, 201)
  assert.equal((await setImage('payments', 'nginx:1.29', { token })).status, 401, 'the token names the old account uid')
})

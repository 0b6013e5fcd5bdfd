// OIDC through `etchlog serve`'s flags: an ID token from a local issuer authenticates with the
// claims the flags name; a token for another audience, or an expired one, is a 401; RBAC then
// decides as for any user.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js'
import { startTestServer, type TestServer } from '../support/api-server.js'
import { parseServeArgs } from '../../src/serve.js'

let issuer: OidcIssuer
let s: TestServer
before(async () => {
  issuer = await startOidcIssuer()
  const caFile = join(tmpdir(), `etchlog-oidc-ca-${process.pid}.pem`)
  writeFileSync(caFile, issuer.ca)
  s = await startTestServer({ extra: { oidc: { issuerUrl: issuer.url, clientId: 'etchlog', usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:', caFile } } })
})
after(async () => {
  await s.close()
  await issuer.close()
})

const now = (): number => Math.floor(Date.now() / 1000)

test('an ID token authenticates as its email and groups claims; RBAC decides what it may do', async () => {
  const token = await issuer.sign({ iss: issuer.url, aud: 'etchlog', sub: 'u1', email: 'ada@example.com', email_verified: true, groups: ['devs'], iat: now(), exp: now() + 600 })
  const who = await s.call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, as: { token } })
  assert.equal(who.status, 201, who.text)
  const info = (who.json() as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo
  assert.equal(info.username, 'ada@example.com')
  assert.ok(info.groups.includes('oidc:devs'))
  assert.ok(info.groups.includes('system:authenticated'))
  const denied = await s.call('GET', '/api/v1/namespaces/default/secrets', { as: { token } })
  assert.equal(denied.status, 403)
  assert.match(String(denied.json().message), /User "ada@example.com" cannot list resource "secrets"/)
  await s.call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'devs-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'oidc:devs' }] } })
  const deadline = Date.now() + 10_000
  let allowed = await s.call('GET', '/api/v1/namespaces/default/configmaps', { as: { token } })
  while (allowed.status !== 200 && Date.now() < deadline) allowed = await s.call('GET', '/api/v1/namespaces/default/configmaps', { as: { token } })
  assert.equal(allowed.status, 200, 'the binding counts once the RBAC watch delivers it')
})

test('a token for another audience or an expired one is 401', async () => {
  const other = await issuer.sign({ iss: issuer.url, aud: 'someone-else', sub: 'u2', email: 'bob@example.com', email_verified: true, iat: now(), exp: now() + 600 })
  assert.equal((await s.call('GET', '/api/v1/namespaces', { as: { token: other } })).status, 401)
  const expired = await issuer.sign({ iss: issuer.url, aud: 'etchlog', sub: 'u3', email: 'eve@example.com', email_verified: true, iat: now() - 7200, exp: now() - 3600 })
  assert.equal((await s.call('GET', '/api/v1/namespaces', { as: { token: expired } })).status, 401)
})

test('the --oidc-* flags parse as kube-apiserver names them, and need both issuer and client id', () => {
  const o = parseServeArgs(['--oidc-issuer-url', 'https://id.example.com', '--oidc-client-id=etchlog', '--oidc-username-claim', 'email', '--oidc-groups-claim', 'groups'])
  assert.notEqual(o, 'help')
  assert.deepEqual(o === 'help' ? undefined : o.oidc, { issuerUrl: 'https://id.example.com', clientId: 'etchlog', usernameClaim: 'email', groupsClaim: 'groups' })
  assert.throws(() => parseServeArgs(['--oidc-issuer-url', 'https://id.example.com']), /needs both --oidc-issuer-url and --oidc-client-id/)
})

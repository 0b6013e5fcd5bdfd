// OpenShift project requests: `oc new-project` creates the namespace, the requester's admin
// RoleBinding and the Project, and answers with the Project; the GET probe answers a success Status.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestServer, type TestServer } from '../support/api-server.js'

let s: TestServer
before(async () => {
  s = await startTestServer()
})
after(async () => s.close())

const request = (name: string): unknown => ({ apiVersion: 'project.openshift.io/v1', kind: 'ProjectRequest', metadata: { name }, displayName: 'Payments', description: 'the payments team' })

test('a project request makes the namespace, the admin RoleBinding and the Project', async () => {
  const probe = await s.call('GET', '/apis/project.openshift.io/v1/projectrequests')
  assert.equal(probe.status, 200)
  assert.equal(probe.json().status, 'Success')
  const r = await s.call('POST', '/apis/project.openshift.io/v1/projectrequests', { body: request('payments') })
  assert.equal(r.status, 201, r.text)
  assert.equal(r.json().kind, 'Project')
  const ns = (await s.call('GET', '/api/v1/namespaces/payments')).json() as { metadata: { annotations: Record<string, string> } }
  assert.equal(ns.metadata.annotations['openshift.io/display-name'], 'Payments')
  assert.equal(ns.metadata.annotations['openshift.io/requester'], 'etchlog-admin')
  const rb = (await s.call('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings/admin')).json() as { roleRef: { name: string }; subjects: { name: string }[] }
  assert.equal(rb.roleRef.name, 'admin')
  assert.deepEqual(rb.subjects.map((x) => x.name), ['etchlog-admin'])
  assert.equal((await s.call('GET', '/apis/project.openshift.io/v1/projects/payments')).status, 200)
})

test('a second request for the same name is 409, a bad name 422, and nothing is written', async () => {
  const before = s.serving.store.revision
  assert.equal((await s.call('POST', '/apis/project.openshift.io/v1/projectrequests', { body: request('payments') })).status, 409)
  assert.equal((await s.call('POST', '/apis/project.openshift.io/v1/projectrequests', { body: request('Not_Valid') })).status, 422)
  assert.equal(s.serving.store.revision, before)
})

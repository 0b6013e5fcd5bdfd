// The audit policy: first matching rule wins, no rule is None, rules by user, group, verb,
// resource (with subresources and names), namespace and URL; Secrets never above Metadata.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AuditPolicy, parseRequestInfo, type UserInfo } from '../../../src/apiserver/index.js'

const policyYaml = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    users: ["system:kube-proxy"]
  - level: None
    nonResourceURLs: ["/healthz*", "/version"]
  - level: RequestResponse
    resources:
      - group: ""
        resources: ["secrets", "pods/log"]
  - level: Metadata
    resources:
      - group: ""
        resources: ["configmaps"]
        resourceNames: ["quiet"]
  - level: Request
    verbs: ["create", "update", "patch"]
    namespaces: ["payments"]
  - level: RequestResponse
    userGroups: ["auditors"]
  - level: Metadata
`
const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] }
const p = AuditPolicy.parse(policyYaml)
const level = (user: UserInfo, method: string, url: string): string => p.levelFor(user, parseRequestInfo(method, url))

test('the first matching rule gives the level', () => {
  assert.equal(level({ username: 'system:kube-proxy', groups: [] }, 'GET', '/api/v1/pods'), 'None')
  assert.equal(level(alice, 'GET', '/healthz/etcd'), 'None')
  assert.equal(level(alice, 'GET', '/version'), 'None')
  assert.equal(level(alice, 'GET', '/api/v1/namespaces/a/pods/p/log'), 'RequestResponse')
  assert.equal(level(alice, 'PUT', '/api/v1/namespaces/payments/configmaps/quiet'), 'Metadata')
  assert.equal(level(alice, 'PUT', '/api/v1/namespaces/payments/configmaps/loud'), 'Request')
  assert.equal(level(alice, 'GET', '/api/v1/namespaces/payments/configmaps/loud'), 'Metadata')
  assert.equal(level({ username: 'eve', groups: ['auditors'] }, 'GET', '/apis/apps/v1/deployments'), 'RequestResponse')
})

test('Secrets and token requests are capped at Metadata whatever the rule says', () => {
  assert.equal(level(alice, 'POST', '/api/v1/namespaces/payments/secrets'), 'Metadata')
  assert.equal(level(alice, 'GET', '/api/v1/secrets'), 'Metadata')
  assert.equal(level({ username: 'eve', groups: ['auditors'] }, 'POST', '/api/v1/namespaces/a/serviceaccounts/default/token'), 'Metadata')
  const none = AuditPolicy.parse('kind: Policy\nrules:\n  - level: None\n    resources: [{group: "", resources: ["secrets"]}]\n  - level: RequestResponse\n')
  assert.equal(none.levelFor(alice, parseRequestInfo('GET', '/api/v1/namespaces/a/secrets/s')), 'None')
})

test('no matching rule is None', () => {
  const q = AuditPolicy.parse('kind: Policy\nrules:\n  - level: Request\n    verbs: ["delete"]\n')
  assert.equal(q.levelFor(alice, parseRequestInfo('GET', '/api/v1/pods')), 'None')
  assert.equal(q.levelFor(alice, parseRequestInfo('DELETE', '/api/v1/namespaces/a/pods/x')), 'Request')
})

test('a malformed policy is refused with the reason', () => {
  assert.throws(() => AuditPolicy.parse('kind: Foo\nrules: []'), /kind must be Policy/)
  assert.throws(() => AuditPolicy.parse('kind: Policy\nrules:\n  - level: Everything\n'), /rules\[0\]\.level must be one of/)
  assert.throws(() => AuditPolicy.parse('kind: Policy\nrules:\n  - level: None\n    users: "bob"\n'), /users must be a list of strings/)
})

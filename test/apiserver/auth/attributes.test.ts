import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { forbiddenMessage, nonResourceAttributes, resourceAttributes } from '../../../src/apiserver/auth/index.js'

const bob = { username: 'bob', groups: ['system:authenticated'] }

describe('forbiddenMessage (kube wording)', () => {
  it('a named object in a namespace', () => {
    assert.equal(
      forbiddenMessage(resourceAttributes(bob, { verb: 'get', resource: 'configmaps', namespace: 'payments', name: 'x' })),
      'configmaps "x" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in the namespace "payments"',
    )
  })
  it('a collection, a group, a subresource, cluster scope', () => {
    assert.equal(
      forbiddenMessage(resourceAttributes(bob, { verb: 'list', resource: 'deployments', apiGroup: 'apps', namespace: 'dev' })),
      'deployments.apps is forbidden: User "bob" cannot list resource "deployments" in API group "apps" in the namespace "dev"',
    )
    assert.equal(
      forbiddenMessage(resourceAttributes(bob, { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'dev', name: 'p' })),
      'pods "p" is forbidden: User "bob" cannot get resource "pods/log" in API group "" in the namespace "dev"',
    )
    assert.equal(
      forbiddenMessage(resourceAttributes(bob, { verb: 'list', resource: 'nodes' })),
      'nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope',
    )
  })
  it('a non-resource URL, and a reason appended', () => {
    assert.equal(forbiddenMessage(nonResourceAttributes(bob, 'get', '/metrics')), 'forbidden: User "bob" cannot get path "/metrics"')
    assert.equal(
      forbiddenMessage(nonResourceAttributes(bob, 'get', '/metrics'), 'RBAC: clusterrole.rbac.authorization.k8s.io "m" not found'),
      'forbidden: User "bob" cannot get path "/metrics": RBAC: clusterrole.rbac.authorization.k8s.io "m" not found',
    )
  })
  it('quotes as Go %q does', () => {
    assert.equal(forbiddenMessage(nonResourceAttributes({ username: 'a"b', groups: [] }, 'get', '/x')), 'forbidden: User "a\\"b" cannot get path "/x"')
  })
})

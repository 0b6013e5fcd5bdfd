import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { KubeObject } from '../../../src/codec/index.js'
import { ForbiddenError, RbacAuthorizer, checkBindingEscalation, checkRoleEscalation, uncoveredRules } from '../../../src/apiserver/auth/index.js'
import { clusterRole, clusterRoleBinding, policyObjects, role, roleBinding, user, users } from '../../support/rbac-fixtures.js'

function rbac(extra: KubeObject[] = []): RbacAuthorizer {
  const r = new RbacAuthorizer()
  r.reset([...policyObjects(), ...extra])
  return r
}

const forbidden = (message: string | RegExp) => (err: unknown) => {
  assert.ok(err instanceof ForbiddenError, String(err))
  assert.equal(err.code, 'Forbidden')
  if (typeof message === 'string') assert.equal(err.message, message)
  else assert.match(err.message, message)
  return true
}

describe('escalation guard', () => {
  it('a namespace admin may write a Role with rules they hold, not more', () => {
    const r = rbac()
    checkRoleEscalation(r, users.carol, role('dev', 'ok', [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'deletecollection'] }]))
    assert.throws(
      () => checkRoleEscalation(r, users.carol, role('dev', 'grab', [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'approve', 'sign'] }])),
      forbidden('roles.rbac.authorization.k8s.io "grab" is forbidden: user "carol" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["batch"], Resources:["jobs"], Verbs:["approve" "sign"]}'),
    )
    // The same rules in a namespace where carol holds nothing.
    assert.throws(() => checkRoleEscalation(r, users.carol, role('prod', 'ok', [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get'] }])), ForbiddenError)
  })

  it('binding: allowed for roles one holds entirely, refused for cluster-admin; bind and escalate verbs lift it', () => {
    const r = rbac()
    checkBindingEscalation(r, users.carol, roleBinding('dev', 'b1', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'zoe' }]))
    assert.throws(
      () => checkBindingEscalation(r, users.carol, roleBinding('dev', 'b2', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'User', name: 'carol' }])),
      forbidden(/^rolebindings\.rbac\.authorization\.k8s\.io "b2" is forbidden: user "carol" .* not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}\n\{NonResourceURLs:\["\*"\], Verbs:\["\*"\]\}$/),
    )
    assert.throws(
      () => checkBindingEscalation(r, users.carol, clusterRoleBinding('b3', 'view', [{ kind: 'User', name: 'carol' }])),
      forbidden(/^clusterrolebindings\.rbac\.authorization\.k8s\.io "b3" is forbidden: user "carol"/),
    )
    assert.throws(
      () => checkBindingEscalation(r, users.carol, roleBinding('dev', 'b4', { kind: 'Role', name: 'nope' }, [{ kind: 'User', name: 'carol' }])),
      forbidden('rolebindings.rbac.authorization.k8s.io "b4" is forbidden: role.rbac.authorization.k8s.io "nope" not found'),
    )
    const binder = rbac([
      clusterRole('may-bind-admin', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['cluster-admin'] }]),
      roleBinding('dev', 'carol-binds', { kind: 'ClusterRole', name: 'may-bind-admin' }, [{ kind: 'User', name: 'carol' }]),
      clusterRole('may-escalate', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate'] }]),
      roleBinding('dev', 'carol-escalates', { kind: 'ClusterRole', name: 'may-escalate' }, [{ kind: 'User', name: 'carol' }]),
    ])
    checkBindingEscalation(binder, users.carol, roleBinding('dev', 'b2', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'User', name: 'carol' }]))
    checkRoleEscalation(binder, users.carol, role('dev', 'grab', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]))
    assert.throws(() => checkBindingEscalation(binder, users.carol, roleBinding('prod', 'b2', { kind: 'ClusterRole', name: 'cluster-admin' }, [])), ForbiddenError)
  })

  it('system:masters may do anything; an aggregationRule needs cluster-admin\'s rules', () => {
    const r = rbac([clusterRoleBinding('erin-view', 'view', [{ kind: 'User', name: 'erin' }])])
    checkRoleEscalation(r, users.mallory, clusterRole('x', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]))
    const aggregating = { ...clusterRole('agg', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } }
    assert.throws(() => checkRoleEscalation(r, users.erin, aggregating), forbidden('clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule'))
    const admin = rbac([clusterRoleBinding('root', 'cluster-admin', [{ kind: 'User', name: 'root' }])])
    checkRoleEscalation(admin, user('root'), aggregating)
  })

  it('uncoveredRules: stars, */subresource, resourceNames, URL prefixes', () => {
    const owner = [
      { apiGroups: ['apps'], resources: ['*/scale', 'deployments'], verbs: ['get', 'update'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get'] },
      { nonResourceURLs: ['/logs/*'], verbs: ['get'] },
    ]
    assert.deepEqual(uncoveredRules(owner, [{ apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale', 'deployments'], verbs: ['update'] }]), [])
    assert.deepEqual(uncoveredRules(owner, [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'], verbs: ['get'] }]), [])
    assert.deepEqual(uncoveredRules(owner, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]), [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }])
    assert.deepEqual(uncoveredRules(owner, [{ nonResourceURLs: ['/logs/a', '/metrics'], verbs: ['get'] }]), [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }])
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  RbacAuthorizer,
  forbiddenMessage,
  nonResourceAttributes,
  resourceAttributes,
  type Attributes,
  type UserInfo,
} from '../../../src/apiserver/auth/index.js'
import { clusterRole, clusterRoleBinding, policyObjects, role, roleBinding, user, users } from '../../support/rbac-fixtures.js'

type Who = keyof typeof users
// [who, verb, "[group:]resource[/subresource]" or "/non-resource/path", namespace, name, allowed]
type Row = [Who, string, string, string, string, boolean]

function attrs(u: UserInfo, verb: string, target: string, namespace: string, name: string): Attributes {
  if (target.startsWith('/')) return nonResourceAttributes(u, verb, target)
  const [apiGroup, path] = target.includes(':') ? target.split(':') : ['', target]
  const [resource = '', subresource = ''] = (path ?? '').split('/')
  return resourceAttributes(u, { verb, apiGroup: apiGroup ?? '', resource, subresource, namespace, name })
}

const matrix: Row[] = [
  // view, cluster-wide, through the aggregated view role
  ['alice', 'get', 'pods', 'dev', 'p', true],
  ['alice', 'list', 'pods', 'prod', '', true],
  ['alice', 'watch', 'apps:deployments', 'prod', '', true],
  ['alice', 'get', 'pods/log', 'dev', 'p', true],
  ['alice', 'get', 'secrets', 'dev', 's', false], // view never reads secrets
  ['alice', 'create', 'pods', 'dev', '', false],
  ['alice', 'delete', 'apps:deployments', 'dev', 'web', false],
  ['alice', 'list', 'pods', '', '', true], // across namespaces: a ClusterRoleBinding
  // edit in dev (RoleBinding to a ClusterRole): nowhere else
  ['bob', 'create', 'apps:deployments', 'dev', '', true],
  ['bob', 'patch', 'apps:deployments', 'dev', 'web', true],
  ['bob', 'get', 'apps:deployments', 'dev', 'web', true], // view rules aggregated into edit
  ['bob', 'get', 'secrets', 'dev', 's', true],
  ['bob', 'deletecollection', 'pods', 'dev', '', true],
  ['bob', 'create', 'pods/exec', 'dev', 'p', true],
  ['bob', 'create', 'rbac.authorization.k8s.io:rolebindings', 'dev', '', false], // admin only
  ['bob', 'create', 'apps:deployments', 'prod', '', false],
  ['bob', 'list', 'pods', '', '', false], // a RoleBinding gives nothing cluster-wide
  ['bob', 'impersonate', 'serviceaccounts', 'dev', 'default', true],
  // admin in dev: edit + view + rbac
  ['carol', 'create', 'rbac.authorization.k8s.io:rolebindings', 'dev', '', true],
  ['carol', 'update', 'apps:deployments', 'dev', 'web', true],
  ['carol', 'list', 'pods', 'dev', '', true],
  ['carol', 'create', 'rbac.authorization.k8s.io:rolebindings', 'prod', '', false],
  ['carol', 'create', 'rbac.authorization.k8s.io:clusterroles', '', '', false],
  // resourceNames
  ['dave', 'get', 'configmaps', 'dev', 'app-config', true],
  ['dave', 'update', 'configmaps', 'dev', 'app-config', true],
  ['dave', 'get', 'configmaps', 'dev', 'other', false],
  ['dave', 'list', 'configmaps', 'dev', '', false], // list names no object
  ['dave', 'delete', 'configmaps', 'dev', 'app-config', false],
  ['dave', 'get', 'configmaps', 'prod', 'app-config', false],
  // a group, '*' verbs and resources inside one API group
  ['erin', 'delete', 'apps:deployments', 'prod', 'web', true],
  ['erin', 'escalate', 'apps:statefulsets', 'dev', 'db', true],
  ['erin', 'update', 'apps:deployments/scale', 'dev', 'web', true], // '*' covers subresources
  ['erin', 'delete', 'pods', 'prod', 'p', false],
  ['erin', 'delete', 'batch:jobs', 'prod', 'j', false],
  // subresources
  ['frank', 'get', 'pods/log', 'dev', 'p', true],
  ['frank', 'get', 'pods', 'dev', 'p', false],
  ['frank', 'get', 'pods/exec', 'dev', 'p', false],
  ['frank', 'get', 'pods/log', 'prod', 'p', false],
  // '*/scale': any resource's scale, no parent
  ['grace', 'update', 'apps:deployments/scale', 'dev', 'web', true],
  ['grace', 'get', 'replicationcontrollers/scale', 'dev', 'rc', true],
  ['grace', 'update', 'apps:deployments', 'dev', 'web', false],
  ['grace', 'update', 'apps:deployments/status', 'dev', 'web', false],
  // non-resource URLs, trailing '*'
  ['heidi', 'get', '/metrics', '', '', true],
  ['heidi', 'get', '/logs/kube/x.log', '', '', true],
  ['heidi', 'get', '/logs/', '', '', true],
  ['heidi', 'get', '/logs', '', '', false],
  ['heidi', 'post', '/metrics', '', '', false],
  ['heidi', 'get', '/metricsz', '', '', false],
  // '*' API groups
  ['ivan', 'get', 'pods', 'dev', 'p', true],
  ['ivan', 'get', 'metrics.k8s.io:pods', 'prod', 'p', true],
  ['ivan', 'list', 'pods', 'dev', '', false],
  // system:masters
  ['mallory', 'delete', 'anything.example.com:widgets', '', 'w', true],
  ['mallory', 'post', '/anything', '', '', true],
  // bootstrap bindings only
  ['nobody', 'get', '/api', '', '', true],
  ['nobody', 'get', '/apis/apps/v1', '', '', true],
  ['nobody', 'get', '/healthz', '', '', true],
  ['nobody', 'get', '/metrics', '', '', false],
  ['nobody', 'create', 'authorization.k8s.io:selfsubjectaccessreviews', '', '', true],
  ['nobody', 'create', 'authentication.k8s.io:selfsubjectreviews', '', '', true],
  ['nobody', 'get', 'pods', 'default', 'p', false],
  ['nobody', 'list', 'namespaces', '', '', false],
  ['anonymous', 'get', '/healthz', '', '', true],
  ['anonymous', 'get', '/version', '', '', true],
  ['anonymous', 'get', '/api', '', '', false],
  ['anonymous', 'get', 'pods', 'default', '', false],
  // the scenarios' CI/CD service account
  ['deployer', 'update', 'apps:deployments', 'payments', 'web', true],
  ['deployer', 'patch', 'apps:deployments', 'payments', 'web', true],
  ['deployer', 'get', 'apps:replicasets', 'payments', '', true],
  ['deployer', 'create', 'configmaps', 'payments', '', true],
  ['deployer', 'delete', 'apps:deployments', 'payments', 'web', false],
  ['deployer', 'get', 'secrets', 'payments', 's', false],
  ['deployer', 'update', 'apps:deployments', 'default', 'web', false],
  ['deployer', 'update', 'apps:deployments', 'dev', 'web', false],
  ['deployer', 'list', 'apps:deployments', '', '', false],
  ['deployer', 'update', 'extensions:deployments', 'payments', 'web', false],
  // service accounts through ClusterRoleBinding and namespace-less RoleBinding subjects
  ['prometheus', 'list', 'pods', 'payments', '', true],
  ['prometheus', 'list', 'pods', '', '', true],
  ['prometheus', 'delete', 'pods', 'payments', 'p', false],
  ['localSa', 'create', 'apps:deployments', 'dev', '', true],
  ['localSa', 'create', 'apps:deployments', 'prod', '', false],
]

describe('RbacAuthorizer decision matrix', () => {
  const rbac = new RbacAuthorizer()
  rbac.reset(policyObjects())
  for (const [who, verb, target, namespace, name, allowed] of matrix) {
    it(`${who} ${verb} ${target} ns=${namespace || '-'} name=${name || '-'} -> ${allowed ? 'allow' : 'deny'}`, () => {
      const decision = rbac.authorize(attrs(users[who], verb, target, namespace, name))
      assert.equal(decision.allowed, allowed, decision.reason)
    })
  }
})

describe('RbacAuthorizer reasons and changes', () => {
  it('names the binding, role and subject that allowed, as kube prints it', () => {
    const rbac = new RbacAuthorizer()
    rbac.reset(policyObjects())
    const ci = rbac.authorize(attrs(users.deployer, 'update', 'apps:deployments', 'payments', 'web'))
    assert.equal(ci.reason, 'RBAC: allowed by RoleBinding "cicd-deployer-binding/payments" of Role "deployer" to ServiceAccount "cicd-deployer/payments"')
    const alice = rbac.authorize(attrs(users.alice, 'get', 'pods', 'dev', 'p'))
    assert.equal(alice.reason, 'RBAC: allowed by ClusterRoleBinding "alice-view" of ClusterRole "view" to User "alice"')
    const erin = rbac.authorize(attrs(users.erin, 'get', 'apps:deployments', 'dev', 'x'))
    assert.equal(erin.reason, 'RBAC: allowed by ClusterRoleBinding "ops-apps" of ClusterRole "apps-operator" to Group "ops"')
    const local = rbac.authorize(attrs(users.localSa, 'create', 'apps:deployments', 'dev', ''))
    assert.equal(local.reason, 'RBAC: allowed by RoleBinding "builder-edit/dev" of ClusterRole "edit" to ServiceAccount "builder/dev"')
    assert.deepEqual(rbac.authorize(attrs(users.bob, 'get', 'pods', 'prod', 'p')), { allowed: false, reason: '' })
  })

  it('refuses the CI/CD account outside payments with kube\'s message', () => {
    const rbac = new RbacAuthorizer()
    rbac.reset(policyObjects())
    const a = attrs(users.deployer, 'update', 'apps:deployments', 'default', 'web')
    assert.equal(rbac.authorize(a).allowed, false)
    assert.equal(
      forbiddenMessage(a),
      'deployments.apps "web" is forbidden: User "system:serviceaccount:payments:cicd-deployer" cannot update resource "deployments" in API group "apps" in the namespace "default"',
    )
  })

  it('deleting a binding, a role or a subject takes effect at once', () => {
    const rbac = new RbacAuthorizer()
    const objects = policyObjects()
    rbac.reset(objects)
    const ci = attrs(users.deployer, 'update', 'apps:deployments', 'payments', 'web')
    assert.equal(rbac.authorize(ci).allowed, true)
    const binding = objects.find((o) => o.metadata.name === 'cicd-deployer-binding')
    assert.ok(binding)
    rbac.remove(binding)
    assert.equal(rbac.authorize(ci).allowed, false)
    rbac.upsert(binding)
    assert.equal(rbac.authorize(ci).allowed, true)
    // The binding now names another account: the old one loses access.
    rbac.upsert({ ...binding, subjects: [{ kind: 'ServiceAccount', name: 'other', namespace: 'payments' }] })
    assert.equal(rbac.authorize(ci).allowed, false)
    rbac.upsert(binding)
    // The role goes: the binding dangles, and the refusal says why.
    const deployer = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'deployer')
    assert.ok(deployer)
    rbac.remove(deployer)
    assert.deepEqual(rbac.authorize(ci), { allowed: false, reason: 'RBAC: role.rbac.authorization.k8s.io "deployer" not found' })
    // A ClusterRole edited in place: alice loses pods, keeps nothing else she had from view.
    const alice = attrs(users.alice, 'get', 'pods', 'dev', 'p')
    assert.equal(rbac.authorize(alice).allowed, true)
    rbac.upsert(clusterRole('view', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]))
    assert.equal(rbac.authorize(alice).allowed, false)
    assert.equal(rbac.authorize(attrs(users.alice, 'get', 'configmaps', 'dev', 'c')).allowed, true)
  })

  it('a new role labelled for aggregation joins view, edit and admin', () => {
    const rbac = new RbacAuthorizer()
    rbac.reset(policyObjects())
    const widgets = attrs(users.alice, 'get', 'example.com:widgets', 'dev', 'w')
    const carolWidgets = attrs(users.carol, 'get', 'example.com:widgets', 'dev', 'w')
    assert.equal(rbac.authorize(widgets).allowed, false)
    rbac.upsert(clusterRole('widgets-view', [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] }], { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }))
    assert.equal(rbac.authorize(widgets).allowed, true)
    assert.equal(rbac.authorize(carolWidgets).allowed, true) // view -> edit -> admin
    rbac.remove(clusterRole('widgets-view', []))
    assert.equal(rbac.authorize(widgets).allowed, false)
  })

  it('a dangling ClusterRoleBinding among several: every missing role in the reason', () => {
    const rbac = new RbacAuthorizer()
    rbac.reset([
      clusterRoleBinding('a', 'missing-a', [{ kind: 'User', name: 'zed' }]),
      clusterRoleBinding('b', 'missing-b', [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'User', name: 'zed' }]), // named twice: reported once
    ])
    assert.deepEqual(rbac.authorize(attrs(user('zed'), 'get', 'pods', 'dev', '')), {
      allowed: false,
      reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "missing-a" not found, clusterrole.rbac.authorization.k8s.io "missing-b" not found]',
    })
  })

  it('a ServiceAccount subject without namespace in a ClusterRoleBinding names nobody; a Role via ClusterRoleBinding grants nothing', () => {
    const rbac = new RbacAuthorizer()
    rbac.reset([
      clusterRole('all', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      clusterRoleBinding('sa-no-ns', 'all', [{ kind: 'ServiceAccount', name: 'builder' }]),
      role('dev', 'r', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      roleBinding('dev', 'wrong-ns-subject', { kind: 'Role', name: 'r' }, [{ kind: 'ServiceAccount', name: 'builder', namespace: 'prod' }]),
    ])
    assert.equal(rbac.authorize(attrs(users.localSa, 'get', 'pods', 'dev', 'p')).allowed, false)
    assert.equal(rbac.authorize(attrs(users.localSa, 'get', 'pods', '', '')).allowed, false)
    // Not even a user whose name is the service-account form with an empty namespace.
    assert.equal(rbac.authorize(attrs(user('system:serviceaccount::builder'), 'get', 'pods', '', '')).allowed, false)
  })

  it('unknown kinds are refused, not silently indexed', () => {
    const rbac = new RbacAuthorizer()
    assert.throws(() => rbac.upsert({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', uid: '', resourceVersion: '', generation: 0, creationTimestamp: '' } }), { code: 'Invalid' })
  })
})

describe('RbacAuthorizer.rulesFor (SelfSubjectRulesReview)', () => {
  it('lists the CI/CD account\'s rules in payments and only the bootstrap ones elsewhere', () => {
    const rbac = new RbacAuthorizer()
    rbac.reset(policyObjects())
    const inPayments = rbac.rulesFor(users.deployer, 'payments')
    assert.equal(inPayments.incomplete, false)
    assert.ok(inPayments.resourceRules.some((r) => r.apiGroups.includes('apps') && r.resources.includes('deployments') && r.verbs.includes('update')))
    assert.ok(inPayments.resourceRules.some((r) => r.resources.includes('selfsubjectaccessreviews')))
    assert.ok(inPayments.nonResourceRules.some((r) => r.nonResourceURLs.includes('/api')))
    const elsewhere = rbac.rulesFor(users.deployer, 'default')
    assert.equal(elsewhere.resourceRules.some((r) => r.resources.includes('deployments')), false)
  })

  it('keeps resourceNames and flags a missing role as incomplete', () => {
    const rbac = new RbacAuthorizer()
    rbac.reset([...policyObjects(), roleBinding('dev', 'dangling', { kind: 'Role', name: 'gone' }, [{ kind: 'User', name: 'dave' }])])
    const rules = rbac.rulesFor(users.dave, 'dev')
    assert.ok(rules.resourceRules.some((r) => r.resourceNames.includes('app-config') && r.resources.includes('configmaps')))
    assert.equal(rules.incomplete, true)
    assert.equal(rules.evaluationError, 'role.rbac.authorization.k8s.io "gone" not found')
  })
})

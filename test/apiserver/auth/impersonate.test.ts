import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ForbiddenError, RbacAuthorizer, impersonate, impersonationHeaders, type ImpersonationHeaders } from '../../../src/apiserver/auth/index.js'
import { clusterRole, clusterRoleBinding, policyObjects, roleBinding, user } from '../../support/rbac-fixtures.js'

function authorizer(): RbacAuthorizer {
  const rbac = new RbacAuthorizer()
  rbac.reset([
    ...policyObjects(),
    clusterRole('impersonator', [
      { apiGroups: [''], resources: ['users'], verbs: ['impersonate'], resourceNames: ['bob'] },
      { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['ops'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['uids'], verbs: ['impersonate'], resourceNames: ['42'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['userextras/scopes'], verbs: ['impersonate'] },
    ]),
    clusterRoleBinding('support-impersonates', 'impersonator', [{ kind: 'User', name: 'support' }]),
  ])
  return rbac
}

const headers = (h: Partial<ImpersonationHeaders>): ImpersonationHeaders => ({ groups: [], extra: {}, ...h })

describe('impersonate', () => {
  const rbac = authorizer()
  const authorize = rbac.authorize.bind(rbac)
  const support = user('support')

  it('no headers: the real user', () => {
    assert.equal(impersonate(support, headers({}), authorize), support)
  })

  it('allowed: user, group, uid and extra each checked, system:authenticated added', () => {
    const as = impersonate(support, headers({ user: 'bob', groups: ['ops'], uid: '42', extra: { scopes: ['view', 'edit'] } }), authorize)
    assert.deepEqual(as, { username: 'bob', uid: '42', groups: ['ops', 'system:authenticated'], extra: { scopes: ['view', 'edit'] } })
    assert.deepEqual(impersonate(support, headers({ user: 'bob' }), authorize).groups, ['system:authenticated'])
  })

  it('refused: the first claim not allowed, in kube\'s words', () => {
    const cases: [Partial<ImpersonationHeaders>, string][] = [
      [{ user: 'carol' }, 'users "carol" is forbidden: User "support" cannot impersonate resource "users" in API group "" at the cluster scope'],
      [{ user: 'bob', groups: ['ops', 'system:masters'] }, 'groups "system:masters" is forbidden: User "support" cannot impersonate resource "groups" in API group "" at the cluster scope'],
      [{ user: 'bob', uid: '7' }, 'uids.authentication.k8s.io "7" is forbidden: User "support" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope'],
      [{ user: 'bob', extra: { reason: ['x'] } }, 'userextras.authentication.k8s.io "x" is forbidden: User "support" cannot impersonate resource "userextras/reason" in API group "authentication.k8s.io" at the cluster scope'],
    ]
    for (const [h, message] of cases) {
      assert.throws(() => impersonate(support, headers(h), authorize), (err: unknown) => err instanceof ForbiddenError && err.code === 'Forbidden' && err.message === message)
    }
    assert.throws(() => impersonate(user('nobody'), headers({ user: 'bob' }), authorize), ForbiddenError)
  })

  it('a service account: checked as serviceaccounts in its namespace, given its groups', () => {
    const rbac2 = authorizer()
    // edit grants impersonate on serviceaccounts (bootstrap policy): bob has edit in dev.
    rbac2.upsert(roleBinding('dev', 'x', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'User', name: 'bob' }]))
    const as = impersonate(user('bob'), headers({ user: 'system:serviceaccount:dev:builder' }), rbac2.authorize.bind(rbac2))
    assert.deepEqual(as, { username: 'system:serviceaccount:dev:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:dev', 'system:authenticated'] })
    assert.throws(
      () => impersonate(user('bob'), headers({ user: 'system:serviceaccount:prod:builder' }), rbac2.authorize.bind(rbac2)),
      { message: 'serviceaccounts "builder" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "prod"' },
    )
  })

  it('groups without a user are a bad request; anonymous gets system:unauthenticated', () => {
    assert.throws(() => impersonate(support, headers({ groups: ['ops'] }), authorize), { code: 'BadRequest' })
    const allowAll = () => ({ allowed: true, reason: '' })
    assert.deepEqual(impersonate(support, headers({ user: 'system:anonymous' }), allowAll).groups, ['system:unauthenticated'])
    assert.deepEqual(impersonate(support, headers({ user: 'x', groups: ['system:unauthenticated'] }), allowAll).groups, ['system:unauthenticated'])
  })

  it('reads the headers as node gives them (headersDistinct), extra keys percent-decoded', () => {
    assert.deepEqual(
      impersonationHeaders({
        'impersonate-user': ['bob'],
        'impersonate-group': ['ops', 'a, b'],
        'impersonate-uid': ['42'],
        'impersonate-extra-scopes': ['view'],
        'impersonate-extra-example.com%2freason': ['audit', 'x'],
        accept: ['application/json'],
      }),
      { user: 'bob', uid: '42', groups: ['ops', 'a, b'], extra: { scopes: ['view'], 'example.com/reason': ['audit', 'x'] } },
    )
    assert.deepEqual(impersonationHeaders({}), { groups: [], extra: {} })
    assert.throws(() => impersonationHeaders({ 'impersonate-extra-%zz': ['v'] }), { code: 'BadRequest' })
  })
})

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  RbacAuthorizer,
  accessReviewAttributes,
  accessReviewStatus,
  impersonate,
  rulesReviewStatus,
  selfSubjectReviewStatus,
  subjectAccessReviewUser,
} from '../../../src/apiserver/auth/index.js'
import { policyObjects, users } from '../../support/rbac-fixtures.js'

describe('access reviews (kubectl auth can-i / whoami)', () => {
  const rbac = new RbacAuthorizer()
  rbac.reset(policyObjects())

  it('SelfSubjectAccessReview as kubectl sends it: yes in payments, no elsewhere', () => {
    const spec = (namespace: string) => ({ resourceAttributes: { namespace, verb: 'update', group: 'apps', version: '', resource: 'deployments', subresource: '', name: '' } })
    assert.deepEqual(accessReviewStatus(rbac.authorize(accessReviewAttributes(spec('payments'), users.deployer))), {
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "cicd-deployer-binding/payments" of Role "deployer" to ServiceAccount "cicd-deployer/payments"',
    })
    assert.deepEqual(accessReviewStatus(rbac.authorize(accessReviewAttributes(spec('default'), users.deployer))), { allowed: false })
  })

  it('non-resource form, subresource form, and a malformed spec', () => {
    assert.equal(rbac.authorize(accessReviewAttributes({ nonResourceAttributes: { path: '/healthz', verb: 'get' } }, users.nobody)).allowed, true)
    const log = accessReviewAttributes({ resourceAttributes: { namespace: 'dev', verb: 'get', resource: 'pods', subresource: 'log' } }, users.frank)
    assert.equal(rbac.authorize(log).allowed, true)
    assert.throws(() => accessReviewAttributes({}, users.frank), { code: 'Invalid' })
    assert.throws(() => accessReviewAttributes({ resourceAttributes: {}, nonResourceAttributes: {} }, users.frank), { code: 'Invalid' })
  })

  it('SubjectAccessReview names its subject; --as goes through impersonation', () => {
    const user = subjectAccessReviewUser({ user: 'system:serviceaccount:payments:cicd-deployer', groups: ['system:serviceaccounts', 'system:serviceaccounts:payments', 'system:authenticated'] })
    assert.equal(rbac.authorize(accessReviewAttributes({ resourceAttributes: { namespace: 'payments', verb: 'patch', group: 'apps', resource: 'deployments' } }, user)).allowed, true)
    assert.throws(() => subjectAccessReviewUser({}), { code: 'Invalid' })
    const asBob = impersonate(users.mallory, { user: 'bob', groups: [], extra: {} }, (a) => rbac.authorize(a))
    assert.equal(rbac.authorize(accessReviewAttributes({ resourceAttributes: { namespace: 'dev', verb: 'create', group: 'apps', resource: 'deployments' } }, asBob)).allowed, true)
  })

  it('SelfSubjectRulesReview and SelfSubjectReview statuses', () => {
    const status = rulesReviewStatus(rbac.rulesFor(users.dave, 'dev'))
    assert.equal(status.incomplete, false)
    assert.equal('evaluationError' in status, false)
    assert.ok(status.resourceRules.some((r) => r.resourceNames.includes('app-config')))
    assert.deepEqual(selfSubjectReviewStatus({ username: 'alice', uid: '', groups: ['devs'], extra: {} }), { userInfo: { username: 'alice', groups: ['devs'] } })
    assert.deepEqual(selfSubjectReviewStatus({ username: 'a', uid: '7', groups: [], extra: { k: ['v'] } }), { userInfo: { username: 'a', uid: '7', groups: [], extra: { k: ['v'] } } })
  })
})

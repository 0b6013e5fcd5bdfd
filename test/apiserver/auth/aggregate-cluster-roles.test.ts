import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { KubeObject } from '../../../src/codec/index.js'
import { aggregateClusterRoles, bootstrapPolicy, selectorMatches } from '../../../src/apiserver/auth/index.js'
import { clusterRole } from '../../support/rbac-fixtures.js'

const byName = (objs: KubeObject[], name: string): KubeObject => {
  const found = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === name)
  assert.ok(found, name)
  return found
}
const rulesOf = (o: KubeObject) => o.rules as { verbs: string[]; apiGroups?: string[]; resources?: string[] }[]
const grants = (o: KubeObject, group: string, resource: string, verb: string): boolean =>
  rulesOf(o).some((r) => (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource) && r.verbs.includes(verb))

describe('aggregateClusterRoles', () => {
  it('fills view, edit and admin from the bootstrap aggregation roles, nested', () => {
    const out = aggregateClusterRoles(bootstrapPolicy().filter((o) => o.kind === 'ClusterRole'))
    const view = byName(out, 'view')
    const edit = byName(out, 'edit')
    const admin = byName(out, 'admin')
    assert.ok(grants(view, '', 'pods', 'list'))
    assert.equal(grants(view, '', 'secrets', 'get'), false)
    assert.ok(grants(edit, '', 'pods', 'list')) // from view
    assert.ok(grants(edit, 'apps', 'deployments', 'update'))
    assert.ok(grants(edit, '', 'secrets', 'get'))
    assert.ok(grants(admin, 'apps', 'deployments', 'update')) // from edit
    assert.ok(grants(admin, '', 'pods', 'watch')) // from view through edit
    assert.ok(grants(admin, 'rbac.authorization.k8s.io', 'rolebindings', 'create'))
    assert.equal(grants(edit, 'rbac.authorization.k8s.io', 'rolebindings', 'create'), false)
    // No duplicates: a rule gathered twice is kept once.
    const keys = rulesOf(admin).map((r) => JSON.stringify(r))
    assert.equal(new Set(keys).size, keys.length)
    // Roles without an aggregationRule come back unchanged (the same objects).
    const input = bootstrapPolicy().filter((o) => o.kind === 'ClusterRole')
    const again = aggregateClusterRoles(input)
    assert.equal(byName(again, 'cluster-admin'), byName(input, 'cluster-admin'))
  })

  it('replaces stored rules of an aggregating role, sorts sources by name and survives a cycle', () => {
    const a = { ...clusterRole('a', [{ apiGroups: [''], resources: ['stale'], verbs: ['get'] }], { agg: 'x' }), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'y' } }] } }
    const b = { ...clusterRole('b', [], { agg: 'y' }), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'x' } }] } }
    const z = clusterRole('z', [{ apiGroups: [''], resources: ['zs'], verbs: ['get'] }], { agg: 'y' })
    const c = clusterRole('c', [{ apiGroups: [''], resources: ['cs'], verbs: ['get'] }], { agg: 'y' })
    const out = aggregateClusterRoles([a, b, z, c])
    const aRules = rulesOf(byName(out, 'a')).map((r) => r.resources?.[0])
    assert.deepEqual(aRules.slice(-2), ['cs', 'zs'])
    assert.equal(aRules.includes('stale'), true) // b (in a cycle with a) carries a's stored rules, as one controller pass would
  })

  it('label selectors: matchLabels and every matchExpressions operator', () => {
    const labels = { tier: 'web', env: 'prod' }
    assert.equal(selectorMatches({}, labels), true)
    assert.equal(selectorMatches({ matchLabels: { tier: 'web' } }, labels), true)
    assert.equal(selectorMatches({ matchLabels: { tier: 'db' } }, labels), false)
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'qa'] }] }, labels), true)
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels), false)
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['prod'] }] }, labels), true)
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists', values: [] }] }, labels), true)
    assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist', values: [] }] }, labels), false)
    // Malformed selectors from stored JSON match nothing instead of throwing.
    assert.equal(selectorMatches(JSON.parse('{"matchExpressions":[{"key":"env","operator":"In"}]}'), labels), false)
    assert.equal(selectorMatches(JSON.parse('{"matchExpressions":"env"}'), labels), false)
    assert.equal(selectorMatches(JSON.parse('{"matchExpressions":[null]}'), labels), false)
  })
})

describe('bootstrapPolicy', () => {
  it('has the roles and bindings users expect, annotated for auto-update', () => {
    const objs = bootstrapPolicy()
    const names = (kind: string) => objs.filter((o) => o.kind === kind).map((o) => o.metadata.name)
    for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:basic-user', 'system:discovery', 'system:public-info-viewer']) assert.ok(names('ClusterRole').includes(n), n)
    assert.deepEqual(names('ClusterRoleBinding').sort(), ['cluster-admin', 'system:basic-user', 'system:discovery', 'system:public-info-viewer'])
    for (const o of objs) assert.equal(o.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true')
    const subjects = (name: string) => (objs.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === name)?.subjects as { name: string }[]).map((s) => s.name)
    assert.deepEqual(subjects('cluster-admin'), ['system:masters'])
    assert.deepEqual(subjects('system:public-info-viewer'), ['system:authenticated', 'system:unauthenticated'])
    // A fresh copy each call.
    const first = bootstrapPolicy()
    const labels = first[0]?.metadata.labels
    assert.ok(labels)
    labels.x = 'y'
    assert.equal(bootstrapPolicy()[0]?.metadata.labels?.x, undefined)
  })
})

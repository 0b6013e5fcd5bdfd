// Model-based: RbacAuthorizer (indexes, compiled rules) against a plain transcription of kube's
// rule evaluation over arrays (no indexes, no sets), on random policies and requests, including
// after random removals.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import fc from 'fast-check'
import type { KubeObject } from '../../../src/codec/index.js'
import { RbacAuthorizer, type Attributes, type PolicyRule, type Subject } from '../../../src/apiserver/auth/index.js'
import { clusterRole, clusterRoleBinding, role, roleBinding } from '../../support/rbac-fixtures.js'

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs)
const sub = <T>(xs: readonly T[]) => fc.subarray([...xs], { minLength: 1 })
const verbs = ['get', 'list', 'update', '*'] as const
const apiGroups = ['', 'apps', '*'] as const
const resources = ['pods', 'pods/log', '*/log', 'deployments', 'deployments/scale', '*'] as const
const namespaces = ['n1', 'n2'] as const
const ruleArb: fc.Arbitrary<PolicyRule> = fc.oneof(
  fc.record({ verbs: sub(verbs), apiGroups: sub(apiGroups), resources: sub(resources), resourceNames: fc.constantFrom<string[]>([], ['a'], ['a', 'b']) }),
  fc.record({ verbs: sub(verbs), nonResourceURLs: sub(['/a', '/a/*', '/b', '*']) }),
)
const subjectArb: fc.Arbitrary<Subject> = fc.oneof(
  fc.record({ kind: fc.constant('User'), name: pick(['u1', 'u2', 'system:serviceaccount:n1:sa']) }),
  fc.record({ kind: fc.constant('Group'), name: pick(['g1', 'g2']) }),
  fc.record({ kind: fc.constant('ServiceAccount'), name: pick(['sa', 'other']), namespace: pick(['', 'n1', 'n2']) }),
)
const roleNames = ['r1', 'r2', 'r3'] as const
const policyArb = fc.record({
  clusterRoles: fc.array(fc.record({ name: pick(roleNames), rules: fc.array(ruleArb, { maxLength: 3 }) }), { maxLength: 3 }),
  roles: fc.array(fc.record({ namespace: pick(namespaces), name: pick(roleNames), rules: fc.array(ruleArb, { maxLength: 3 }) }), { maxLength: 3 }),
  crbs: fc.array(fc.record({ role: pick(roleNames), subjects: fc.array(subjectArb, { minLength: 1, maxLength: 2 }) }), { maxLength: 3 }),
  rbs: fc.array(fc.record({ namespace: pick(namespaces), kind: pick(['Role', 'ClusterRole'] as const), role: pick(roleNames), subjects: fc.array(subjectArb, { minLength: 1, maxLength: 2 }) }), { maxLength: 3 }),
})
const requestArb = fc.record({
  who: pick([
    { username: 'u1', groups: ['g1'] },
    { username: 'u2', groups: [] as string[] },
    { username: 'system:serviceaccount:n1:sa', groups: ['g2'] },
  ]),
  verb: pick(['get', 'list', 'update', 'delete']),
  resourceRequest: fc.boolean(),
  path: pick(['/a', '/a/x', '/b', '/c']),
  namespace: pick(['', 'n1', 'n2']),
  apiGroup: pick(['', 'apps', 'batch']),
  resource: pick(['pods', 'deployments', 'jobs']),
  subresource: pick(['', 'log', 'scale']),
  name: pick(['', 'a', 'b']),
})

type PolicyInput = typeof policyArb extends fc.Arbitrary<infer T> ? T : never

function build(p: PolicyInput): { objects: KubeObject[] } {
  const objects: KubeObject[] = []
  // Later duplicates of a name replace earlier ones in the authorizer; keep the model identical by deduplicating here.
  const last = <T>(xs: T[], key: (x: T) => string) => [...new Map(xs.map((x) => [key(x), x])).values()]
  for (const r of last(p.clusterRoles, (r) => r.name)) objects.push(clusterRole(r.name, r.rules))
  for (const r of last(p.roles, (r) => `${r.namespace}/${r.name}`)) objects.push(role(r.namespace, r.name, r.rules))
  p.crbs.forEach((b, i) => objects.push(clusterRoleBinding(`crb${i}`, b.role, b.subjects)))
  p.rbs.forEach((b, i) => objects.push(roleBinding(b.namespace, `rb${i}`, { kind: b.kind, name: b.role }, b.subjects)))
  return { objects }
}

// --- the model: kube's rbac.go / rule.go, transcribed over plain arrays ---
const has = (xs: readonly string[] | undefined, x: string) => (xs ?? []).includes('*') || (xs ?? []).includes(x)
function modelRuleAllows(a: Attributes, r: PolicyRule): boolean {
  if (!has(r.verbs, a.verb)) return false
  if (!a.resourceRequest) return (r.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))))
  const combined = a.subresource === '' ? a.resource : `${a.resource}/${a.subresource}`
  const resOk = (r.resources ?? []).some((x) => x === '*' || x === combined || (a.subresource !== '' && x === `*/${a.subresource}`))
  const names = r.resourceNames ?? []
  return has(r.apiGroups, a.apiGroup) && resOk && (names.length === 0 || names.includes(a.name))
}
function appliesTo(a: Attributes, s: Subject, ns: string): boolean {
  if (s.kind === 'User') return s.name === a.user.username
  if (s.kind === 'Group') return a.user.groups.includes(s.name)
  const saNs = s.namespace !== undefined && s.namespace !== '' ? s.namespace : ns
  return saNs !== '' && a.user.username === `system:serviceaccount:${saNs}:${s.name}`
}
function modelAllows(objects: KubeObject[], a: Attributes): boolean {
  const rulesOf = (kind: string, ns: string, name: string) =>
    (objects.find((o) => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === ns))?.rules as PolicyRule[] | undefined) ?? []
  for (const b of objects) {
    const ref = b.roleRef as { kind: string; name: string } | undefined
    if (ref === undefined) continue
    const ns = b.metadata.namespace ?? ''
    if (b.kind === 'RoleBinding' && ns !== a.namespace) continue
    if (b.kind === 'RoleBinding' && a.namespace === '') continue
    if (!(b.subjects as Subject[]).some((s) => appliesTo(a, s, b.kind === 'RoleBinding' ? ns : ''))) continue
    if (rulesOf(ref.kind, ns, ref.name).some((r) => modelRuleAllows(a, r))) return true
  }
  return false
}

it('RbacAuthorizer agrees with a plain model of kube RBAC, before and after removals', () => {
  fc.assert(
    fc.property(policyArb, fc.array(requestArb, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 3 }), (p, requests, removals) => {
      let { objects } = build(p)
      const rbac = new RbacAuthorizer()
      rbac.reset(objects)
      const check = () => {
        for (const r of requests) {
          const a: Attributes = { ...r, user: r.who, apiVersion: 'v1' }
          assert.equal(rbac.authorize(a).allowed, modelAllows(objects, a), JSON.stringify(a))
        }
      }
      check()
      for (const n of removals) {
        if (objects.length === 0) break
        const gone = objects[n % objects.length] as KubeObject // index < length
        rbac.remove(gone)
        objects = objects.filter((o) => o !== gone)
        check()
      }
    }),
    { numRuns: 300 },
  )
})

it('malformed stored RBAC objects never make a decision throw', () => {
  const junk = fc.jsonValue({ maxDepth: 3 })
  const objArb = fc.record({
    kind: pick(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']),
    name: pick(['a', 'b', 'view']),
    namespace: pick(['n1', '']),
    labels: fc.oneof(fc.constant(undefined), fc.dictionary(pick(['x', 'rbac.authorization.k8s.io/aggregate-to-view']), fc.string())),
    rules: junk,
    roleRef: fc.oneof(junk, fc.record({ kind: pick(['Role', 'ClusterRole', 7]), name: pick(['a', 'b', 'view', null]) })),
    subjects: fc.oneof(junk, fc.array(fc.oneof(junk, fc.record({ kind: pick(['User', 'Group', 'ServiceAccount', null]), name: pick(['u1', 'g1', 'sa', 1]) })))),
    aggregationRule: fc.oneof(junk, fc.record({ clusterRoleSelectors: fc.oneof(junk, fc.array(junk)) })),
  })
  fc.assert(
    fc.property(fc.array(objArb, { maxLength: 6 }), fc.array(requestArb, { minLength: 1, maxLength: 5 }), (raw, requests) => {
      const objects = raw.map((o) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: o.kind,
        metadata: { name: o.name, namespace: o.namespace, labels: o.labels, uid: '', resourceVersion: '', generation: 0, creationTimestamp: '' },
        rules: o.rules,
        roleRef: o.roleRef,
        subjects: o.subjects,
        aggregationRule: o.aggregationRule,
      })) as KubeObject[] // deliberately malformed fields: that is the point of this test
      const rbac = new RbacAuthorizer()
      rbac.reset(objects)
      for (const r of requests) {
        const a: Attributes = { ...r, user: r.who, apiVersion: 'v1' }
        const d = rbac.authorize(a)
        assert.equal(typeof d.allowed, 'boolean')
        rbac.rulesFor(r.who, r.namespace)
      }
      for (const o of objects) rbac.remove(o)
      for (const r of requests) assert.equal(rbac.authorize({ ...r, user: r.who, apiVersion: 'v1' }).allowed, false)
    }),
    { numRuns: 300 },
  )
})

// RBAC's escalation guard (kube's ConfirmNoEscalation, EscalationAllowed, BindingAuthorized): a
// user may write a Role or ClusterRole only with rules they already hold (or with `escalate` on
// it), and bind a role only if they hold all its rules (or have `bind` on it). Without this,
// anyone allowed to create RoleBindings could grant themselves cluster-admin's rules.
import type { KubeObject } from '../../codec/index.js'
import type { Attributes } from './attributes.js'
import { aggregationSelectors } from './aggregate-cluster-roles.js'
import { rulesOf, type PolicyRule } from './policy-rule.js'
import type { RbacAuthorizer } from './rbac-authorizer.js'
import { ForbiddenError, mastersGroup, type UserInfo } from './user.js'

const rbacGroup = 'rbac.authorization.k8s.io'
const fullAuthority: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
]

/** Each requested rule split into rules of one verb, one group, one resource (or URL), one name. */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = []
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        const names = rule.resourceNames ?? []
        if (names.length === 0) out.push({ apiGroups: [group], resources: [resource], verbs: [verb] })
        for (const name of names) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] })
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] })
  return out
}

const hasAll = (set: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean => (wanted ?? []).every((w) => (set ?? []).includes(w))
const hasStarOrAll = (set: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean => (set ?? []).includes('*') || hasAll(set, wanted)

function resourcesCovered(owner: readonly string[], wanted: readonly string[]): boolean {
  if (owner.includes('*') || hasAll(owner, wanted)) return true
  return wanted.every((path) => {
    if (owner.includes(path)) return true
    const slash = path.indexOf('/')
    return slash >= 0 && owner.includes(`*/${path.slice(slash + 1)}`)
  })
}

const urlCovered = (owner: string, path: string): boolean => owner === path || (owner.endsWith('*') && path.startsWith(owner.replace(/\*+$/, '')))

/** Whether one owner rule covers one broken-down rule (kube's ruleCovers). */
function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const ownerNames = owner.resourceNames ?? []
  const subNames = sub.resourceNames ?? []
  const namesOk = subNames.length === 0 ? ownerNames.length === 0 : ownerNames.length === 0 || hasAll(ownerNames, subNames)
  return (
    hasStarOrAll(owner.verbs, sub.verbs) &&
    hasStarOrAll(owner.apiGroups, sub.apiGroups) &&
    resourcesCovered(owner.resources ?? [], sub.resources ?? []) &&
    (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => urlCovered(o, p))) &&
    namesOk
  )
}

/** The parts of `requested` that no rule of `owner` covers (empty: the owner holds them all). */
export function uncoveredRules(owner: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  return requested.flatMap(breakdown).filter((sub) => !owner.some((o) => ruleCovers(o, sub)))
}

/** Go's %q of a []string: `["a" "b"]`. */
const goQuoted = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`

/** kube's CompactString of a rule: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["delete" "get"]}`. */
function compactString(r: PolicyRule): string {
  const parts: string[] = []
  if ((r.apiGroups ?? []).length > 0) parts.push(`APIGroups:${goQuoted(r.apiGroups ?? [])}`)
  if ((r.resources ?? []).length > 0) parts.push(`Resources:${goQuoted(r.resources ?? [])}`)
  if ((r.nonResourceURLs ?? []).length > 0) parts.push(`NonResourceURLs:${goQuoted(r.nonResourceURLs ?? [])}`)
  if ((r.resourceNames ?? []).length > 0) parts.push(`ResourceNames:${goQuoted(r.resourceNames ?? [])}`)
  if (r.verbs.length > 0) parts.push(`Verbs:${goQuoted(r.verbs)}`)
  return `{${parts.join(', ')}}`
}

/** kube's CompactRules: simple rules (one group, one resource, no names) merge their verbs. */
function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const simple = new Map<string, PolicyRule>()
  const out: PolicyRule[] = []
  for (const r of rules) {
    const isSimple = (r.apiGroups ?? []).length === 1 && (r.resources ?? []).length === 1 && (r.resourceNames ?? []).length === 0 && (r.nonResourceURLs ?? []).length === 0
    if (!isSimple) {
      out.push(r)
      continue
    }
    const key = JSON.stringify([r.apiGroups, r.resources])
    const existing = simple.get(key)
    if (existing === undefined) {
      const copy = { apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])], verbs: [...r.verbs] }
      simple.set(key, copy)
      out.push(copy)
    } else for (const v of r.verbs) if (!existing.verbs.includes(v)) existing.verbs.push(v)
  }
  return out
}

/** Throws kube's Forbidden unless `user` holds every rule of `rules` in `namespace`. */
function confirmNoEscalation(rbac: RbacAuthorizer, user: UserInfo, namespace: string, rules: readonly PolicyRule[], qualified: string, name: string): void {
  const owner = rbac.policyRulesFor(user, namespace)
  const missing = uncoveredRules(owner.rules, rules)
  if (missing.length === 0) return
  const lines = [...new Set(compactRules(missing).map(compactString))].sort()
  let msg = `user ${JSON.stringify(user.username)} (groups=${goQuoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`
  if (owner.errors.length > 0) msg += `; resolution errors: [${owner.errors.join(' ')}]`
  throw new ForbiddenError(`${qualified} ${JSON.stringify(name)} is forbidden: ${msg}`)
}

function allowedTo(rbac: RbacAuthorizer, user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean {
  const a: Attributes = { user, verb, resourceRequest: true, path: '', namespace, apiGroup: rbacGroup, apiVersion: 'v1', resource, subresource: '', name }
  return rbac.authorize(a).allowed
}

/** Before a Role or ClusterRole is created or updated by `user`. */
export function checkRoleEscalation(rbac: RbacAuthorizer, user: UserInfo, role: KubeObject): void {
  if (user.groups.includes(mastersGroup)) return
  const cluster = role.kind === 'ClusterRole'
  const resource = cluster ? 'clusterroles' : 'roles'
  const namespace = cluster ? '' : (role.metadata.namespace ?? '')
  if (allowedTo(rbac, user, 'escalate', resource, namespace, role.metadata.name)) return
  const qualified = `${resource}.${rbacGroup}`
  confirmNoEscalation(rbac, user, namespace, rulesOf(role.rules), qualified, role.metadata.name)
  if (cluster && aggregationSelectors(role) !== undefined && uncoveredRules(rbac.policyRulesFor(user, '').rules, fullAuthority).length > 0) {
    throw new ForbiddenError(`${qualified} ${JSON.stringify(role.metadata.name)} is forbidden: must have cluster-admin privileges to use the aggregationRule`)
  }
}

/** Before a RoleBinding or ClusterRoleBinding is created or updated by `user`. */
export function checkBindingEscalation(rbac: RbacAuthorizer, user: UserInfo, binding: KubeObject): void {
  if (user.groups.includes(mastersGroup)) return
  const cluster = binding.kind === 'ClusterRoleBinding'
  const namespace = cluster ? '' : (binding.metadata.namespace ?? '')
  const ref = (binding.roleRef ?? {}) as { kind?: unknown; name?: unknown } // stored JSON, fields checked below
  const kind = ref.kind === 'Role' ? 'Role' : 'ClusterRole'
  const roleName = typeof ref.name === 'string' ? ref.name : ''
  const qualified = `${cluster ? 'clusterrolebindings' : 'rolebindings'}.${rbacGroup}`
  if (allowedTo(rbac, user, 'bind', kind === 'Role' ? 'roles' : 'clusterroles', namespace, roleName)) return
  const rules = rbac.roleRules(kind, namespace, roleName)
  if (rules === undefined) {
    const what = kind === 'Role' ? 'role' : 'clusterrole'
    throw new ForbiddenError(`${qualified} ${JSON.stringify(binding.metadata.name)} is forbidden: ${what}.${rbacGroup} ${JSON.stringify(roleName)} not found`)
  }
  confirmNoEscalation(rbac, user, namespace, rules, qualified, binding.metadata.name)
}


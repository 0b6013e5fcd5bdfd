// RBAC decisions from Roles, ClusterRoles and their bindings, kept as indexes that the object
// store's list+watch feeds (upsert / remove / reset), so a change holds from the next request on.
//
// Indexes: bindings by subject (subject-index.ts: by username, group name, service-account
// username), cluster-wide for ClusterRoleBindings and per namespace for RoleBindings; roles by name with
// their rules compiled to sets (policy-rule.ts); ClusterRoles' effective rules (aggregation
// applied) computed again, lazily, after any ClusterRole changes. A decision for a user with a few
// bindings is then a few map lookups and set probes.
import type { KubeObject } from '../../codec/index.js'
import { InvalidArgumentError } from '../../util/index.js'
import { effectiveClusterRoleRules } from './aggregate-cluster-roles.js'
import type { Attributes, Decision } from './attributes.js'
import { compileRule, ruleAllows, rulesOf, type CompiledRule, type PolicyRule } from './policy-rule.js'
import { SubjectIndex, type BindingEntry, type Subject } from './subject-index.js'
import { mastersGroup, type UserInfo } from './user.js'

export interface ResourceRule {
  verbs: string[]
  apiGroups: string[]
  resources: string[]
  resourceNames: string[]
}

export interface NonResourceRule {
  verbs: string[]
  nonResourceURLs: string[]
}

export interface SubjectRules {
  resourceRules: ResourceRule[]
  nonResourceRules: NonResourceRule[]
  /** True when a binding of the user names a role that does not exist (kube: evaluationError). */
  incomplete: boolean
  evaluationError: string
}

const nsKey = (namespace: string, name: string): string => `${namespace}/${name}`

export class RbacAuthorizer {
  // Stored objects by identity; the indexes below are derived from these alone.
  private readonly roles = new Map<string, CompiledRule[]>() // "ns/name" -> compiled rules
  private readonly clusterRoles = new Map<string, KubeObject>()
  private readonly crbs = new Map<string, BindingEntry[]>() // binding name -> its entries
  private readonly rbs = new Map<string, BindingEntry[]>() // "ns/name" -> its entries
  // ClusterRoleBinding entries by subject.
  private crbBySubject = new SubjectIndex()
  // namespace -> RoleBinding entries of that namespace by subject.
  private readonly rbBySubject = new Map<string, SubjectIndex>()
  // ClusterRole name -> effective compiled rules; undefined until needed after a change.
  private clusterRoleRules: Map<string, CompiledRule[]> | undefined

  upsert(obj: KubeObject): void {
    this.removeQuiet(obj)
    const { name, namespace = '' } = obj.metadata
    switch (obj.kind) {
      case 'Role':
        this.roles.set(nsKey(namespace, name), rulesOf(obj.rules).map(compileRule))
        return
      case 'ClusterRole':
        this.clusterRoles.set(name, obj)
        this.clusterRoleRules = undefined
        return
      case 'ClusterRoleBinding': {
        const entries = bindingEntries(obj, '')
        this.crbs.set(name, entries)
        for (const e of entries) this.crbBySubject.add(e)
        return
      }
      case 'RoleBinding': {
        const entries = bindingEntries(obj, namespace)
        this.rbs.set(nsKey(namespace, name), entries)
        let index = this.rbBySubject.get(namespace)
        if (index === undefined) this.rbBySubject.set(namespace, (index = new SubjectIndex()))
        for (const e of entries) index.add(e)
        return
      }
      default:
        throw new InvalidArgumentError(`rbac: cannot index a ${obj.kind}`)
    }
  }

  remove(obj: KubeObject): void {
    if (!['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(obj.kind)) throw new InvalidArgumentError(`rbac: cannot index a ${obj.kind}`)
    this.removeQuiet(obj)
  }

  /** Replaces everything (a fresh list after a watch was lost). */
  reset(objs: KubeObject[]): void {
    this.roles.clear()
    this.clusterRoles.clear()
    this.crbs.clear()
    this.rbs.clear()
    this.crbBySubject = new SubjectIndex()
    this.rbBySubject.clear()
    this.clusterRoleRules = undefined
    for (const obj of objs) this.upsert(obj)
  }

  authorize(a: Attributes): Decision {
    const user = a.user
    if (user.groups.includes(mastersGroup)) return { allowed: true, reason: '' } // kube's privileged-group authorizer
    // Hot path (see bench/apiserver/rbac.bench.ts): plain loops, no closures, no string formatting.
    const dangling: BindingEntry[] = []
    for (let scope = 0; scope < 2; scope++) {
      const index = scope === 0 ? this.crbBySubject : a.namespace === '' ? undefined : this.rbBySubject.get(a.namespace)
      if (index === undefined || index.size === 0) continue
      let found = this.allowedBy(a, index.byUsername(user.username), dangling)
      for (let g = 0; found === undefined && g < user.groups.length; g++) found = this.allowedBy(a, index.byGroup(user.groups[g] as string), dangling) // g < length
      found ??= this.allowedBy(a, index.byServiceAccountUsername(user.username), dangling)
      if (found !== undefined) return { allowed: true, reason: found }
    }
    if (dangling.length === 0) return { allowed: false, reason: '' }
    const errors = danglingErrors(dangling)
    return { allowed: false, reason: `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` }
  }

  /** The reason of the first of `entries` whose role allows `a`; bindings of missing roles go to `dangling`. */
  private allowedBy(a: Attributes, entries: readonly BindingEntry[] | undefined, dangling: BindingEntry[]): string | undefined {
    if (entries === undefined) return undefined
    for (const e of entries) {
      const rules = this.rulesOfRole(e.roleKind, e.roleKey, e.namespace)
      if (rules === undefined) {
        dangling.push(e)
        continue
      }
      for (const r of rules) if (ruleAllows(a, r)) return e.allowedReason
    }
    return undefined
  }

  /** What the user may do in `namespace` (SelfSubjectRulesReview, `kubectl auth can-i --list`). */
  rulesFor(user: UserInfo, namespace: string): SubjectRules {
    const resourceRules: ResourceRule[] = []
    const nonResourceRules: NonResourceRule[] = []
    const dangling: BindingEntry[] = []
    const seen = new Set<string>() // binding ids: a binding naming the user twice grants once
    this.visitUser(user, namespace, (entries) => {
      for (const e of entries ?? []) {
        if (seen.has(e.bindingId)) continue
        seen.add(e.bindingId)
        const rules = this.rulesOfRole(e.roleKind, e.roleKey, e.namespace)
        if (rules === undefined) dangling.push(e)
        else for (const { rule } of rules) addRule(rule, resourceRules, nonResourceRules)
      }
    })
    return { resourceRules, nonResourceRules, incomplete: dangling.length > 0, evaluationError: danglingErrors(dangling).join(', ') }
  }

  /**
   * The rules the user holds in `namespace` (cluster-wide ones included), as PolicyRules, with
   * kube's error for each binding whose role is missing: the owner side of an escalation check.
   */
  policyRulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = []
    const dangling: BindingEntry[] = []
    const seen = new Set<string>()
    this.visitUser(user, namespace, (entries) => {
      for (const e of entries ?? []) {
        if (seen.has(e.bindingId)) continue
        seen.add(e.bindingId)
        const compiled = this.rulesOfRole(e.roleKind, e.roleKey, e.namespace)
        if (compiled === undefined) dangling.push(e)
        else for (const c of compiled) rules.push(c.rule)
      }
    })
    return { rules, errors: danglingErrors(dangling) }
  }

  /** The rules of a role a binding may reference, or undefined when it does not exist. */
  roleRules(kind: 'Role' | 'ClusterRole', namespace: string, name: string): PolicyRule[] | undefined {
    const key = kind === 'Role' ? nsKey(namespace, name) : name
    const compiled = this.rulesOfRole(kind, key, namespace)
    return compiled?.map((c) => c.rule)
  }

  /** Calls `visit` with the bindings naming each of the user's subject keys: ClusterRoleBindings first, then RoleBindings of `namespace`. */
  private visitUser(user: UserInfo, namespace: string, visit: (entries: readonly BindingEntry[] | undefined) => void): void {
    for (const index of [this.crbBySubject, namespace === '' ? undefined : this.rbBySubject.get(namespace)]) {
      if (index === undefined) continue
      visit(index.byUsername(user.username))
      for (const group of user.groups) visit(index.byGroup(group))
      visit(index.byServiceAccountUsername(user.username))
    }
  }

  /** The compiled rules a binding (in `bindingNamespace`, '' for cluster) grants, or undefined when its role does not exist. */
  private rulesOfRole(roleKind: string, roleKey: string, bindingNamespace: string): CompiledRule[] | undefined {
    if (roleKind === 'Role') return bindingNamespace === '' ? undefined : this.roles.get(roleKey)
    if (roleKind !== 'ClusterRole') return undefined
    if (this.clusterRoleRules === undefined) {
      const effective = effectiveClusterRoleRules([...this.clusterRoles.values()])
      this.clusterRoleRules = new Map([...effective].map(([name, rules]) => [name, rules.map(compileRule)]))
    }
    return this.clusterRoleRules.get(roleKey)
  }

  private removeQuiet(obj: KubeObject): void {
    const { name, namespace = '' } = obj.metadata
    switch (obj.kind) {
      case 'Role':
        this.roles.delete(nsKey(namespace, name))
        return
      case 'ClusterRole':
        if (this.clusterRoles.delete(name)) this.clusterRoleRules = undefined
        return
      case 'ClusterRoleBinding':
        for (const e of this.crbs.get(name) ?? []) this.crbBySubject.delete(e)
        this.crbs.delete(name)
        return
      case 'RoleBinding': {
        const index = this.rbBySubject.get(namespace)
        for (const e of this.rbs.get(nsKey(namespace, name)) ?? []) index?.delete(e)
        if (index !== undefined && index.size === 0) this.rbBySubject.delete(namespace)
        this.rbs.delete(nsKey(namespace, name))
        return
      }
    }
  }
}

function bindingEntries(obj: KubeObject, namespace: string): BindingEntry[] {
  const ref = (obj.roleRef ?? {}) as { kind?: unknown; name?: unknown }
  const subjects = Array.isArray(obj.subjects) ? (obj.subjects as unknown[]) : []
  const kind: BindingEntry['kind'] = obj.kind === 'ClusterRoleBinding' ? 'ClusterRoleBinding' : 'RoleBinding'
  return subjects.flatMap((raw): BindingEntry[] => {
    const s = (raw ?? {}) as { kind?: unknown; name?: unknown; namespace?: unknown }
    if (typeof s.kind !== 'string' || typeof s.name !== 'string') return [] // invalid subject: names nobody
    const subject: Subject = { kind: s.kind, name: s.name }
    if (typeof s.namespace === 'string' && s.namespace !== '') subject.namespace = s.namespace
    const roleKind = String(ref.kind ?? '')
    const roleName = String(ref.name ?? '')
    const roleKey = roleKind === 'Role' ? nsKey(namespace, roleName) : roleName
    const bindingId = `${kind}/${namespace}/${obj.metadata.name}`
    const entry: BindingEntry = { kind, name: obj.metadata.name, bindingId, namespace, roleKind, roleName, roleKey, subject, allowedReason: '' }
    entry.allowedReason = `RBAC: allowed by ${describe(entry)}`
    return [entry]
  })
}

/** kube's binding describer: `ClusterRoleBinding "n" of ClusterRole "r" to Group "g"`. */
function describe(e: BindingEntry): string {
  const who =
    e.subject.kind === 'ServiceAccount' ? `${e.subject.name}/${e.subject.namespace ?? e.namespace}` : e.subject.name
  const binding = e.kind === 'RoleBinding' ? `${e.name}/${e.namespace}` : e.name
  return `${e.kind} ${JSON.stringify(binding)} of ${e.roleKind} ${JSON.stringify(e.roleName)} to ${e.subject.kind} ${JSON.stringify(who)}`
}

/** kube's error per binding whose role is missing (once per binding, whatever its subjects). */
function danglingErrors(entries: readonly BindingEntry[]): string[] {
  const byBinding = new Map<string, string>()
  for (const e of entries) {
    const resource = e.roleKind === 'Role' ? 'role' : 'clusterrole'
    byBinding.set(e.bindingId, `${resource}.rbac.authorization.k8s.io ${JSON.stringify(e.roleName)} not found`)
  }
  return [...byBinding.values()]
}

function addRule(rule: PolicyRule, resourceRules: ResourceRule[], nonResourceRules: NonResourceRule[]): void {
  if ((rule.resources ?? []).length > 0) {
    resourceRules.push({ verbs: [...rule.verbs], apiGroups: [...(rule.apiGroups ?? [])], resources: [...(rule.resources ?? [])], resourceNames: [...(rule.resourceNames ?? [])] })
  }
  if ((rule.nonResourceURLs ?? []).length > 0) nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...(rule.nonResourceURLs ?? [])] })
}

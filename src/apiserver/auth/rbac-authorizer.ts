// RBAC decisions from Roles, ClusterRoles and their bindings, kept as indexes that the object
// store's list+watch feeds (upsert / remove / reset), so a change holds from the next request on.
//
// Indexes: bindings by subject key ("User:bob", "Group:devs", "ServiceAccount:payments:ci"),
// cluster-wide for ClusterRoleBindings and per namespace for RoleBindings; roles by name with
// their rules compiled to sets (policy-rule.ts); ClusterRoles' effective rules (aggregation
// applied) computed again, lazily, after any ClusterRole changes. A decision for a user with a few
// bindings is then a few map lookups and set probes.
import type { KubeObject } from '../../codec/index.js'
import { InvalidArgumentError } from '../../util/index.js'
import { effectiveClusterRoleRules } from './aggregate-cluster-roles.js'
import type { Attributes, Decision } from './attributes.js'
import { compileRule, ruleAllows, rulesOf, type CompiledRule, type PolicyRule } from './policy-rule.js'
import { mastersGroup, parseServiceAccountUsername, type UserInfo } from './user.js'

export interface Subject {
  kind: string
  name: string
  namespace?: string
}

interface BindingEntry {
  kind: 'ClusterRoleBinding' | 'RoleBinding'
  name: string
  /** '' for a ClusterRoleBinding. */
  namespace: string
  roleKind: string
  roleName: string
  subject: Subject
}

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
  // subject key -> ClusterRoleBinding entries naming it.
  private readonly crbBySubject = new Map<string, BindingEntry[]>()
  // namespace -> subject key -> RoleBinding entries naming it.
  private readonly rbBySubject = new Map<string, Map<string, BindingEntry[]>>()
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
        for (const e of entries) push(this.crbBySubject, subjectKey(e.subject, ''), e)
        return
      }
      case 'RoleBinding': {
        const entries = bindingEntries(obj, namespace)
        this.rbs.set(nsKey(namespace, name), entries)
        let index = this.rbBySubject.get(namespace)
        if (index === undefined) this.rbBySubject.set(namespace, (index = new Map()))
        for (const e of entries) push(index, subjectKey(e.subject, namespace), e)
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
    this.crbBySubject.clear()
    this.rbBySubject.clear()
    this.clusterRoleRules = undefined
    for (const obj of objs) this.upsert(obj)
  }

  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(mastersGroup)) return { allowed: true, reason: '' } // kube's privileged-group authorizer
    let errors: string[] | undefined
    const visit = (entries: readonly BindingEntry[] | undefined): string | undefined => {
      if (entries === undefined) return undefined
      for (const e of entries) {
        const rules = this.rulesOfRole(e)
        if (rules === undefined) (errors ??= []).push(notFound(e))
        else for (const r of rules) if (ruleAllows(a, r)) return `RBAC: allowed by ${describe(e)}`
      }
      return undefined
    }
    const found = this.visitUser(a.user, a.namespace, visit)
    if (found !== undefined) return { allowed: true, reason: found }
    if (errors === undefined) return { allowed: false, reason: '' }
    return { allowed: false, reason: `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` }
  }

  /** What the user may do in `namespace` (SelfSubjectRulesReview, `kubectl auth can-i --list`). */
  rulesFor(user: UserInfo, namespace: string): SubjectRules {
    const resourceRules: ResourceRule[] = []
    const nonResourceRules: NonResourceRule[] = []
    const errors: string[] = []
    const seen = new Set<BindingEntry>()
    this.visitUser(user, namespace, (entries) => {
      for (const e of entries ?? []) {
        if (seen.has(e)) continue
        seen.add(e)
        const rules = this.rulesOfRole(e)
        if (rules === undefined) errors.push(notFound(e))
        else for (const { rule } of rules) addRule(rule, resourceRules, nonResourceRules)
      }
      return undefined
    })
    return { resourceRules, nonResourceRules, incomplete: errors.length > 0, evaluationError: errors.join(', ') }
  }

  /**
   * Calls `visit` with the bindings naming each of the user's subject keys: ClusterRoleBindings
   * first, then RoleBindings of `namespace`; stops at the first non-undefined answer.
   */
  private visitUser<T>(user: UserInfo, namespace: string, visit: (entries: readonly BindingEntry[] | undefined) => T | undefined): T | undefined {
    const sa = parseServiceAccountUsername(user.username)
    const saKey = sa === undefined ? undefined : `ServiceAccount:${sa.namespace}:${sa.name}`
    const scopes = namespace === '' ? [this.crbBySubject] : [this.crbBySubject, this.rbBySubject.get(namespace)]
    for (const index of scopes) {
      if (index === undefined || index.size === 0) continue
      let found = visit(index.get(`User:${user.username}`))
      if (found !== undefined) return found
      for (const group of user.groups) {
        found = visit(index.get(`Group:${group}`))
        if (found !== undefined) return found
      }
      if (saKey !== undefined) {
        found = visit(index.get(saKey))
        if (found !== undefined) return found
      }
    }
    return undefined
  }

  /** The compiled rules a binding grants, or undefined when its role does not exist. */
  private rulesOfRole(e: BindingEntry): CompiledRule[] | undefined {
    if (e.roleKind === 'Role') return e.namespace === '' ? undefined : this.roles.get(nsKey(e.namespace, e.roleName))
    if (e.roleKind !== 'ClusterRole') return undefined
    if (this.clusterRoleRules === undefined) {
      const effective = effectiveClusterRoleRules([...this.clusterRoles.values()])
      this.clusterRoleRules = new Map([...effective].map(([name, rules]) => [name, rules.map(compileRule)]))
    }
    return this.clusterRoleRules.get(e.roleName)
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
        for (const e of this.crbs.get(name) ?? []) pull(this.crbBySubject, subjectKey(e.subject, ''), e)
        this.crbs.delete(name)
        return
      case 'RoleBinding': {
        const index = this.rbBySubject.get(namespace)
        for (const e of this.rbs.get(nsKey(namespace, name)) ?? []) if (index !== undefined) pull(index, subjectKey(e.subject, namespace), e)
        if (index !== undefined && index.size === 0) this.rbBySubject.delete(namespace)
        this.rbs.delete(nsKey(namespace, name))
        return
      }
    }
  }
}

/**
 * The index key of a subject. A ServiceAccount subject without a namespace means the binding's
 * namespace; in a ClusterRoleBinding it matches nobody (kube), so it gets a key no user has.
 */
function subjectKey(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace !== undefined && s.namespace !== '' ? s.namespace : bindingNamespace
    return ns === '' ? '\0unmatchable' : `ServiceAccount:${ns}:${s.name}`
  }
  return `${s.kind}:${s.name}`
}

function bindingEntries(obj: KubeObject, namespace: string): BindingEntry[] {
  const ref = (obj.roleRef ?? {}) as { kind?: unknown; name?: unknown }
  const subjects = Array.isArray(obj.subjects) ? (obj.subjects as unknown[]) : []
  const kind = obj.kind === 'ClusterRoleBinding' ? 'ClusterRoleBinding' : 'RoleBinding'
  return subjects.flatMap((raw): BindingEntry[] => {
    const s = (raw ?? {}) as { kind?: unknown; name?: unknown; namespace?: unknown }
    if (typeof s.kind !== 'string' || typeof s.name !== 'string') return [] // invalid subject: names nobody
    const subject: Subject = { kind: s.kind, name: s.name }
    if (typeof s.namespace === 'string' && s.namespace !== '') subject.namespace = s.namespace
    return [{ kind, name: obj.metadata.name, namespace, roleKind: String(ref.kind ?? ''), roleName: String(ref.name ?? ''), subject }]
  })
}

function push(index: Map<string, BindingEntry[]>, key: string, e: BindingEntry): void {
  const list = index.get(key)
  if (list === undefined) index.set(key, [e])
  else list.push(e)
}

function pull(index: Map<string, BindingEntry[]>, key: string, e: BindingEntry): void {
  const list = index.get(key)
  if (list === undefined) return
  const rest = list.filter((x) => x !== e)
  if (rest.length === 0) index.delete(key)
  else index.set(key, rest)
}

/** kube's binding describer: `ClusterRoleBinding "n" of ClusterRole "r" to Group "g"`. */
function describe(e: BindingEntry): string {
  const who =
    e.subject.kind === 'ServiceAccount' ? `${e.subject.name}/${e.subject.namespace ?? e.namespace}` : e.subject.name
  const binding = e.kind === 'RoleBinding' ? `${e.name}/${e.namespace}` : e.name
  return `${e.kind} ${JSON.stringify(binding)} of ${e.roleKind} ${JSON.stringify(e.roleName)} to ${e.subject.kind} ${JSON.stringify(who)}`
}

function notFound(e: BindingEntry): string {
  const resource = e.roleKind === 'Role' ? 'role' : 'clusterrole'
  return `${resource}.rbac.authorization.k8s.io ${JSON.stringify(e.roleName)} not found`
}

function addRule(rule: PolicyRule, resourceRules: ResourceRule[], nonResourceRules: NonResourceRule[]): void {
  if ((rule.resources ?? []).length > 0) {
    resourceRules.push({ verbs: [...rule.verbs], apiGroups: [...(rule.apiGroups ?? [])], resources: [...(rule.resources ?? [])], resourceNames: [...(rule.resourceNames ?? [])] })
  }
  if ((rule.nonResourceURLs ?? []).length > 0) nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...(rule.nonResourceURLs ?? [])] })
}

// The clusterrole-aggregation controller's result: a ClusterRole with an aggregationRule gets, as
// its rules, the union of the rules of every other ClusterRole its selectors match. Aggregation
// nests (admin selects edit, which selects view), and kube's controller reaches the fixed point by
// re-reconciling; here the transitive union is computed at once, with a guard against cycles.
import type { KubeObject } from '../../codec/index.js'
import { rulesOf, type PolicyRule } from './policy-rule.js'

interface Requirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  values: string[]
}

/** A metav1.LabelSelector: matchLabels and matchExpressions, all of which must hold. */
export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: Requirement[]
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false
  // Selectors come from stored objects: a malformed expression matches nothing rather than throwing.
  const expressions: unknown = selector.matchExpressions ?? []
  if (!Array.isArray(expressions)) return false
  for (const e of expressions as Partial<Requirement>[]) {
    if (typeof e !== 'object' || e === null || typeof e.key !== 'string') return false
    const values: readonly unknown[] = Array.isArray(e.values) ? e.values : []
    const has = Object.hasOwn(labels, e.key)
    const value = labels[e.key]
    const ok =
      e.operator === 'In' ? has && values.includes(value)
      : e.operator === 'NotIn' ? !has || !values.includes(value)
      : e.operator === 'Exists' ? has
      : e.operator === 'DoesNotExist' ? !has
      : false // an unknown operator selects nothing, as an invalid selector would
    if (!ok) return false
  }
  return true
}

/** The selectors of a ClusterRole's aggregationRule, or undefined when it does not aggregate. */
export function aggregationSelectors(role: KubeObject): LabelSelector[] | undefined {
  const rule = role.aggregationRule
  if (typeof rule !== 'object' || rule === null) return undefined
  const selectors = (rule as { clusterRoleSelectors?: unknown }).clusterRoleSelectors
  if (!Array.isArray(selectors)) return undefined
  return selectors.filter((s): s is LabelSelector => typeof s === 'object' && s !== null)
}

/** Same rule: kube drops a rule equal to one already gathered (semantic deep equality). */
const ruleKey = (r: PolicyRule): string =>
  JSON.stringify([r.verbs, r.apiGroups ?? [], r.resources ?? [], r.resourceNames ?? [], r.nonResourceURLs ?? []])

/**
 * Effective rules of every ClusterRole by name, aggregation applied. `roles` in any order; the
 * union follows kube's order (matched roles sorted by name, each role's rules in order).
 */
export function effectiveClusterRoleRules(roles: readonly KubeObject[]): Map<string, PolicyRule[]> {
  const byName = new Map(roles.map((r) => [r.metadata.name, r]))
  const sorted = [...byName.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
  const done = new Map<string, PolicyRule[]>()
  const visiting = new Set<string>()
  const resolve = (role: KubeObject): PolicyRule[] => {
    const name = role.metadata.name
    const cached = done.get(name)
    if (cached !== undefined) return cached
    const selectors = aggregationSelectors(role)
    if (selectors === undefined) {
      const own = rulesOf(role.rules)
      done.set(name, own)
      return own
    }
    if (visiting.has(name)) return rulesOf(role.rules) // a cycle: use what is stored, as one controller pass would
    visiting.add(name)
    const seen = new Set<string>()
    const rules: PolicyRule[] = []
    for (const other of sorted) {
      if (other.metadata.name === name) continue
      const labels = other.metadata.labels ?? {}
      if (!selectors.some((s) => selectorMatches(s, labels))) continue
      for (const rule of resolve(other)) {
        const key = ruleKey(rule)
        if (seen.has(key)) continue
        seen.add(key)
        rules.push(rule)
      }
    }
    visiting.delete(name)
    done.set(name, rules)
    return rules
  }
  for (const role of sorted) resolve(role)
  return done
}

/** Every ClusterRole, the aggregated ones with their rules replaced by the aggregation result. */
export function aggregateClusterRoles(roles: KubeObject[]): KubeObject[] {
  const effective = effectiveClusterRoleRules(roles)
  return roles.map((role) =>
    aggregationSelectors(role) === undefined ? role : { ...role, rules: structuredClone(effective.get(role.metadata.name) ?? []) },
  )
}

// RBAC rules (rbac.authorization.k8s.io/v1 PolicyRule), compiled once into sets so that checking
// a request against a rule is a handful of hash lookups, not a scan of string arrays.
import type { Attributes } from './attributes.js'

export interface PolicyRule {
  verbs: string[]
  apiGroups?: string[]
  resources?: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
}

// A rule as sets. `undefined` in a set field means the rule holds '*' there (matches anything).
// Example: {verbs:[get], apiGroups:[''], resources:['pods','*/log']} compiles to verbs={get},
// groups={''}, resources={pods}, anySubresource={log}: it allows get on pods and on pods/log,
// services/log, ... but not on pods/exec.
export interface CompiledRule {
  readonly rule: PolicyRule
  readonly verbs: ReadonlySet<string> | undefined
  readonly groups: ReadonlySet<string> | undefined
  /** Exact resource names ("pods", "pods/log"); undefined when the rule has '*'. */
  readonly resources: ReadonlySet<string> | undefined
  // Subresources named by '*/x' entries: x of any resource.
  readonly anySubresource: ReadonlySet<string>
  /** undefined: any name (the rule lists none). */
  readonly names: ReadonlySet<string> | undefined
  readonly hasResources: boolean
  /** Exact URLs; undefined when the rule has '*'. */
  readonly urls: ReadonlySet<string> | undefined
  /** Prefixes of `prefix*` entries. */
  readonly urlPrefixes: readonly string[]
  readonly hasUrls: boolean
}

const star = '*'

function setOrStar(values: readonly string[] | undefined): ReadonlySet<string> | undefined {
  const list = values ?? []
  return list.includes(star) ? undefined : new Set(list)
}

export function compileRule(rule: PolicyRule): CompiledRule {
  const resources = rule.resources ?? []
  const urls = rule.nonResourceURLs ?? []
  return {
    rule,
    verbs: setOrStar(rule.verbs),
    groups: setOrStar(rule.apiGroups),
    resources: setOrStar(resources),
    anySubresource: new Set(resources.filter((r) => r.startsWith('*/') && r.length > 2).map((r) => r.slice(2))),
    names: rule.resourceNames === undefined || rule.resourceNames.length === 0 ? undefined : new Set(rule.resourceNames),
    hasResources: resources.length > 0,
    urls: setOrStar(urls.filter((u) => !u.endsWith(star) || u === star)),
    urlPrefixes: urls.filter((u) => u.endsWith(star) && u !== star).map((u) => u.slice(0, -1)),
    hasUrls: urls.length > 0,
  }
}

/** kube's RuleAllows, on a compiled rule. */
export function ruleAllows(a: Attributes, r: CompiledRule): boolean {
  if (r.verbs !== undefined && !r.verbs.has(a.verb)) return false
  if (a.resourceRequest) {
    if (!r.hasResources) return false
    if (r.groups !== undefined && !r.groups.has(a.apiGroup)) return false
    if (r.resources !== undefined) {
      const combined = a.subresource === '' ? a.resource : `${a.resource}/${a.subresource}`
      if (!r.resources.has(combined) && !(a.subresource !== '' && r.anySubresource.has(a.subresource))) return false
    }
    return r.names === undefined || r.names.has(a.name)
  }
  if (!r.hasUrls) return false
  if (r.urls === undefined || r.urls.has(a.path)) return true
  for (const prefix of r.urlPrefixes) if (a.path.startsWith(prefix)) return true
  return false
}

/** Reads `rules` of a Role or ClusterRole object defensively (stored JSON, not typed input). */
export function rulesOf(value: unknown): PolicyRule[] {
  if (!Array.isArray(value)) return []
  const strings = (v: unknown): string[] | undefined =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined
  return value.flatMap((raw: unknown): PolicyRule[] => {
    if (typeof raw !== 'object' || raw === null) return []
    const r = raw as Record<string, unknown>
    const rule: PolicyRule = { verbs: strings(r.verbs) ?? [] }
    const groups = strings(r.apiGroups)
    const resources = strings(r.resources)
    const names = strings(r.resourceNames)
    const urls = strings(r.nonResourceURLs)
    if (groups !== undefined) rule.apiGroups = groups
    if (resources !== undefined) rule.resources = resources
    if (names !== undefined) rule.resourceNames = names
    if (urls !== undefined) rule.nonResourceURLs = urls
    return [rule]
  })
}

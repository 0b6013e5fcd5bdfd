// The audit policy (audit.k8s.io/v1 Policy, kube-apiserver's --audit-policy-file): the first rule
// that matches a request gives its level, no rule means None. Whatever the policy says, Secrets
// (and every subresource under them) and token-bearing resources are never logged above Metadata.
import { parse } from 'yaml'
import { ApiError } from '../api-error.js'
import type { UserInfo } from '../handlers/context.js'
import type { RequestInfo } from '../request-info.js'

export const auditLevels = ['None', 'Metadata', 'Request', 'RequestResponse'] as const
export type AuditLevel = (typeof auditLevels)[number]

export interface GroupResources {
  group?: string
  resources?: string[]
  resourceNames?: string[]
}

export interface PolicyRule {
  level: AuditLevel
  users?: string[]
  userGroups?: string[]
  verbs?: string[]
  resources?: GroupResources[]
  namespaces?: string[]
  nonResourceURLs?: string[]
}

/** Resources whose bodies carry secrets or tokens: capped at Metadata. */
const sensitive: ReadonlySet<string> = new Set(['/secrets', '/serviceaccounts/token', 'authentication.k8s.io/tokenreviews', 'authentication.k8s.io/tokenrequests'])

export class AuditPolicy {
  constructor(readonly rules: readonly PolicyRule[]) {}

  /** Parses a Policy document (YAML or JSON); throws Invalid on anything malformed. */
  static parse(text: string): AuditPolicy {
    const doc: unknown = parse(text)
    if (typeof doc !== 'object' || doc === null) throw invalidPolicy('not an object')
    const d = doc as { kind?: unknown; rules?: unknown }
    if (d.kind !== 'Policy') throw invalidPolicy(`kind must be Policy, got ${JSON.stringify(d.kind)}`)
    if (!Array.isArray(d.rules)) throw invalidPolicy('rules must be a list')
    return new AuditPolicy(d.rules.map((r: unknown, i) => checkRule(r, i)))
  }

  /** The level for a request by `user`. */
  levelFor(user: UserInfo, info: RequestInfo): AuditLevel {
    const rule = this.rules.find((r) => matches(r, user, info))
    const level = rule?.level ?? 'None'
    if (level === 'None' || level === 'Metadata' || !isSensitive(info)) return level
    return 'Metadata'
  }
}

export function isSensitive(info: RequestInfo): boolean {
  if (!info.isResourceRequest) return false
  return sensitive.has(`${info.group}/${info.resource}`) || (info.subresource !== '' && sensitive.has(`${info.group}/${info.resource}/${info.subresource}`))
}

function matches(r: PolicyRule, user: UserInfo, info: RequestInfo): boolean {
  if (r.users !== undefined && !r.users.includes(user.username)) return false
  if (r.userGroups !== undefined && !r.userGroups.some((g) => user.groups.includes(g))) return false
  if (r.verbs !== undefined && !r.verbs.includes(info.verb)) return false
  if (!info.isResourceRequest) {
    if (r.resources !== undefined || r.namespaces !== undefined) return false
    return r.nonResourceURLs === undefined || r.nonResourceURLs.some((u) => (u.endsWith('*') ? info.path.startsWith(u.slice(0, -1)) : info.path === u))
  }
  if (r.nonResourceURLs !== undefined) return false
  if (r.namespaces !== undefined && !r.namespaces.includes(info.namespace)) return false
  if (r.resources === undefined) return true
  const full = info.subresource === '' ? info.resource : `${info.resource}/${info.subresource}`
  return r.resources.some((g) => {
    if ((g.group ?? '') !== info.group) return false
    if (g.resourceNames !== undefined && g.resourceNames.length > 0 && !g.resourceNames.includes(info.name)) return false
    if (g.resources === undefined || g.resources.length === 0) return true
    return g.resources.some((x) => x === full || x === '*' || x === `${info.resource}/*` || (x === `*/${info.subresource}` && info.subresource !== ''))
  })
}

function checkRule(raw: unknown, i: number): PolicyRule {
  if (typeof raw !== 'object' || raw === null) throw invalidPolicy(`rules[${i}] is not an object`)
  const r = raw as Record<string, unknown>
  if (!(auditLevels as readonly unknown[]).includes(r.level)) throw invalidPolicy(`rules[${i}].level must be one of ${auditLevels.join(', ')}`)
  const strings = (k: string): string[] | undefined => {
    const v = r[k]
    if (v === undefined) return undefined
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidPolicy(`rules[${i}].${k} must be a list of strings`)
    return v as string[]
  }
  const rule: PolicyRule = { level: r.level as AuditLevel }
  for (const k of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'] as const) {
    const v = strings(k)
    if (v !== undefined) rule[k] = v
  }
  if (r.resources !== undefined) {
    if (!Array.isArray(r.resources)) throw invalidPolicy(`rules[${i}].resources must be a list`)
    rule.resources = r.resources.map((g: unknown) => {
      if (typeof g !== 'object' || g === null) throw invalidPolicy(`rules[${i}].resources has a non-object`)
      return g as GroupResources
    })
  }
  return rule
}

function invalidPolicy(why: string): ApiError {
  return new ApiError('Invalid', `audit policy: ${why}`)
}

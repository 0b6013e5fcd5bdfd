// Which webhooks of a configuration a write concerns: rules (operations, apiGroups, apiVersions,
// resources with subresource wildcards, scope), namespaceSelector and objectSelector, as kube's
// admission/plugin/webhook/predicates do. matchConditions are evaluated in webhooks.ts.
import type { KubeObject } from '../../codec/index.js'
import { selectorMatches, type LabelSelector } from '../auth/aggregate-cluster-roles.js'
import type { ApiContext, WriteAttempt } from '../handlers/context.js'
import { objects, record, type Json } from './pod-resources.js'

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

function has(list: string[], value: string): boolean {
  return list.includes('*') || list.includes(value)
}

function resourceMatches(patterns: string[], resource: string, subresource: string): boolean {
  for (const p of patterns) {
    const [pr = '', ps] = p.split('/')
    if (pr !== '*' && pr !== resource) continue
    if (ps === undefined ? subresource === '' : ps === '*' || ps === subresource) return true
  }
  return false
}

export function ruleMatches(rule: Json, w: WriteAttempt): boolean {
  const r = w.resource
  if (!has(strings(rule.operations), w.operation)) return false
  if (!has(strings(rule.apiGroups), r.group)) return false
  if (!has(strings(rule.apiVersions), r.version)) return false
  if (!resourceMatches(strings(rule.resources), r.resource, w.subresource)) return false
  const scope = typeof rule.scope === 'string' ? rule.scope : '*'
  if (scope === 'Cluster' && r.namespaced) return false
  if (scope === 'Namespaced' && !r.namespaced) return false
  return true
}

function labelsOf(o: KubeObject | undefined): Record<string, string> {
  return (o?.metadata.labels ?? {}) as Record<string, string>
}

function selector(v: unknown): LabelSelector {
  return record(v) as LabelSelector
}

/** Whether webhook `hook` is to be called for this write. */
export async function webhookMatches(ctx: ApiContext, hook: Json, w: WriteAttempt): Promise<boolean> {
  if (!objects(hook.rules).some((rule) => ruleMatches(rule, w))) return false
  const objectSelector = selector(hook.objectSelector)
  if (!selectorMatches(objectSelector, labelsOf(w.object)) && !selectorMatches(objectSelector, labelsOf(w.oldObject))) return false
  const nsSelector = selector(hook.namespaceSelector)
  const empty = Object.keys(nsSelector.matchLabels ?? {}).length === 0 && (nsSelector.matchExpressions ?? []).length === 0
  if (empty) return true
  if (w.resource.group === '' && w.resource.resource === 'namespaces') return selectorMatches(nsSelector, labelsOf(w.object ?? w.oldObject))
  // A cluster-scoped object is not in a namespace: the namespace selector does not apply.
  if (!w.resource.namespaced) return true
  const nsType = ctx.catalog.lookup('', 'v1', 'namespaces')
  const ns = nsType === undefined ? undefined : await ctx.store.tryGet(nsType, '', w.namespace)
  return selectorMatches(nsSelector, labelsOf(ns))
}

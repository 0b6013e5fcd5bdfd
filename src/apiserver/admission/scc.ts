// OpenShift SecurityContextConstraints admission for pods (on create): the SCCs the requesting
// user or the pod's service account may use (listed in the SCC's users or groups, or RBAC verb
// `use` on securitycontextconstraints/<name>), by priority, then most restrictive first, then
// name; the first that admits the pod (after its defaults) wins and is recorded in the
// openshift.io/scc annotation. openshift.io/required-scc pins one. None: 403 with every
// provider's reasons, as oc prints them. New namespaces get their UID/MCS range annotations.
import type { KubeObject } from '../../codec/index.js'
import type { Attributes, Decision } from '../auth/attributes.js'
import type { ApiContext, UserInfo, WriteAttempt, WriteHook } from '../handlers/context.js'
import { forbidden } from './forbidden.js'
import type { ObjectCache } from './object-cache.js'
import { record, type Json } from './pod-resources.js'
import { rangeAnnotations, rangesOf } from './scc-builtin.js'
import { checkScc, restrictionPoints } from './scc-check.js'

export const sccAnnotation = 'openshift.io/scc'
export const requiredSccAnnotation = 'openshift.io/required-scc'

export type Authorize = (a: Attributes) => Decision

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

function serviceAccountUser(namespace: string, name: string): UserInfo {
  return { username: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'] }
}

function mayUse(authorize: Authorize, scc: KubeObject, user: UserInfo, namespace: string): boolean {
  const name = scc.metadata.name
  if (strings((scc as Json).users).includes(user.username)) return true
  const groups = strings((scc as Json).groups)
  if (user.groups.some((g) => groups.includes(g))) return true
  const attrs: Attributes = { user, verb: 'use', resourceRequest: true, path: '', namespace, apiGroup: 'security.openshift.io', apiVersion: 'v1', resource: 'securitycontextconstraints', subresource: '', name }
  return authorize(attrs).allowed
}

function ordered(sccs: KubeObject[]): KubeObject[] {
  const priority = (o: KubeObject): number => (typeof (o as Json).priority === 'number' ? ((o as Json).priority as number) : 0)
  return [...sccs].sort((a, b) => priority(b) - priority(a) || restrictionPoints(a as Json) - restrictionPoints(b as Json) || (a.metadata.name < b.metadata.name ? -1 : 1))
}

export function sccHook(ctx: ApiContext, sccs: ObjectCache | undefined, authorize: Authorize): WriteHook {
  return async (w) => {
    if (w.operation !== 'CREATE' || w.subresource !== '' || w.object === undefined || w.resource.group !== '') return undefined
    if (w.resource.resource === 'namespaces') return annotateNamespace(w.object)
    if (w.resource.resource !== 'pods') return undefined
    const nsType = ctx.catalog.lookup('', 'v1', 'namespaces')
    if (sccs === undefined || nsType === undefined) return undefined
    const ranges = rangesOf(await ctx.store.tryGet(nsType, '', w.namespace), w.namespace)
    const account = typeof record(w.object.spec).serviceAccountName === 'string' ? String(record(w.object.spec).serviceAccountName) : 'default'
    const sa = serviceAccountUser(w.namespace, account)
    const required = w.object.metadata.annotations?.[requiredSccAnnotation]
    const all = (await sccs.list('')).filter((s) => required === undefined || s.metadata.name === required)
    const reasons: string[] = []
    for (const scc of ordered(all)) {
      const name = scc.metadata.name
      if (!mayUse(authorize, scc, w.user, w.namespace) && !mayUse(authorize, scc, sa, w.namespace)) {
        reasons.push(`provider ${JSON.stringify(name)}: Forbidden: not usable by user or serviceaccount`)
        continue
      }
      const outcome = checkScc(scc as Json, w.object, ranges)
      if (outcome.errors.length === 0) {
        outcome.pod.metadata.annotations = { ...(outcome.pod.metadata.annotations ?? {}), [sccAnnotation]: name }
        return outcome.pod
      }
      reasons.push(...outcome.errors.map((e) => `provider ${JSON.stringify(name)}: ${e}`))
    }
    if (required !== undefined && all.length === 0) reasons.push(`securitycontextconstraints.security.openshift.io ${JSON.stringify(required)} not found`)
    throw refuse(w, reasons)
  }
}

function refuse(w: WriteAttempt, reasons: string[]): Error {
  return forbidden(w, `unable to validate against any security context constraint: [${reasons.join(', ')}]`)
}

function annotateNamespace(ns: KubeObject): KubeObject | undefined {
  const annotations = ns.metadata.annotations ?? {}
  if (annotations['openshift.io/sa.scc.uid-range'] !== undefined) return undefined
  return { ...ns, metadata: { ...ns.metadata, annotations: { ...rangeAnnotations(ns.metadata.name ?? ''), ...annotations } } }
}

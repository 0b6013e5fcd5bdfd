// What is being asked (Kubernetes' authorizer.Attributes), the answer, and how a refusal reads.
import type { UserInfo } from './user.js'

export interface Attributes {
  user: UserInfo
  /** get, list, watch, create, update, patch, delete, deletecollection, impersonate, ... */
  verb: string
  /** false for a non-resource URL (/healthz, /version, /apis): then only verb and path count. */
  resourceRequest: boolean
  path: string
  namespace: string
  apiGroup: string
  apiVersion: string
  resource: string
  subresource: string
  name: string
}

export interface Decision {
  allowed: boolean
  /** kube's wording: `RBAC: allowed by ...` when allowed, RBAC's resolution errors when not. */
  reason: string
}

/** Attributes with every field defaulted: convenient for tests and for the review endpoints. */
export function resourceAttributes(user: UserInfo, a: Partial<Omit<Attributes, 'user' | 'resourceRequest'>> & { verb: string; resource: string }): Attributes {
  return { user, resourceRequest: true, path: '', namespace: '', apiGroup: '', apiVersion: '', subresource: '', name: '', ...a }
}

export function nonResourceAttributes(user: UserInfo, verb: string, path: string): Attributes {
  return { user, verb, resourceRequest: false, path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' }
}

/**
 * The message of the 403 Status kube answers a refused request with, word for word:
 * `configmaps "x" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in
 * the namespace "payments"`; `... at the cluster scope` without a namespace; `forbidden: User
 * "bob" cannot get path "/metrics"` for a non-resource URL. A non-empty reason is appended.
 */
export function forbiddenMessage(a: Attributes, reason = ''): string {
  const user = a.user.username
  let detail: string
  if (!a.resourceRequest) detail = `User ${q(user)} cannot ${a.verb} path ${q(a.path)}`
  else {
    const resource = a.subresource === '' ? a.resource : `${a.resource}/${a.subresource}`
    const scope = a.namespace === '' ? 'at the cluster scope' : `in the namespace ${q(a.namespace)}`
    detail = `User ${q(user)} cannot ${a.verb} resource ${q(resource)} in API group ${q(a.apiGroup)} ${scope}`
  }
  if (reason !== '') detail = `${detail}: ${reason}`
  // The qualified resource of the Status is group-resource (no subresource), as NewForbidden has it.
  const groupResource = !a.resourceRequest || a.resource === '' ? '' : a.apiGroup === '' ? a.resource : `${a.resource}.${a.apiGroup}`
  if (groupResource === '') return `forbidden: ${detail}`
  if (a.name === '') return `${groupResource} is forbidden: ${detail}`
  return `${groupResource} ${q(a.name)} is forbidden: ${detail}`
}

/** Go's %q for the strings kube quotes (names, paths): JSON string quoting is the same for them. */
function q(s: string): string {
  return JSON.stringify(s)
}

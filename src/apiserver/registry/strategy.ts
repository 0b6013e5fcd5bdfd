// What the generic store decides per kind before a write (Kubernetes' RESTCreateStrategy and
// RESTUpdateStrategy, made generic): system fields, the status/spec split between a resource and
// its status subresource, generateName, and the metadata rules every object obeys.
import { randomInt } from 'node:crypto'
import type { KubeObject } from '../../codec/index.js'
import { ApiError, badRequest, invalid, type StatusCause } from '../api-error.js'
import { groupVersion, type ResourceType } from '../resources/types.js'

type Obj = Record<string, unknown>

// Kubernetes' generateName suffix alphabet: no vowels (no words), no 0/1/3 (no look-alikes).
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789'

export function generateName(base: string): string {
  let out = base.length > 58 ? base.slice(0, 58) : base
  for (let i = 0; i < 5; i++) out += suffixAlphabet[randomInt(suffixAlphabet.length)]
  return out
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** Kubernetes' name rules: namespaces (and services) are DNS-1123 labels, most kinds subdomains, RBAC kinds path segments. */
export function nameCauses(r: ResourceType, name: string): StatusCause[] {
  if (name === '') return [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]
  const pathSegmentOnly = r.group === 'rbac.authorization.k8s.io' || r.group === 'security.openshift.io' || r.group === 'user.openshift.io'
  if (pathSegmentOnly) {
    if (name === '.' || name === '..' || name.includes('/') || name.includes('%')) return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: may not contain '/' or '%' or be '.' or '..'`, field: 'metadata.name' }]
    return []
  }
  const label = r.resource === 'namespaces' || r.resource === 'services' || r.resource === 'projects'
  const max = label ? 63 : 253
  if (name.length > max) return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: must be no more than ${max} characters`, field: 'metadata.name' }]
  const ok = label ? dns1123Label.test(name) : dns1123Subdomain.test(name)
  if (ok) return []
  const rule = label
    ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
  return [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${rule}`, field: 'metadata.name' }]
}

/**
 * The body must be an object of this resource's kind (apiVersion and kind may be left out, as
 * kubectl's generators never do but curl users do); its namespace, if set, must be the URL's.
 */
export function checkBody(r: ResourceType, body: unknown, namespace: string, name: string | undefined): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request must be a JSON or YAML object')
  const o = { ...(body as Obj) }
  const gv = groupVersion(r)
  if (o.apiVersion === undefined || o.apiVersion === '') o.apiVersion = gv
  if (o.kind === undefined || o.kind === '') o.kind = r.kind
  if (o.apiVersion !== gv) throw badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${gv})`)
  if (o.kind !== r.kind) throw badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${r.kind})`)
  const meta = o.metadata
  if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) throw badRequest('metadata must be an object')
  const m: Obj = { ...((meta as Obj | undefined) ?? {}) }
  for (const [field, value] of Object.entries(m)) {
    if ((field === 'labels' || field === 'annotations') && value !== undefined && value !== null) {
      if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) throw badRequest(`metadata.${field} must be a map of strings`)
    }
  }
  if (r.namespaced) {
    if (m.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
    }
    m.namespace = namespace
  } else {
    delete m.namespace
  }
  if (name !== undefined) {
    if (m.name !== undefined && m.name !== '' && m.name !== name) throw badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${name})`)
    m.name = name
  }
  o.metadata = m
  return o as unknown as KubeObject
}

/** Fields a client may not set: uid, timestamps, generation, and status where a status subresource owns it. */
export function prepareForCreate(r: ResourceType, o: KubeObject): KubeObject {
  const meta: Obj = { ...o.metadata }
  for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink']) delete meta[f]
  if (meta.resourceVersion === '') delete meta.resourceVersion
  if (meta.resourceVersion !== undefined) throw badRequest('resourceVersion should not be set on objects to be created')
  let name = typeof meta.name === 'string' ? meta.name : ''
  if (name === '' && typeof meta.generateName === 'string' && meta.generateName !== '') name = generateName(meta.generateName)
  meta.name = name
  const causes = nameCauses(r, name)
  if (causes.length > 0) throw invalid(r.kind, r.group, name, causes)
  const out: Obj = { ...o, metadata: meta }
  if (r.subresources.includes('status') && r.resource !== 'namespaces') delete out.status
  if (r.resource === 'namespaces') out.status = { phase: 'Active' }
  return out as KubeObject
}

/** PUT or PATCH on the resource itself: status stays the stored one where a status subresource owns it; system fields stay. */
export function prepareForUpdate(r: ResourceType, old: KubeObject, next: KubeObject, subresource: string): KubeObject {
  const meta: Obj = { ...next.metadata }
  meta.uid = old.metadata.uid
  meta.creationTimestamp = old.metadata.creationTimestamp
  if (old.metadata.deletionTimestamp !== undefined) meta.deletionTimestamp = old.metadata.deletionTimestamp
  else delete meta.deletionTimestamp
  if (old.metadata.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds
  meta.generation = old.metadata.generation
  meta.name = old.metadata.name
  if (r.namespaced) meta.namespace = old.metadata.namespace
  if (subresource === 'status') {
    // The status subresource changes status (and, as Kubernetes allows, metadata labels/annotations stay the old ones).
    const out: Obj = { ...old, status: (next as Obj).status }
    out.metadata = { ...old.metadata }
    return out as KubeObject
  }
  const out: Obj = { ...next, metadata: meta }
  if (r.subresources.includes('status')) {
    if ((old as Obj).status === undefined) delete out.status
    else out.status = (old as Obj).status
  }
  return out as KubeObject
}

/** A finalizer list may only be changed by removing or adding names; an object being deleted accepts no new ones. */
export function checkFinalizers(r: ResourceType, old: KubeObject, next: KubeObject): void {
  if (old.metadata.deletionTimestamp === undefined) return
  const before = new Set(old.metadata.finalizers ?? [])
  const added = (next.metadata.finalizers ?? []).filter((f: string) => !before.has(f))
  if (added.length > 0) {
    throw invalid(r.kind, r.group, old.metadata.name, [{ reason: 'FieldValueForbidden', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`, field: 'metadata.finalizers' }])
  }
}

export function methodNotAllowed(verb: string, r: ResourceType): ApiError {
  return new ApiError('MethodNotAllowed', `${verb} is not supported on resources of kind "${r.resource}"`)
}

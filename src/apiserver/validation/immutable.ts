// Update rules: fields that may not change once an object exists (Kubernetes' ValidateUpdate
// of each kind, plus ValidateObjectMetaUpdate for every kind). Compares old and new objects
// after defaulting and returns the causes; an empty list means the update may proceed.

import { forbidden, invalid, type StatusCause } from './status-cause.js'

type Obj = Record<string, unknown>

function obj(value: unknown): Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {}
}

/** Deep equality of JSON values, key order ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]))
  const ka = Object.keys(a).filter((k) => (a as Obj)[k] !== undefined)
  const kb = Object.keys(b).filter((k) => (b as Obj)[k] !== undefined)
  return ka.length === kb.length && ka.every((k) => jsonEqual((a as Obj)[k], (b as Obj)[k]))
}

const immutableMsg = 'field is immutable'

function unchanged(field: string, before: unknown, after: unknown, out: StatusCause[]): void {
  if (!jsonEqual(before, after)) out.push(invalid(field, after, immutableMsg))
}

function metaUpdate(old: Obj, next: Obj, out: StatusCause[]): void {
  const a = obj(old.metadata)
  const b = obj(next.metadata)
  for (const k of ['name', 'namespace', 'uid', 'creationTimestamp']) {
    if (a[k] !== undefined && b[k] !== undefined) unchanged(`metadata.${k}`, a[k], b[k], out)
  }
}

function immutableData(dataKeys: string[]): (old: Obj, next: Obj, out: StatusCause[]) => void {
  return (old, next, out) => {
    if (old.immutable !== true) return
    const detail = 'field is immutable when `immutable` is set'
    if (next.immutable !== true) out.push(forbidden('immutable', detail))
    for (const k of dataKeys) if (!jsonEqual(old[k] ?? {}, next[k] ?? {})) out.push(forbidden(k, detail))
  }
}

function selectorUnchanged(old: Obj, next: Obj, out: StatusCause[]): void {
  unchanged('spec.selector', obj(old.spec).selector, obj(next.spec).selector, out)
}

/** Pod spec fields a running pod may change; everything else is fixed at creation. */
function podSpecUpdate(old: Obj, next: Obj, out: StatusCause[]): void {
  const mask = (spec: Obj): Obj => {
    const copy = structuredClone(spec)
    for (const k of ['containers', 'initContainers']) {
      if (Array.isArray(copy[k])) copy[k] = (copy[k] as unknown[]).map((c) => ({ ...obj(c), image: undefined }))
    }
    delete copy.activeDeadlineSeconds
    delete copy.tolerations
    delete copy.terminationGracePeriodSeconds
    return copy
  }
  const a = obj(old.spec)
  const b = obj(next.spec)
  const oldTolerations = Array.isArray(a.tolerations) ? a.tolerations : []
  const newTolerations = Array.isArray(b.tolerations) ? b.tolerations : []
  const tolerationsOnlyAdded = oldTolerations.every((t) => newTolerations.some((n) => jsonEqual(t, n)))
  if (!jsonEqual(mask(a), mask(b)) || !tolerationsOnlyAdded) {
    out.push(
      forbidden(
        'spec',
        'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      ),
    )
  }
}

const statefulSetMutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']

function statefulSetUpdate(old: Obj, next: Obj, out: StatusCause[]): void {
  const strip = (spec: Obj): Obj => Object.fromEntries(Object.entries(spec).filter(([k]) => !statefulSetMutable.includes(k)))
  if (!jsonEqual(strip(obj(old.spec)), strip(obj(next.spec)))) {
    out.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    )
  }
}

function jobUpdate(old: Obj, next: Obj, out: StatusCause[]): void {
  const a = obj(old.spec)
  const b = obj(next.spec)
  unchanged('spec.selector', a.selector, b.selector, out)
  unchanged('spec.template', a.template, b.template, out)
  unchanged('spec.completionMode', a.completionMode, b.completionMode, out)
  if (b.completionMode !== 'Indexed') unchanged('spec.completions', a.completions, b.completions, out)
}

function serviceUpdate(old: Obj, next: Obj, out: StatusCause[]): void {
  const a = obj(old.spec)
  const b = obj(next.spec)
  // An unset clusterIP may be filled in (the allocator does); a set one may not move.
  if (typeof a.clusterIP === 'string' && a.clusterIP !== '' && b.type !== 'ExternalName') unchanged('spec.clusterIP', a.clusterIP, b.clusterIP, out)
}

function pvcUpdate(old: Obj, next: Obj, out: StatusCause[]): void {
  const strip = (spec: Obj): Obj => {
    const copy = structuredClone(spec)
    delete copy.volumeAttributesClassName
    const resources = obj(copy.resources)
    delete resources.requests
    copy.resources = resources
    return copy
  }
  if (!jsonEqual(strip(obj(old.spec)), strip(obj(next.spec)))) {
    out.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'))
  }
}

function roleRefUpdate(old: Obj, next: Obj, out: StatusCause[]): void {
  if (!jsonEqual(old.roleRef, next.roleRef)) out.push(invalid('roleRef', next.roleRef, 'cannot change roleRef'))
}

const byKind: Record<string, (old: Obj, next: Obj, out: StatusCause[]) => void> = {
  'v1/ConfigMap': immutableData(['data', 'binaryData']),
  'v1/Secret': (old, next, out) => {
    immutableData(['data'])(old, next, out)
    if (old.type !== undefined) unchanged('type', old.type, next.type, out)
  },
  'v1/Pod': podSpecUpdate,
  'v1/Service': serviceUpdate,
  'v1/PersistentVolumeClaim': pvcUpdate,
  'apps/v1/Deployment': selectorUnchanged,
  'apps/v1/ReplicaSet': selectorUnchanged,
  'apps/v1/DaemonSet': selectorUnchanged,
  'apps/v1/StatefulSet': statefulSetUpdate,
  'batch/v1/Job': jobUpdate,
  'rbac.authorization.k8s.io/v1/RoleBinding': roleRefUpdate,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': roleRefUpdate,
}

/** Causes that forbid replacing `old` with `next` (both after defaulting). */
export function validateUpdate(apiVersion: string, kind: string, old: Record<string, unknown>, next: Record<string, unknown>): StatusCause[] {
  const out: StatusCause[] = []
  metaUpdate(old, next, out)
  byKind[`${apiVersion}/${kind}`]?.(old, next, out)
  return out
}

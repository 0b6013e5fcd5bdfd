// metadata rules every kind shares (apimachinery's ValidateObjectMeta): name or generateName,
// the name grammar of the kind, namespace presence by scope, label and annotation keys and
// values, the total annotation size, finalizer names and the shape of ownerReferences.

import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isPathSegmentName, isQualifiedName, isValidLabelValue } from './name-rules.js'
import { forbidden, invalid, required, tooLong, type StatusCause } from './status-cause.js'

export type NameRule = 'dns1123subdomain' | 'dns1123label' | 'dns1035label' | 'path'

/** Kubernetes' limit on the summed size of annotation keys and values. */
export const annotationsBytesMax = 256 * 1024

const nameCheck: Record<NameRule, (v: string) => string[]> = {
  dns1123subdomain: isDns1123Subdomain,
  dns1123label: isDns1123Label,
  dns1035label: isDns1035Label,
  path: isPathSegmentName,
}

/** The name rule Kubernetes applies to a kind: most kinds take DNS subdomains; namespaces are
 *  labels, services DNS-1035 labels, RBAC objects anything usable as a path segment. */
export function nameRuleFor(group: string, kind: string): NameRule {
  if (group === '' && kind === 'Namespace') return 'dns1123label'
  if (group === '' && kind === 'Service') return 'dns1035label'
  if (group === 'rbac.authorization.k8s.io') return 'path'
  return 'dns1123subdomain'
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

function checkName(meta: Record<string, unknown>, rule: NameRule): StatusCause[] {
  const causes: StatusCause[] = []
  const name = meta.name
  const generateName = meta.generateName
  if (typeof generateName === 'string' && generateName !== '') {
    // The server appends a random suffix: judge the prefix without its trailing dash.
    const prefix = generateName.endsWith('-') ? generateName.slice(0, -1) : generateName
    for (const e of nameCheck[rule](prefix)) causes.push(invalid('metadata.generateName', generateName, e))
  }
  if (typeof name !== 'string' || name === '') {
    if (typeof generateName !== 'string' || generateName === '') causes.push(required('metadata.name', 'name or generateName is required'))
    return causes
  }
  for (const e of nameCheck[rule](name)) causes.push(invalid('metadata.name', name, e))
  return causes
}

function checkNamespace(meta: Record<string, unknown>, namespaced: boolean): StatusCause[] {
  const ns = meta.namespace
  if (!namespaced) return typeof ns === 'string' && ns !== '' ? [forbidden('metadata.namespace', 'not allowed on this type')] : []
  if (typeof ns !== 'string' || ns === '') return [required('metadata.namespace')]
  return isDns1123Label(ns).map((e) => invalid('metadata.namespace', ns, e))
}

function checkLabels(labels: unknown): StatusCause[] {
  const map = record(labels)
  if (map === undefined) return []
  const causes: StatusCause[] = []
  for (const [k, v] of Object.entries(map)) {
    for (const e of isQualifiedName(k)) causes.push(invalid('metadata.labels', k, e))
    if (typeof v === 'string') for (const e of isValidLabelValue(v)) causes.push(invalid('metadata.labels', v, e))
  }
  return causes
}

function checkAnnotations(annotations: unknown): StatusCause[] {
  const map = record(annotations)
  if (map === undefined) return []
  const causes: StatusCause[] = []
  let bytes = 0
  for (const [k, v] of Object.entries(map)) {
    for (const e of isQualifiedName(k.toLowerCase())) causes.push(invalid('metadata.annotations', k, e))
    bytes += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0)
  }
  if (bytes > annotationsBytesMax) causes.push(tooLong('metadata.annotations', annotationsBytesMax))
  return causes
}

function checkFinalizers(finalizers: unknown): StatusCause[] {
  if (!Array.isArray(finalizers)) return []
  const causes: StatusCause[] = []
  finalizers.forEach((f, i) => {
    if (typeof f === 'string') for (const e of isQualifiedName(f)) causes.push(invalid(`metadata.finalizers[${i}]`, f, e))
  })
  return causes
}

function checkOwnerReferences(refs: unknown): StatusCause[] {
  if (!Array.isArray(refs)) return []
  const causes: StatusCause[] = []
  const controllers: string[] = []
  for (const raw of refs) {
    const ref = record(raw) ?? {}
    const str = (k: string): string => (typeof ref[k] === 'string' ? (ref[k] as string) : '')
    const base = 'metadata.ownerReferences'
    if (str('apiVersion') === '') causes.push(invalid(`${base}.apiVersion`, '', 'version must not be empty'))
    if (str('kind') === '') causes.push(invalid(`${base}.kind`, '', 'kind must not be empty'))
    if (str('name') === '') causes.push(invalid(`${base}.name`, '', 'name must not be empty'))
    if (str('uid') === '') causes.push(invalid(`${base}.uid`, '', 'uid must not be empty'))
    if (ref.controller === true) controllers.push(`${str('kind')}/${str('name')}`)
  }
  if (controllers.length > 1) {
    causes.push(
      invalid('metadata.ownerReferences', refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`),
    )
  }
  return causes
}

/** All metadata problems of one object; `namespaced` is the kind's scope. */
export function validateObjectMeta(meta: unknown, namespaced: boolean, opts: { nameRule?: NameRule } = {}): StatusCause[] {
  const m = record(meta)
  if (m === undefined) return [required('metadata')]
  return [
    ...checkName(m, opts.nameRule ?? 'dns1123subdomain'),
    ...checkNamespace(m, namespaced),
    ...checkLabels(m.labels),
    ...checkAnnotations(m.annotations),
    ...checkFinalizers(m.finalizers),
    ...checkOwnerReferences(m.ownerReferences),
  ]
}

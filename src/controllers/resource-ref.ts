// A resource addressed by group, version and plural name, and the REST paths that reach it.

export interface ResourceRef {
  group: string
  version: string
  resource: string
  namespaced: boolean
  kind?: string
}

export const podsRef: ResourceRef = { group: '', version: 'v1', resource: 'pods', namespaced: true, kind: 'Pod' }
export const nodesRef: ResourceRef = { group: '', version: 'v1', resource: 'nodes', namespaced: false, kind: 'Node' }
export const namespacesRef: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' }
export const replicaSetsRef: ResourceRef = { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true, kind: 'ReplicaSet' }
export const deploymentsRef: ResourceRef = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' }
export const leasesRef: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespaced: true, kind: 'Lease' }

export function groupVersionPath(r: { group: string; version: string }): string {
  return r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`
}

/** The collection (no name) or one object's path; `namespace` '' means all namespaces. */
export function resourcePath(r: ResourceRef, namespace: string, name?: string, subresource?: string): string {
  const ns = r.namespaced && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : ''
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource === undefined ? '' : `/${subresource}`}`
  return `${groupVersionPath(r)}${ns}/${r.resource}${tail}`
}

/** The cache key of an object: namespace/name, or name alone for cluster-scoped ones. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/')
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) }
}

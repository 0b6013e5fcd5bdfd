// What an object counts against a ResourceQuota (kube's quota evaluators, in small): every kind
// counts as count/<resource>[.<group>]; the legacy names pods, services, configmaps, secrets,
// replicationcontrollers, resourcequotas, persistentvolumeclaims; services.loadbalancers and
// services.nodeports; a pod's compute requests (requests.cpu, or bare cpu) and limits.*.
import type { KubeObject } from '../../codec/index.js'
import type { ResourceType } from '../resources/types.js'
import { objects, podTotal, record, type ResourceList } from './pod-resources.js'

const legacyCounted = new Set(['pods', 'services', 'configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas', 'persistentvolumeclaims'])
const one = { value: 1, binary: false }

export function usageOf(r: ResourceType, o: KubeObject): ResourceList {
  const out: ResourceList = new Map()
  out.set(`count/${r.group === '' ? r.resource : `${r.resource}.${r.group}`}`, one)
  if (r.group !== '') return out
  if (legacyCounted.has(r.resource)) out.set(r.resource, one)
  if (r.resource === 'services') {
    const spec = record(o.spec)
    if (spec.type === 'LoadBalancer') out.set('services.loadbalancers', one)
    if (spec.type === 'LoadBalancer' || spec.type === 'NodePort') out.set('services.nodeports', { value: objects(spec.ports).length, binary: false })
  }
  if (r.resource === 'pods') {
    // A finished pod no longer holds compute resources (kube's QuotaV1Pod).
    const phase = record(o.status).phase
    if (phase === 'Succeeded' || phase === 'Failed') return new Map([...out].filter(([k]) => k === 'count/pods'))
    for (const [k, q] of podTotal(o, 'requests')) {
      out.set(`requests.${k}`, q)
      if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') out.set(k, q)
    }
    for (const [k, q] of podTotal(o, 'limits')) out.set(`limits.${k}`, q)
  }
  return out
}

/** Compute resources a pod must declare when a quota limits them (kube: "must specify"). */
export function computeResource(name: string): string | undefined {
  const m = /^(?:requests\.|limits\.)?(cpu|memory|ephemeral-storage)$/.exec(name)
  return m === null ? undefined : name
}

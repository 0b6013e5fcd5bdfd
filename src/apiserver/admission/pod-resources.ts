// A pod's containers and their resources, and the pod's effective requests and limits as kube
// computes them for quota and LimitRanger: the sum over app containers, raised to the largest
// init container where one asks for more.
import type { KubeObject } from '../../codec/index.js'
import { addQuantity, milli, parseQuantity, type Quantity } from './quantity.js'

export type Json = Record<string, unknown>
export type ResourceList = Map<string, Quantity>

export function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter((x): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x)) : []
}

export function record(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {}
}

export function resourceList(v: unknown): ResourceList {
  const out: ResourceList = new Map()
  for (const [k, q] of Object.entries(record(v))) out.set(k, parseQuantity(q))
  return out
}

export interface ContainerRef {
  kind: 'init' | 'app'
  container: Json
}

export function containersOf(pod: KubeObject): ContainerRef[] {
  const spec = record(pod.spec)
  return [...objects(spec.initContainers).map((c) => ({ kind: 'init' as const, container: c })), ...objects(spec.containers).map((c) => ({ kind: 'app' as const, container: c }))]
}

/** The pod's requests or limits: sum of app containers, each resource raised to any init container's. */
export function podTotal(pod: KubeObject, field: 'requests' | 'limits'): ResourceList {
  const sum: ResourceList = new Map()
  const initMax: ResourceList = new Map()
  for (const { kind, container } of containersOf(pod)) {
    for (const [k, q] of resourceList(record(container.resources)[field])) {
      if (kind === 'app') sum.set(k, addQuantity(sum.get(k) ?? { value: 0, binary: q.binary }, q))
      else if (milli(q) > milli(initMax.get(k) ?? { value: 0, binary: false })) initMax.set(k, q)
    }
  }
  for (const [k, q] of initMax) if (milli(q) > milli(sum.get(k) ?? { value: 0, binary: false })) sum.set(k, q)
  return sum
}

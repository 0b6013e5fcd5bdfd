// LimitRanger (kube's plugin/pkg/admission/limitranger) for pods on create: the namespace's
// LimitRange objects give containers their default requests and limits (mutating step, with the
// kubernetes.io/limit-ranger annotation), then min, max and maxLimitRequestRatio per Container
// and per Pod are enforced (validating step), refused 403 with kube's wording.
import type { KubeObject } from '../../codec/index.js'
import type { WriteAttempt, WriteHook } from '../handlers/context.js'
import { clone, forbidden } from './forbidden.js'
import type { ObjectCache } from './object-cache.js'
import { containersOf, objects, podTotal, record, resourceList, type Json, type ResourceList } from './pod-resources.js'
import { formatQuantity, milli, type Quantity } from './quantity.js'

const annotation = 'kubernetes.io/limit-ranger'

interface LimitItem {
  type: string
  min: ResourceList
  max: ResourceList
  default: ResourceList
  defaultRequest: ResourceList
  ratio: ResourceList
}

function isPodCreate(w: WriteAttempt): w is WriteAttempt & { object: KubeObject } {
  return w.operation === 'CREATE' && w.subresource === '' && w.object !== undefined && w.resource.group === '' && w.resource.resource === 'pods'
}

async function limitItems(cache: ObjectCache | undefined, namespace: string): Promise<LimitItem[]> {
  if (cache === undefined) return []
  return (await cache.list(namespace)).flatMap((o) => objects(record(o.spec).limits).map(item))
}

/** A LimitRange item with the API's defaulting: default from max, defaultRequest from default. */
function item(raw: Json): LimitItem {
  const it: LimitItem = { type: String(raw.type ?? ''), min: resourceList(raw.min), max: resourceList(raw.max), default: resourceList(raw.default), defaultRequest: resourceList(raw.defaultRequest), ratio: resourceList(raw.maxLimitRequestRatio) }
  if (it.type === 'Container') {
    for (const [k, q] of it.max) if (!it.default.has(k)) it.default.set(k, q)
    for (const [k, q] of it.default) if (!it.defaultRequest.has(k)) it.defaultRequest.set(k, q)
  }
  return it
}

/** The mutating half: containers get the defaults they lack. */
export function limitRangerDefaultsHook(cache: ObjectCache | undefined): WriteHook {
  return async (w) => {
    if (!isPodCreate(w)) return undefined
    const items = (await limitItems(cache, w.namespace)).filter((i) => i.type === 'Container')
    if (items.length === 0) return undefined
    const pod = clone(w.object)
    const notes: string[] = []
    for (const { container } of containersOf(pod)) {
      const resources = record(container.resources)
      const set = (field: 'requests' | 'limits'): void => {
        const current = record(resources[field])
        const added: string[] = []
        for (const i of items) for (const [k, q] of field === 'requests' ? i.defaultRequest : i.default) {
          if (current[k] !== undefined) continue
          current[k] = formatQuantity(q)
          added.push(k)
        }
        if (added.length === 0) return
        resources[field] = current
        notes.push(`${added.join(', ')} ${field === 'requests' ? 'request' : 'limit'} for container ${String(container.name)}`)
      }
      set('requests')
      set('limits')
      if (Object.keys(resources).length > 0) container.resources = resources
    }
    if (notes.length === 0) return undefined
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [annotation]: `LimitRanger plugin set: ${notes.join('; ')}` }
    return pod
  }
}

/** The validating half: min, max and limit/request ratio, per Container and per Pod. */
export function limitRangerLimitsHook(cache: ObjectCache | undefined): WriteHook {
  return async (w) => {
    if (!isPodCreate(w)) return undefined
    const items = await limitItems(cache, w.namespace)
    const errors: string[] = []
    for (const i of items) {
      if (i.type === 'Container') {
        for (const { container } of containersOf(w.object)) {
          const r = record(container.resources)
          errors.push(...check(i, 'Container', resourceList(r.requests), resourceList(r.limits)))
        }
      } else if (i.type === 'Pod') errors.push(...check(i, 'Pod', podTotal(w.object, 'requests'), podTotal(w.object, 'limits')))
    }
    if (errors.length > 0) throw forbidden(w, errors)
    return undefined
  }
}

function check(i: LimitItem, type: string, requests: ResourceList, limits: ResourceList): string[] {
  const out: string[] = []
  const text = (q: Quantity): string => formatQuantity(q)
  for (const [k, min] of i.min) {
    const req = requests.get(k)
    const lim = limits.get(k)
    if (req === undefined) out.push(`minimum ${k} usage per ${type} is ${text(min)}.  No request is specified`)
    else if (milli(req) < milli(min)) out.push(`minimum ${k} usage per ${type} is ${text(min)}, but request is ${text(req)}`)
    else if (lim !== undefined && milli(lim) < milli(min)) out.push(`minimum ${k} usage per ${type} is ${text(min)}, but limit is ${text(lim)}`)
  }
  for (const [k, max] of i.max) {
    const req = requests.get(k)
    const lim = limits.get(k)
    if (lim === undefined) out.push(`maximum ${k} usage per ${type} is ${text(max)}.  No limit is specified`)
    else if (milli(lim) > milli(max)) out.push(`maximum ${k} usage per ${type} is ${text(max)}, but limit is ${text(lim)}`)
    else if (req !== undefined && milli(req) > milli(max)) out.push(`maximum ${k} usage per ${type} is ${text(max)}, but request is ${text(req)}`)
  }
  for (const [k, ratio] of i.ratio) {
    const req = requests.get(k)
    const lim = limits.get(k)
    if (req === undefined || milli(req) === 0) out.push(`${k} max limit to request ratio per ${type} is ${text(ratio)}, but no request is specified or request is 0`)
    else if (lim === undefined || milli(lim) === 0) out.push(`${k} max limit to request ratio per ${type} is ${text(ratio)}, but no limit is specified or limit is 0`)
    else if (milli(lim) / milli(req) > ratio.value) out.push(`${k} max limit to request ratio per ${type} is ${text(ratio)}, but provided ratio is ${(milli(lim) / milli(req)).toFixed(6)}`)
  }
  return out
}

// ResourceQuota admission (kube's plugin/pkg/admission/resourcequota): a create is charged to
// every quota of its namespace that limits something it uses, by a compare-and-swap on the
// quota's status.used (retried on conflict by the store's guaranteed update), so several
// processes on one store never overshoot; inside one process charges of a namespace are also
// serialised by a mutex, so racing creates do not spin on conflicts. A quota whose status does
// not cover its spec yet is first recounted from the namespace's objects. Deletes give their
// usage back. Refusals are 403 with kube's `exceeded quota: ...` wording.
import type { KubeObject } from '../../codec/index.js'
import { ApiError } from '../api-error.js'
import type { ApiContext, WriteAttempt, WriteHook } from '../handlers/context.js'
import type { ResourceType } from '../resources/types.js'
import { forbidden } from './forbidden.js'
import { KeyedMutex } from './keyed-mutex.js'
import { ObjectCache } from './object-cache.js'
import { record, resourceList, type ResourceList } from './pod-resources.js'
import { addQuantity, formatQuantity, milli, zeroQuantity, type Quantity } from './quantity.js'
import { computeResource, usageOf } from './quota-usage.js'

/** The quota cache, when the catalog serves ResourceQuota. */
export function quotaCache(ctx: ApiContext): ObjectCache | undefined {
  const r = ctx.catalog.lookup('', 'v1', 'resourcequotas')
  return r === undefined ? undefined : new ObjectCache(ctx, r)
}

export function resourceQuotaHook(ctx: ApiContext, cache: ObjectCache | undefined): WriteHook {
  const mutex = new KeyedMutex()
  return async (w) => {
    if (!w.resource.namespaced || w.subresource !== '' || w.resource.virtual === true) return undefined
    const quotaType = ctx.catalog.lookup('', 'v1', 'resourcequotas')
    if (quotaType === undefined || cache === undefined) return undefined
    // The cache only says which quotas exist; every check and charge reads the quota afresh.
    const names = (await cache.list(w.namespace)).map((q) => q.metadata.name)
    if (names.length === 0) return undefined
    if (w.operation === 'CREATE' && w.object !== undefined) {
      const usage = usageOf(w.resource, w.object)
      await mutex.run(w.namespace, () => charge(ctx, quotaType, w, usage, names))
    } else if (w.operation === 'DELETE' && w.oldObject !== undefined && !w.dryRun) {
      const usage = usageOf(w.resource, w.oldObject)
      await mutex.run(w.namespace, () => release(ctx, quotaType, w.namespace, usage, names))
    }
    return undefined
  }
}

async function fresh(ctx: ApiContext, quotaType: ResourceType, namespace: string, names: string[]): Promise<KubeObject[]> {
  const out: KubeObject[] = []
  for (const name of names) {
    const q = await ctx.store.tryGet(quotaType, namespace, name)
    if (q !== undefined) out.push(q)
  }
  return out
}

async function charge(ctx: ApiContext, quotaType: ResourceType, w: WriteAttempt, usage: ResourceList, names: string[]): Promise<void> {
  const quotas = await fresh(ctx, quotaType, w.namespace, names)
  if (quotas.length === 0) return
  // A create over an existing name ends in 409 AlreadyExists: charging it would leak usage.
  const name = w.object?.metadata.name ?? ''
  if (name !== '' && (await ctx.store.tryGet(w.resource, w.namespace, name)) !== undefined) return
  for (const quota of quotas) {
    const hard = resourceList(record(quota.spec).hard)
    if (![...hard.keys()].some((k) => usage.has(k) || (w.resource.resource === 'pods' && computeResource(k) !== undefined))) continue
    const missing = [...hard.keys()].filter((k) => w.resource.resource === 'pods' && computeResource(k) !== undefined && !usage.has(k))
    if (missing.length > 0) throw forbidden(w, `failed quota: ${quota.metadata.name}: must specify ${missing.sort().join(',')}`)
  }
  // Check every quota before charging any, so a refusal by the second leaves the first untouched.
  for (const quota of quotas) exceeded(w, quota, await usedOf(ctx, quota), usage)
  if (w.dryRun) return
  for (const quota of quotas) {
    await ctx.store.update(quotaType, w.namespace, quota.metadata.name, async (current) => {
      const used = await usedOf(ctx, current)
      exceeded(w, current, used, usage)
      const hard = resourceList(record(current.spec).hard)
      const next = new Map<string, Quantity>()
      for (const k of hard.keys()) next.set(k, addQuantity(used.get(k) ?? zeroQuantity, usage.get(k) ?? zeroQuantity))
      return withStatus(current, next)
    }, { subresource: 'status' })
  }
}

async function release(ctx: ApiContext, quotaType: ResourceType, namespace: string, usage: ResourceList, names: string[]): Promise<void> {
  const quotas = await fresh(ctx, quotaType, namespace, names)
  for (const quota of quotas) {
    const hard = resourceList(record(quota.spec).hard)
    if (![...hard.keys()].some((k) => usage.has(k))) continue
    await ctx.store.update(quotaType, namespace, quota.metadata.name, async (current) => {
      const used = await usedOf(ctx, current)
      const next = new Map<string, Quantity>()
      for (const k of resourceList(record(current.spec).hard).keys()) {
        const left = (milli(used.get(k) ?? zeroQuantity) - milli(usage.get(k) ?? zeroQuantity)) / 1000
        next.set(k, { value: Math.max(0, left), binary: used.get(k)?.binary ?? false })
      }
      return withStatus(current, next)
    }, { subresource: 'status' }).catch((err: unknown) => {
      // The quota went away meanwhile: there is nothing to give back to.
      if (err instanceof ApiError && err.code === 'NotFound') return undefined
      throw err
    })
  }
}

/** Throws kube's `exceeded quota` 403 when adding usage would pass a hard limit. */
function exceeded(w: WriteAttempt, quota: KubeObject, used: ResourceList, usage: ResourceList): void {
  const hard = resourceList(record(quota.spec).hard)
  const over = [...hard.entries()].filter(([k, h]) => usage.has(k) && milli(used.get(k) ?? zeroQuantity) + milli(usage.get(k) ?? zeroQuantity) > milli(h)).map(([k]) => k).sort()
  if (over.length === 0) return
  const show = (m: ResourceList): string => over.map((k) => `${k}=${formatQuantity(m.get(k) ?? zeroQuantity)}`).join(',')
  throw forbidden(w, `exceeded quota: ${quota.metadata.name}, requested: ${show(usage)}, used: ${show(used)}, limited: ${show(hard)}`)
}

/** status.used, recounted from the namespace's objects when it does not cover spec.hard yet. */
async function usedOf(ctx: ApiContext, quota: KubeObject): Promise<ResourceList> {
  const hard = resourceList(record(quota.spec).hard)
  const used = resourceList(record(quota.status).used)
  if ([...hard.keys()].every((k) => used.has(k))) return used
  const counted = new Map<string, Quantity>([...hard.keys()].map((k) => [k, zeroQuantity]))
  const namespace = quota.metadata.namespace ?? ''
  for (const r of ctx.catalog.resources()) {
    if (!r.namespaced || r.virtual === true || !r.verbs.includes('list')) continue
    if (![...hard.keys()].some((k) => counts(r, k))) continue
    for (const o of (await ctx.store.list(r, namespace, {})).items) {
      for (const [k, q] of usageOf(r, o)) if (counted.has(k)) counted.set(k, addQuantity(counted.get(k) ?? zeroQuantity, q))
    }
  }
  return counted
}

/** Whether objects of r can add to quota resource k. */
function counts(r: ResourceType, k: string): boolean {
  const qualified = r.group === '' ? r.resource : `${r.resource}.${r.group}`
  if (k === `count/${qualified}`) return true
  if (r.group !== '') return false
  return k === r.resource || k.startsWith(`${r.resource}.`) || (r.resource === 'pods' && computeResource(k) !== undefined)
}

function withStatus(quota: KubeObject, used: ResourceList): KubeObject {
  const text = (m: ResourceList): Record<string, string> => Object.fromEntries([...m].map(([k, q]) => [k, formatQuantity(q)]))
  return { ...quota, status: { ...record(quota.status), hard: text(resourceList(record(quota.spec).hard)), used: text(used) } }
}

// Admission plugins: WriteHook factories run by the write handlers around validation, in kube's
// order: mutating webhooks, built-in mutating plugins (ServiceAccount, LimitRanger defaults),
// built-in validating plugins (SCC, LimitRanger limits), then after validation the validating
// webhooks and ResourceQuota last (it charges, so it runs when everything else has said yes).
import type { ApiContext, WriteHook } from '../handlers/context.js'
import { sccHook, type Authorize } from './scc.js'
import { limitRangerDefaultsHook, limitRangerLimitsHook } from './limit-ranger.js'
import { quotaCache, resourceQuotaHook } from './resource-quota.js'
import { namespaceAccountHook, serviceAccountHook } from './service-account.js'
import { announceHook, cacheFor } from './object-cache.js'
import { mutatingWebhooksHook, validatingWebhooksHook, webhookConfigurations } from './webhooks.js'

export { ensureDefaultAccount, namespaceAccountHook, serviceAccountHook, serviceAccountMountPath } from './service-account.js'
export { limitRangerDefaultsHook, limitRangerLimitsHook } from './limit-ranger.js'
export { quotaCache, resourceQuotaHook } from './resource-quota.js'
export { formatQuantity, parseQuantity, type Quantity } from './quantity.js'
export { KeyedMutex } from './keyed-mutex.js'
export { sccHook, sccAnnotation, requiredSccAnnotation, type Authorize } from './scc.js'
export { builtinSccs, ensureBuiltinSccs, derivedRanges, uidRangeAnnotation } from './scc-builtin.js'
export { mutatingWebhooksHook, validatingWebhooksHook, webhookConfigurations, type WebhookConfigurations } from './webhooks.js'
export { ObjectCache } from './object-cache.js'
export { WebhookCallError, webhookResponseBytesMax } from './webhook-call.js'

export interface AdmissionOptions {
  ctx: ApiContext
  /** Authorization of SCC `use` (serve.ts passes the RBAC authorizer). */
  authorize: Authorize
}

export interface AdmissionChain {
  /** Mutating webhooks, then the built-in mutating and validating plugins: before validation. */
  beforeValidation: WriteHook[]
  /**
   * Validating webhooks and ResourceQuota: after validation, as kube-apiserver runs validating
   * admission after the strategy's Validate, so a write refused with 422 is never charged to a
   * quota nor shown to a webhook.
   */
  afterValidation: WriteHook[]
  /** Fills the configuration caches and keeps them current until signal; reads go to the store until then. */
  start(signal: AbortSignal): Promise<void>
}

/** The admission chain, in order; serve.ts puts validation between its two halves. */
export function admissionHooks(o: AdmissionOptions): AdmissionChain {
  const { ctx } = o
  const configs = webhookConfigurations(ctx)
  const quotas = quotaCache(ctx)
  const limitRanges = cacheFor(ctx, '', 'limitranges')
  const sccs = cacheFor(ctx, 'security.openshift.io', 'securitycontextconstraints')
  const caches = [configs.mutating, configs.validating, quotas, limitRanges, sccs]
  return {
    beforeValidation: [announceHook(caches), mutatingWebhooksHook(ctx, configs), serviceAccountHook(ctx), limitRangerDefaultsHook(limitRanges), sccHook(ctx, sccs, o.authorize), limitRangerLimitsHook(limitRanges)],
    afterValidation: [validatingWebhooksHook(ctx, configs), resourceQuotaHook(ctx, quotas), namespaceAccountHook(ctx)],
    async start(signal) {
      for (const cache of caches) await cache?.start(signal)
    },
  }
}

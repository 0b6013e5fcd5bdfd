// Admission plugins: WriteHook factories run by the write handlers before validation, in kube's
// order: mutating webhooks, built-in mutating plugins, built-in validating plugins, validating
// webhooks, and ResourceQuota last (it charges, so it runs when everything else has said yes).
import type { ApiContext, WriteHook } from '../handlers/context.js'
import { sccHook, type Authorize } from './scc.js'
import { limitRangerDefaultsHook, limitRangerLimitsHook } from './limit-ranger.js'
import { resourceQuotaHook } from './resource-quota.js'
import { serviceAccountHook } from './service-account.js'
import { mutatingWebhooksHook, validatingWebhooksHook } from './webhooks.js'

export { ensureDefaultAccount, serviceAccountHook, serviceAccountMountPath } from './service-account.js'
export { limitRangerDefaultsHook, limitRangerLimitsHook } from './limit-ranger.js'
export { resourceQuotaHook } from './resource-quota.js'
export { formatQuantity, parseQuantity, type Quantity } from './quantity.js'
export { KeyedMutex } from './keyed-mutex.js'
export { sccHook, sccAnnotation, requiredSccAnnotation, type Authorize } from './scc.js'
export { builtinSccs, ensureBuiltinSccs, derivedRanges, uidRangeAnnotation } from './scc-builtin.js'
export { mutatingWebhooksHook, validatingWebhooksHook } from './webhooks.js'
export { WebhookCallError, webhookResponseBytesMax } from './webhook-call.js'

export interface AdmissionOptions {
  ctx: ApiContext
  /** Authorization of SCC `use` (serve.ts passes the RBAC authorizer). */
  authorize: Authorize
}

/** The admission chain, in order; serve.ts puts it in front of validation. */
export function admissionHooks(o: AdmissionOptions): WriteHook[] {
  const { ctx } = o
  return [mutatingWebhooksHook(ctx), serviceAccountHook(ctx), limitRangerDefaultsHook(ctx), sccHook(ctx, o.authorize), limitRangerLimitsHook(ctx), validatingWebhooksHook(ctx), resourceQuotaHook(ctx)]
}

// Dynamic admission: the webhooks of MutatingWebhookConfiguration and
// ValidatingWebhookConfiguration objects (a new configuration counts for the next request), configurations in name order, webhooks in their
// order. Mutating webhooks run one after another and their JSON patches apply in turn; one with
// reinvocationPolicy IfNeeded runs once more when a later webhook changed the object. Validating
// webhooks run after every mutation. failurePolicy Fail (default) turns a failed call into a
// 500, Ignore skips it; sideEffects Unknown or Some refuse dry runs with kube's 400.
// matchConditions are evaluated with a CEL subset (cel-subset.ts). Configurations are read from a
// watch-fed cache (object-cache.ts).
import type { KubeObject } from '../../codec/index.js'
import { httpStatusByReason } from '../../objects/index.js'
import type { StatusReason } from '../../util/index.js'
import { ApiError } from '../api-error.js'
import type { ApiContext, WriteAttempt, WriteHook } from '../handlers/context.js'
import { applyJsonPatch } from '../patch/index.js'
import { objects, record, type Json } from './pod-resources.js'
import { CelError, evaluateCondition } from './cel-subset.js'
import { ObjectCache } from './object-cache.js'
import { callWebhook, WebhookCallError, type WebhookAnswer } from './webhook-call.js'
import { webhookMatches } from './webhook-match.js'

/** The two configuration kinds, cached (undefined where the catalog does not serve them). */
export interface WebhookConfigurations {
  mutating: ObjectCache | undefined
  validating: ObjectCache | undefined
}

export function webhookConfigurations(ctx: ApiContext): WebhookConfigurations {
  const cache = (resource: string): ObjectCache | undefined => {
    const r = ctx.catalog.lookup('admissionregistration.k8s.io', 'v1', resource)
    return r === undefined ? undefined : new ObjectCache(ctx, r)
  }
  return { mutating: cache('mutatingwebhookconfigurations'), validating: cache('validatingwebhookconfigurations') }
}

async function webhooksOf(cache: ObjectCache | undefined): Promise<Json[]> {
  if (cache === undefined) return []
  const configs = await cache.list('')
  configs.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0))
  return configs.flatMap((c) => objects((c as Json).webhooks))
}

function isAdmissionConfig(w: WriteAttempt): boolean {
  // kube never sends webhook configurations to webhooks: a broken webhook must stay fixable.
  return w.resource.group === 'admissionregistration.k8s.io'
}

/** One webhook, with failurePolicy and the dry-run rule applied; undefined when it was skipped. */
async function invoke(ctx: ApiContext, hook: Json, w: WriteAttempt, object: KubeObject | undefined): Promise<WebhookAnswer | undefined> {
  const name = String(hook.name ?? '')
  if (!(await webhookMatches(ctx, hook, { ...w, object }))) return undefined
  const conditions = conditionsHold(hook, w, object)
  if (conditions instanceof CelError) {
    if (hook.failurePolicy === 'Ignore') return undefined
    throw new ApiError('InternalError', `Internal error occurred: failed calling webhook ${JSON.stringify(name)}: failed to evaluate match condition: ${conditions.message}`, undefined, { cause: conditions })
  }
  if (!conditions) return undefined
  if (w.dryRun && hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') throw new ApiError('BadRequest', `admission webhook ${JSON.stringify(name)} does not support dry run`)
  let answer: WebhookAnswer
  try {
    answer = await callWebhook(ctx, hook, w, object)
  } catch (err) {
    if (!(err instanceof WebhookCallError)) throw err
    if (hook.failurePolicy === 'Ignore') {
      ctx.log(`admission: failed calling webhook ${JSON.stringify(name)}, failing open (failurePolicy Ignore): ${err.message}`)
      return undefined
    }
    throw new ApiError('InternalError', `Internal error occurred: failed calling webhook ${JSON.stringify(name)}: ${err.message}`, { causes: [{ message: err.message }] }, { cause: err })
  }
  w.warnings.push(...answer.warnings)
  if (!answer.allowed) throw denied(name, answer.status)
  return answer
}

/** matchConditions: all true calls the webhook, one false skips it, an error is returned for failurePolicy. */
function conditionsHold(hook: Json, w: WriteAttempt, object: KubeObject | undefined): boolean | CelError {
  const r = w.resource
  const request = {
    operation: w.operation,
    name: object?.metadata.name ?? w.name,
    namespace: w.namespace,
    kind: { group: r.group, version: r.version, kind: r.kind },
    resource: { group: r.group, version: r.version, resource: r.resource },
    subResource: w.subresource,
    userInfo: { username: w.user.username, groups: w.user.groups, ...(w.user.uid === undefined ? {} : { uid: w.user.uid }) },
    dryRun: w.dryRun,
  }
  const vars = { object: object ?? null, oldObject: w.oldObject ?? null, request }
  for (const c of objects(hook.matchConditions)) {
    try {
      if (!evaluateCondition(String(c.expression ?? ''), vars)) return false
    } catch (err) {
      if (err instanceof CelError) return new CelError(`${String(c.name ?? '')}: ${err.message}`)
      throw err
    }
  }
  return true
}

function denied(name: string, status: Json): ApiError {
  const message = typeof status.message === 'string' && status.message !== '' ? status.message : ''
  const text = message === '' ? `admission webhook ${JSON.stringify(name)} denied the request without explanation` : `admission webhook ${JSON.stringify(name)} denied the request: ${message}`
  const reason = typeof status.reason === 'string' && Object.hasOwn(httpStatusByReason, status.reason) ? status.reason : 'Forbidden'
  return new ApiError(reason as StatusReason, text)
}

function patched(name: string, object: KubeObject, patch: unknown[]): KubeObject {
  try {
    return applyJsonPatch(object, patch) as KubeObject
  } catch (err) {
    throw new ApiError('InternalError', `Internal error occurred: admission webhook ${JSON.stringify(name)} answered a patch that does not apply: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err })
  }
}

export function mutatingWebhooksHook(ctx: ApiContext, configs: WebhookConfigurations): WriteHook {
  return async (w) => {
    if (isAdmissionConfig(w) || w.resource.virtual === true) return undefined
    const hooks = await webhooksOf(configs.mutating)
    if (hooks.length === 0) return undefined
    let object = w.object
    // Index of the last webhook that changed the object; -1 when none did.
    let lastChange = -1
    const ranAt = new Map<Json, number>()
    const run = async (hook: Json, index: number): Promise<void> => {
      const answer = await invoke(ctx, hook, w, object)
      if (answer === undefined) return
      ranAt.set(hook, index)
      if (answer.patch === undefined || answer.patch.length === 0 || object === undefined) return
      const next = patched(String(hook.name ?? ''), object, answer.patch)
      if (JSON.stringify(next) !== JSON.stringify(object)) lastChange = index
      object = next
    }
    for (const [i, hook] of hooks.entries()) await run(hook, i)
    // Reinvocation: once, for IfNeeded webhooks that ran before a later webhook's change.
    const firstPassChange = lastChange
    for (const [i, hook] of hooks.entries()) {
      const at = ranAt.get(hook)
      if (hook.reinvocationPolicy === 'IfNeeded' && at !== undefined && at < firstPassChange) await run(hook, hooks.length + i)
    }
    return object
  }
}

export function validatingWebhooksHook(ctx: ApiContext, configs: WebhookConfigurations): WriteHook {
  return async (w) => {
    if (isAdmissionConfig(w) || w.resource.virtual === true) return undefined
    for (const hook of await webhooksOf(configs.validating)) await invoke(ctx, hook, w, w.object)
    return undefined
  }
}

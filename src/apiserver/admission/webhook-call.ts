// One call of an admission webhook: an AdmissionReview v1 POSTed over HTTPS to clientConfig.url
// (trusting clientConfig.caBundle), `?timeout=Ns` appended as kube does, the answer checked
// (apiVersion, kind, uid) before it is believed. Every failure is a WebhookCallError; the caller
// applies failurePolicy.
import { randomUUID } from 'node:crypto'
import { request } from 'node:https'
import type { KubeObject } from '../../codec/index.js'
import { StorageError } from '../../util/index.js'
import type { ApiContext, WriteAttempt } from '../handlers/context.js'
import { record, type Json } from './pod-resources.js'

/** The webhook could not be asked, or answered something unusable. */
export class WebhookCallError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InternalError', message, options)
  }
}

export interface WebhookAnswer {
  allowed: boolean
  status: Json
  patch: unknown[] | undefined
  warnings: string[]
}

export const webhookResponseBytesMax = 3 * 1024 * 1024

function review(w: WriteAttempt, uid: string, object: KubeObject | undefined): Json {
  const r = w.resource
  const gvr = { group: r.group, version: r.version, resource: r.resource }
  const gvk = { group: r.group, version: r.version, kind: r.kind }
  const options = w.operation === 'CREATE' ? 'CreateOptions' : w.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions'
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: gvk,
      resource: gvr,
      ...(w.subresource === '' ? {} : { subResource: w.subresource }),
      requestKind: gvk,
      requestResource: gvr,
      ...(w.subresource === '' ? {} : { requestSubResource: w.subresource }),
      name: object?.metadata.name ?? w.name,
      ...(w.namespace === '' ? {} : { namespace: w.namespace }),
      operation: w.operation,
      userInfo: { username: w.user.username, ...(w.user.uid === undefined ? {} : { uid: w.user.uid }), groups: w.user.groups, ...(w.user.extra === undefined ? {} : { extra: w.user.extra }) },
      object: object ?? null,
      oldObject: w.oldObject ?? null,
      dryRun: w.dryRun,
      options: { apiVersion: 'meta.k8s.io/v1', kind: options, ...(w.dryRun ? { dryRun: ['All'] } : {}) },
    },
  }
}

export async function callWebhook(ctx: ApiContext, hook: Json, w: WriteAttempt, object: KubeObject | undefined): Promise<WebhookAnswer> {
  const client = record(hook.clientConfig)
  const timeoutSeconds = typeof hook.timeoutSeconds === 'number' ? hook.timeoutSeconds : 10
  if (typeof client.url !== 'string') throw new WebhookCallError('failed to call webhook: clientConfig.service is not supported by etchlog (no cluster DNS): use clientConfig.url')
  const url = URL.canParse(client.url) ? new URL(client.url) : undefined
  if (url === undefined || url.protocol !== 'https:') throw new WebhookCallError(`failed to call webhook: clientConfig.url must be an https URL, got ${JSON.stringify(client.url)}`)
  url.searchParams.set('timeout', `${timeoutSeconds}s`)
  const ca = typeof client.caBundle === 'string' && client.caBundle !== '' ? Buffer.from(client.caBundle, 'base64').toString('utf8') : undefined
  const uid = randomUUID()
  const body = JSON.stringify(review(w, uid, object))
  const text = await post(ctx, url, ca, body, timeoutSeconds * 1000)
  return parseAnswer(text, uid)
}

function post(ctx: ApiContext, url: URL, ca: string | undefined, body: string, timeoutMs: number): Promise<string> {
  const where = `Post ${JSON.stringify(url.toString())}`
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, ...(ca === undefined ? {} : { ca }) }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (d: Buffer) => {
        size += d.length
        if (size > webhookResponseBytesMax) req.destroy(new WebhookCallError(`failed to call webhook: response larger than ${webhookResponseBytesMax} bytes`))
        else chunks.push(d)
      })
      res.on('end', () => {
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) > 299) reject(new WebhookCallError(`failed to call webhook: the server responded with the status code ${String(res.statusCode)}`))
        else resolve(Buffer.concat(chunks).toString('utf8'))
      })
      res.on('error', (err) => reject(new WebhookCallError(`failed to call webhook: ${where}: ${err.message}`, { cause: err })))
    })
    const timer = ctx.clock.setTimer(timeoutMs, () => req.destroy(new WebhookCallError(`failed to call webhook: ${where}: context deadline exceeded`)))
    req.on('close', () => timer.cancel())
    req.on('error', (err) => reject(err instanceof WebhookCallError ? err : new WebhookCallError(`failed to call webhook: ${where}: ${err.message}`, { cause: err })))
    req.end(body)
  })
}

function parseAnswer(text: string, uid: string): WebhookAnswer {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new WebhookCallError(`received invalid webhook response: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  const r = record(parsed)
  if (r.apiVersion !== 'admission.k8s.io/v1' || r.kind !== 'AdmissionReview') throw new WebhookCallError(`received invalid webhook response: expected admission.k8s.io/v1 AdmissionReview, got ${JSON.stringify(r.apiVersion ?? null)}, ${JSON.stringify(r.kind ?? null)}`)
  const response = record(r.response)
  if (response.uid !== uid) throw new WebhookCallError(`received invalid webhook response: expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}`)
  if (typeof response.allowed !== 'boolean') throw new WebhookCallError('received invalid webhook response: response.allowed is missing')
  let patch: unknown[] | undefined
  if (response.patch !== undefined && response.patch !== null) {
    if (response.patchType !== 'JSONPatch') throw new WebhookCallError(`received invalid webhook response: unsupported patch type ${JSON.stringify(response.patchType ?? '')}`)
    try {
      const ops: unknown = JSON.parse(Buffer.from(String(response.patch), 'base64').toString('utf8'))
      if (!Array.isArray(ops)) throw new Error('the patch is not a JSON array')
      patch = ops
    } catch (err) {
      throw new WebhookCallError(`received invalid webhook response: cannot decode the patch: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
  }
  const warnings = Array.isArray(response.warnings) ? response.warnings.filter((x): x is string => typeof x === 'string') : []
  return { allowed: response.allowed, status: record(response.status), patch, warnings }
}

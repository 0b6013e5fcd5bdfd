// POST, PUT, PATCH, DELETE and DELETE of a collection on the generic store. Admission and
// validation run through the context's write hooks, on every retry of an update loop.
import type { KubeObject } from '../../codec/index.js'
import type { Preconditions } from '../../objects/index.js'
import { ApiError, badRequest, notFound, successStatus } from '../api-error.js'
import { decodeObjectBody, parseJson, unsupported } from '../http/decode.js'
import { mediaType, readBody, sendJson } from '../http/io.js'
import { checkBody, prepareForUpdate } from '../registry/strategy.js'
import type { ResourceType } from '../resources/types.js'
import { dryRunOf, fieldValidationOf, runWriteHooks, type HandlerArgs, type WriteAttempt } from './context.js'
import { listQuery } from './read.js'

/** The manager name of a write: the fieldManager parameter, else derived from the user agent as Kubernetes does. */
export function managerOf(a: HandlerArgs): string {
  const m = a.info.query.get('fieldManager')
  if (m !== null && m !== '') {
    if (m.length > 128) throw badRequest('fieldManager: Too long: may not be longer than 128')
    return m
  }
  const agent = a.req.headers['user-agent'] ?? 'unknown'
  return agent.split('/')[0] ?? 'unknown'
}

function attempt(a: HandlerArgs, operation: WriteAttempt['operation'], object: KubeObject | undefined, oldObject: KubeObject | undefined, name: string): WriteAttempt {
  return { operation, resource: a.resource, subresource: a.info.subresource, namespace: a.info.namespace, name, object, oldObject, user: a.user, dryRun: dryRunOf(a.info.query), fieldValidation: fieldValidationOf(a.info.query), warnings: [] }
}

function warningHeaders(w: WriteAttempt): Record<string, string> {
  return w.warnings.length === 0 ? {} : { Warning: w.warnings.map((t) => `299 - ${JSON.stringify(t)}`).join(', ') }
}

/** NamespaceLifecycle: no new objects in a namespace that is missing or being deleted. */
export async function checkNamespace(a: HandlerArgs): Promise<void> {
  if (!a.resource.namespaced) return
  const nsType = a.ctx.catalog.lookup('', 'v1', 'namespaces')
  if (nsType === undefined) return
  const ns = await a.ctx.store.tryGet(nsType, '', a.info.namespace)
  if (ns === undefined) throw notFound(nsType, a.info.namespace)
  if (ns.metadata.deletionTimestamp !== undefined) {
    throw new ApiError('Forbidden', `${a.resource.resource} "${String(a.info.name || '')}" is forbidden: unable to create new content in namespace ${a.info.namespace} because it is being terminated`, { name: a.info.name, kind: a.resource.resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${a.info.namespace} is being terminated`, field: 'metadata.namespace' }] })
  }
}

export async function createObject(a: HandlerArgs): Promise<void> {
  const { ctx, resource } = a
  const body = decodeObjectBody(mediaType(a.req), await readBody(a.req))
  const input = checkBody(resource, body, a.info.namespace, undefined)
  await checkNamespace(a)
  const w = attempt(a, 'CREATE', input, undefined, input.metadata.name)
  const admitted = (await runWriteHooks(ctx, w)) ?? input
  const tracked = ctx.patch === undefined ? admitted : ctx.patch.track(undefined, admitted, { manager: managerOf(a), now: ctx.store.now(), subresource: '' })
  const created = await ctx.store.create(resource, tracked, { dryRun: w.dryRun })
  sendJson(a.res, 201, created, warningHeaders(w))
}

export async function replaceObject(a: HandlerArgs): Promise<void> {
  const { ctx, resource, info } = a
  const body = decodeObjectBody(mediaType(a.req), await readBody(a.req))
  const input = checkBody(resource, body, info.namespace, info.name)
  const w = attempt(a, 'UPDATE', input, undefined, info.name)
  const manager = managerOf(a)
  const updated = await ctx.store.update(resource, info.namespace, info.name, async (current) => {
    // System fields come from the stored object before admission and validation see it (Kubernetes' BeforeUpdate).
    const prepared = prepareForUpdate(resource, current, input, info.subresource)
    const admitted = (await runWriteHooks(ctx, { ...w, object: prepared, oldObject: current })) ?? prepared
    return ctx.patch === undefined ? admitted : ctx.patch.track(current, admitted, { manager, now: ctx.store.now(), subresource: info.subresource })
  }, { dryRun: w.dryRun, subresource: info.subresource })
  sendJson(a.res, 200, updated, warningHeaders(w))
}

export async function patchObject(a: HandlerArgs): Promise<void> {
  const { ctx, resource, info } = a
  const engine = ctx.patch
  const type = mediaType(a.req)
  if (engine === undefined || !engine.mediaTypes.includes(type)) throw unsupported(type, engine?.mediaTypes ?? [])
  if (type === 'application/strategic-merge-patch+json' && !resource.strategicMerge) throw unsupported(type, engine.mediaTypes.filter((t) => t !== type))
  const patch = await readBody(a.req)
  const manager = managerOf(a)
  const force = info.query.get('force') === 'true'
  const apply = type === 'application/apply-patch+yaml'
  if (apply && info.query.get('fieldManager') === null) throw new ApiError('Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch')
  const w = attempt(a, 'UPDATE', undefined, undefined, info.name)
  const now = ctx.store.now()
  const run = async (current: KubeObject): Promise<KubeObject> => {
    const patched = engine.apply(type, current, patch, { resource, manager, force, now, subresource: info.subresource })
    const input = prepareForUpdate(resource, current, checkBody(resource, patched, info.namespace, info.name), info.subresource)
    const admitted = (await runWriteHooks(ctx, { ...w, object: input, oldObject: current })) ?? input
    return apply ? admitted : engine.track(current, admitted, { manager, now, subresource: info.subresource })
  }
  const exists = apply ? (await ctx.store.tryGet(resource, info.namespace, info.name)) !== undefined : true
  if (!exists) {
    // Server-side apply of an absent object creates it (201).
    await checkNamespace(a)
    const patched = engine.apply(type, undefined, patch, { resource, manager, force, now, subresource: info.subresource })
    const input = checkBody(resource, patched, info.namespace, info.name)
    const admitted = (await runWriteHooks(ctx, { ...w, operation: 'CREATE', object: input })) ?? input
    sendJson(a.res, 201, await ctx.store.create(resource, admitted, { dryRun: w.dryRun }), warningHeaders(w))
    return
  }
  const updated = await ctx.store.update(resource, info.namespace, info.name, run, { dryRun: w.dryRun, subresource: info.subresource })
  sendJson(a.res, 200, updated, warningHeaders(w))
}

interface DeleteBody {
  propagationPolicy?: string
  gracePeriodSeconds?: number
  preconditions?: Preconditions
}

async function deleteOptions(a: HandlerArgs): Promise<DeleteBody> {
  const raw = await readBody(a.req)
  const out: DeleteBody = {}
  if (raw.length > 0) {
    const body = parseJson(raw)
    if (body === null || typeof body !== 'object') throw badRequest('DeleteOptions must be an object')
    const b = body as Record<string, unknown>
    if (b.propagationPolicy !== undefined) out.propagationPolicy = String(b.propagationPolicy)
    if (typeof b.gracePeriodSeconds === 'number') out.gracePeriodSeconds = b.gracePeriodSeconds
    const p = b.preconditions as Record<string, unknown> | undefined
    if (p !== undefined && p !== null) out.preconditions = { ...(typeof p.uid === 'string' ? { uid: p.uid } : {}), ...(typeof p.resourceVersion === 'string' ? { resourceVersion: p.resourceVersion } : {}) }
  }
  const q = a.info.query
  const policy = q.get('propagationPolicy')
  if (policy !== null) out.propagationPolicy = policy
  const grace = q.get('gracePeriodSeconds')
  if (grace !== null) out.gracePeriodSeconds = Number(grace)
  if (out.propagationPolicy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(out.propagationPolicy)) {
    throw new ApiError('Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${out.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`)
  }
  return out
}

export async function deleteObject(a: HandlerArgs): Promise<void> {
  const { ctx, resource, info } = a
  const o = await deleteOptions(a)
  const w = attempt(a, 'DELETE', undefined, undefined, info.name)
  if (ctx.writeHooks.length > 0) {
    const current = await ctx.store.get(resource, info.namespace, info.name)
    await runWriteHooks(ctx, { ...w, oldObject: current })
  }
  const outcome = await ctx.store.delete(resource, info.namespace, info.name, { dryRun: w.dryRun, ...o })
  // Kinds whose deletion lingers (finalizers) and pods answer with the object; the rest with a Status, as Kubernetes does.
  if (!outcome.gone || resource.resource === 'pods') sendJson(a.res, outcome.gone ? 200 : 202, outcome.object)
  else sendJson(a.res, 200, successStatus({ name: info.name, group: resource.group, kind: resource.resource, ...(outcome.object.metadata.uid === undefined ? {} : { uid: outcome.object.metadata.uid }) }))
}

export async function deleteCollection(a: HandlerArgs): Promise<void> {
  const { ctx, resource, info } = a
  const o = await deleteOptions(a)
  const q = listQuery(resource, info.query)
  const dryRun = dryRunOf(info.query)
  const list = await ctx.store.list(resource, info.namespace, { ...q, limit: undefined })
  const deleted: KubeObject[] = []
  for (const item of list.items) {
    try {
      const out = await ctx.store.delete(resource, item.metadata.namespace ?? '', item.metadata.name, { dryRun, ...o, preconditions: undefined })
      deleted.push(out.object)
    } catch (err) {
      // Another client deleted it first: what deletecollection wants happened anyway.
      if (err instanceof ApiError && err.code === 'NotFound') continue
      throw err
    }
  }
  sendJson(a.res, 200, { kind: resource.listKind, apiVersion: apiVersionOf(resource), metadata: { resourceVersion: ctx.store.currentResourceVersion() }, items: deleted })
}

function apiVersionOf(r: ResourceType): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`
}

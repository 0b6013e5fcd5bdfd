// Subresources other than status (which the generic update handles): scale as autoscaling/v1
// Scale, pods/log from the simulated containers, pods/binding for the scheduler, pods/eviction,
// and the streaming ones (exec, attach, port-forward) refused with a clear Status.
import type { KubeObject } from '../../codec/index.js'
import { ApiError, badRequest, successStatus } from '../api-error.js'
import { at } from '../resources/columns.js'
import { decodeObjectBody, parseJson } from '../http/decode.js'
import { mediaType, readBody, sendJson } from '../http/io.js'
import { queryInt, dryRunOf, type HandlerArgs } from './context.js'

function scaleOf(a: HandlerArgs, o: KubeObject): Record<string, unknown> {
  const paths = a.resource.scale
  if (paths === undefined) throw new ApiError('NotFound', `the server could not find the requested resource`)
  const replicas = at(o, paths.specReplicas)
  const status: Record<string, unknown> = { replicas: Number(at(o, paths.statusReplicas) ?? 0) }
  const selector = paths.labelSelector === undefined ? undefined : at(o, paths.labelSelector)
  const matchLabels = at(o, 'spec.selector.matchLabels') ?? at(o, 'spec.selector')
  if (typeof selector === 'string') status.selector = selector
  else if (matchLabels !== null && typeof matchLabels === 'object') status.selector = Object.entries(matchLabels as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(',')
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: typeof replicas === 'number' ? replicas : 1 },
    status,
  }
}

function setPath(o: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.')
  if (head === undefined) return o
  if (rest.length === 0) return { ...o, [head]: value }
  const inner = o[head]
  return { ...o, [head]: setPath(inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : {}, rest.join('.'), value) }
}

export async function scale(a: HandlerArgs): Promise<void> {
  const { ctx, info, resource } = a
  if (info.verb === 'get') {
    sendJson(a.res, 200, scaleOf(a, await ctx.store.get(resource, info.namespace, info.name)))
    return
  }
  const raw = await readBody(a.req)
  const paths = resource.scale
  if (paths === undefined) throw new ApiError('NotFound', 'the server could not find the requested resource')
  const updated = await ctx.store.update(resource, info.namespace, info.name, (current) => {
    const before = scaleOf(a, current)
    let after: unknown
    if (info.verb === 'patch') {
      const engine = ctx.patch
      const type = mediaType(a.req)
      if (engine === undefined) throw badRequest('patching is not available')
      after = engine.apply(type === 'application/strategic-merge-patch+json' ? 'application/merge-patch+json' : type, before as unknown as KubeObject, raw, { resource, manager: 'scale', force: true, now: ctx.store.now(), subresource: 'scale' })
    } else {
      after = decodeObjectBody(mediaType(a.req), raw)
    }
    const wanted = at(after, 'spec.replicas')
    if (typeof wanted !== 'number' || !Number.isSafeInteger(wanted) || wanted < 0) {
      throw new ApiError('Invalid', `Scale.autoscaling "${info.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(wanted)}: must be greater than or equal to 0`, { name: info.name, kind: 'Scale', group: 'autoscaling', causes: [{ reason: 'FieldValueInvalid', message: 'must be greater than or equal to 0', field: 'spec.replicas' }] })
    }
    const rv = at(after, 'metadata.resourceVersion')
    const next = setPath(current, paths.specReplicas, wanted) as KubeObject
    return { ...next, metadata: { ...next.metadata, ...(typeof rv === 'string' && rv !== '' ? { resourceVersion: rv } : {}) } }
  }, { dryRun: dryRunOf(info.query) })
  sendJson(a.res, 200, scaleOf(a, updated))
}

/** pods/binding: the scheduler's way to set spec.nodeName, once. */
export async function binding(a: HandlerArgs): Promise<void> {
  const { ctx, info, resource } = a
  const body = parseJson(await readBody(a.req))
  const node = at(body, 'target.name')
  if (typeof node !== 'string' || node === '') throw badRequest('binding target.name is required')
  await ctx.store.update(resource, info.namespace, info.name, (pod) => {
    const current = at(pod, 'spec.nodeName')
    if (typeof current === 'string' && current !== '') throw new ApiError('Conflict', `Operation cannot be fulfilled on pods/binding "${info.name}": pod ${info.name} is already assigned to node "${current}"`, { name: info.name, kind: 'pods/binding' })
    return { ...pod, spec: { ...(pod.spec as object), nodeName: node } }
  })
  sendJson(a.res, 201, successStatus({ name: info.name, kind: 'pods/binding' }))
}

/** pods/eviction: deletes the pod (no PodDisruptionBudgets are consulted). */
export async function eviction(a: HandlerArgs): Promise<void> {
  const { ctx, info, resource } = a
  await readBody(a.req)
  await ctx.store.delete(resource, info.namespace, info.name, { dryRun: dryRunOf(info.query) })
  sendJson(a.res, 201, successStatus({ name: info.name, kind: 'pods/eviction' }))
}

export async function podLog(a: HandlerArgs): Promise<void> {
  const { ctx, info, resource, res } = a
  const pod = await ctx.store.get(resource, info.namespace, info.name)
  const containers = ((at(pod, 'spec.containers') as unknown[] | undefined) ?? []).map((c) => String(at(c, 'name') ?? ''))
  const container = info.query.get('container') ?? containers[0] ?? ''
  if (containers.length > 1 && info.query.get('container') === null) {
    throw badRequest(`a container name must be specified for pod ${info.name}, choose one of: [${containers.join(' ')}]`)
  }
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${info.name}`)
  const logs = ctx.logs
  if (logs === undefined || at(pod, 'spec.nodeName') === undefined) {
    throw badRequest(`container "${container}" in pod "${info.name}" is waiting to start: ContainerCreating`)
  }
  const follow = info.query.get('follow') === 'true'
  const tailLines = queryInt(info.query, 'tailLines')
  const abort = new AbortController()
  res.on('close', () => abort.abort())
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' })
  res.flushHeaders()
  try {
    await logs.read(info.namespace, info.name, container, { follow, timestamps: info.query.get('timestamps') === 'true', signal: abort.signal, ...(tailLines === undefined ? {} : { tailLines }) }, (text) => {
      if (!res.writableEnded) res.write(text)
    })
  } finally {
    if (!res.writableEnded) res.end()
  }
}

export function noContainers(a: HandlerArgs): never {
  throw new ApiError('BadRequest', `${a.info.subresource} is not available for pod "${a.info.name}": etchlog's simulated nodes run no containers, so there is no process to ${a.info.subresource === 'portforward' ? 'forward ports to' : 'attach to'}`)
}

/** namespaces/NAME/finalize: replaces spec.finalizers (the namespace controller's last step). */
export async function finalizeNamespace(a: HandlerArgs): Promise<void> {
  const { ctx, info, resource } = a
  const body = parseJson(await readBody(a.req))
  const finalizers = at(body, 'spec.finalizers')
  const updated = await ctx.store.update(resource, '', info.name, (ns) => ({ ...ns, spec: { ...(ns.spec as object), finalizers: Array.isArray(finalizers) ? finalizers : [] } }))
  const remaining = (at(updated, 'spec.finalizers') as unknown[] | undefined) ?? []
  if (updated.metadata.deletionTimestamp !== undefined && remaining.length === 0 && (updated.metadata.finalizers ?? []).length === 0) {
    const out = await ctx.store.delete(resource, '', info.name).catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'NotFound') return undefined
      throw err
    })
    sendJson(a.res, 200, out?.object ?? updated)
    return
  }
  sendJson(a.res, 200, updated)
}

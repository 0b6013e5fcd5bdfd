// GET of one object and of lists (one namespace or all), as JSON or as a Table.
import type { KubeObject } from '../../codec/index.js'
import { badRequest } from '../api-error.js'
import { sendJson } from '../http/io.js'
import type { ListQuery } from '../registry/generic-store.js'
import { groupVersion, type ResourceType } from '../resources/types.js'
import { tableVersion, toTable, wantsTable, type IncludeObject } from '../table.js'
import { queryInt, type HandlerArgs } from './context.js'

export async function getObject(a: HandlerArgs): Promise<void> {
  const { ctx, info, resource } = a
  const rv = info.query.get('resourceVersion') ?? undefined
  const object = await ctx.store.get(resource, info.namespace, info.name, rv === '' ? undefined : rv)
  respondObjects(a, [object], undefined)
}

export async function listObjects(a: HandlerArgs): Promise<void> {
  const { ctx, info, resource } = a
  const q = listQuery(resource, info.query)
  const result = await ctx.store.list(resource, info.namespace, q)
  respondObjects(a, result.items, { resourceVersion: result.resourceVersion, ...(result.continue === undefined ? {} : { continue: result.continue }), ...(result.remainingItemCount === undefined ? {} : { remainingItemCount: result.remainingItemCount }) })
}

interface ListMeta {
  resourceVersion: string
  continue?: string
  remainingItemCount?: number
}

/** One object (list undefined) or a list, in the representation the client asked for. */
function respondObjects(a: HandlerArgs, items: readonly KubeObject[], list: ListMeta | undefined): void {
  const accept = a.req.headers.accept
  if (wantsTable(accept)) {
    const include = includeObjectOf(a.info.query)
    const table = toTable(a.resource, items, { include, nowMs: a.ctx.clock.now(), apiVersion: tableVersion(accept), resourceVersion: list?.resourceVersion ?? items[0]?.metadata.resourceVersion ?? '', ...(list?.continue === undefined ? {} : { continue: list.continue }), ...(list?.remainingItemCount === undefined ? {} : { remainingItemCount: list.remainingItemCount }) })
    sendJson(a.res, 200, table)
    return
  }
  if (list === undefined) {
    sendJson(a.res, 200, items[0])
    return
  }
  sendJson(a.res, 200, { kind: a.resource.listKind, apiVersion: groupVersion(a.resource), metadata: list, items })
}

export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject') ?? 'Metadata'
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v
  throw badRequest(`includeObject must be one of None, Metadata or Object, got ${JSON.stringify(v)}`)
}

/** List and watch parameters, checked: field selectors name only fields this kind supports. */
export function listQuery(r: ResourceType, q: URLSearchParams): ListQuery {
  const fieldSelector = q.get('fieldSelector') ?? ''
  checkFieldSelector(r, fieldSelector)
  const match = q.get('resourceVersionMatch') ?? ''
  if (match !== '' && match !== 'NotOlderThan' && match !== 'Exact') throw badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`)
  const limit = queryInt(q, 'limit')
  const out: ListQuery = {}
  const rv = q.get('resourceVersion')
  if (rv !== null && rv !== '') out.resourceVersion = rv
  if (match !== '') out.resourceVersionMatch = match as 'NotOlderThan' | 'Exact'
  if (limit !== undefined && limit > 0) out.limit = limit
  const cont = q.get('continue')
  if (cont !== null && cont !== '') out.continue = cont
  const labels = q.get('labelSelector')
  if (labels !== null && labels !== '') out.labelSelector = labels
  if (fieldSelector !== '') out.fieldSelector = fieldSelector
  return out
}

export function checkFieldSelector(r: ResourceType, selector: string): void {
  if (selector === '') return
  for (const term of selector.split(/(?<!\\),/)) {
    const field = term.split(/!=|==|=/)[0]?.trim() ?? ''
    if (field === 'metadata.name' || field === 'metadata.namespace' || r.fieldSelectors.includes(field)) continue
    throw badRequest(`field label not supported: ${field}`)
  }
}

// meta.k8s.io/v1 Table responses for `kubectl get`: default columns per kind, one row per object,
// each row carrying the object's metadata (or the whole object with includeObject=Object) so
// kubectl can print NAMESPACE, --show-labels and -L columns.
import type { KubeObject } from '../codec/index.js'
import type { ResourceType } from './resources/types.js'

export type IncludeObject = 'None' | 'Metadata' | 'Object'

/** True when the Accept header asks for a Table first (kubectl get does, with JSON as fallback). */
export function wantsTable(accept: string | undefined): boolean {
  if (accept === undefined) return false
  const first = accept.split(',')[0] ?? ''
  return /(^|;)\s*as=Table/.test(first) && /g=meta\.k8s\.io/.test(first)
}

export function tableVersion(accept: string | undefined): string {
  return /v=v1beta1/.test((accept ?? '').split(',')[0] ?? '') ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1'
}

export interface TableOptions {
  include: IncludeObject
  nowMs: number
  apiVersion: string
  resourceVersion: string
  continue?: string
  remainingItemCount?: number
  /** Watch events carry one-row tables; the columns are sent with each so any event can be printed alone. */
  columns?: boolean
}

export function toTable(r: ResourceType, objects: readonly KubeObject[], o: TableOptions): Record<string, unknown> {
  const columnDefinitions = [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. It is required when creating resources.', priority: 0 },
    ...r.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority })),
  ]
  const rows = objects.map((object) => {
    const cells: unknown[] = [object.metadata.name]
    for (const c of r.columns) cells.push(safeCell(() => c.cell(object, o.nowMs)))
    const row: Record<string, unknown> = { cells }
    if (o.include === 'Object') row.object = object
    else if (o.include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata }
    return row
  })
  const metadata: Record<string, unknown> = { resourceVersion: o.resourceVersion }
  if (o.continue !== undefined) metadata.continue = o.continue
  if (o.remainingItemCount !== undefined) metadata.remainingItemCount = o.remainingItemCount
  return { kind: 'Table', apiVersion: o.apiVersion, metadata, columnDefinitions: o.columns === false ? [] : columnDefinitions, rows }
}

// A column's function reads user data of any shape; a surprise prints as <unknown> rather than failing the whole list.
function safeCell(cell: () => unknown): unknown {
  try {
    return cell()
  } catch (err) {
    if (err instanceof TypeError) return '<unknown>'
    throw err
  }
}

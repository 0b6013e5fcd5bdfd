// metadata.managedFields: one entry per (manager, operation, subresource), each with the set of
// fields that manager owns. Read into field sets, written back sorted as the real server sorts
// them (operation, time, manager, apiVersion, subresource).
import { isObject, type JsonObject } from './json-value.js'
import { fromFieldsV1, toFieldsV1, type FieldSet } from './field-set.js'

export interface ManagedFieldsEntry {
  manager: string
  operation: 'Apply' | 'Update'
  apiVersion: string
  time: string
  fieldsType: 'FieldsV1'
  fieldsV1: Record<string, unknown>
  subresource?: string
}

/** A decoded entry: its identity and its field set. */
export interface Owner {
  readonly manager: string
  readonly operation: 'Apply' | 'Update'
  readonly subresource: string
  apiVersion: string
  time: string
  set: FieldSet
}

export function ownerId(o: { manager: string; operation: string; subresource?: string | undefined }): string {
  return JSON.stringify([o.manager, o.operation, o.subresource ?? ''])
}

/** The owners recorded in an object's metadata.managedFields (entries that cannot be read own nothing). */
export function readOwners(obj: JsonObject | undefined): Map<string, Owner> {
  const owners = new Map<string, Owner>()
  const meta = obj?.metadata
  const entries = isObject(meta) ? meta.managedFields : undefined
  if (!Array.isArray(entries)) return owners
  for (const e of entries) {
    if (!isObject(e) || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) continue
    const owner: Owner = {
      manager: e.manager,
      operation: e.operation,
      subresource: typeof e.subresource === 'string' ? e.subresource : '',
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      time: typeof e.time === 'string' ? e.time : '',
      set: fromFieldsV1(e.fieldsV1),
    }
    const id = ownerId(owner)
    const before = owners.get(id)
    if (before !== undefined) for (const [k, p] of owner.set) before.set.set(k, p)
    else owners.set(id, owner)
  }
  return owners
}

/** The managedFields list for the owners, empty sets dropped, sorted like the real server. */
export function writeOwners(owners: Iterable<Owner>): ManagedFieldsEntry[] {
  const list = [...owners].filter((o) => o.set.size > 0)
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) || cmp(p.time, q.time) || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource, q.subresource),
  )
  return list.map((o) => ({
    manager: o.manager,
    operation: o.operation,
    apiVersion: o.apiVersion,
    time: o.time,
    fieldsType: 'FieldsV1' as const,
    fieldsV1: toFieldsV1(o.set),
    ...(o.subresource === '' ? {} : { subresource: o.subresource }),
  }))
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** obj with metadata.managedFields set to entries (removed when there are none). */
export function withManagedFields<T extends JsonObject>(obj: T, entries: ManagedFieldsEntry[]): T {
  const metadata: JsonObject = isObject(obj.metadata) ? { ...obj.metadata } : {}
  if (entries.length === 0) delete metadata.managedFields
  else metadata.managedFields = entries
  return { ...obj, metadata }
}

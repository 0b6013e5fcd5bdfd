// The list half of strategic merge patch: merge lists of objects by merge key (with the
// `$patch: delete` / `$patch: replace` items), merge lists of primitives as sets (or delete from
// them, for $deleteFromPrimitiveList), replace every other list. Ordering in list-order.ts.
import { deepEqual, describe, isObject, type JsonObject } from './json-value.js'
import type { FieldMeta, PatchSchema } from './patch-schema.js'
import { PatchError } from './patch-error.js'
import { indexIn, normalizeOrder, partitionByPresence } from './list-order.js'

/** The map merge of strategic-merge.ts, passed in so the two halves do not import each other. */
export type MergeMap = (original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined) => JsonObject

export interface ListMerge {
  readonly meta: FieldMeta | undefined
  /** The schema of each item. */
  readonly schema: PatchSchema | undefined
  /** The patch list came as $deleteFromPrimitiveList/<field>. */
  readonly deleting: boolean
  readonly mergeMap: MergeMap
  /** A $setElementOrder list for this field, if the patch gave one. */
  readonly order?: readonly unknown[]
}

/** Merges the patch list into the live one (both owned by the caller). */
export function mergeList(live: unknown[], patch: unknown[], o: ListMerge): unknown[] {
  const key = o.meta?.key
  if (o.meta?.strategy !== 'merge') {
    const replaced = patch.map((item) => (isObject(item) ? o.mergeMap({}, item, o.schema) : item))
    return o.order === undefined ? replaced : normalizeOrder(...partitionByPresence(replaced, o.order, key), o.order, live, key)
  }
  if (live.length === 0 && patch.length === 0) return live
  const shape = elementShape(live, patch)
  const serverOrder = [...live]
  let merged: unknown[]
  let named: unknown[]
  if (shape !== 'object') {
    if (o.deleting) return live.filter((item) => indexIn(patch, item, undefined) < 0)
    merged = dedupe([...live, ...patch])
    named = patch
  } else {
    if (key === undefined) throw new PatchError('Invalid', 'cannot merge lists without merge key for a list of objects')
    const { rest, base } = applySpecialItems(live, patch, key, o)
    merged = base
    for (const item of rest) {
      const at = merged.findIndex((x) => isObject(x) && deepEqual(x[key], item[key]))
      const current = merged[at]
      if (at >= 0 && isObject(current)) merged[at] = o.mergeMap(current, item, o.schema)
      else merged.push(o.mergeMap({}, item, o.schema))
    }
    named = rest
  }
  const order = o.order ?? named
  const [patchItems, serverOnly] = partitionByPresence(merged, order, shape === 'object' ? key : undefined)
  return normalizeOrder(patchItems, serverOnly, order, serverOrder, shape === 'object' ? key : undefined)
}

/** Handles the `{"$patch": ...}` items of a merge list: delete removes the live items with that
 *  key, replace makes the other patch items the whole list. Returns the plain items left. */
function applySpecialItems(live: unknown[], patch: unknown[], key: string, o: ListMerge): { rest: JsonObject[]; base: unknown[] } {
  const rest: JsonObject[] = []
  let base = live
  let replace = false
  for (const item of patch) {
    if (!isObject(item)) throw new PatchError('Invalid', `list element types are not identical: ${describe(patch)}`)
    if (!Object.hasOwn(item, '$patch')) {
      if (!Object.hasOwn(item, key)) throw new PatchError('Invalid', `map: ${describe(item)} does not contain declared merge key: ${key}`)
      rest.push(item)
      continue
    }
    const kind = item['$patch']
    if (kind === 'delete') {
      if (!Object.hasOwn(item, key)) throw new PatchError('Invalid', `map: ${describe(item)} does not contain declared merge key: ${key}`)
      base = base.filter((x) => !(isObject(x) && deepEqual(x[key], item[key])))
    } else if (kind === 'replace') replace = true
    else if (kind === 'merge') throw new PatchError('BadRequest', 'merging lists cannot yet be specified in the patch')
    else throw new PatchError('BadRequest', `unknown patch type: ${String(kind)} in map: ${describe(item)}`)
  }
  if (replace) return { rest: [], base: rest.map((item) => o.mergeMap({}, item, o.schema)) }
  return { rest, base }
}

function elementShape(live: unknown[], patch: unknown[]): 'object' | 'scalar' {
  let shape: 'object' | 'scalar' | undefined
  for (const item of [...live, ...patch]) {
    if (Array.isArray(item)) throw new PatchError('Invalid', 'lists of lists are not supported')
    const s = isObject(item) ? 'object' : 'scalar'
    if (shape !== undefined && s !== shape) throw new PatchError('Invalid', `list element types are not identical: ${describe([live, patch])}`)
    shape = s
  }
  return shape ?? 'scalar'
}

function dedupe(items: unknown[]): unknown[] {
  const out: unknown[] = []
  for (const item of items) if (indexIn(out, item, undefined) < 0) out.push(item)
  return out
}

// Strategic merge patch as kube-apiserver applies it (apimachinery pkg/util/strategicpatch,
// mergeMap with MergeParallelList and IgnoreUnmatchedNulls): maps merge key by key, null deletes,
// lists with patch strategy "merge" merge by their merge key (or as sets of primitives), other
// lists are replaced; directives $patch, $retainKeys, $setElementOrder/<f> and
// $deleteFromPrimitiveList/<f> are honoured and never reach the result.
import { deepClone, describe, isObject, type JsonObject } from './json-value.js'
import { childSchema, fieldMeta, type FieldMeta, type PatchSchema } from './patch-schema.js'
import { PatchError } from './patch-error.js'
import { mergeList, type MergeMap } from './strategic-list.js'

const directive = '$patch'
const retainKeys = '$retainKeys'
const setOrderPrefix = '$setElementOrder/'
const deletePrefix = '$deleteFromPrimitiveList/'

/** Applies a strategic merge patch to a copy of doc, with the kind's patch schema. */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: PatchSchema): unknown {
  if (!isObject(patch)) throw new PatchError('BadRequest', `strategic merge patch: the patch must be a JSON object, got ${describe(patch)}`)
  const original = isObject(doc) ? deepClone(doc) : {}
  return mergeMap(original, deepClone(patch), schema)
}

/** Merges patch into original, both owned by the caller (mutated). */
const mergeMap: MergeMap = (original, patch, schema) => {
  if (Object.hasOwn(patch, directive)) {
    const kind = patch[directive]
    delete patch[directive]
    if (kind === 'replace') return mergeMap({}, patch, schema)
    if (kind === 'delete') return {}
    if (kind !== 'merge') throw new PatchError('BadRequest', `unknown patch type: ${String(kind)} in map: ${describe(patch)}`)
  }
  applyRetainKeys(original, patch)
  applySetElementOrder(original, patch, schema)
  for (const [patchKey, value] of Object.entries(patch)) {
    const deleting = patchKey.startsWith(deletePrefix)
    const key = deleting ? patchKey.slice(deletePrefix.length) : patchKey
    if (value === null) {
      delete original[key]
      continue
    }
    const meta = fieldMeta(schema, key)
    const sub = childSchema(schema, key)
    const live = original[key]
    if (!Object.hasOwn(original, key) || shapeOf(live) !== shapeOf(value)) {
      // A new value (or one of another shape) is taken whole, but its own directives and
      // unmatched nulls still have to go: merge it into an empty value of its shape.
      if (!deleting) original[key] = mergeFresh(value, sub, meta)
      continue
    }
    if (isObject(live) && isObject(value)) {
      original[key] = meta?.strategy === 'replace' ? mergeMap({}, value, sub) : mergeMap(live, value, sub)
    } else if (Array.isArray(live) && Array.isArray(value)) {
      original[key] = mergeList(live, value, { meta, schema: sub, deleting, mergeMap })
    } else {
      original[key] = value
    }
  }
  return original
}

function shapeOf(value: unknown): 'object' | 'list' | 'scalar' {
  return Array.isArray(value) ? 'list' : isObject(value) ? 'object' : 'scalar'
}

function mergeFresh(value: unknown, schema: PatchSchema | undefined, meta: FieldMeta | undefined): unknown {
  if (isObject(value)) return mergeMap({}, value, schema)
  if (Array.isArray(value)) return mergeList([], value, { meta, schema, deleting: false, mergeMap })
  return value
}

/** $retainKeys: keys of the live map missing from the list are cleared before merging. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, retainKeys)) return
  const list = patch[retainKeys]
  delete patch[retainKeys]
  if (!Array.isArray(list)) throw new PatchError('BadRequest', 'invalid patch format of retainKeys')
  const keep = new Set(list.map(String))
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deletePrefix) || k.startsWith(setOrderPrefix)) continue
    if (!keep.has(k)) throw new PatchError('Invalid', "patch content doesn't match retainKeys list")
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k]
}

/** $setElementOrder/<field>: merges the field's list now and orders the result by the directive
 *  (items it names in its order, server-only items interleaved by their live positions). */
function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: PatchSchema | undefined): void {
  for (const [patchKey, order] of Object.entries(patch)) {
    if (!patchKey.startsWith(setOrderPrefix)) continue
    delete patch[patchKey]
    if (!Array.isArray(order)) throw new PatchError('BadRequest', 'invalid patch format of setElementOrder list')
    const key = patchKey.slice(setOrderPrefix.length)
    const live = original[key]
    const given = patch[key]
    if (live !== undefined && !Array.isArray(live)) continue // another shape: the plain merge decides
    if (given !== undefined && given !== null && !Array.isArray(given)) throw new PatchError('BadRequest', 'invalid patch format of setElementOrder list')
    if (live === undefined && (given === undefined || given === null)) continue
    delete patch[key]
    if (given === null) {
      delete original[key]
      continue
    }
    const meta = fieldMeta(schema, key)
    // An order for a list our table does not merge (a newer client knows more merge lists):
    // the list, if the patch has one, replaces the live one; the order alone changes nothing.
    if (meta?.strategy !== 'merge' && given === undefined) continue
    original[key] = mergeList(live ?? [], given ?? [], { meta, schema: childSchema(schema, key), deleting: false, mergeMap, order })
  }
}

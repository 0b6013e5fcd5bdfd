// RFC 7386 JSON merge patch: objects merge key by key, null deletes a key, anything else
// (lists included) replaces. createMergePatch is the inverse, used by tests and by callers that
// want to show a change as a patch.
import { deepClone, deepEqual, describe, isObject, type JsonObject } from './json-value.js'
import { PatchError } from './patch-error.js'

/** Applies a merge patch to a copy of doc. The server only accepts an object as the patch of an
 *  object (a bare value would replace the whole resource), so anything else is a 400. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObject(patch)) throw new PatchError('BadRequest', `merge patch: the patch must be a JSON object, got ${describe(patch)}`)
  return mergeValue(doc, patch)
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return deepClone(patch)
  const result: JsonObject = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergeValue(result[key], value)
  }
  return result
}

/** The merge patch that turns object a into object b (applyMergePatch(a, createMergePatch(a, b))
 *  deep-equals b, provided b holds no null values: RFC 7386 cannot set a null). */
export function createMergePatch(a: JsonObject, b: JsonObject): JsonObject {
  const patch: JsonObject = {}
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) patch[key] = null
  for (const [key, value] of Object.entries(b)) {
    const before = a[key]
    if (Object.hasOwn(a, key) && deepEqual(before, value)) continue
    patch[key] = isObject(before) && isObject(value) ? createMergePatch(before, value) : deepClone(value)
  }
  return patch
}

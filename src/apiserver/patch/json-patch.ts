// RFC 6902 JSON patch, applied with fast-json-patch (a maintained, spec-complete implementation),
// with its errors turned into the messages the real API server (evanphx/json-patch) gives, e.g.
// `replace operation does not apply: doc is missing key: /data/zz`.
import jsonPatch from 'fast-json-patch'
import type { Operation } from 'fast-json-patch'
import { isObject, describe } from './json-value.js'
import { PatchError } from './patch-error.js'

const ops = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test'])
/** kube-apiserver's limit on the operations of one JSON patch. */
export const jsonPatchOperationsMax = 10000

/** Applies an RFC 6902 patch to a copy of doc. A malformed patch is a 400, an operation that
 *  does not apply to this document a 422 (as kube-apiserver answers). */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const operations = checkOperations(patch)
  try {
    return jsonPatch.applyPatch(doc, operations, true, false, true).newDocument
  } catch (err) {
    if (err instanceof jsonPatch.JsonPatchError) throw translate(err, operations)
    throw err
  }
}

function checkOperations(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw new PatchError('BadRequest', `json patch: the patch must be a JSON array of operations, got ${describe(patch)}`)
  if (patch.length > jsonPatchOperationsMax) {
    throw new PatchError('RequestEntityTooLarge', `The allowed maximum operations in a JSON patch is ${jsonPatchOperationsMax}, got ${patch.length}`)
  }
  for (const op of patch) {
    if (!isObject(op)) throw new PatchError('BadRequest', `json patch: an operation must be an object, got ${describe(op)}`)
    if (typeof op.op !== 'string' || !ops.has(op.op)) throw new PatchError('BadRequest', `Unexpected kind: ${String(op.op)}`)
    if (typeof op.path !== 'string') throw new PatchError('BadRequest', `json patch: operation ${describe(op)} has no string path`)
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') {
      throw new PatchError('BadRequest', `json patch: ${op.op} operation ${describe(op)} has no string from`)
    }
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !Object.hasOwn(op, 'value')) {
      throw new PatchError('BadRequest', `json patch: ${op.op} operation ${describe(op)} has no value`)
    }
  }
  return patch as Operation[] // each element checked above
}

function translate(err: InstanceType<typeof jsonPatch.JsonPatchError>, operations: Operation[]): PatchError {
  const op = err.operation ?? (err.index === undefined ? undefined : operations[err.index])
  const kind = op?.op ?? 'unknown'
  const path = op?.path ?? ''
  const from = op !== undefined && 'from' in op ? op.from : ''
  const message = ((): string => {
    switch (err.name) {
      case 'TEST_OPERATION_FAILED':
        return `testing value ${path} failed: test failed`
      case 'OPERATION_FROM_UNRESOLVABLE':
        return `${kind} operation does not apply: doc is missing from path: ${from}`
      case 'OPERATION_PATH_UNRESOLVABLE':
        return kind === 'replace' || kind === 'remove'
          ? `${kind} operation does not apply: doc is missing key: ${path}`
          : `${kind} operation does not apply: doc is missing path: "${path}"`
      case 'OPERATION_PATH_CANNOT_ADD':
        return `add operation does not apply: doc is missing path: "${path}"`
      case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
        return `${kind} operation does not apply: index out of bounds: ${path}`
      default:
        return `${kind} operation does not apply: ${err.message}: ${path}`
    }
  })()
  return new PatchError('Invalid', message, { cause: err })
}

// The body of an application/apply-patch+yaml request: YAML (kubectl sends JSON, which is YAML
// too). One document holding one object with apiVersion and kind; anything else is a 400.
import { parse } from 'yaml'
import { describe, isObject } from './json-value.js'
import { PatchError } from './patch-error.js'
import type { KubeObject } from './server-side-apply.js'

export function parseApplyPatch(body: string): KubeObject {
  let value: unknown
  try {
    value = parse(body, { uniqueKeys: true, version: '1.2' })
  } catch (err) {
    throw new PatchError('BadRequest', `error decoding YAML: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  if (!isObject(value)) throw new PatchError('BadRequest', `apply patch: the body must be an object, got ${describe(value)}`)
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') throw new PatchError('BadRequest', 'apply patch: Object \'apiVersion\' is missing')
  if (typeof value.kind !== 'string' || value.kind === '') throw new PatchError('BadRequest', 'apply patch: Object \'Kind\' is missing')
  return value as KubeObject // apiVersion and kind checked above
}

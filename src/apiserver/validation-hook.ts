// Validation as the last write hook (after admission): defaulting, metadata rules, the kind's
// OpenAPI schema (built-in or from its CRD) with fieldValidation Strict/Warn/Ignore, and the
// immutable-field rules of updates. 400 for strict decoding errors, 422 with causes otherwise.
import type { KubeObject } from '../codec/index.js'
import { ApiError } from './api-error.js'
import type { WriteHook } from './handlers/context.js'
import { groupVersion } from './resources/types.js'
import { defaultObject, invalidMessage, qualifiedKind, validateObjectMeta, validateUpdate, type SchemaValidator, type StatusCause } from './validation/index.js'

export function validationHook(validator: SchemaValidator): WriteHook {
  return (w) => {
    const object = w.object
    if (object === undefined || w.resource.virtual === true) return undefined
    const r = w.resource
    const apiVersion = groupVersion(r)
    const defaulted = defaultObject(apiVersion, r.kind, object as unknown as Record<string, unknown>) as unknown as KubeObject
    const causes: StatusCause[] = []
    const meta = { ...defaulted.metadata }
    // generateName is resolved by the store; validate the name it will have the shape of.
    if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string') meta.name = `${meta.generateName}xxxxx`
    causes.push(...validateObjectMeta(meta, r.namespaced, { nameRule: r.group === 'rbac.authorization.k8s.io' ? 'path' : r.resource === 'namespaces' || r.resource === 'services' ? 'dns1123label' : 'dns1123subdomain' }))
    const checked = validator.validate(apiVersion, r.kind, defaulted, w.fieldValidation)
    if (checked.strictError !== undefined) throw new ApiError('BadRequest', checked.strictError)
    w.warnings.push(...checked.warnings)
    causes.push(...checked.causes)
    if (w.operation === 'UPDATE' && w.oldObject !== undefined && w.subresource === '') {
      causes.push(...validateUpdate(apiVersion, r.kind, w.oldObject as unknown as Record<string, unknown>, defaulted as unknown as Record<string, unknown>))
    }
    if (causes.length > 0) {
      const name = String(defaulted.metadata.name ?? '')
      throw new ApiError('Invalid', invalidMessage(r.group, r.kind, name, causes), { name, group: r.group, kind: r.kind, causes })
    }
    return (w.fieldValidation === 'Strict' ? defaulted : (checked.object as KubeObject)) ?? defaulted
  }
}

export { qualifiedKind }

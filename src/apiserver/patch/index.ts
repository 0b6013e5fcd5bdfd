// The patch engines of the API server: pure functions, no I/O. The HTTP handlers pick the engine
// with patchTypeOf(Content-Type) and map PatchError / ApplyConflictError codes to a Status.
export { patchTypeOf, patchTypes, mediaTypeOf, type PatchType } from './patch-type.js'
export { PatchError } from './patch-error.js'
export { applyJsonPatch, jsonPatchOperationsMax } from './json-patch.js'
export { applyMergePatch, createMergePatch } from './merge-patch.js'
export { applyStrategicMergePatch } from './strategic-merge.js'
export { strategicSchemaFor, applySchemaFor } from './strategic-schema.js'
export type { PatchSchema, FieldMeta } from './patch-schema.js'
export { serverSideApply, trackUpdate, type KubeObject, type ApplyOptions, type UpdateOptions } from './server-side-apply.js'
export { ApplyConflictError, type ConflictCause } from './apply-conflict.js'
export type { ManagedFieldsEntry } from './managed-fields.js'
export { toFieldsV1, fromFieldsV1, pathString } from './field-set.js'
export { parseApplyPatch } from './apply-body.js'

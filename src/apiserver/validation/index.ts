// Server-side validation of objects: schema (built-in and CRD), metadata rules, defaulting and
// update (immutable-field) rules, with causes in the metav1.StatusCause shape.
export { SchemaValidator, type FieldValidation, type SchemaValidation } from './schema-validator.js'
export { validateObjectMeta, nameRuleFor, annotationsBytesMax, type NameRule } from './object-meta.js'
export { defaultObject, defaultPullPolicy, defaultedKinds } from './defaults.js'
export { validateUpdate, jsonEqual } from './immutable.js'
export { findDuplicateFields } from './duplicate-fields.js'
export { ObjectInvalidError, StrictDecodingError, invalidMessage, qualifiedKind } from './validation-errors.js'
export { validateWrite, type WriteRequest, type WriteResult } from './validate-write.js'
export type { StatusCause } from './status-cause.js'
export { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, isPathSegmentName } from './name-rules.js'

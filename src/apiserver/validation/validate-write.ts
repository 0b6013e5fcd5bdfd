// The whole validation step of a create or update, in the order the real server runs it:
// duplicate fields in the raw body, defaulting, schema (with fieldValidation), metadata rules,
// then update rules against the stored object. A handler calls this once per write.

import { defaultObject } from './defaults.js'
import { findDuplicateFields } from './duplicate-fields.js'
import { validateUpdate } from './immutable.js'
import { nameRuleFor, validateObjectMeta } from './object-meta.js'
import type { FieldValidation, SchemaValidator } from './schema-validator.js'
import { ObjectInvalidError, StrictDecodingError } from './validation-errors.js'

export interface WriteRequest {
  group: string
  /** "apps/v1", "v1". */
  apiVersion: string
  kind: string
  namespaced: boolean
  /** The decoded body; a namespaced object must already carry the namespace of the URL. */
  object: Record<string, unknown>
  /** The raw JSON body, to find duplicate fields (omit for YAML or protobuf bodies). */
  rawBody?: string
  /** ?fieldValidation=; the server default is Warn (kubectl sends Strict). */
  mode: FieldValidation
  /** The stored object, for updates. */
  old?: Record<string, unknown>
}

export interface WriteResult {
  /** Defaulted, with unknown fields dropped: what to store. */
  object: Record<string, unknown>
  /** For `Warning: 299 - "<text>"` headers. */
  warnings: string[]
}

/** Throws StrictDecodingError (400) or ObjectInvalidError (422); else returns what to store. */
export function validateWrite(validator: SchemaValidator, req: WriteRequest): WriteResult {
  const duplicates = req.rawBody !== undefined && req.mode !== 'Ignore' ? findDuplicateFields(req.rawBody) : []
  const defaulted = defaultObject(req.apiVersion, req.kind, req.object)
  const schema = validator.validate(req.apiVersion, req.kind, defaulted, req.mode, duplicates)
  if (schema.strictError !== undefined) throw new StrictDecodingError(schema.strictError)
  const object = schema.object as Record<string, unknown>
  const causes = [...schema.causes, ...validateObjectMeta(object.metadata, req.namespaced, { nameRule: nameRuleFor(req.group, req.kind) })]
  if (req.old !== undefined) causes.push(...validateUpdate(req.apiVersion, req.kind, req.old, object))
  if (causes.length > 0) {
    const meta = object.metadata as { name?: unknown } | undefined
    throw new ObjectInvalidError(req.group, req.kind, typeof meta?.name === 'string' ? meta.name : '', causes)
  }
  return { object, warnings: schema.warnings }
}

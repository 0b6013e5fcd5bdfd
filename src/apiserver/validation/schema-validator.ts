// Validates an object against the schema of its kind (built-in from the catalog, or a CRD's
// structural schema) with ajv, compiled once per kind and cached, and words the failures as
// Kubernetes does. Unknown fields are not causes: they are returned apart, because what
// happens to them depends on the request's fieldValidation:
//   Strict -> the request fails with 400 BadRequest, `strictError` carries the message,
//   Warn   -> one `Warning` header per field (`warnings`),
//   Ignore -> nothing is said.
// In every mode the returned `object` is a copy with the unknown fields dropped, which is what
// the real server stores (it decodes into typed structs, or prunes CRDs).

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { gvkKey, type JsonSchema, type SchemaCatalog } from '../openapi/index.js'
import { builtInSchemaId, convertCatalog, convertSchema } from './schema-convert.js'
import {
  fieldPath,
  invalid,
  jsonTypeName,
  notSupported,
  required,
  tooLong,
  tooMany,
  typeInvalid,
  type StatusCause,
} from './status-cause.js'

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore'

export interface SchemaValidation {
  causes: StatusCause[]
  warnings: string[]
  /** Paths of unknown fields (spec.foo), in every mode. */
  unknownFields: string[]
  /** Strict mode with unknown fields: the BadRequest message, `strict decoding error: …`. */
  strictError?: string
  /** The object with unknown fields removed (and, for built-in kinds, null fields dropped). */
  object: unknown
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[seg]
  }
  return cur
}

/** Go decoding treats a JSON null as "not set": drop null fields before validating built-ins. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = dropNulls(v)
  return out
}

function join(pointer: string, key: string): string {
  return `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`
}

function causeOf(err: ErrorObject, root: unknown): StatusCause | undefined {
  const field = fieldPath(err.instancePath)
  const value = valueAt(root, err.instancePath)
  const p = err.params as Record<string, unknown>
  switch (err.keyword) {
    case 'required':
      return required(fieldPath(join(err.instancePath, String(p.missingProperty))))
    case 'type': {
      const types = Array.isArray(p.type) ? p.type.join(',') : String(p.type)
      return typeInvalid(field, value, `${field} in body must be of type ${types}: "${jsonTypeName(value)}"`)
    }
    case 'enum':
      return notSupported(field, value, (p.allowedValues as unknown[] | undefined) ?? [])
    case 'pattern':
      return invalid(field, value, `${field} in body should match '${String(p.pattern)}'`)
    case 'maxLength':
      return tooLong(field, Number(p.limit))
    case 'minLength':
      return invalid(field, value, `${field} in body should be at least ${String(p.limit)} chars long`)
    case 'maxItems':
      return tooMany(field, Array.isArray(value) ? value.length : 0, Number(p.limit))
    case 'minItems':
      return invalid(field, value, `${field} in body should have at least ${String(p.limit)} items`)
    case 'maximum':
    case 'exclusiveMaximum':
      return invalid(field, value, `${field} in body should be less than ${err.keyword === 'maximum' ? 'or equal to ' : ''}${String(p.limit)}`)
    case 'minimum':
    case 'exclusiveMinimum':
      return invalid(field, value, `${field} in body should be greater than ${err.keyword === 'minimum' ? 'or equal to ' : ''}${String(p.limit)}`)
    case 'uniqueItems':
      return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(value)}`, field: `${field}[${String(p.i)}]` }
    case 'anyOf':
    case 'oneOf':
    case 'allOf':
      return undefined // the branch errors carry the detail
    default:
      return invalid(field, value, `${field} in body ${err.message ?? 'is invalid'}`)
  }
}

function prune(root: unknown, pointers: string[]): unknown {
  const copy = structuredClone(root)
  for (const ptr of pointers) {
    const segs = ptr.split('/').slice(1)
    const last = segs.pop()
    const parent = valueAt(copy, segs.length === 0 ? '' : `/${segs.join('/')}`)
    if (last !== undefined && parent !== null && typeof parent === 'object') {
      delete (parent as Record<string, unknown>)[last.replace(/~1/g, '/').replace(/~0/g, '~')]
    }
  }
  return copy
}

/** Unknown and duplicate fields become a Strict error, Warn warnings, or nothing. */
function decodingProblems(result: SchemaValidation, duplicateFields: string[], mode: FieldValidation): SchemaValidation {
  const problems = [...result.unknownFields.map((f) => `unknown field "${f}"`), ...duplicateFields.map((f) => `duplicate field "${f}"`)]
  if (problems.length > 0 && mode === 'Strict') result.strictError = `strict decoding error: ${problems.join(', ')}`
  if (mode === 'Warn') result.warnings = problems
  return result
}

export class SchemaValidator {
  private readonly ajv: Ajv
  /** Compiled validators by gvkKey; cleared for a kind when its custom schema changes. */
  private readonly compiled = new Map<string, ValidateFunction>()
  /** CRD schemas by gvkKey; they shadow built-in ones of the same kind. */
  private readonly custom = new Map<string, JsonSchema>()

  constructor(private readonly catalog: SchemaCatalog) {
    this.ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false })
    this.ajv.addSchema(convertCatalog(catalog.definitions))
  }

  setCustomSchema(apiVersion: string, kind: string, schema: JsonSchema | undefined): void {
    const key = gvkKey(apiVersion, kind)
    if (schema === undefined) this.custom.delete(key)
    else this.custom.set(key, schema)
    this.compiled.delete(key)
  }

  /** Compiles a kind's validator ahead of its first request (the first compile of a big kind takes ~1 s). */
  warm(apiVersion: string, kind: string): boolean {
    return this.validator(gvkKey(apiVersion, kind)) !== undefined
  }

  /** True when the kind has a schema (built-in or custom); others pass unchecked. */
  hasSchema(apiVersion: string, kind: string): boolean {
    const key = gvkKey(apiVersion, kind)
    return this.custom.has(key) || this.catalog.kinds.has(key)
  }

  /**
   * Validates `object` of a kind. `duplicateFields` are the paths findDuplicateFields() found
   * in the raw body; they are reported like unknown fields.
   */
  validate(apiVersion: string, kind: string, object: unknown, mode: FieldValidation, duplicateFields: string[] = []): SchemaValidation {
    const key = gvkKey(apiVersion, kind)
    const fn = this.validator(key)
    if (fn === undefined) return decodingProblems({ causes: [], warnings: [], unknownFields: [], object }, duplicateFields, mode)
    const input = this.custom.has(key) ? object : dropNulls(object)
    fn(input)
    const unknownPointers: string[] = []
    const causes: StatusCause[] = []
    for (const err of fn.errors ?? []) {
      if (err.keyword === 'additionalProperties') {
        unknownPointers.push(join(err.instancePath, String((err.params as { additionalProperty: string }).additionalProperty)))
        continue
      }
      const cause = causeOf(err, input)
      if (cause !== undefined && !causes.some((c) => c.field === cause.field && c.message === cause.message)) causes.push(cause)
    }
    const unknownFields = unknownPointers.map(fieldPath)
    return decodingProblems({ causes, warnings: [], unknownFields, object: prune(input, unknownPointers) }, duplicateFields, mode)
  }

  private validator(key: string): ValidateFunction | undefined {
    const hit = this.compiled.get(key)
    if (hit !== undefined) return hit
    const customSchema = this.custom.get(key)
    let schema: JsonSchema
    if (customSchema !== undefined) {
      schema = convertSchema(customSchema, (n) => `${builtInSchemaId}#/definitions/${n}`)
      // Like the real server: metadata of a custom resource is always a full ObjectMeta.
      schema.properties = {
        ...(schema.properties ?? {}),
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { $ref: `${builtInSchemaId}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` },
      }
    } else {
      const name = this.catalog.kinds.get(key)
      if (name === undefined) return undefined
      schema = { $ref: `${builtInSchemaId}#/definitions/${name}` }
    }
    const fn = this.ajv.compile(schema)
    this.compiled.set(key, fn)
    return fn
  }
}

// Rewrites a Kubernetes OpenAPI / CRD structural schema into a JSON schema ajv can compile,
// with the server's decoding rules made explicit:
//   - an object with `properties` rejects other fields (additionalProperties: false), unless it
//     says x-kubernetes-preserve-unknown-fields; the validator turns those errors into the
//     unknown-field list that fieldValidation Strict / Warn / Ignore acts on,
//   - x-kubernetes-int-or-string accepts an integer or a string (type: [integer, string]),
//   - x-kubernetes-embedded-resource objects always allow apiVersion, kind and metadata,
//   - OpenAPI 3.0 boolean exclusiveMinimum/Maximum become draft-07 numbers,
//   - formats and documentation keywords are dropped (Kubernetes checks few formats; see docs).

import type { JsonSchema } from '../openapi/index.js'

/** Built-in references point into the shared document added to ajv under this id. */
export const builtInSchemaId = 'k8s'
const quantityName = 'io.k8s.apimachinery.pkg.api.resource.Quantity'

const copied = [
  'type',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'required',
  'nullable',
] as const

function convertList(list: unknown, refs: (name: string) => string): JsonSchema[] {
  return Array.isArray(list) ? list.map((s) => convertSchema(s as JsonSchema, refs)) : []
}

function numericBounds(out: JsonSchema, src: JsonSchema): void {
  if (src.exclusiveMaximum === true && typeof src.maximum === 'number') {
    out.exclusiveMaximum = src.maximum
    delete out.maximum
  }
  if (src.exclusiveMinimum === true && typeof src.minimum === 'number') {
    out.exclusiveMinimum = src.minimum
    delete out.minimum
  }
}

/** Converts one schema; `refs` maps a definition name to the ajv $ref to use. */
export function convertSchema(src: JsonSchema, refs: (name: string) => string, name?: string): JsonSchema {
  const out: JsonSchema = {}
  if (name === quantityName) return { type: ['string', 'number'] }
  for (const k of copied) if (src[k] !== undefined) (out as Record<string, unknown>)[k] = src[k]
  if (out.nullable === true && out.type === undefined) delete out.nullable
  numericBounds(out, src)
  if (typeof src.$ref === 'string') out.$ref = refs(src.$ref.replace(/^#\/(definitions|components\/schemas)\//, ''))
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (src[k] !== undefined) out[k] = convertList(src[k], refs)
  if (src.not !== undefined) out.not = convertSchema(src.not as JsonSchema, refs)
  if (src.items !== undefined && !Array.isArray(src.items)) out.items = convertSchema(src.items, refs)
  if (src['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string']
    delete out.anyOf
  }
  const preserve = src['x-kubernetes-preserve-unknown-fields'] === true
  const props: Record<string, JsonSchema> = {}
  for (const [k, v] of Object.entries(src.properties ?? {})) props[k] = convertSchema(v, refs)
  if (src['x-kubernetes-embedded-resource'] === true) {
    props.apiVersion ??= { type: 'string' }
    props.kind ??= { type: 'string' }
    props.metadata ??= { type: 'object' }
  }
  if (Object.keys(props).length > 0) out.properties = props
  if (typeof src.additionalProperties === 'object') out.additionalProperties = convertSchema(src.additionalProperties, refs)
  else if (src.additionalProperties === false) out.additionalProperties = false
  else if (out.properties !== undefined && !preserve && src.additionalProperties !== true) out.additionalProperties = false
  return out
}

/** All built-in definitions as one ajv document `{ $id: 'k8s', definitions }`. */
export function convertCatalog(definitions: ReadonlyMap<string, JsonSchema>): JsonSchema {
  const refs = (n: string): string => `${builtInSchemaId}#/definitions/${n}`
  const out: Record<string, JsonSchema> = {}
  for (const [n, s] of definitions) out[n] = convertSchema(s, refs, n)
  return { $id: builtInSchemaId, definitions: out }
}

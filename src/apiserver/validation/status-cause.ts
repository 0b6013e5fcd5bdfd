// One reason an object is invalid, in the shape of metav1.StatusCause, and the helpers that
// word causes the way Kubernetes' field errors do (apimachinery util/validation/field):
//   <field>: <Kind of error>: <value>: <detail>      e.g.
//   spec.replicas: Invalid value: "x": spec.replicas in body must be of type integer: "string"

export interface StatusCause {
  /** FieldValueInvalid, FieldValueRequired, FieldValueTypeInvalid, FieldValueNotSupported, … */
  reason: string
  message: string
  /** JSON path in Kubernetes notation: spec.containers[0].image, metadata.labels[app]. */
  field: string
}

/** How Kubernetes prints a bad value inside a message: strings quoted, numbers bare. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return 'null'
  return Array.isArray(value) ? '"array"' : '"object"'
}

/** The JSON type name go-openapi reports for a value ("string", "integer", "number", …). */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${formatValue(value)}: ${detail}`, field }
}

export function typeInvalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueTypeInvalid', message: `Invalid value: ${formatValue(value)}: ${detail}`, field }
}

export function required(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', message: detail === '' ? 'Required value' : `Required value: ${detail}`, field }
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field }
}

export function notSupported(field: string, value: unknown, allowed: unknown[]): StatusCause {
  const list = allowed.map((v) => formatValue(v)).join(', ')
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${formatValue(value)}: supported values: ${list}`, field }
}

export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field }
}

export function tooMany(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field }
}

export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', message: `Duplicate value: ${formatValue(value)}`, field }
}

/** "/spec/containers/0/image" -> "spec.containers[0].image" (JSON pointer to Kubernetes path). */
export function fieldPath(pointer: string): string {
  let out = ''
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (/^\d+$/.test(seg)) out += `[${seg}]`
    else out += out === '' ? seg : `.${seg}`
  }
  return out
}

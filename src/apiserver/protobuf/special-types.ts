// The apimachinery types whose JSON form is not their message shape: Time and MicroTime (RFC 3339
// strings), Quantity (a string), IntOrString (a number or a string), FieldsV1 (embedded JSON).
// The wire side is the generic decoding of the message (field name -> value); these functions
// turn it into the JSON form and back. Everything else is an ordinary message.

/** Thrown by the JSON -> wire side when a value cannot be written as this type; the encoder
 *  then declines the whole object (the server answers in JSON instead). */
export class NotEncodableError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`apiserver: protobuf: cannot encode ${path}: ${reason}`)
    this.name = 'NotEncodableError'
  }
}

/** Thrown by the wire -> JSON side on a value no encoder could have written. */
export class SpecialValueError extends Error {}

const time = '.k8s.meta.v1.Time'
const microTime = '.k8s.meta.v1.MicroTime'
const quantity = '.k8s.resource.Quantity'
const intOrString = '.k8s.intstr.IntOrString'
const fieldsV1 = '.k8s.meta.v1.FieldsV1'
const specialNames: ReadonlySet<string> = new Set([time, microTime, quantity, intOrString, fieldsV1])

// protobufjs computes Type#fullName by walking the parents on every read: cache the answer.
const specialCache = new WeakMap<object, string | null>()

/** The full name of a special type (".k8s.meta.v1.Time"), or null for an ordinary message. */
export function specialName(type: { readonly fullName: string }): string | null {
  let name = specialCache.get(type)
  if (name === undefined) {
    name = specialNames.has(type.fullName) ? type.fullName : null
    specialCache.set(type, name)
  }
  return name
}

// Years 0001..9999, the range RFC 3339 (and Go's formatter, for what clients send) can express.
const secondsMin = -62135596800
const secondsMax = 253402300799

/** Generic decoding of a special message -> its JSON form; undefined = the zero value (omitted). */
export function specialToJson(fullName: string, fields: Readonly<Record<string, unknown>>): unknown {
  switch (fullName) {
    case time:
    case microTime:
      return timeToJson(fields, fullName === microTime)
    case quantity:
      return typeof fields['string'] === 'string' ? fields['string'] : '0'
    case intOrString:
      return fields['type'] === 1 ? (fields['strVal'] ?? '') : (fields['intVal'] ?? 0)
    case fieldsV1:
      return fieldsV1ToJson(fields['Raw'])
    default:
      throw new SpecialValueError(`not a special type: ${fullName}`)
  }
}

function timeToJson(fields: Readonly<Record<string, unknown>>, micro: boolean): string | undefined {
  const seconds = fields['seconds']
  const nanos = fields['nanos'] ?? 0
  if (seconds === undefined && nanos === 0) return undefined // metav1.Time writes the zero time as an empty message
  const s = seconds ?? 0
  if (typeof s !== 'number' || s < secondsMin || s > secondsMax) throw new SpecialValueError(`time seconds out of range: ${String(s)}`)
  if (typeof nanos !== 'number' || nanos < 0 || nanos > 999_999_999) throw new SpecialValueError(`time nanos out of range: ${String(nanos)}`)
  const base = new Date(s * 1000).toISOString().slice(0, 19) // YYYY-MM-DDTHH:MM:SS
  // metav1.Time marshals at whole seconds; MicroTime at microseconds, always six digits.
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`
}

function fieldsV1ToJson(raw: unknown): unknown {
  if (raw === undefined) return {}
  if (typeof raw !== 'string') throw new SpecialValueError('FieldsV1 without raw bytes')
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'))
  } catch (err) {
    throw new SpecialValueError(`FieldsV1 does not hold JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
}

const rfc3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/

/** JSON form -> the generic field map the wire encoder writes; undefined = write nothing. */
export function specialFromJson(fullName: string, value: unknown, path: string): Record<string, unknown> | undefined {
  switch (fullName) {
    case time:
    case microTime:
      return timeFromJson(value, path)
    case quantity:
      if (typeof value !== 'string') throw new NotEncodableError(path, 'a quantity must be a string')
      return { string: value }
    case intOrString:
      if (typeof value === 'string') return { type: 1, strVal: value }
      if (typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return { type: 0, intVal: value }
      throw new NotEncodableError(path, 'an int-or-string must be an int32 or a string')
    case fieldsV1:
      if (typeof value !== 'object' || value === null) throw new NotEncodableError(path, 'fieldsV1 must be an object')
      return { Raw: Buffer.from(JSON.stringify(value), 'utf8').toString('base64') }
    default:
      throw new NotEncodableError(path, `not a special type: ${fullName}`)
  }
}

function timeFromJson(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === null) return undefined
  const m = typeof value === 'string' ? rfc3339.exec(value) : null
  if (m === null) throw new NotEncodableError(path, 'a time must be an RFC 3339 string')
  const ms = Date.parse(`${m[1] ?? ''}${m[3] ?? ''}`)
  if (Number.isNaN(ms)) throw new NotEncodableError(path, `not a valid time: ${String(value)}`)
  const nanos = m[2] === undefined ? 0 : Number(m[2].padEnd(9, '0'))
  return { seconds: Math.floor(ms / 1000), nanos }
}

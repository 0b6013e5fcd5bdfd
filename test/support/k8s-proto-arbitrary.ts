// fast-check arbitraries for the JSON form of any message in proto/k8s, in the canonical shape the
// decoder produces (no zero scalars unless the field keeps them, whole-second times, inline
// fields flattened), so encode -> decode must give back exactly the same object.
import fc from 'fast-check'
import protobuf from 'protobufjs'
import type { FieldBase, Type } from 'protobufjs'

type Json = Record<string, unknown>
const depthMax = 7

const nonEmptyString = fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' })
const anyString = fc.string({ maxLength: 8, unit: 'grapheme' })
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
const int64 = fc.maxSafeInteger()
const base64 = (minLength: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength, maxLength: 8 }).map((b) => Buffer.from(b).toString('base64'))
const seconds = fc.integer({ min: -62135596800, max: 253402300799 })
const iso = (s: number): string => new Date(s * 1000).toISOString().slice(0, 19)

function special(fullName: string): fc.Arbitrary<unknown> | undefined {
  switch (fullName) {
    case '.k8s.meta.v1.Time':
      return seconds.map((s) => `${iso(s)}Z`)
    case '.k8s.meta.v1.MicroTime':
      return fc.tuple(seconds, fc.integer({ min: 0, max: 999_999 })).map(([s, u]) => `${iso(s)}.${String(u).padStart(6, '0')}Z`)
    case '.k8s.resource.Quantity':
      return fc.constantFrom('1', '100m', '1Gi', '0.5', '2e3', '0')
    case '.k8s.intstr.IntOrString':
      return fc.oneof(int32, anyString)
    case '.k8s.meta.v1.FieldsV1':
      return fc.dictionary(fc.string({ maxLength: 4 }), fc.constant({}), { maxKeys: 2, noNullPrototype: true })
    default:
      return undefined
  }
}

function scalar(type: string, keepsZero: boolean): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return keepsZero ? anyString : nonEmptyString
    case 'bytes':
      return base64(keepsZero ? 0 : 1)
    case 'bool':
      return keepsZero ? fc.boolean() : fc.constant(true)
    case 'int32':
      return keepsZero ? int32 : int32.filter((n) => n !== 0)
    case 'int64':
      return keepsZero ? int64 : int64.filter((n) => n !== 0)
    default:
      throw new Error(`scalar type ${type} has no arbitrary`)
  }
}

/** The value of one element (a repeated item, a map value, a plain field). */
function element(field: FieldBase, depth: number, inRepeated: boolean): fc.Arbitrary<unknown> | undefined {
  const type = field.resolvedType
  if (type instanceof protobuf.Type) return depth >= depthMax ? undefined : messageArbitrary(type, depth + 1)
  return scalar(field.type, inRepeated || field.options?.['proto3_optional'] === true)
}

const cache = new Map<string, fc.Arbitrary<unknown>>()

export function messageArbitrary(type: Type, depth = 0): fc.Arbitrary<unknown> {
  const key = `${type.fullName}@${depth}`
  const cached = cache.get(key)
  if (cached !== undefined) return cached
  const made = special(type.fullName) ?? build(type, depth)
  cache.set(key, made)
  return made
}

function build(type: Type, depth: number): fc.Arbitrary<unknown> {
  if (type.options?.['(slice)'] === true) return fc.array(nonEmptyString, { maxLength: 3 })
  const parts: Array<fc.Arbitrary<Json>> = []
  for (const field of type.fieldsArray) {
    if (field.options?.['(inline)'] === true) {
      const inner = messageArbitrary(field.resolvedType as Type, depth)
      parts.push(inner as fc.Arbitrary<Json>)
      continue
    }
    const value = element(field, depth, field.repeated || field.map)
    if (value === undefined) continue
    let arb: fc.Arbitrary<unknown> = value
    if (field.map) arb = fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__proto__')), value, { minKeys: 1, maxKeys: 2, noNullPrototype: true })
    else if (field.repeated) arb = fc.array(value, { minLength: 1, maxLength: 2 })
    parts.push(fc.option(arb.map((v) => ({ [field.name]: v })), { nil: {}, freq: 2 }) as fc.Arbitrary<Json>)
  }
  return fc.tuple(...parts).map((objects) => Object.assign({}, ...objects) as Json)
}

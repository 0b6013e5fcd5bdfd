// Rules for the data values the codec accepts: JSON values plus Uint8Array. One place decides
// what survives a round trip exactly, so the protobuf path and the MessagePack path agree.
import { CorruptValue, InvalidValue } from './codec-error.js'
import { isPlainObject, type PlainObject } from './types.js'

/**
 * Deepest nesting of arrays/objects under an object's body. It turns a cyclic object into an
 * error instead of a stack overflow, and stays inside protobufjs' own recursion limit (100).
 */
export const valueDepthMax = 64

// In a /u regex a well-formed surrogate pair is one code point, so this matches lone halves only.
const loneSurrogate = /\p{Cs}/u

// String.prototype.isWellFormed (ES2024, Node 20) is the same test without the regex engine.
const nativeWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed

/** UTF-8 (protobuf and MessagePack) cannot carry a lone surrogate; JSON escapes hide them. */
export const isWellFormed: (text: string) => boolean =
  nativeWellFormed !== undefined ? (text) => nativeWellFormed.call(text) : (text) => !loneSurrogate.test(text)

/**
 * Object.keys(object).sort(): the same order (UTF-16 code units, as the default sort and `<`
 * compare strings), without the sort when the keys are already in order, and an insertion sort
 * for the short key lists objects have.
 */
export function sortedKeys(object: object): string[] {
  return sortKeys(Object.keys(object))
}

/** Sorts `keys` in place as keys.sort() would, and returns it. */
export function sortKeys(keys: string[]): string[] {
  const n = keys.length
  if (n > 32) return keys.sort()
  for (let i = 1; i < n; i++) {
    const key = keys[i] as string
    let j = i - 1
    if ((keys[j] as string) <= key) continue
    do {
      keys[j + 1] = keys[j] as string
      j--
    } while (j >= 0 && (keys[j] as string) > key)
    keys[j + 1] = key
  }
  return keys
}

export function checkKey(key: string): void {
  // msgpackr renames "__proto__" on read and protobufjs maps would set a prototype: refuse it.
  if (key === '__proto__') throw new InvalidValue('the object key "__proto__" is not supported')
  if (!isWellFormed(key)) throw new InvalidValue('an object key is not well-formed Unicode (lone surrogate)')
}

/**
 * A copy of `value` ready for MessagePack: object keys sorted (equal objects give equal bytes
 * whatever order their keys were set in), undefined properties dropped (as JSON does), -0 made 0
 * (as JSON and msgpackr do). Anything that would not come back unchanged throws InvalidValue.
 */
export function canonicalValue(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw new InvalidValue('a string is not well-formed Unicode (lone surrogate)')
      return value
    case 'number':
      return Object.is(value, -0) ? 0 : value
    case 'boolean':
      return value
    case 'object':
      if (value === null) return null
      if (value instanceof Uint8Array) return value
      if (depth >= valueDepthMax) throw new InvalidValue(`nested deeper than ${valueDepthMax} levels (or cyclic)`)
      if (Array.isArray(value)) return canonicalArray(value, depth + 1)
      if (isPlainObject(value)) return canonicalObject(value, depth + 1)
      throw new InvalidValue(`unsupported value of class ${value.constructor?.name ?? 'unknown'}`)
    default:
      throw new InvalidValue(`unsupported value of type ${typeof value}`)
  }
}

function canonicalArray(values: readonly unknown[], depth: number): unknown[] {
  const out = new Array<unknown>(values.length)
  for (let i = 0; i < values.length; i++) {
    // A hole or undefined has no MessagePack/JSON form that reads back the same: refuse it.
    if (!(i in values) || values[i] === undefined) throw new InvalidValue(`array element ${i} is undefined`)
    try {
      out[i] = canonicalValue(values[i], depth)
    } catch (err) {
      InvalidValue.within(err, i)
    }
  }
  return out
}

export function canonicalObject(object: PlainObject, depth: number): PlainObject {
  const out: PlainObject = {}
  for (const key of sortedKeys(object)) {
    const v = object[key]
    if (v === undefined) continue
    checkKey(key)
    try {
      out[key] = canonicalValue(v, depth)
    } catch (err) {
      InvalidValue.within(err, key)
    }
  }
  return out
}

/**
 * A deep copy of a value encode() has just accepted, in the form decode() gives it back:
 * undefined properties dropped, -0 made 0, binary values as fresh plain Uint8Arrays. No checks:
 * the caller encoded the same value a moment ago, with no await in between.
 */
export function decodedFormOf(value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value
  if (typeof value !== 'object' || value === null) return value
  if (value instanceof Uint8Array) return new Uint8Array(value)
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = decodedFormOf(value[i])
    return out
  }
  const object = value as PlainObject // encode accepted it: a plain object
  const out: PlainObject = {}
  for (const key of Object.keys(object)) {
    const v = object[key]
    if (v !== undefined) out[key] = decodedFormOf(v)
  }
  return out
}

/**
 * Checks a value read from MessagePack: garbage can decode to dates, undefined, bigints or
 * msgpackr's placeholder objects, none of which an encoder here writes.
 */
export function checkDecodedValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return
    case 'object':
      if (value === null) return
      if (Object.getPrototypeOf(value) === Uint8Array.prototype) return
      if (depth >= valueDepthMax) throw new CorruptValue(`value nested deeper than ${valueDepthMax} levels`)
      if (Array.isArray(value)) {
        for (const v of value) checkDecodedValue(v, depth + 1)
        return
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) throw new CorruptValue('value holds an unexpected object class')
      for (const v of Object.values(value)) checkDecodedValue(v, depth + 1)
      return
    default:
      throw new CorruptValue(`value holds an unexpected ${typeof value}`)
  }
}

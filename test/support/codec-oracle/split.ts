// Encoding a registered kind: the object's body is split, field by field, into the part its
// protobuf message holds exactly ("typed") and the rest, which goes to unknownFields as
// MessagePack. Rule that makes the join unambiguous (join.ts): a field is in `typed` only if
// decoding will show it present; then `rest[field]` (if any) is the residue *inside* that value.
// Otherwise `rest[field]` is the whole value. Worked example, Pod with proto subset:
//   body  { metadata: { name: 'a', labels: {} }, spec: { nodeName: 'n', hostNetwork: true } }
//   typed { metadata: { name: 'a' }, spec: { nodeName: 'n' } }
//   rest  { metadata: { labels: {} }, spec: { hostNetwork: true } }
// (an empty map is not on the wire, so it cannot be in typed; hostNetwork is not in the subset).
import { InvalidValue } from '../../../src/codec/codec-error.js'
import type { FieldPlan, MessagePlan } from '../../../src/codec/message-plan.js'
import { isScalarDefault, scalarFits } from '../../../src/codec/scalars.js'
import { isPlainObject, type PlainObject } from '../../../src/codec/types.js'
import { canonicalValue, checkKey, isWellFormed, sortKeys, sortedKeys, valueDepthMax } from '../../../src/codec/values.js'

export interface Split {
  typed: PlainObject
  rest: PlainObject | undefined
}

interface FieldSplit {
  typed: unknown
  rest: unknown
}

export function splitMessage(object: PlainObject, plan: MessagePlan, depth: number): Split {
  if (depth >= valueDepthMax) throw new InvalidValue(`nested deeper than ${valueDepthMax} levels (or cyclic)`)
  const typed: PlainObject = {}
  let rest: PlainObject | undefined
  let oneofsUsed: Set<string> | undefined
  // Sorted keys: rest is built in canonical order (same bytes for equal objects).
  for (const key of sortedKeys(object)) {
    const value = object[key]
    if (value === undefined) continue // absent, as in JSON
    checkKey(key)
    try {
      const field = plan.byName.get(key)
      const part = field !== undefined && !oneofsUsed?.has(field.oneof ?? '') ? splitField(field, value, depth + 1) : undefined
      if (field !== undefined && part !== undefined) {
        typed[key] = part.typed
        if (part.rest !== undefined) (rest ??= {})[key] = part.rest
        if (field.oneof !== undefined) (oneofsUsed ??= new Set()).add(field.oneof)
      } else {
        ;(rest ??= {})[key] = canonicalValue(value, depth + 1)
      }
    } catch (err) {
      InvalidValue.within(err, key)
    }
  }
  return { typed, rest }
}

/** The field's typed value and residue, or undefined when the value does not fit the field. */
function splitField(field: FieldPlan, value: unknown, depth: number): FieldSplit | undefined {
  if (field.shape === 'single') {
    if (field.message !== undefined) return isPlainObject(value) ? splitMessage(value, field.message, depth) : undefined
    if (field.scalar === undefined || !scalarFits(field.scalar, value)) return undefined
    // Without presence a default value is not written, so decoding would lose it.
    return field.presence || !isScalarDefault(value) ? { typed: value, rest: undefined } : undefined
  }
  if (field.shape === 'repeated') {
    // An empty list is not written either; it stays whole in the residue.
    if (!Array.isArray(value) || value.length === 0) return undefined
    return field.message !== undefined ? splitList(value, field.message, depth) : scalarList(field, value)
  }
  if (!isPlainObject(value)) return undefined
  const keys = Object.keys(value)
  if (keys.length === 0) return undefined
  return field.message !== undefined ? splitMap(value, keys, field.message, depth) : scalarMap(field, value, keys)
}

function scalarList(field: FieldPlan, values: unknown[]): FieldSplit | undefined {
  for (let i = 0; i < values.length; i++) {
    // `in` catches holes, which would read back as the default value.
    if (field.scalar === undefined || !(i in values) || !scalarFits(field.scalar, values[i])) return undefined
  }
  return { typed: values, rest: undefined }
}

function splitList(values: unknown[], plan: MessagePlan, depth: number): FieldSplit | undefined {
  for (let i = 0; i < values.length; i++) if (!isPlainObject(values[i])) return undefined
  const typed: PlainObject[] = []
  const rests: (PlainObject | null)[] = []
  let anyRest = false
  for (let i = 0; i < values.length; i++) {
    try {
      const part = splitMessage(values[i] as PlainObject, plan, depth) // checked just above
      typed.push(part.typed)
      rests.push(part.rest ?? null)
      anyRest ||= part.rest !== undefined
    } catch (err) {
      InvalidValue.within(err, i)
    }
  }
  return { typed, rest: anyRest ? rests : undefined }
}

function scalarMap(field: FieldPlan, map: PlainObject, keys: string[]): FieldSplit | undefined {
  const scalar = field.scalar
  if (scalar === undefined) return undefined
  const typed: PlainObject = {}
  for (const key of sortKeys(keys)) {
    const v = map[key]
    // Map values are always written, defaults included, so they need no presence.
    if (v === undefined || key === '__proto__' || !isWellFormed(key)) return undefined
    if (!scalarFits(scalar, v)) return undefined
    typed[key] = v
  }
  return { typed, rest: undefined }
}

function splitMap(map: PlainObject, keys: string[], plan: MessagePlan, depth: number): FieldSplit | undefined {
  for (const key of keys) {
    if (key === '__proto__' || !isWellFormed(key) || !isPlainObject(map[key])) return undefined
  }
  const typed: PlainObject = {}
  let rest: PlainObject | undefined
  for (const key of sortKeys(keys)) {
    try {
      const part = splitMessage(map[key] as PlainObject, plan, depth) // checked just above
      typed[key] = part.typed
      if (part.rest !== undefined) (rest ??= {})[key] = part.rest
    } catch (err) {
      InvalidValue.within(err, key)
    }
  }
  return { typed, rest }
}

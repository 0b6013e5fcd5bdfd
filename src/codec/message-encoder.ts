// Encoding a registered kind in one walk: each field of the object's body either goes on the wire
// (its protobuf message holds it exactly) or into the residue, which goes to unknownFields as
// MessagePack. Rule that makes decoding unambiguous (message-decoder.ts): a field goes on the wire
// only if decoding will show it present; then residue[field] (if any) is the residue *inside*
// that value. Otherwise residue[field] is the whole value. Worked example, Pod with proto subset:
//   body    { metadata: { name: 'a', labels: {} }, spec: { nodeName: 'n', hostNetwork: true } }
//   wire    Pod{ metadata: { name: 'a' }, spec: { nodeName: 'n' } }
//   residue { metadata: { labels: {} }, spec: { hostNetwork: true } }
// (an empty map is not on the wire, so it must travel whole; hostNetwork is not in the subset).
//
// The bytes are those protobufjs writes for the same message (fields in number order, map
// entries in the order Object.keys gives them, numeric lists packed), and the residue's keys are
// sorted, so equal objects give equal bytes whatever order their keys were set in.
// test/codec/wire-oracle.test.ts checks both against the protobufjs-based reference encoder.
import { InvalidValue } from './codec-error.js'
import type { FieldPlan, MessagePlan, WireScalar } from './message-plan.js'
import { isScalarDefault, scalarFits } from './scalars.js'
import { isPlainObject, type PlainObject } from './types.js'
import { canonicalValue, checkKey, isWellFormed, sortKeys, sortedKeys, valueDepthMax } from './values.js'
import { wireFixed32, wireFixed64, wireLengthDelimited, wireVarint } from './wire-reader.js'
import type { WireWriter } from './wire-writer.js'

/**
 * Writes the fields of `object` that `plan` holds to `w` (without a length prefix) and returns
 * the residue, or undefined when everything went on the wire.
 */
export function encodeMessage(w: WireWriter, object: PlainObject, plan: MessagePlan, depth: number): PlainObject | undefined {
  if (depth >= valueDepthMax) throw new InvalidValue(`nested deeper than ${valueDepthMax} levels (or cyclic)`)
  const fields = plan.fields
  // Bit i set: fields[i] went on the wire (plans over 31 fields use the array).
  let written = 0
  let writtenWide: boolean[] | undefined = fields.length > 31 ? [] : undefined
  // inner[i]: the residue inside the value of fields[i].
  let inner: unknown[] | undefined
  const oneofWinners = plan.hasOneof ? chooseOneofs(object, plan) : undefined
  // The wire, in field number order.
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as FieldPlan // i < fields.length
    const name = field.name
    const value = object[name]
    if (value === undefined || !Object.hasOwn(object, name)) continue
    if (field.oneof !== undefined && oneofWinners?.get(field.oneof) !== field) continue
    try {
      if (!fitsField(field, value)) continue
      const r = writeField(w, field, value, depth + 1)
      if (r !== undefined) (inner ??= [])[i] = r
    } catch (err) {
      InvalidValue.within(err, name)
    }
    if (writtenWide !== undefined) writtenWide[i] = true
    else written |= 1 << i
  }
  // The residue: every other key, and the residue inside values that went on the wire.
  let residueKeys: string[] | undefined
  let residueValues: Map<string, unknown> | undefined
  const keys = Object.keys(object)
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string // k < keys.length
    const value = object[key]
    if (value === undefined) continue
    const field = plan.byName.get(key)
    let r: unknown
    if (field !== undefined && (writtenWide !== undefined ? writtenWide[field.index] === true : (written & (1 << field.index)) !== 0)) {
      r = inner?.[field.index]
      if (r === undefined) continue
    } else {
      if (field === undefined) checkKey(key) // a field's name is a proto identifier: fine as it is
      try {
        r = canonicalValue(value, depth + 1)
      } catch (err) {
        InvalidValue.within(err, key)
      }
    }
    ;(residueKeys ??= []).push(key)
    ;(residueValues ??= new Map()).set(key, r)
  }
  if (residueKeys === undefined || residueValues === undefined) return undefined
  // Sorted keys: equal objects give equal residue bytes whatever order their keys were set in.
  const residue: PlainObject = {}
  for (const key of sortKeys(residueKeys)) residue[key] = residueValues.get(key)
  return residue
}

/**
 * Per real oneof, the member that goes on the wire: the first in sorted key order whose value
 * fits (the others go to the residue whole). Rare, so allowed to be slow.
 */
function chooseOneofs(object: PlainObject, plan: MessagePlan): Map<string, FieldPlan> {
  const winners = new Map<string, FieldPlan>()
  for (const key of sortedKeys(object)) {
    const field = plan.byName.get(key)
    const value = object[key]
    if (field?.oneof === undefined || value === undefined || winners.has(field.oneof)) continue
    if (fitsField(field, value)) winners.set(field.oneof, field)
  }
  return winners
}

/** Whether the field's value goes on the wire (the split rule above); message bodies are checked while written. */
function fitsField(field: FieldPlan, value: unknown): boolean {
  if (field.shape === 'single') {
    if (field.message !== undefined) return isPlainObject(value)
    if (field.scalar === undefined || !scalarFits(field.scalar, value)) return false
    // Without presence a default value is not written, so decoding would lose it.
    return field.presence || !isScalarDefault(value)
  }
  if (field.shape === 'repeated') {
    // An empty list is not written either; it stays whole in the residue.
    if (!Array.isArray(value) || value.length === 0) return false
    for (let i = 0; i < value.length; i++) {
      // `in` catches holes, which would read back as the default value.
      if (!(i in value)) return false
      const v: unknown = value[i]
      if (field.message !== undefined ? !isPlainObject(v) : field.scalar === undefined || !scalarFits(field.scalar, v)) return false
    }
    return true
  }
  if (!isPlainObject(value)) return false
  let any = false
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    any = true
    const v = value[key]
    if (key === '__proto__' || !isWellFormed(key)) return false
    if (field.message !== undefined) {
      if (!isPlainObject(v)) return false
    } else if (v === undefined || field.scalar === undefined || !scalarFits(field.scalar, v)) return false
  }
  return any
}

/** Writes a field that fitsField accepted; returns the residue inside its value (message fields). */
function writeField(w: WireWriter, field: FieldPlan, value: unknown, depth: number): unknown {
  const message = field.message
  if (field.shape === 'single') {
    if (message === undefined) return writeScalarField(w, field, value)
    w.tag(field.id, wireLengthDelimited)
    const at = w.begin()
    const r = encodeMessage(w, value as PlainObject, message, depth) // fitsField: a plain object
    w.end(at)
    return r
  }
  if (field.shape === 'repeated') {
    const list = value as unknown[] // fitsField: a dense, non-empty array of fitting values
    if (message === undefined) return writeScalarList(w, field, list)
    const rests: (PlainObject | null)[] = []
    let anyRest = false
    for (let i = 0; i < list.length; i++) {
      w.tag(field.id, wireLengthDelimited)
      const at = w.begin()
      let r: PlainObject | undefined
      try {
        r = encodeMessage(w, list[i] as PlainObject, message, depth)
      } catch (err) {
        InvalidValue.within(err, i)
      }
      w.end(at)
      rests.push(r ?? null)
      anyRest ||= r !== undefined
    }
    return anyRest ? rests : undefined
  }
  return writeMap(w, field, value as PlainObject, depth)
}

function writeMap(w: WireWriter, field: FieldPlan, map: PlainObject, depth: number): PlainObject | undefined {
  const message = field.message
  const keys = entryOrder(sortKeys(Object.keys(map)))
  let residue: Map<string, PlainObject> | undefined
  for (const key of keys) {
    w.tag(field.id, wireLengthDelimited)
    const entry = w.begin()
    w.tag(1, wireLengthDelimited)
    w.string(key)
    if (message === undefined) writeScalar(w, field, 2, map[key])
    else {
      w.tag(2, wireLengthDelimited)
      const at = w.begin()
      try {
        const r = encodeMessage(w, map[key] as PlainObject, message, depth) // fitsField: a plain object
        if (r !== undefined) (residue ??= new Map()).set(key, r)
      } catch (err) {
        InvalidValue.within(err, key)
      }
      w.end(at)
    }
    w.end(entry)
  }
  if (residue === undefined) return undefined
  // Residue keys in sorted order, as the rest of the residue.
  const out: PlainObject = {}
  for (const key of sortKeys([...residue.keys()])) out[key] = residue.get(key)
  return out
}

/**
 * Map entries go on the wire in the order protobufjs takes them, Object.keys of the map built in
 * sorted key order: array-index keys ("0", "17") first in numeric order, then the rest sorted.
 */
function entryOrder(sorted: string[]): string[] {
  let numeric = false
  for (const key of sorted) {
    const c = key.charCodeAt(0)
    if (c >= 48 && c <= 57) numeric = true
  }
  if (!numeric) return sorted
  const probe: PlainObject = {}
  for (const key of sorted) probe[key] = true
  return Object.keys(probe)
}

function writeScalarField(w: WireWriter, field: FieldPlan, value: unknown): undefined {
  writeScalar(w, field, field.id, value)
  return undefined
}

function writeScalarList(w: WireWriter, field: FieldPlan, list: unknown[]): undefined {
  if (field.packed) {
    w.tag(field.id, wireLengthDelimited)
    const at = w.begin()
    for (const v of list) writeScalarValue(w, field, v)
    w.end(at)
    return undefined
  }
  for (const v of list) writeScalar(w, field, field.id, v)
  return undefined
}

function writeScalar(w: WireWriter, field: FieldPlan, id: number, value: unknown): void {
  w.tag(id, wireTypeOf(field.wire))
  writeScalarValue(w, field, value)
}

/** The wire type that carries a scalar of this declared type. */
export function wireTypeOf(wire: WireScalar | undefined): number {
  switch (wire) {
    case 'string':
    case 'bytes':
      return wireLengthDelimited
    case 'double':
    case 'fixed64':
    case 'sfixed64':
      return wireFixed64
    case 'float':
    case 'fixed32':
    case 'sfixed32':
      return wireFixed32
    default:
      return wireVarint
  }
}

// Values reaching here passed scalarFits for the field's kind (fitsField). The switch is on
// FieldPlan.wireCode (message-plan.ts wireCodes).
function writeScalarValue(w: WireWriter, field: FieldPlan, value: unknown): void {
  switch (field.wireCode) {
    case 0:
      return w.string(value as string)
    case 1:
      return w.bytes(value as Uint8Array)
    case 2:
      return w.bool(value as boolean)
    case 3:
      return w.double(value as number)
    case 4:
      return w.float(value as number)
    case 5:
      return w.int32(value as number)
    case 6:
      return w.sint32(value as number)
    case 7:
      return w.uint32(value as number)
    case 8:
    case 9:
      return w.fixed32(value as number)
    case 10:
    case 11:
      return w.int64(value as number)
    case 12:
      return w.sint64(value as number)
    case 13:
    case 14:
      return w.fixed64(value as number)
    default:
      throw new InvalidValue(`field ${field.name} has no scalar type`)
  }
}

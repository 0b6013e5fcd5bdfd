// Decoding a registered kind: the inverse of message-encoder.ts, in one walk over the wire. Each
// field read is converted to its object value and the residue from unknownFields is merged in:
// for a field present on the wire the residue is merged *into* its value, for an absent field the
// residue is the whole value. Bytes that no encoder here writes (a scalar both on the wire and in
// the residue, a residue that does not match its list or map, wrong wire types, 64-bit values
// beyond 2^53) are CorruptValue. Unknown field numbers are skipped, as protobuf parsers must.
import { CorruptValue } from './codec-error.js'
import type { FieldPlan, MessagePlan, WireScalar } from './message-plan.js'
import { wireTypeOf } from './message-encoder.js'
import { isPlainObject, type PlainObject } from './types.js'
import { valueDepthMax } from './values.js'
import { wireLengthDelimited, type WireReader } from './wire-reader.js'

/** Reads the message body r.buf[r.pos, end) and merges `residue` in; leaves r.pos at end. */
export function decodeMessage(r: WireReader, end: number, plan: MessagePlan, residue: unknown, depth: number): PlainObject {
  if (depth >= valueDepthMax) throw new CorruptValue(`${plan.name} is nested deeper than ${valueDepthMax} levels`)
  if (residue !== undefined && !isPlainObject(residue)) throw new CorruptValue(`unknownFields for ${plan.name} is not a map`)
  const out: PlainObject = {}
  const outerEnd = r.end
  r.end = end
  while (r.pos < end) {
    const tag = r.tag()
    const number = tag >>> 3
    const field = plan.byIdSmall[number] ?? plan.byId.get(number)
    const wireType = tag & 7
    if (field === undefined) r.skip(wireType)
    else readField(r, field, wireType, out, residue, depth)
  }
  r.end = outerEnd
  if (residue !== undefined) mergeResidue(out, residue, plan)
  return out
}

function readField(r: WireReader, field: FieldPlan, wireType: number, out: PlainObject, residue: PlainObject | undefined, depth: number): void {
  const name = field.name
  const message = field.message
  if (field.shape === 'map') return readMapEntry(r, field, wireType, out, residue === undefined ? undefined : own(residue, name), depth)
  if (message !== undefined) {
    expectWireType(field, wireType, wireLengthDelimited)
    const end = r.delimited()
    if (field.shape === 'single') {
      out[name] = decodeMessage(r, end, message, residue === undefined ? undefined : own(residue, name), depth + 1)
      return
    }
    const list = (Object.hasOwn(out, name) ? out[name] : (out[name] = [])) as PlainObject[] // only this function sets it
    list.push(decodeMessage(r, end, message, elementResidue(residue, name, list.length), depth + 1))
    return
  }
  const wire = field.wire
  if (field.shape === 'single') {
    expectWireType(field, wireType, wireTypeOf(wire))
    out[name] = readScalar(r, field)
    return
  }
  const list = (Object.hasOwn(out, name) ? out[name] : (out[name] = [])) as unknown[] // only this function sets it
  const scalarWireType = wireTypeOf(wire)
  // Parsers must accept packed and unpacked encodings of a numeric list alike.
  if (wireType === wireLengthDelimited && scalarWireType !== wireLengthDelimited) {
    const end = r.delimited()
    const outerEnd = r.end
    r.end = end
    while (r.pos < end) list.push(readScalar(r, field))
    r.end = outerEnd
    return
  }
  expectWireType(field, wireType, scalarWireType)
  list.push(readScalar(r, field))
}

function readMapEntry(r: WireReader, field: FieldPlan, wireType: number, out: PlainObject, residue: unknown, depth: number): void {
  expectWireType(field, wireType, wireLengthDelimited)
  const end = r.delimited()
  const outerEnd = r.end
  r.end = end
  let key = ''
  let value: unknown
  // A message value is decoded once the key is known (its residue is looked up by key).
  let bodyStart = -1
  let bodyEnd = -1
  const valueWireType = field.message !== undefined ? wireLengthDelimited : wireTypeOf(field.wire)
  while (r.pos < end) {
    const tag = r.tag()
    const number = tag >>> 3
    const type = tag & 7
    if (number === 1) {
      if (type !== wireLengthDelimited) throw new CorruptValue(`a map entry of ${field.name} has a non-string key`)
      key = r.string()
    } else if (number === 2) {
      if (type !== valueWireType) throw new CorruptValue(`a map entry of ${field.name} has a value of wire type ${type}`)
      if (field.message !== undefined) {
        bodyEnd = r.delimited()
        bodyStart = r.pos
        r.pos = bodyEnd
      } else value = readScalar(r, field)
    } else r.skip(type)
  }
  r.end = outerEnd
  // Our encoder never writes it, and as a property name it would set the map's prototype.
  if (key === '__proto__') throw new CorruptValue(`map ${field.name} has the key "__proto__"`)
  const map = (Object.hasOwn(out, field.name) ? out[field.name] : (out[field.name] = {})) as PlainObject // only here
  if (field.message !== undefined) {
    const after = r.pos
    const body = bodyStart < 0 ? r.pos : bodyStart
    r.pos = body
    const rest = isPlainObject(residue) ? own(residue, key) : undefined // a bad map residue fails in mergeResidue
    map[key] = decodeMessage(r, bodyStart < 0 ? body : bodyEnd, field.message, rest, depth + 1)
    r.pos = after
  } else map[key] = value === undefined ? scalarDefault(field.wire) : value
}

function expectWireType(field: FieldPlan, actual: number, expected: number): void {
  if (actual !== expected) throw new CorruptValue(`field ${field.name} has wire type ${actual}, expected ${expected}`)
}

// The switch is on FieldPlan.wireCode (message-plan.ts wireCodes), numbers being the cheapest to switch on.
function readScalar(r: WireReader, field: FieldPlan): unknown {
  switch (field.wireCode) {
    case 0:
      return r.string()
    case 1:
      return r.bytes()
    case 2:
      return r.bool()
    case 3:
      return r.double()
    case 4:
      return r.float()
    case 5:
      return r.int32()
    case 6:
      return r.sint32()
    case 7:
      return r.uint32()
    case 8:
      return r.fixed32()
    case 9:
      return r.sfixed32()
    case 10:
      return r.int64(true, 'int64')
    case 11:
      return r.int64(false, 'uint64')
    case 12:
      return r.sint64('sint64')
    case 13:
      return r.fixed64(false, 'fixed64')
    case 14:
      return r.fixed64(true, 'sfixed64')
    default:
      throw new CorruptValue(`field ${field.name} has no scalar type`)
  }
}

function scalarDefault(wire: WireScalar | undefined): unknown {
  if (wire === 'string') return ''
  if (wire === 'bytes') return new Uint8Array(0)
  if (wire === 'bool') return false
  return 0
}

/** Own properties only: a residue key such as "toString" must not find Object.prototype's. */
function own(object: PlainObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

function elementResidue(residue: PlainObject | undefined, name: string, index: number): unknown {
  if (residue === undefined) return undefined
  const rests = own(residue, name)
  if (rests === undefined) return undefined
  // One residue per element, null where an element had none (message-encoder.ts writeField).
  if (!Array.isArray(rests)) throw new CorruptValue(`unknownFields for list ${name} is not a list`)
  const r: unknown = rests[index]
  return r === null ? undefined : r
}

/** Adds the residue of fields absent from the wire and checks the residues merged while reading. */
function mergeResidue(out: PlainObject, residue: PlainObject, plan: MessagePlan): void {
  for (const key in residue) {
    if (!Object.hasOwn(residue, key)) continue
    if (!Object.hasOwn(out, key)) {
      out[key] = residue[key]
      continue
    }
    const field = plan.byName.get(key)
    // A scalar on the wire never has a residue: both at once means the bytes are not ours.
    if (field?.message === undefined) throw new CorruptValue(`${plan.name}.${key} is both on the wire and in unknownFields`)
    if (field.shape === 'repeated') {
      const rests = residue[key]
      if (!Array.isArray(rests) || rests.length !== (out[key] as unknown[]).length) {
        throw new CorruptValue(`unknownFields for list ${key} does not match its length`)
      }
    } else if (field.shape === 'map') checkMapResidue(out[key] as PlainObject, residue[key], field)
  }
}

/** Entries' residues were merged while reading (readMapEntry); here only their keys are checked. */
function checkMapResidue(map: PlainObject, rests: unknown, field: FieldPlan): void {
  if (!isPlainObject(rests)) throw new CorruptValue(`unknownFields for map ${field.name} is not a map`)
  for (const key in rests) {
    if (Object.hasOwn(rests, key) && !Object.hasOwn(map, key)) throw new CorruptValue(`unknownFields for map ${field.name} names a missing entry`)
  }
}

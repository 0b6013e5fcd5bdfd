// Wire bytes of one Kubernetes message -> its JSON form, driven by the proto/k8s schema.
// JSON rules (what Go's encoding/json makes of the same object): a field absent from the wire is
// absent; a plain scalar at its zero value is dropped (omitempty), one marked `optional` in the
// schema is kept (a Go pointer or a field without omitempty); a message present on the wire is
// an object even when empty (Go writes non-pointer structs as {}); bytes are base64; int64 is a
// number; inline fields join their parent; special types go through special-types.ts.
import protobuf from 'protobufjs'
import type { FieldBase, Reader, Type } from 'protobufjs'
import { ProtobufBodyError } from './protobuf-body-error.js'
import { specialName, specialToJson } from './special-types.js'

export type UnknownFieldPolicy = 'fail' | 'skip'

export interface DecodeContext {
  readonly unknownFields: UnknownFieldPolicy
  /** Paths of fields skipped under the 'skip' policy, e.g. "spec.template.spec#77". */
  readonly skipped: string[]
}

// Nesting the schema allows is ~20 deep (a CronJob's container probe); this bounds recursion on
// hostile input long before the stack does.
const depthMax = 48

const wireVarint = 0
const wireBytes = 2

type Json = Record<string, unknown>

export function decodeMessage(type: Type, bytes: Uint8Array, ctx: DecodeContext, path: string): unknown {
  const reader = protobuf.Reader.create(bytes)
  return decodeWithin(type, reader, reader.len, ctx, path, 0)
}

/** Decodes the message in reader[pos, end). One reader serves the whole body: `len` is narrowed
 *  to the message's end meanwhile, so protobufjs' own bounds checks stop at the message. */
function decodeWithin(type: Type, reader: Reader, end: number, ctx: DecodeContext, path: string, depth: number): unknown {
  if (depth > depthMax) throw new ProtobufBodyError(`${path || '<root>'}: nested deeper than ${depthMax}`)
  const outerLen = reader.len
  reader.len = end
  const out: Json = {}
  while (reader.pos < end) {
    const tag = reader.uint32()
    const number = tag >>> 3
    const wireType = tag & 7
    if (number === 0) throw new ProtobufBodyError(`${path || '<root>'}: field number 0`)
    const field = type.fieldsById[number]
    if (field === undefined) {
      unknownField(ctx, `${path}#${number}`, type)
      reader.skipType(wireType)
      continue
    }
    readField(field, wireType, reader, out, ctx, join(path, field.name), depth)
  }
  reader.len = outerLen
  const special = specialName(type)
  if (special !== null) return specialToJson(special, out)
  if (type.options?.['(slice)'] === true) return out['items'] ?? []
  return out
}

function unknownField(ctx: DecodeContext, where: string, type: Type): void {
  if (ctx.unknownFields === 'fail') {
    throw new ProtobufBodyError(`${where}: field number not in the ${type.fullName.slice(1)} schema (proto/k8s)`)
  }
  ctx.skipped.push(where)
}

function readField(field: FieldBase, wireType: number, reader: Reader, out: Json, ctx: DecodeContext, path: string, depth: number): void {
  if (field.map) {
    const entry = readMapEntry(field, wireType, reader, ctx, path, depth)
    const map = (out[field.name] ??= {}) as Json
    // defineProperty: a key such as "__proto__" is data, never the object's prototype.
    Object.defineProperty(map, entry[0], { value: entry[1], enumerable: true, writable: true, configurable: true })
    return
  }
  if (field.repeated) {
    const list = (out[field.name] ??= []) as unknown[]
    if (wireType === wireBytes && isPackable(field.type)) {
      const end = lengthEnd(reader, path)
      while (reader.pos < end) list.push(readScalar(field.type, reader))
      if (reader.pos !== end) throw new ProtobufBodyError(`${path}: packed values overrun their length`)
    } else list.push(readValue(field, wireType, reader, ctx, path, depth))
    return
  }
  const value = readValue(field, wireType, reader, ctx, path, depth)
  if (field.options?.['(inline)'] === true) {
    if (typeof value === 'object' && value !== null) Object.assign(out, value)
    return
  }
  // A message is never dropped for its value: Go writes a present struct (IntOrString 0 too).
  const scalar = field.resolvedType === null
  if (value === undefined || (scalar && !keepsZero(field) && isZero(value))) {
    delete out[field.name] // a later zero occurrence still wins, as in proto
    return
  }
  out[field.name] = value
}

function readValue(field: FieldBase, wireType: number, reader: Reader, ctx: DecodeContext, path: string, depth: number): unknown {
  const type = field.resolvedType
  if (type instanceof protobuf.Type) {
    expectWire(wireType, wireBytes, path)
    return decodeWithin(type, reader, lengthEnd(reader, path), ctx, path, depth + 1)
  }
  expectWire(wireType, wireTypeOf(field.type, path), path)
  return readScalar(field.type, reader)
}

function readMapEntry(field: FieldBase, wireType: number, reader: Reader, ctx: DecodeContext, path: string, depth: number): [string, unknown] {
  expectWire(wireType, wireBytes, path)
  const end = lengthEnd(reader, path)
  const outerLen = reader.len
  reader.len = end
  let key = ''
  let value: unknown
  const type = field.resolvedType
  while (reader.pos < end) {
    const tag = reader.uint32()
    const number = tag >>> 3
    if (number === 1) {
      expectWire(tag & 7, wireBytes, `${path} key`)
      key = reader.string()
    } else if (number === 2 && type instanceof protobuf.Type) {
      expectWire(tag & 7, wireBytes, `${path}[${key}]`)
      value = decodeWithin(type, reader, lengthEnd(reader, path), ctx, `${path}[${key}]`, depth + 1)
    } else if (number === 2) {
      expectWire(tag & 7, wireTypeOf(field.type, path), `${path}[${key}]`)
      value = readScalar(field.type, reader)
    } else throw new ProtobufBodyError(`${path}: map entry with field number ${number}`)
  }
  reader.len = outerLen
  // A missing value is the value type's zero (proto map semantics).
  if (value === undefined) value = type instanceof protobuf.Type ? decodeWithin(type, reader, reader.pos, ctx, path, depth + 1) : zeroOf(field.type)
  return [key, value]
}

function readScalar(type: string, reader: Reader): unknown {
  switch (type) {
    case 'string':
      return reader.string()
    case 'bytes':
      return Buffer.from(reader.bytes()).toString('base64')
    case 'bool':
      return reader.bool()
    case 'int32':
      return reader.int32()
    case 'int64':
      return toNumber(reader.int64())
    default:
      throw new ProtobufBodyError(`schema uses scalar type ${type}, which the decoder does not know`)
  }
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value
  return Number(String(value)) // a Long when the long package is present: exact decimal text
}

function lengthEnd(reader: Reader, path: string): number {
  const length = reader.uint32()
  const end = reader.pos + length
  if (end > reader.len) throw new ProtobufBodyError(`${path}: length ${length} runs past the end of its message`)
  return end
}

function expectWire(actual: number, expected: number, path: string): void {
  if (actual !== expected) throw new ProtobufBodyError(`${path}: wire type ${actual}, the schema expects ${expected}`)
}

function wireTypeOf(type: string, path: string): number {
  if (type === 'string' || type === 'bytes') return wireBytes
  if (type === 'bool' || type === 'int32' || type === 'int64') return wireVarint
  throw new ProtobufBodyError(`${path}: schema uses scalar type ${type}, which the decoder does not know`)
}

function isPackable(type: string): boolean {
  return type === 'bool' || type === 'int32' || type === 'int64'
}

function keepsZero(field: FieldBase): boolean {
  return field.options?.['proto3_optional'] === true
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false
}

function zeroOf(type: string): unknown {
  return type === 'bool' ? false : type === 'string' || type === 'bytes' ? '' : 0
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`
}

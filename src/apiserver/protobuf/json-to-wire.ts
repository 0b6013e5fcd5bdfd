// JSON form -> wire bytes of one Kubernetes message, the inverse of wire-to-json.ts. A value the
// schema cannot carry (a key it does not know, a string where a number belongs) throws
// NotEncodableError: losing data silently in a response is worse than answering in JSON.
import protobuf from 'protobufjs'
import type { FieldBase, Type, Writer } from 'protobufjs'
import { NotEncodableError, specialFromJson, specialName } from './special-types.js'

const int32Min = -(2 ** 31)
const int32Max = 2 ** 31 - 1
const base64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Keys a JSON object may carry that the message does not: TypeMeta at the top and on list items. */
export interface EncodeOptions {
  readonly allowTypeMeta: boolean
}

export function encodeMessage(type: Type, value: unknown, path: string, options: EncodeOptions): Uint8Array {
  const writer = protobuf.Writer.create()
  writeMessage(type, value, writer, path, options)
  return writer.finish()
}

function writeMessage(type: Type, value: unknown, writer: Writer, path: string, options: EncodeOptions): void {
  const special = specialName(type)
  if (special !== null) {
    const fields = specialFromJson(special, value, path)
    if (fields !== undefined) writeFields(type, fields, writer, path, new Set())
    return
  }
  if (type.options?.['(slice)'] === true) {
    if (!Array.isArray(value)) throw new NotEncodableError(path, 'expected an array')
    writeFields(type, { items: value }, writer, path, new Set())
    return
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new NotEncodableError(path, 'expected an object')
  const used = new Set<string>()
  writeFields(type, value as Record<string, unknown>, writer, path, used)
  for (const key of Object.keys(value)) {
    if (used.has(key)) continue
    if (options.allowTypeMeta && (key === 'apiVersion' || key === 'kind')) continue
    throw new NotEncodableError(`${path}.${key}`, `no such field in ${type.fullName.slice(1)}`)
  }
}

/** Writes the fields of `type` found in `object`, recording the keys it consumed in `used`
 *  (an inline field consumes its own fields' keys from the same object). */
function writeFields(type: Type, object: Record<string, unknown>, writer: Writer, path: string, used: Set<string>): void {
  for (const field of fieldsInOrder(type)) {
    if (field.options?.['(inline)'] === true) {
      const inlineType = field.resolvedType as Type
      const inner = protobuf.Writer.create()
      writeFields(inlineType, object, inner, path, used)
      writer.uint32((field.id << 3) | 2).bytes(inner.finish())
      continue
    }
    if (!(field.name in object)) continue
    used.add(field.name)
    const value = object[field.name]
    if (value === null || value === undefined) continue
    const where = `${path}.${field.name}`
    if (field.map) writeMap(field, value, writer, where)
    else if (field.repeated) {
      if (!Array.isArray(value)) throw new NotEncodableError(where, 'expected an array')
      value.forEach((item: unknown, i) => writeValue(field, item, writer, `${where}[${i}]`))
    } else writeValue(field, value, writer, where)
  }
}

const orderCache = new WeakMap<Type, readonly FieldBase[]>()

/** Fields by number, the order Go's marshaller writes them (decoders accept any order). */
function fieldsInOrder(type: Type): readonly FieldBase[] {
  let fields = orderCache.get(type)
  if (fields === undefined) {
    fields = type.fieldsArray.slice().sort((a, b) => a.id - b.id)
    orderCache.set(type, fields)
  }
  return fields
}

function writeMap(field: FieldBase, value: unknown, writer: Writer, path: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new NotEncodableError(path, 'expected an object')
  for (const [key, item] of Object.entries(value)) {
    if (item === null) throw new NotEncodableError(`${path}[${key}]`, 'a map value cannot be null')
    writer.uint32((field.id << 3) | 2).fork()
    writer.uint32((1 << 3) | 2).string(key)
    writeValue(field, item, writer, `${path}[${key}]`, 2)
    writer.ldelim()
  }
}

function writeValue(field: FieldBase, value: unknown, writer: Writer, path: string, number = field.id): void {
  const type = field.resolvedType
  if (type instanceof protobuf.Type) {
    writer.uint32((number << 3) | 2).fork()
    writeMessage(type, value, writer, path, { allowTypeMeta: /\.items\[\d+\]$/.test(path) })
    writer.ldelim()
    return
  }
  writeScalar(field.type, value, writer, path, number)
}

function writeScalar(type: string, value: unknown, writer: Writer, path: string, number: number): void {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw new NotEncodableError(path, 'expected a string')
      writer.uint32((number << 3) | 2).string(value)
      return
    case 'bytes':
      if (typeof value !== 'string' || value.length % 4 !== 0 || !base64.test(value)) throw new NotEncodableError(path, 'expected base64')
      writer.uint32((number << 3) | 2).bytes(Buffer.from(value, 'base64'))
      return
    case 'bool':
      if (typeof value !== 'boolean') throw new NotEncodableError(path, 'expected a boolean')
      writer.uint32(number << 3).bool(value)
      return
    case 'int32':
      if (!Number.isInteger(value) || (value as number) < int32Min || (value as number) > int32Max) throw new NotEncodableError(path, 'expected an int32')
      writer.uint32(number << 3).int32(value as number)
      return
    case 'int64':
      if (!Number.isSafeInteger(value)) throw new NotEncodableError(path, 'expected an integer')
      writer.uint32(number << 3).int64(value as number)
      return
    default:
      throw new NotEncodableError(path, `schema uses scalar type ${type}`)
  }
}

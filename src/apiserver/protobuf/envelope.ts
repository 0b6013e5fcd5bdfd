// The k8s\0 envelope: 4 magic bytes ("k8s" + encoding 0), then a runtime.Unknown message
// {typeMeta(1){apiVersion(1), kind(2)}, raw(2), contentEncoding(3), contentType(4)}.
import protobuf from 'protobufjs'
import { ProtobufBodyError } from './protobuf-body-error.js'

export const envelopeMagic: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00)

export interface Envelope {
  readonly apiVersion: string
  readonly kind: string
  readonly raw: Uint8Array
  readonly contentEncoding: string
  readonly contentType: string
}

export function readEnvelope(body: Uint8Array): Envelope {
  if (body.length < envelopeMagic.length || envelopeMagic.some((b, i) => body[i] !== b)) {
    throw new ProtobufBodyError('does not start with the k8s\\0 magic')
  }
  const reader = protobuf.Reader.create(body.subarray(envelopeMagic.length))
  let apiVersion = ''
  let kind = ''
  let raw: Uint8Array = new Uint8Array(0)
  let contentEncoding = ''
  let contentType = ''
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    if ((tag & 7) !== 2) throw new ProtobufBodyError(`envelope field ${tag >>> 3} has wire type ${tag & 7}`)
    const bytes = reader.bytes()
    switch (tag >>> 3) {
      case 1:
        ;[apiVersion, kind] = readTypeMeta(bytes)
        break
      case 2:
        raw = bytes
        break
      case 3:
        contentEncoding = Buffer.from(bytes).toString('utf8')
        break
      case 4:
        contentType = Buffer.from(bytes).toString('utf8')
        break
      default:
        throw new ProtobufBodyError(`envelope has unknown field ${tag >>> 3}`)
    }
  }
  return { apiVersion, kind, raw, contentEncoding, contentType }
}

function readTypeMeta(bytes: Uint8Array): [string, string] {
  const reader = protobuf.Reader.create(bytes)
  const out: [string, string] = ['', '']
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    const number = tag >>> 3
    if ((tag & 7) !== 2 || (number !== 1 && number !== 2)) throw new ProtobufBodyError(`envelope typeMeta has field ${number} wire type ${tag & 7}`)
    out[number - 1] = reader.string()
  }
  return out
}

export function writeEnvelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const writer = protobuf.Writer.create()
  writer.uint32((1 << 3) | 2).fork()
  writer.uint32((1 << 3) | 2).string(apiVersion)
  writer.uint32((2 << 3) | 2).string(kind)
  writer.ldelim()
  writer.uint32((2 << 3) | 2).bytes(raw)
  const message = writer.finish()
  const out = new Uint8Array(envelopeMagic.length + message.length)
  out.set(envelopeMagic, 0)
  out.set(message, envelopeMagic.length)
  return out
}

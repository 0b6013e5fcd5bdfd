// The stored frame: magic "etch\0" + an Envelope message (proto/etchlog/runtime/v1/envelope.proto).
// See docs/codec-format.md. The magic and content types are persisted: DO-NOT-CHANGE.
import protobuf from 'protobufjs'
import type { Type, Writer } from 'protobufjs'
import { CorruptValue } from '../../../src/codec/codec-error.js'
import { loadProtoFiles, newRoot } from '../../../src/codec/proto-files.js'

/** "etch" + format byte 0 (0 = an Envelope follows), like Kubernetes' "k8s\0". */
export const magic: Uint8Array = Uint8Array.from([0x65, 0x74, 0x63, 0x68, 0x00])

export const contentTypeProtobuf = 'application/vnd.etchlog.protobuf'
export const contentTypeMsgpack = 'application/vnd.etchlog.msgpack'

export interface Envelope {
  apiVersion: string
  kind: string
  raw: Uint8Array
  contentEncoding: string
  contentType: string
  messageType: string
  unknownFields: Uint8Array
}

let envelopeType: Type | undefined

// Loaded on first use (once per process): the schema file is part of the package.
function type(): Type {
  if (envelopeType === undefined) {
    const root = newRoot()
    loadProtoFiles(root, ['etchlog/runtime/v1/envelope.proto'])
    envelopeType = root.lookupType('etchlog.runtime.v1.Envelope')
  }
  return envelopeType
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  return encodeEnvelopeWith(e, (w) => w.raw(e.raw))
}

/**
 * The frame for `e` with `raw` written by `writeRaw` straight into the frame's writer (no
 * separate buffer for the body). Writes exactly what the Envelope type's encoder writes for the
 * same values: fields in number order, '' and empty bytes left off, typeMeta always written.
 */
export function encodeEnvelopeWith(e: Omit<Envelope, 'raw'>, writeRaw: (w: Writer) => void): Uint8Array {
  // On node a BufferWriter (fast string writes); the result is copied out as a plain Uint8Array.
  const w = protobuf.Writer.create()
  w.raw(magic)
  w.uint32(10).fork() // 1 typeMeta
  if (e.apiVersion !== '') w.uint32(10).string(e.apiVersion)
  if (e.kind !== '') w.uint32(18).string(e.kind)
  w.ldelim()
  const beforeRaw = w.pos
  w.uint32(18).fork() // 2 raw, left off when empty
  const rawStart = w.pos
  writeRaw(w)
  if (w.pos === rawStart) {
    w.reset()
    w.pos = beforeRaw
  } else w.ldelim()
  if (e.contentEncoding !== '') w.uint32(26).string(e.contentEncoding) // 3
  if (e.messageType !== '') w.uint32(42).string(e.messageType) // 5
  if (e.unknownFields.length > 0) w.uint32(50).bytes(e.unknownFields) // 6
  if (e.contentType !== '') w.uint32(122).string(e.contentType) // 15
  return w.finishInto(new Uint8Array(w.pos))
}

/** Parses the frame; protobufjs errors (truncation, bad wire types) propagate to the caller. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length < magic.length || magic.some((b, i) => bytes[i] !== b)) {
    throw new CorruptValue('missing the "etch\\0" magic prefix (not a value written by the codec)')
  }
  // A plain Uint8Array view: protobufjs then hands out Uint8Array (not Buffer) byte fields.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset + magic.length, bytes.byteLength - magic.length)
  const m = type().decode(view) as unknown as Record<string, unknown>
  const meta = Object.hasOwn(m, 'typeMeta') ? m['typeMeta'] : undefined
  if (typeof meta !== 'object' || meta === null) throw new CorruptValue('the envelope has no typeMeta')
  const typeMeta = meta as Record<string, unknown>
  return {
    apiVersion: text(typeMeta, 'apiVersion'),
    kind: text(typeMeta, 'kind'),
    raw: binary(m, 'raw'),
    contentEncoding: text(m, 'contentEncoding'),
    contentType: text(m, 'contentType'),
    messageType: text(m, 'messageType'),
    unknownFields: binary(m, 'unknownFields'),
  }
}

// proto3 leaves '' and empty bytes off the wire; protobufjs then shows a prototype default.
function text(m: Record<string, unknown>, name: string): string {
  if (!Object.hasOwn(m, name)) return ''
  const v = m[name]
  if (typeof v !== 'string') throw new CorruptValue(`the envelope field ${name} is not a string`)
  return v
}

function binary(m: Record<string, unknown>, name: string): Uint8Array {
  if (!Object.hasOwn(m, name)) return new Uint8Array(0)
  const v = m[name]
  if (!(v instanceof Uint8Array)) throw new CorruptValue(`the envelope field ${name} is not bytes`)
  return v
}

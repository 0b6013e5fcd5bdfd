// The stored frame: magic "etch\0" + an Envelope message (proto/etchlog/runtime/v1/envelope.proto).
// See docs/codec-format.md. The magic and content types are persisted: DO-NOT-CHANGE.
import { CorruptValue } from './codec-error.js'
import { WireReader, wireLengthDelimited } from './wire-reader.js'
import { WireWriter } from './wire-writer.js'

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

// Field numbers of etchlog.runtime.v1.Envelope and TypeMeta (proto/etchlog/runtime/v1/envelope.proto).
// Written and read by hand: the frame is small and fixed, and this path runs on every value.
const fieldTypeMeta = 1
const fieldRaw = 2
const fieldContentEncoding = 3
const fieldMessageType = 5
const fieldUnknownFields = 6
const fieldContentType = 15
const fieldApiVersion = 1
const fieldKind = 2
const knownFields = new Set([fieldTypeMeta, fieldRaw, fieldContentEncoding, fieldMessageType, fieldUnknownFields, fieldContentType])

// One writer reused by every encode (the codec is synchronous); a nested encode, which only a
// getter calling the codec could start, gets its own.
const shared = new WireWriter(4096)
let sharedBusy = false

/** Fields of the frame written after raw. */
export type FrameTail = Pick<Envelope, 'contentEncoding' | 'messageType' | 'contentType' | 'unknownFields'>

export function encodeEnvelope(e: Envelope): Uint8Array {
  const w = openFrame(e.apiVersion, e.kind)
  try {
    if (e.raw.length > 0) {
      w.tag(fieldRaw, wireLengthDelimited)
      w.bytes(e.raw)
    }
    return closeFrame(w, e)
  } finally {
    releaseFrame(w)
  }
}

/**
 * Starts a frame: magic and typeMeta. The caller then writes the raw field (tag and body, or
 * nothing for an empty body) straight into the frame, calls closeFrame for the rest, and
 * releaseFrame in a finally. Fields go in number order, '' and empty bytes left off, typeMeta
 * always written: the bytes protobufjs writes for the same Envelope (test/codec/wire-oracle.test.ts).
 */
export function openFrame(apiVersion: string, kind: string): WireWriter {
  const w = sharedBusy ? new WireWriter() : shared
  if (w === shared) sharedBusy = true
  w.reset()
  w.raw(magic)
  w.tag(fieldTypeMeta, wireLengthDelimited)
  const meta = w.begin()
  if (apiVersion !== '') stringField(w, fieldApiVersion, apiVersion)
  if (kind !== '') stringField(w, fieldKind, kind)
  w.end(meta)
  return w
}

/** Writes the fields after raw and returns the frame's bytes (a copy: the writer is reused). */
export function closeFrame(w: WireWriter, tail: FrameTail): Uint8Array {
  if (tail.contentEncoding !== '') stringField(w, fieldContentEncoding, tail.contentEncoding)
  if (tail.messageType !== '') stringField(w, fieldMessageType, tail.messageType)
  if (tail.unknownFields.length > 0) {
    w.tag(fieldUnknownFields, wireLengthDelimited)
    w.bytes(tail.unknownFields)
  }
  if (tail.contentType !== '') stringField(w, fieldContentType, tail.contentType)
  return w.finish()
}

export function releaseFrame(w: WireWriter): void {
  if (w === shared) sharedBusy = false
}

/** Envelope.raw's tag, one byte. */
export const rawTag = (fieldRaw << 3) | wireLengthDelimited

function stringField(w: WireWriter, field: number, value: string): void {
  w.tag(field, wireLengthDelimited)
  w.string(value)
}

/**
 * The header encryption at rest puts before a value (docs/encryption-format.md): `etch:enc:`,
 * the provider, the layout version and, except for identity, the key (or kms provider) name. The
 * codec only recognises it, to say why it cannot read such a value.
 */
const encryptedHeader = /^etch:enc:([a-z-]{1,16}):(v\d+):(?:([A-Za-z0-9][A-Za-z0-9._-]{0,63}):)?/

/** Who encrypted `bytes`, when they start with an encryption header: "provider aesgcm, key "k1"". */
export function encryptedBy(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 96)).toString('latin1')
  const m = encryptedHeader.exec(head)
  if (m === null) return undefined
  const [, provider, , name] = m
  if (name === undefined) return `provider ${provider ?? ''}`
  return `provider ${provider ?? ''}, ${provider === 'kms' ? 'kms provider' : 'key'} "${name}"`
}

/** Parses the frame; raw and unknownFields are views of `bytes` (the caller decodes them right away). */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length < magic.length || magic.some((b, i) => bytes[i] !== b)) {
    const by = encryptedBy(bytes)
    if (by !== undefined) {
      throw new CorruptValue(`the value is encrypted (${by}): read it through an encryption config that holds that key (etchctl --encryption-config, or openStore's transformer)`)
    }
    throw new CorruptValue('missing the "etch\\0" magic prefix (not a value written by the codec)')
  }
  const r = new WireReader(bytes, magic.length)
  const e: Envelope = { apiVersion: '', kind: '', raw: noBytes, contentEncoding: '', contentType: '', messageType: '', unknownFields: noBytes }
  let sawTypeMeta = false
  while (!r.done) {
    const tag = r.tag()
    const field = tag >>> 3
    const wireType = tag & 7
    // Every field of the envelope is length-delimited; unknown ones are skipped whatever their type.
    if (knownFields.has(field) && wireType !== wireLengthDelimited) throw new CorruptValue(`the envelope field ${field} has wire type ${wireType}`)
    switch (field) {
      case fieldTypeMeta:
        sawTypeMeta = true
        readTypeMeta(r, e)
        break
      case fieldRaw:
        e.raw = r.bytesView()
        break
      case fieldContentEncoding:
        e.contentEncoding = r.string()
        break
      case fieldMessageType:
        e.messageType = r.string()
        break
      case fieldUnknownFields:
        e.unknownFields = r.bytesView()
        break
      case fieldContentType:
        e.contentType = r.string()
        break
      default:
        r.skip(wireType)
    }
  }
  if (!sawTypeMeta) throw new CorruptValue('the envelope has no typeMeta')
  return e
}

function readTypeMeta(r: WireReader, e: Envelope): void {
  const end = r.delimited()
  const outer = r.end
  r.end = end
  while (!r.done) {
    const tag = r.tag()
    const field = tag >>> 3
    if ((field === fieldApiVersion || field === fieldKind) && (tag & 7) !== wireLengthDelimited) {
      throw new CorruptValue(`the envelope's typeMeta field ${field} is not a string`)
    }
    if (field === fieldApiVersion) e.apiVersion = r.string()
    else if (field === fieldKind) e.kind = r.string()
    else r.skip(tag & 7)
  }
  r.end = outer
}

const noBytes = new Uint8Array(0)

// Objects <-> stored bytes. encode: validate, blank resourceVersion, then protobuf (registered
// kinds, leftovers in unknownFields) or MessagePack (other kinds) inside the envelope. decode: the
// reverse, stamping resourceVersion from the row's modRevision. Pure: no I/O after construction.
import { AssertionError } from 'node:assert'
import { InvalidArgumentError, assert } from '../util/index.js'
import { CodecError, CorruptValue, InvalidValue } from './codec-error.js'
import { closeFrame, contentTypeMsgpack, contentTypeProtobuf, decodeEnvelope, encodeEnvelope, openFrame, rawTag, releaseFrame, type Envelope } from './envelope.js'
import type { KindRegistry, RegisteredKind } from './kind-registry.js'
import { decodeMessage } from './message-decoder.js'
import { encodeMessage } from './message-encoder.js'
import { packValue, unpackValue } from './msgpack.js'
import { isPlainObject, type DecodeContext, type KubeObject, type KubeObjectInput, type PlainObject } from './types.js'
import { canonicalObject, decodedFormOf, isWellFormed } from './values.js'
import { WireReader } from './wire-reader.js'

const noBytes = new Uint8Array(0)

export class ObjectCodec {
  constructor(readonly registry: KindRegistry) {}

  /** Stored bytes for `object`; equal objects (ignoring key order and resourceVersion) give equal bytes. */
  encode(object: KubeObjectInput): Uint8Array {
    const { apiVersion, kind, body } = storedParts(object)
    const registered = this.registry.lookup(apiVersion, kind)
    try {
      return registered ? encodeProtobuf(apiVersion, kind, body, registered) : encodeEnvelope(msgpackEnvelope(apiVersion, kind, body))
    } catch (err) {
      if (err instanceof InvalidValue) {
        throw new InvalidArgumentError(`codec: cannot encode ${kind} ${JSON.stringify(object.metadata.name)}: ${err.reason} at ${err.path}`)
      }
      throw err
    }
  }

  /**
   * What decode(encode(object)) gives, built by copying instead of decoding (several times
   * cheaper): for a write that returns the object it stored. Call it right after encode(object),
   * before any await, so the copy is of what was encoded; then set metadata.resourceVersion.
   */
  decodedCopy(object: KubeObjectInput): KubeObject {
    const { apiVersion, kind, body } = storedParts(object)
    const copy = decodedFormOf(body) as PlainObject // storedParts: a plain object with metadata
    return { apiVersion, kind, ...copy } as KubeObject // the shape encode just checked
  }

  /** The object stored in `bytes`, with metadata.resourceVersion = the row's modRevision. */
  decode(bytes: Uint8Array, context: DecodeContext): KubeObject {
    const { key, resourceVersion } = context
    assert(Number.isSafeInteger(resourceVersion) && resourceVersion > 0, 'codec: resourceVersion must be a positive revision')
    try {
      return this.decodeUnchecked(bytes, resourceVersion)
    } catch (err) {
      // Assertion failures are bugs here, not bad bytes: let them crash.
      if (err instanceof AssertionError) throw err
      if (err instanceof CorruptValue) throw CodecError.forKey(key, err.message, { cause: err.cause })
      // protobufjs and msgpackr throw plain Errors/RangeErrors on garbage or truncation.
      throw CodecError.forKey(key, `malformed value (${err instanceof Error ? err.message : String(err)})`, { cause: err })
    }
  }

  private decodeUnchecked(bytes: Uint8Array, resourceVersion: number): KubeObject {
    const e = decodeEnvelope(bytes)
    if (e.apiVersion === '' || e.kind === '') throw new CorruptValue('the envelope has no apiVersion or kind')
    if (e.contentEncoding !== '') throw new CorruptValue(`unsupported content encoding ${JSON.stringify(e.contentEncoding)}`)
    let body: unknown
    if (e.contentType === contentTypeProtobuf) body = this.protobufBody(e)
    else if (e.contentType === contentTypeMsgpack) {
      if (e.messageType !== '' || e.unknownFields.length > 0) throw new CorruptValue('a MessagePack envelope carries protobuf fields')
      body = unpackValue(e.raw, 'the body')
    } else throw new CorruptValue(`unknown content type ${JSON.stringify(e.contentType)}`)
    return assemble(e.apiVersion, e.kind, body, resourceVersion)
  }

  private protobufBody(e: Envelope): PlainObject {
    const registered = this.registry.lookup(e.apiVersion, e.kind)
    const gvk = `${e.apiVersion}, Kind=${e.kind}`
    if (registered === undefined) throw new CorruptValue(`kind ${gvk} is stored as protobuf but is not registered`)
    if (registered.plan.name !== e.messageType) {
      throw new CorruptValue(`kind ${gvk} was written as ${e.messageType || '(none)'} but is registered as ${registered.plan.name}`)
    }
    const rest = e.unknownFields.length > 0 ? unpackValue(e.unknownFields, 'unknownFields') : undefined
    const r = new WireReader(e.raw)
    return decodeMessage(r, e.raw.length, registered.plan, rest, 0)
  }
}

interface StoredParts {
  apiVersion: string
  kind: string
  /** The object minus apiVersion/kind (kept in the envelope) and metadata.resourceVersion. */
  body: PlainObject
}

function storedParts(object: unknown): StoredParts {
  if (!isPlainObject(object)) return refuse('not a plain object')
  const { apiVersion, kind, metadata } = object
  if (typeof apiVersion !== 'string' || apiVersion === '' || !isWellFormed(apiVersion)) return refuse('apiVersion must be a non-empty string')
  if (typeof kind !== 'string' || kind === '' || !isWellFormed(kind)) return refuse('kind must be a non-empty string')
  if (!isPlainObject(metadata)) return refuse('metadata must be an object')
  if (typeof metadata['name'] !== 'string' || metadata['name'] === '') return refuse('metadata.name must be a non-empty string')
  // resourceVersion is the row's modRevision, never data (Kubernetes PrepareObjectForStorage).
  // Shallow copies by loop: object rest-spread is several times slower on this path.
  // An own "__proto__" key (JSON.parse makes them) would set the copy's prototype: refuse it first.
  if (Object.hasOwn(object, '__proto__') || Object.hasOwn(metadata, '__proto__')) return refuse('the object key "__proto__" is not supported')
  const meta: PlainObject = {}
  for (const key of Object.keys(metadata)) if (key !== 'resourceVersion') meta[key] = metadata[key]
  const body: PlainObject = {}
  for (const key of Object.keys(object)) if (key !== 'apiVersion' && key !== 'kind') body[key] = key === 'metadata' ? meta : object[key]
  return { apiVersion, kind, body }
}

function refuse(why: string): never {
  throw new InvalidArgumentError(`codec: cannot encode object: ${why}`)
}

function encodeProtobuf(apiVersion: string, kind: string, body: PlainObject, registered: RegisteredKind): Uint8Array {
  const w = openFrame(apiVersion, kind)
  try {
    // The message goes straight into the frame's raw field; its residue becomes unknownFields.
    w.uint32(rawTag)
    const at = w.begin()
    const rest = encodeMessage(w, body, registered.plan, 0)
    if (w.pos === at + 1) w.pos = at - 1 // an empty message: proto3 leaves raw off (its tag is one byte)
    else w.end(at)
    const unknownFields = rest === undefined ? noBytes : packValue(rest)
    return closeFrame(w, { contentEncoding: '', messageType: registered.plan.name, contentType: contentTypeProtobuf, unknownFields })
  } finally {
    releaseFrame(w)
  }
}

function msgpackEnvelope(apiVersion: string, kind: string, body: PlainObject): Envelope {
  const raw = packValue(canonicalObject(body, 0))
  return { apiVersion, kind, raw, contentEncoding: '', contentType: contentTypeMsgpack, messageType: '', unknownFields: noBytes }
}

function assemble(apiVersion: string, kind: string, body: unknown, resourceVersion: number): KubeObject {
  if (!isPlainObject(body)) throw new CorruptValue('the body is not an object')
  const { metadata } = body
  if (!isPlainObject(metadata)) throw new CorruptValue('the body has no metadata')
  if (typeof metadata['name'] !== 'string' || metadata['name'] === '') throw new CorruptValue('metadata.name is missing')
  if (Object.hasOwn(body, 'apiVersion') || Object.hasOwn(body, 'kind')) throw new CorruptValue('the body repeats apiVersion or kind')
  if (Object.hasOwn(metadata, 'resourceVersion')) throw new CorruptValue('the body stores a resourceVersion')
  metadata['resourceVersion'] = String(resourceVersion)
  return { apiVersion, kind, ...body } as KubeObject // shape checked above: name, metadata; the rest is data
}

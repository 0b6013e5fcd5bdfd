// The reference codec: the protobufjs-based path the hand-written wire codec replaced (split.ts
// builds the message object, protobufjs encodes it; join.ts rebuilds the object from what
// protobufjs decodes). Slower but simple, it is the oracle test/codec/wire-oracle.test.ts holds
// the fast path to: same bytes on encode, same object on decode.
import type { KindRegistry } from '../../../src/codec/kind-registry.js'
import { packValue, unpackValue } from '../../../src/codec/msgpack.js'
import type { KubeObject, PlainObject } from '../../../src/codec/types.js'
import { contentTypeProtobuf } from '../../../src/codec/envelope.js'
import { decodeEnvelope, encodeEnvelopeWith } from './envelope.js'
import { joinMessage } from './join.js'
import { splitMessage } from './split.js'

export function oracleEncode(registry: KindRegistry, object: KubeObject): Uint8Array {
  const { apiVersion, kind, metadata, ...rest } = object as unknown as PlainObject & { apiVersion: string; kind: string; metadata: PlainObject }
  const { resourceVersion: _blanked, ...meta } = metadata
  const registered = registry.lookup(apiVersion, kind)
  if (registered === undefined) throw new Error(`oracle: ${apiVersion}/${kind} is not registered`)
  const { typed, rest: residue } = splitMessage({ ...rest, metadata: meta }, registered.plan, 0)
  const frame = {
    apiVersion,
    kind,
    contentEncoding: '',
    contentType: contentTypeProtobuf,
    messageType: registered.plan.name,
    unknownFields: residue === undefined ? new Uint8Array(0) : packValue(residue),
  }
  return encodeEnvelopeWith(frame, (w) => registered.plan.type.encode(typed, w))
}

export function oracleDecode(registry: KindRegistry, bytes: Uint8Array, resourceVersion: number): KubeObject {
  const e = decodeEnvelope(bytes)
  const registered = registry.lookup(e.apiVersion, e.kind)
  if (registered === undefined) throw new Error(`oracle: ${e.apiVersion}/${e.kind} is not registered`)
  const residue = e.unknownFields.length > 0 ? unpackValue(e.unknownFields, 'unknownFields') : undefined
  const body = joinMessage(registered.plan.type.decode(e.raw), registered.plan, residue)
  ;(body['metadata'] as PlainObject)['resourceVersion'] = String(resourceVersion)
  return { apiVersion: e.apiVersion, kind: e.kind, ...body } as KubeObject
}

// Bytes the codec did not write, or wrote differently, give a CodecError naming the key: never a
// crash, never a half object.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import protobuf from 'protobufjs'
import { pack } from 'msgpackr'
import { CodecError, KindRegistry, ObjectCodec, defaultRegistry, magic, shippedProtoDir, type KubeObject } from '../../src/codec/index.js'
import { anyObject } from './arbitraries.js'

const codec = new ObjectCodec(defaultRegistry())
const key = '/registry/pods/default/web'
const meta = { name: 'web', uid: 'u', resourceVersion: '', generation: 1, creationTimestamp: 't' }
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { nodeName: 'n', extra: [1] } } as KubeObject

const envelopeType = new protobuf.Root().loadSync(`${shippedProtoDir}/etchlog/runtime/v1/envelope.proto`, { keepCase: true }).lookupType('etchlog.runtime.v1.Envelope')

/** A frame with a hand-made envelope, to reach each check behind the magic. */
function frame(fields: Record<string, unknown>): Uint8Array {
  return Buffer.concat([magic, envelopeType.encode(fields).finish()])
}

function assertCodecError(bytes: Uint8Array, reason: RegExp): void {
  assert.throws(
    () => codec.decode(bytes, { key, resourceVersion: 5 }),
    (err: unknown) => {
      assert.ok(err instanceof CodecError, `expected CodecError, got ${String(err)}`)
      assert.equal(err.code, 'InternalError')
      assert.match(err.message, /^codec: cannot decode the value of key "\/registry\/pods\/default\/web": /)
      assert.match(err.message, reason)
      return true
    },
  )
}

const typeMeta = { apiVersion: 'v1', kind: 'Pod' }
const proto = 'application/vnd.etchlog.protobuf'
const msgpack = 'application/vnd.etchlog.msgpack'

test('bad magic: empty, short, other prefixes, Kubernetes and JSON values', () => {
  const good = codec.encode(pod)
  for (const bytes of [new Uint8Array(0), good.subarray(0, 4), Buffer.from('k8s\0xyz'), Buffer.from('{"kind":"Pod"}'), Buffer.from('etch\x01rest')]) {
    assertCodecError(bytes, /magic/)
  }
})

test('an encrypted value read without its key says so, naming the provider and key', () => {
  const body = Buffer.from([0x00, 0xff, 0x10, 0x3a])
  assertCodecError(Buffer.concat([Buffer.from('etch:enc:aesgcm:v1:k1:'), body]), /the value is encrypted \(provider aesgcm, key "k1"\): read it through an encryption config that holds that key/)
  assertCodecError(Buffer.concat([Buffer.from('etch:enc:aesgcm-hkdf:v1:key2.b:'), body]), /encrypted \(provider aesgcm-hkdf, key "key2\.b"\)/)
  assertCodecError(Buffer.concat([Buffer.from('etch:enc:kms:v1:vault:'), body]), /encrypted \(provider kms, kms provider "vault"\)/)
  // Not a header: the usual message.
  assertCodecError(Buffer.from('etch:enc:'), /magic/)
})

test('every truncation of a valid value fails typed (or, at the full length, decodes)', () => {
  for (const object of [pod, { ...pod, kind: 'Widget' }]) {
    const good = codec.encode(object as KubeObject)
    for (let n = 0; n < good.length; n++) assertCodecError(good.subarray(0, n), /./)
  }
})

test('envelope problems: no typeMeta, no kind, compression, unknown content type', () => {
  assertCodecError(frame({ raw: new Uint8Array([1]), contentType: proto }), /no typeMeta/)
  assertCodecError(frame({ typeMeta: { apiVersion: 'v1' }, contentType: msgpack, raw: pack({ metadata: { name: 'a' } }) }), /no apiVersion or kind/)
  assertCodecError(frame({ typeMeta, contentEncoding: 'gzip', contentType: msgpack, raw: pack({ metadata: { name: 'a' } }) }), /content encoding "gzip"/)
  assertCodecError(frame({ typeMeta, contentType: 'application/json', raw: Buffer.from('{}') }), /unknown content type "application\/json"/)
  assertCodecError(frame({ typeMeta, contentType: '' }), /unknown content type ""/)
})

test('an unregistered kind version stored as protobuf, or under another message type', () => {
  const good = codec.encode({ ...pod, apiVersion: 'v1' } as KubeObject)
  // The same bytes read by a registry without Pod:
  assert.throws(() => new ObjectCodec(new KindRegistry()).decode(good, { key, resourceVersion: 1 }), /kind v1, Kind=Pod is stored as protobuf but is not registered/)
  assertCodecError(frame({ typeMeta: { apiVersion: 'v2', kind: 'Pod' }, contentType: proto, messageType: 'etchlog.core.v2.Pod' }), /v2, Kind=Pod is stored as protobuf but is not registered/)
  assertCodecError(frame({ typeMeta, contentType: proto, messageType: 'etchlog.core.v1.ConfigMap' }), /written as etchlog.core.v1.ConfigMap but is registered as etchlog.core.v1.Pod/)
})

test('MessagePack garbage, wrong shapes and foreign types', () => {
  const body = (raw: Uint8Array) => frame({ typeMeta: { apiVersion: 'x/v1', kind: 'W' }, contentType: msgpack, raw })
  assertCodecError(body(new Uint8Array(0)), /the body is empty/)
  assertCodecError(body(Uint8Array.from([0xc1])), /unexpected object class/)
  assertCodecError(body(Uint8Array.from([0x93, 0x01])), /not valid MessagePack/)
  assertCodecError(body(Uint8Array.from([0x01, 0x02])), /not valid MessagePack/)
  assertCodecError(body(pack([1, 2])), /the body is not an object/)
  assertCodecError(body(pack({ spec: 1 })), /no metadata/)
  assertCodecError(body(pack({ metadata: { name: '' } })), /metadata.name is missing/)
  assertCodecError(body(pack({ metadata: { name: 'a', resourceVersion: '9' } })), /stores a resourceVersion/)
  assertCodecError(body(pack({ kind: 'X', metadata: { name: 'a' } })), /repeats apiVersion or kind/)
  assertCodecError(body(pack({ metadata: { name: 'a', when: new Date(0) } })), /unexpected object class/)
  assertCodecError(body(pack({ metadata: { name: 'a', u: undefined } })), /unexpected undefined/)
  assertCodecError(body(Uint8Array.from([0xd4, 0x05, 0x00])), /not valid MessagePack/)
  assertCodecError(frame({ typeMeta: { apiVersion: 'x/v1', kind: 'W' }, contentType: msgpack, raw: pack({ metadata: { name: 'a' } }), messageType: 'p.M' }), /carries protobuf fields/)
})

test('protobuf bodies: garbage raw, garbage or misplaced unknownFields', () => {
  const head = { typeMeta, contentType: proto, messageType: 'etchlog.core.v1.Pod' }
  const metaRaw = Uint8Array.from([0x0a, 0x03, 0x0a, 0x01, 0x61]) // Pod{metadata{name:"a"}}
  assertCodecError(frame({ ...head, raw: Uint8Array.from([0x0a, 0x05, 0x0a]) }), /protobuf bytes are truncated/)
  assertCodecError(frame({ ...head, raw: Uint8Array.from([0x0f]) }), /field metadata has wire type 7, expected 2/)
  assertCodecError(frame({ ...head, raw: metaRaw, unknownFields: Uint8Array.from([0xc1]) }), /unexpected object class/)
  assertCodecError(frame({ ...head, raw: metaRaw, unknownFields: pack([1]) }), /unknownFields for etchlog.core.v1.Pod is not a map/)
  assertCodecError(frame({ ...head, raw: metaRaw, unknownFields: pack({ metadata: { name: 'b' } }) }), /both on the wire and in unknownFields/)
  assertCodecError(frame({ ...head, raw: metaRaw, unknownFields: pack({ metadata: 5 }) }), /unknownFields for etchlog.meta.v1.ObjectMeta is not a map/)
  assertCodecError(frame({ ...head, raw: Uint8Array.from([]) }), /no metadata/)
  // generation 2^60 does not fit a JS number exactly.
  const bigGeneration = Uint8Array.from([0x0a, 0x0d, 0x0a, 0x01, 0x61, 0x38, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])
  assertCodecError(frame({ ...head, raw: bigGeneration }), /beyond 2\^53/)
})

test('flipped bytes and random tails: a typed error or a whole object, nothing else', () => {
  fc.assert(
    fc.property(anyObject, fc.nat(), fc.integer({ min: 1, max: 255 }), (object, at, xor) => {
      const bytes = Uint8Array.from(codec.encode(object as KubeObject))
      const i = at % bytes.length
      bytes[i] = (bytes[i] ?? 0) ^ xor
      try {
        const back = codec.decode(bytes, { key, resourceVersion: 9 })
        assert.equal(typeof back.apiVersion, 'string')
        assert.equal(typeof back.kind, 'string')
        assert.equal(typeof back.metadata.name, 'string')
        assert.equal(back.metadata.resourceVersion, '9')
      } catch (err) {
        assert.ok(err instanceof CodecError, `expected CodecError, got ${String(err)}`)
      }
    }),
    { numRuns: 1000 },
  )
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
      try {
        codec.decode(Buffer.concat([magic, tail]), { key, resourceVersion: 9 })
      } catch (err) {
        assert.ok(err instanceof CodecError, `expected CodecError, got ${String(err)}`)
      }
    }),
    { numRuns: 1000 },
  )
})

test('a bad resourceVersion from the caller is a programmer error', () => {
  const good = codec.encode(pod)
  for (const resourceVersion of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => codec.decode(good, { key, resourceVersion }), { name: 'AssertionError' })
  }
})

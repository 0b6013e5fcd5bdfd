// The hand-written wire codec (message-encoder.ts, message-decoder.ts, envelope.ts) against the
// protobufjs-based reference path it replaced (test/support/codec-oracle): the same bytes for
// every object, the same object back for every value, including user kinds with oneofs, enums,
// floats, 64-bit integers, bytes and recursion, and bytes protobufjs writes that our encoder
// never would (unpacked numeric lists, negative int32, fields out of order).
import { after, test } from 'node:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import protobuf from 'protobufjs'
import { KindRegistry, ObjectCodec, defaultRegistry, magic, type KubeObject } from '../../src/codec/index.js'
import { shippedProtoDir } from '../../src/codec/index.js'
import { oracleDecode, oracleEncode } from '../support/codec-oracle/oracle-codec.js'
import { InvalidValue } from '../../src/codec/codec-error.js'
import { InvalidArgumentError } from '../../src/util/index.js'
import { json, registeredObject } from './arbitraries.js'

const runs = Number(process.env['ETCHLOG_CODEC_RUNS'] ?? 300)
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
const widgetRegistry = () =>
  new KindRegistry().loadProtoFiles(['widget.proto'], { includeDirs: [fixtures] }).register({ apiVersion: 'example.com/v1', kind: 'Widget', messageType: 'example.v1.Widget' })

/**
 * The same bytes as the reference encoder and the same object back; or, for an object the
 * reference refuses (a "__proto__" key, say), a refusal here too: InvalidArgumentError.
 */
function sameAsOracle(registry: KindRegistry, codec: ObjectCodec, object: KubeObject, resourceVersion: number): void {
  let expected: Uint8Array
  try {
    expected = oracleEncode(registry, object)
  } catch (err) {
    if (!(err instanceof InvalidValue)) throw err
    assert.throws(() => codec.encode(object), InvalidArgumentError)
    return
  }
  const bytes = codec.encode(object)
  assert.deepStrictEqual(Buffer.from(bytes), Buffer.from(expected))
  assert.deepStrictEqual(codec.decode(bytes, { key: 'k', resourceVersion }), oracleDecode(registry, bytes, resourceVersion))
}

test('shipped kinds: the wire codec writes the bytes protobufjs writes and reads them back alike', () => {
  const registry = defaultRegistry()
  const codec = new ObjectCodec(registry)
  fc.assert(
    fc.property(registeredObject, (o) => {
      sameAsOracle(registry, codec, o as unknown as KubeObject, 7)
    }),
    { numRuns: runs },
  )
})

test('user kinds: oneofs, enums, floats, 64-bit integers, bytes, maps of messages and recursion match the reference', () => {
  const registry = widgetRegistry()
  const codec = new ObjectCodec(registry)
  const node = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.record({ label: fc.oneof(fc.string(), json), children: fc.oneof({ depthSize: 'small' }, fc.array(tie('node'), { maxLength: 3 }), json) }, { requiredKeys: [] }),
  })).node
  const int64 = fc.oneof(fc.maxSafeInteger(), fc.constantFrom(-(2 ** 53 - 1), 2 ** 53 - 1, -1, 2 ** 32, -(2 ** 32) - 1))
  const spec = fc.record(
    {
      small: fc.oneof(fc.integer(), json),
      large: fc.oneof(fc.string(), json),
      colour: fc.oneof(fc.integer({ min: -5, max: 5 }), json),
      ratio: fc.oneof(fc.float(), fc.double(), json),
      count: fc.oneof(int64, json),
      blob: fc.oneof(fc.uint8Array({ maxLength: 200 }), json),
      tree: fc.oneof(node, json),
      forest: fc.oneof(fc.dictionary(fc.string(), node, { maxKeys: 4 }), json),
    },
    { requiredKeys: [], noNullPrototype: true },
  )
  fc.assert(
    fc.property(spec, (s) => {
      const object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', generation: 3 }, spec: s } as unknown as KubeObject
      sameAsOracle(registry, codec, object, 2)
    }),
    { numRuns: runs },
  )
})

test('long bodies and non-ASCII strings: multi-byte lengths are moved into place', () => {
  const registry = defaultRegistry()
  const codec = new ObjectCodec(registry)
  for (const n of [0, 1, 127, 128, 129, 16_383, 16_384, 70_000]) {
    for (const unit of ['a', 'é', '€', '😀', '\ufeff']) {
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v: unit.repeat(n), [unit]: 'x' } } as unknown as KubeObject
      const bytes = codec.encode(object)
      assert.deepStrictEqual(Buffer.from(bytes), Buffer.from(oracleEncode(registry, object)), `${n} x ${JSON.stringify(unit)}`)
      assert.deepStrictEqual(codec.decode(bytes, { key: 'k', resourceVersion: 1 }), oracleDecode(registry, bytes, 1))
    }
  }
})

test('bytes protobufjs may write and we never do decode the same: unpacked lists, fields out of order', () => {
  // A message type whose repeated int32 is declared unpacked, registered under the name of a
  // packed one: the reader must accept both encodings of the same list.
  const root = protobuf.parse(
    `syntax = "proto3"; package t; message M { Meta metadata = 1; repeated int32 xs = 2 [packed = false]; int32 neg = 3; string s = 4; } message Meta { string name = 1; }`,
    { keepCase: true },
  ).root
  const unpacked = root.lookupType('t.M')
  const packedRegistry = new KindRegistry()
  packedRegistry.loadProtoFiles([writeProto(`syntax = "proto3"; package t; message M { Meta metadata = 1; repeated int32 xs = 2; int32 neg = 3; string s = 4; } message Meta { string name = 1; }`)])
  packedRegistry.register({ apiVersion: 'x/v1', kind: 'M', messageType: 't.M' })
  const body = unpacked.encode({ s: 'last field first', metadata: { name: 'm' }, xs: [1, -2, 300], neg: -5 }).finish()
  const envelopeType = new protobuf.Root().loadSync(`${shippedProtoDir}/etchlog/runtime/v1/envelope.proto`, { keepCase: true }).lookupType('etchlog.runtime.v1.Envelope')
  const frame = envelopeType.encode({ typeMeta: { apiVersion: 'x/v1', kind: 'M' }, raw: body, contentType: 'application/vnd.etchlog.protobuf', messageType: 't.M' }).finish()
  const bytes = Buffer.concat([magic, frame])
  const decoded = new ObjectCodec(packedRegistry).decode(bytes, { key: 'k', resourceVersion: 4 })
  assert.deepStrictEqual(decoded, { apiVersion: 'x/v1', kind: 'M', metadata: { name: 'm', resourceVersion: '4' }, xs: [1, -2, 300], neg: -5, s: 'last field first' })
})

function writeProto(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'etchlog-proto-'))
  const path = join(dir, 'm.proto')
  writeFileSync(path, source)
  after(() => rmSync(dir, { recursive: true, force: true }))
  return path
}

test('regression (seed -1685133919): a map of messages with the key "__proto__" is refused by both codecs', () => {
  const registry = widgetRegistry()
  const forest: Record<string, unknown> = {}
  Object.defineProperty(forest, '__proto__', { value: {}, enumerable: true, configurable: true, writable: true })
  const object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { forest } } as unknown as KubeObject
  assert.throws(() => oracleEncode(registry, object), InvalidValue)
  assert.throws(() => new ObjectCodec(registry).encode(object), (err: unknown) => err instanceof InvalidArgumentError && /"__proto__" is not supported at spec\.forest/.test(err.message))
})

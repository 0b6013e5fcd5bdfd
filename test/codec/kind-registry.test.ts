// Registering kinds from user .proto files; schemas that cannot round-trip are refused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { InvalidArgumentError } from '../../src/util/index.js'
import { CodecError, KindRegistry, ObjectCodec, defaultRegistry, shippedKinds, type KubeObject } from '../../src/codec/index.js'
import { json, withResourceVersion } from './arbitraries.js'

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url))
const widgets = () =>
  new KindRegistry().loadProtoFiles(['widget.proto'], { includeDirs: [fixtures] }).register({ apiVersion: 'example.com/v1', kind: 'Widget', messageType: 'example.v1.Widget' })
const meta = { name: 'w', uid: 'u', resourceVersion: '', generation: 1, creationTimestamp: 't' }

test('the default registry has the shipped kinds', () => {
  assert.deepStrictEqual(defaultRegistry().registered(), shippedKinds)
})

test('a user kind round-trips: oneof, enum, float, uint64, bytes, recursion', () => {
  const codec = new ObjectCodec(widgets())
  const tree = { label: 'root', children: [{ label: 'a', children: [{ label: 'b', note: 1 }] }, { label: '' }] }
  const objects = [
    { spec: { small: 3, large: 'both set: one goes to unknownFields', colour: 1, ratio: 0.5, count: 2 ** 53 - 1, blob: new Uint8Array([9]), tree } },
    { spec: { colour: 7, ratio: 0.1, count: -1, forest: { x: tree, y: {} } } },
    { spec: { large: '', small: 0 } },
  ]
  for (const extra of objects) {
    const object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta, ...extra }
    const stored = codec.encode(object as KubeObject)
    assert.ok(Buffer.from(stored).includes('example.v1.Widget'))
    assert.deepStrictEqual(codec.decode(stored, { key: 'k', resourceVersion: 2 }), withResourceVersion(object, 2))
  }
})

test('a user kind round-trips arbitrary values in every field', () => {
  const codec = new ObjectCodec(widgets())
  const field = fc.oneof(json, fc.integer(), fc.constant({ label: 'x', children: [{}] }))
  const spec = fc.record({ small: field, large: field, colour: field, ratio: field, count: field, blob: field, tree: field, forest: field }, { requiredKeys: [], noNullPrototype: true })
  fc.assert(
    fc.property(spec, (s) => {
      const object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta, spec: s }
      assert.deepStrictEqual(codec.decode(codec.encode(object as KubeObject), { key: 'k', resourceVersion: 4 }), withResourceVersion(object, 4))
    }),
    { numRuns: 300 },
  )
})

test('a value written under one registration is refused under another message type', () => {
  const stored = new ObjectCodec(widgets()).encode({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: meta } as KubeObject)
  const other = new KindRegistry().loadProtoFiles(['widget.proto'], { includeDirs: [fixtures] })
  other.register({ apiVersion: 'example.com/v1', kind: 'Widget', messageType: 'example.v1.Node' })
  assert.throws(() => new ObjectCodec(other).decode(stored, { key: 'k', resourceVersion: 1 }), (err: unknown) => {
    assert.ok(err instanceof CodecError)
    assert.match(err.message, /written as example.v1.Widget but is registered as example.v1.Node/)
    return true
  })
})

test('bad registrations are refused with Invalid', () => {
  const invalid = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (err: unknown) => err instanceof InvalidArgumentError && err.code === 'Invalid' && message.test(err.message))
  invalid(() => widgets().register({ apiVersion: 'example.com/v1', kind: 'Widget', messageType: 'example.v1.Widget' }), /already registered/)
  invalid(() => widgets().register({ apiVersion: 'example.com/v1', kind: 'Gadget', messageType: 'example.v1.Nope' }), /not loaded/)
  invalid(() => widgets().register({ apiVersion: '', kind: 'Gadget', messageType: 'example.v1.Node' }), /needs apiVersion and kind/)
  invalid(() => new KindRegistry().loadProtoFiles(['missing.proto'], { includeDirs: [fixtures] }), /cannot load proto files missing.proto/)
  const strict = new KindRegistry().loadProtoFiles(['required.proto'], { includeDirs: [fixtures] })
  invalid(() => strict.register({ apiVersion: 'x/v1', kind: 'Strict', messageType: 'example.v1.Strict' }), /required fields/)
})

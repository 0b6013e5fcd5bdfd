// decode(encode(obj)) gives obj back exactly (resourceVersion aside), for registered kinds
// (protobuf + unknownFields) and unregistered ones (MessagePack); encoding is deterministic.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ObjectCodec, defaultRegistry, type KubeObject } from '../../src/codec/index.js'
import { anyObject, registeredObject, reverseKeys, unregisteredObject, withResourceVersion } from './arbitraries.js'

const codec = new ObjectCodec(defaultRegistry())
const runs = { numRuns: 300 }

function roundTrip(object: Record<string, unknown>, resourceVersion = 42): KubeObject {
  return codec.decode(codec.encode(object as KubeObject), { key: '/registry/x', resourceVersion })
}

test('registered kinds round-trip exactly, schema fields and unknown fields alike', () => {
  fc.assert(
    fc.property(registeredObject, fc.integer({ min: 1, max: 2 ** 40 }), (object, rv) => {
      assert.deepStrictEqual(roundTrip(object, rv), withResourceVersion(object, rv))
    }),
    runs,
  )
})

test('unregistered kinds round-trip exactly through MessagePack', () => {
  fc.assert(
    fc.property(unregisteredObject, (object) => {
      assert.deepStrictEqual(roundTrip(object), withResourceVersion(object, 42))
    }),
    runs,
  )
})

test('encoding is deterministic: same bytes twice, whatever the key order, and after a round trip', () => {
  fc.assert(
    fc.property(anyObject, (object) => {
      const bytes = codec.encode(object as KubeObject)
      assert.deepStrictEqual(codec.encode(object as KubeObject), bytes)
      assert.deepStrictEqual(codec.encode(reverseKeys(object) as KubeObject), bytes)
      assert.deepStrictEqual(codec.encode(codec.decode(bytes, { key: 'k', resourceVersion: 7 })), bytes)
    }),
    runs,
  )
})

test('resourceVersion never reaches the bytes', () => {
  const marker = 'RV-MARKER-7f3a9c'
  fc.assert(
    fc.property(anyObject, (object) => {
      const metadata = object['metadata'] as Record<string, unknown>
      const withMarker = { ...object, metadata: { ...metadata, resourceVersion: marker } }
      const bytes = codec.encode(withMarker as KubeObject)
      assert.equal(Buffer.from(bytes).indexOf(marker), -1)
      // The bytes do not depend on resourceVersion at all, present or not.
      assert.deepStrictEqual(bytes, codec.encode({ ...object, metadata: { ...metadata, resourceVersion: '12345' } } as KubeObject))
      const { resourceVersion: _, ...without } = metadata
      assert.deepStrictEqual(bytes, codec.encode({ ...object, metadata: without } as KubeObject))
    }),
    runs,
  )
})

const meta = { name: 'n', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '2024-01-01T00:00:00Z' }

test('empty and absent stay distinct in schema fields', () => {
  const cases: Record<string, unknown>[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta, labels: {}, annotations: {}, finalizers: [] }, data: {} },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...meta, namespace: '', generation: 0 }, data: { '': '' }, immutable: false },
    { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: {}, status: { conditions: [] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { nodeName: '', containers: [{}, { name: '' }] } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { replicas: 0, paused: false, template: {} } },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta, data: { empty: new Uint8Array(0) }, type: '' },
  ]
  for (const object of cases) assert.deepStrictEqual(roundTrip(object), withResourceVersion(object, 42))
})

test('values of the wrong type for a schema field survive unchanged', () => {
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...meta, labels: { a: 1, b: null }, generation: 1.5, finalizers: 'x' },
    spec: { replicas: 2 ** 40, selector: [], template: { spec: { containers: [{ name: 7 }, 'not an object'] } } },
    status: { replicas: -1, observedGeneration: 2 ** 53 + 2 },
  }
  assert.deepStrictEqual(roundTrip(object), withResourceVersion(object, 42))
})

test('numbers keep their value: integers, floats, big, tiny, NaN and infinities', () => {
  const values = [0, 1, -1, 1.5, 0.1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, -(2 ** 53) + 1, 2 ** 53 + 2, 1e300, 5e-324, Number.NaN, Infinity, -Infinity]
  for (const kind of ['Pod', 'Widget']) {
    const object = { apiVersion: 'v1', kind, metadata: { ...meta, generation: 7 }, spec: { values, one: 1, half: 0.5 } }
    const back = roundTrip(object)
    assert.deepStrictEqual(back, withResourceVersion(object, 42))
    assert.ok(Number.isInteger((back['spec'] as { one: number }).one))
  }
})

test('-0 is stored as 0, as JSON does', () => {
  for (const kind of ['Pod', 'Widget']) {
    const back = roundTrip({ apiVersion: 'v1', kind, metadata: { ...meta, generation: -0 }, spec: { z: -0, list: [-0] } })
    assert.ok(Object.is(back.metadata.generation, 0))
    assert.deepStrictEqual(back['spec'], { z: 0, list: [0] })
  }
})

test('Unicode, large strings, nested arrays and maps, booleans and null', () => {
  const big = 'x'.repeat(1 << 20) + '😀'
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...meta, name: 'ünï-😀', labels: { 'ключ': 'значение', '\0': '\u{10FFFF}' }, annotations: { big } },
    spec: { containers: [{ name: 'c', image: 'i', command: ['a', '', 'ü'] }], nested: [[[{ a: [null, true, false, {}] }]], []] },
    status: { phase: '跑', conditions: [{ type: 'Ready', status: 'True', extra: { deep: { deeper: [1, 'two', null] } } }] },
  }
  assert.deepStrictEqual(roundTrip(object), withResourceVersion(object, 42))
})

test('binary values decode as plain Uint8Array copies', () => {
  const bytes = new Uint8Array([0, 1, 255])
  for (const kind of ['Secret', 'Widget']) {
    const stored = codec.encode({ apiVersion: 'v1', kind, metadata: meta, data: { k: bytes } } as KubeObject)
    const back = codec.decode(stored, { key: 'k', resourceVersion: 3 })
    const value = (back['data'] as { k: Uint8Array }).k
    assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype)
    assert.deepStrictEqual(value, bytes)
    stored.fill(0) // the decoded object does not alias the stored bytes
    assert.deepStrictEqual(value, bytes)
  }
})

test('undefined properties are dropped, as in JSON', () => {
  const back = roundTrip({ apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, deletionTimestamp: undefined }, spec: { nodeName: undefined, x: undefined } })
  assert.equal(Object.hasOwn(back.metadata, 'deletionTimestamp'), false)
  assert.deepStrictEqual(back['spec'], {})
})

test('a registered kind puts schema fields in protobuf, not in unknownFields', () => {
  const object = { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, labels: { app: 'web' } }, spec: { nodeName: 'node-1' } }
  const bytes = Buffer.from(codec.encode(object as KubeObject))
  assert.ok(bytes.includes('application/vnd.etchlog.protobuf'))
  assert.ok(bytes.includes('etchlog.core.v1.Pod'))
  // Nothing left over: the msgpack residue (which would name the keys) is absent.
  assert.equal(bytes.indexOf('nodeName'), -1)
  assert.equal(bytes.indexOf('labels'), -1)
})

test('decodedCopy gives what decode(encode(o)) gives, without sharing anything with o', () => {
  const withOddValues = anyObject.map((o) => ({ ...o, extra: { minusZero: -0, gone: undefined, blob: Buffer.from([1, 2, 3]) } }))
  fc.assert(
    fc.property(fc.oneof(anyObject, withOddValues), (object) => {
      const o = object as KubeObject
      const bytes = codec.encode(o)
      const copy = codec.decodedCopy(o)
      copy.metadata.resourceVersion = '9'
      assert.deepStrictEqual(copy, codec.decode(bytes, { key: '/registry/x', resourceVersion: 9 }))
      // A deep copy: changing every part of the copy leaves the input as it was (and so its bytes).
      scribble(copy)
      assert.deepStrictEqual(Buffer.from(codec.encode(o)), Buffer.from(bytes))
    }),
    runs,
  )
})

/** Changes every object, array and byte array reachable from `value`, in place. */
function scribble(value: unknown): void {
  if (value instanceof Uint8Array) value.fill(0xee)
  else if (Array.isArray(value)) {
    for (const v of value) scribble(v)
    value.push('scribbled')
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) scribble(v)
    Object.assign(value, { scribbled: true })
  }
}

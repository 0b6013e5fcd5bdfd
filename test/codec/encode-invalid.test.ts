// Objects that cannot be stored exactly are refused with Invalid before any bytes exist.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from '../../src/util/index.js'
import { ObjectCodec, defaultRegistry, type KubeObject } from '../../src/codec/index.js'

const codec = new ObjectCodec(defaultRegistry())
const meta = { name: 'n', uid: 'u', resourceVersion: '', generation: 1, creationTimestamp: 't' }

function refused(object: unknown, message: RegExp): void {
  assert.throws(
    () => codec.encode(object as KubeObject),
    (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`)
      assert.equal(err.code, 'Invalid')
      assert.match(err.message, /^codec: cannot encode /)
      assert.match(err.message, message)
      return true
    },
  )
}

test('not an object, or no apiVersion, kind or metadata.name', () => {
  for (const v of [null, undefined, 1, 'x', [], new Map(), new Date()]) refused(v, /not a plain object/)
  refused({ kind: 'Pod', metadata: meta }, /apiVersion must be a non-empty string/)
  refused({ apiVersion: '', kind: 'Pod', metadata: meta }, /apiVersion/)
  refused({ apiVersion: 'v1', kind: 3, metadata: meta }, /kind must be a non-empty string/)
  refused({ apiVersion: 'v1', kind: 'Pod' }, /metadata must be an object/)
  refused({ apiVersion: 'v1', kind: 'Pod', metadata: [] }, /metadata must be an object/)
  refused({ apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, name: '' } }, /metadata.name must be a non-empty string/)
  refused({ apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, name: 5 } }, /metadata.name/)
})

test('values with no exact stored form name their path', () => {
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  for (const kind of ['Pod', 'Widget']) {
    const at = (spec: unknown) => ({ apiVersion: 'v1', kind, metadata: meta, spec })
    refused(at({ s: 'a\uD800' }), /not well-formed Unicode .* at spec\.s$/)
    refused(at({ ['k\uDC00']: 1 }), /object key is not well-formed/)
    refused(at({ list: [1, undefined] }), /array element 1 is undefined at spec\.list$/)
    refused(at({ list: [1, , 3] }), /array element 1 is undefined/) // eslint-disable-line no-sparse-arrays
    refused(at({ n: 10n }), /unsupported value of type bigint at spec\.n$/)
    refused(at({ when: new Date(0) }), /unsupported value of class Date/)
    refused(at({ m: new Map() }), /unsupported value of class Map/)
    refused(at({ f: () => 1 }), /unsupported value of type function/)
    refused(at(cyclic), /nested deeper than 64 levels \(or cyclic\)/)
    refused(at(JSON.parse('{"a": {"__proto__": 1}}')), /"__proto__" is not supported at spec\.a/)
  }
  refused({ apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, labels: { a: 'x\uD800' } } }, /at metadata\.labels\.a$/)
  refused({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ env: [{ name: 'x\uDBFF' }] }] } }, /at spec\.containers\.0\.env\.0\.name$/)
})

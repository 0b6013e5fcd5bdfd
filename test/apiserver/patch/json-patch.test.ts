import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PatchError, applyJsonPatch, jsonPatchOperationsMax } from '../../../src/apiserver/patch/index.js'

const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', labels: { a: '1' } }, data: { x: '1', y: '2' } }

function assertPatchError(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof PatchError, String(err))
    assert.equal(err.code, code)
    assert.equal(err.message, message)
    return true
  })
}

test('json patch: add, remove, replace, move, copy, test; the input is not mutated', () => {
  const before = structuredClone(cm)
  const out = applyJsonPatch(cm, [
    { op: 'test', path: '/data/x', value: '1' },
    { op: 'add', path: '/data/z', value: '3' },
    { op: 'remove', path: '/data/y' },
    { op: 'replace', path: '/metadata/labels/a', value: '2' },
    { op: 'copy', from: '/data/x', path: '/data/w' },
    { op: 'move', from: '/data/z', path: '/data/v' },
  ])
  assert.deepEqual(out, { ...cm, metadata: { name: 'settings', labels: { a: '2' } }, data: { x: '1', w: '1', v: '3' } })
  assert.deepEqual(cm, before)
})

test('json patch: the SSA migration patch kubectl sends replaces metadata.managedFields', () => {
  const live = { ...cm, metadata: { ...cm.metadata, managedFields: [{ manager: 'kubectl-client-side-apply' }] } }
  const out = applyJsonPatch(live, [{ op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kubectl' }] }])
  assert.deepEqual((out as typeof live).metadata.managedFields, [{ manager: 'kubectl' }])
})

test('json patch: an operation that does not apply is a 422 worded like the real server', () => {
  assertPatchError(() => applyJsonPatch(cm, [{ op: 'replace', path: '/data/zz', value: 'x' }]), 'Invalid', 'replace operation does not apply: doc is missing key: /data/zz')
  assertPatchError(() => applyJsonPatch(cm, [{ op: 'remove', path: '/data/zz' }]), 'Invalid', 'remove operation does not apply: doc is missing key: /data/zz')
  assertPatchError(() => applyJsonPatch(cm, [{ op: 'add', path: '/nope/x', value: 1 }]), 'Invalid', 'add operation does not apply: doc is missing path: "/nope/x"')
  assertPatchError(() => applyJsonPatch(cm, [{ op: 'test', path: '/data/x', value: '9' }]), 'Invalid', 'testing value /data/x failed: test failed')
  assertPatchError(() => applyJsonPatch(cm, [{ op: 'move', from: '/data/q', path: '/data/r' }]), 'Invalid', 'move operation does not apply: doc is missing from path: /data/q')
})

test('json patch: a malformed patch is a 400', () => {
  assertPatchError(() => applyJsonPatch(cm, { op: 'add' }), 'BadRequest', 'json patch: the patch must be a JSON array of operations, got {"op":"add"}')
  assertPatchError(() => applyJsonPatch(cm, [{ op: 'frobnicate', path: '/a' }]), 'BadRequest', 'Unexpected kind: frobnicate')
  assertPatchError(() => applyJsonPatch(cm, [{ op: 'add', path: '/a' }]), 'BadRequest', 'json patch: add operation {"op":"add","path":"/a"} has no value')
  assertPatchError(() => applyJsonPatch(cm, [{ op: 'copy', path: '/a' }]), 'BadRequest', 'json patch: copy operation {"op":"copy","path":"/a"} has no string from')
})

test('json patch: an empty patch returns an equal copy', () => {
  const out = applyJsonPatch(cm, [])
  assert.deepEqual(out, cm)
  assert.notEqual(out, cm)
})

test('json patch: more operations than the server takes is a 413', () => {
  const ops = Array.from({ length: jsonPatchOperationsMax + 1 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }))
  assertPatchError(() => applyJsonPatch(cm, ops), 'RequestEntityTooLarge', 'The allowed maximum operations in a JSON patch is 10000, got 10001')
  assert.deepEqual(applyJsonPatch(cm, ops.slice(1)), cm)
})

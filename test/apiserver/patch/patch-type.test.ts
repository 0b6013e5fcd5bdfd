import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PatchError, patchTypeOf, patchTypes } from '../../../src/apiserver/patch/index.js'

test('patchTypeOf: the four media types of kubectl-surface §8, parameters and case ignored', () => {
  assert.equal(patchTypeOf('application/json-patch+json'), 'json')
  assert.equal(patchTypeOf('application/merge-patch+json'), 'merge')
  assert.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic')
  assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply')
  assert.equal(patchTypeOf('Application/Merge-Patch+JSON; charset=utf-8'), 'merge')
})

test('patchTypeOf: anything else is undefined (the server answers 415)', () => {
  for (const t of ['application/json', 'application/apply-patch+cbor', 'text/plain', '', 'application/yaml']) {
    assert.equal(patchTypeOf(t), undefined, t)
  }
})

test('PatchError.unsupported: a 415 listing the accepted types like the real server', () => {
  const err = PatchError.unsupported('application/strategic-merge-patch+json', patchTypes.filter((t) => t !== 'strategic'))
  assert.equal(err.code, 'UnsupportedMediaType')
  assert.equal(
    err.message,
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  )
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { findDuplicateFields } from '../../../src/apiserver/validation/index.js'

test('duplicate keys are found with their paths, at any depth', () => {
  assert.deepEqual(findDuplicateFields('{"a":1,"b":2}'), [])
  assert.deepEqual(findDuplicateFields('{"spec":{"replicas":1,"replicas":2}}'), ['spec.replicas'])
  assert.deepEqual(findDuplicateFields('{"a":[{"x":1},{"x":1,"y":"}\\"","x":2}],"a":0}'), ['a[1].x', 'a'])
  assert.deepEqual(findDuplicateFields(' { "k" : { } , "k" : [ ] } '), ['k'])
})

test('malformed JSON is left to JSON.parse', () => {
  assert.deepEqual(findDuplicateFields('{"a":1,"a":'), ['a'])
  assert.deepEqual(findDuplicateFields('{1:2}'), [])
})

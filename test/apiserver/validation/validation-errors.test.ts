import { test } from 'node:test'
import assert from 'node:assert/strict'
import { invalidMessage, ObjectInvalidError, qualifiedKind, StrictDecodingError } from '../../../src/apiserver/validation/index.js'

const replicas = { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "x": spec.replicas in body must be of type integer: "string"', field: 'spec.replicas' }
const selector = { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }

test('Invalid errors carry the causes and the server wording', () => {
  assert.equal(qualifiedKind('apps', 'Deployment'), 'Deployment.apps')
  assert.equal(qualifiedKind('', 'ConfigMap'), 'ConfigMap')
  assert.equal(invalidMessage('apps', 'Deployment', 'web', [selector]), 'Deployment.apps "web" is invalid: spec.selector: Required value')
  const err = new ObjectInvalidError('apps', 'Deployment', 'web', [replicas, selector])
  assert.equal(err.code, 'Invalid')
  assert.equal(err.message, `Deployment.apps "web" is invalid: [spec.replicas: ${replicas.message}, spec.selector: Required value]`)
  assert.deepEqual(err.causes, [replicas, selector])
})

test('strict decoding errors are BadRequest', () => {
  const err = new StrictDecodingError('strict decoding error: unknown field "spec.foo"')
  assert.equal(err.code, 'BadRequest')
  assert.equal(err.name, 'StrictDecodingError')
})

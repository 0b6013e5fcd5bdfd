import { test } from 'node:test'
import assert from 'node:assert/strict'
import { prefixEnd } from '../../src/util/index.js'

test('prefixEnd increments the last byte below 0xff and drops trailing 0xff', () => {
  assert.deepEqual(prefixEnd(Buffer.from('abc')), Buffer.from('abd'))
  assert.deepEqual(prefixEnd(Buffer.from([0x61, 0xff, 0xff])), Buffer.from([0x62]))
  assert.deepEqual(prefixEnd(Buffer.from([0xff, 0xff])), Buffer.from([0]))
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PatchError, parseApplyPatch } from '../../../src/apiserver/patch/index.js'

test('apply body: JSON (what kubectl sends) and YAML both parse', () => {
  const json = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s"},"data":{"a":"1"}}'
  assert.deepEqual(parseApplyPatch(json), JSON.parse(json))
  const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  a: "1"\n  on: yes\n'
  assert.deepEqual(parseApplyPatch(yaml), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 's' }, data: { a: '1', on: 'yes' } })
})

test('apply body: not an object, no apiVersion or kind, bad YAML, duplicate keys are 400s', () => {
  for (const body of ['[1]', '"x"', '{"kind":"ConfigMap"}', '{"apiVersion":"v1"}', 'a: [', '{"apiVersion":"v1","kind":"A","kind":"B"}']) {
    assert.throws(() => parseApplyPatch(body), (e: unknown) => e instanceof PatchError && e.code === 'BadRequest', body)
  }
})

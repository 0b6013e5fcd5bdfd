import { test } from 'node:test'
import assert from 'node:assert/strict'
import { fromFieldsV1, pathString, toFieldsV1 } from '../../../src/apiserver/patch/index.js'

const tree = {
  'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a"': {} }, 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
    'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } } } },
  },
}

test('FieldsV1: read and written back unchanged; members with children carry "."', () => {
  const set = fromFieldsV1(tree)
  assert.deepEqual(toFieldsV1(set), tree)
  assert.ok(set.has(['f:metadata', 'f:labels'].join('\u0000')), 'labels itself is a member')
  assert.ok(!set.has('f:spec'), 'spec is only a parent')
  assert.equal(set.size, 9)
})

test('FieldsV1: garbage owns nothing', () => {
  assert.equal(fromFieldsV1('x').size, 0)
  assert.equal(fromFieldsV1({ 'f:a': 3 }).size, 0)
})

test('paths print like the real server in conflicts', () => {
  assert.equal(pathString(['f:spec', 'f:replicas']), '.spec.replicas')
  assert.equal(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']), '.spec.template.spec.containers[name="web"].image')
  assert.equal(pathString(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']), '.spec.ports[port=80,protocol="TCP"]')
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a"']), '.metadata.finalizers[="a"]')
  assert.equal(pathString(['f:metadata', 'f:labels', 'f:app.kubernetes.io/name']), '.metadata.labels.app.kubernetes.io/name')
})

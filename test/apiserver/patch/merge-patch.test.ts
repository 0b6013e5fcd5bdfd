import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { PatchError, applyMergePatch, createMergePatch } from '../../../src/apiserver/patch/index.js'
import { jsonObject } from '../../support/patch-arbitraries.js'

const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web', tier: 'fe' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'a' }] } } } }

test('merge patch: kubectl label / annotate (null removes a label), the input untouched', () => {
  const before = structuredClone(deploy)
  const out = applyMergePatch(deploy, { metadata: { labels: { env: 'prod', tier: null }, annotations: { note: 'x' } } })
  assert.deepEqual(out, { ...deploy, metadata: { name: 'web', labels: { app: 'web', env: 'prod' }, annotations: { note: 'x' } } })
  assert.deepEqual(deploy, before)
})

test('merge patch: kubectl scale on the scale subresource sets spec.replicas', () => {
  const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=web' } }
  assert.deepEqual(applyMergePatch(scale, { spec: { replicas: 4 } }), { ...scale, spec: { replicas: 4 } })
})

test('merge patch: lists are replaced whole (RFC 7386), nested objects merged', () => {
  const out = applyMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'b' }] } } } })
  assert.deepEqual(out, { ...deploy, spec: { replicas: 1, template: { spec: { containers: [{ name: 'b' }] } } } })
})

test('merge patch: the RFC 7386 appendix examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ]
  for (const [doc, patch, want] of cases) assert.deepEqual(applyMergePatch(doc, patch), want, JSON.stringify([doc, patch]))
})

test('merge patch: a patch that is not an object is a 400', () => {
  assert.throws(() => applyMergePatch(deploy, [1]), (e: unknown) => e instanceof PatchError && e.code === 'BadRequest')
  assert.throws(() => applyMergePatch(deploy, 'x'), (e: unknown) => e instanceof PatchError && e.code === 'BadRequest')
})

test('property: the merge patch of diff(a, b) applied to a gives b', () => {
  fc.assert(
    fc.property(jsonObject, jsonObject, (a, b) => {
      assert.deepEqual(applyMergePatch(a, createMergePatch(a, b)), b)
    }),
    { numRuns: 300 },
  )
})

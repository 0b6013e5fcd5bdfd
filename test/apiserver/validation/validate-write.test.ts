import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadKubernetesSchemas } from '../../../src/apiserver/openapi/index.js'
import { ObjectInvalidError, SchemaValidator, StrictDecodingError, validateWrite } from '../../../src/apiserver/validation/index.js'

const validator = new SchemaValidator(await loadKubernetesSchemas())
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }
const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template } }
const req = { group: 'apps', apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true, mode: 'Strict' as const }

test('a valid create comes back defaulted', () => {
  const r = validateWrite(validator, { ...req, object: body, rawBody: JSON.stringify(body) })
  const spec = r.object.spec as { replicas: number; template: { spec: { containers: Array<{ imagePullPolicy: string }> } } }
  assert.equal(spec.replicas, 1)
  assert.equal(spec.template.spec.containers[0]?.imagePullPolicy, 'Always')
  assert.deepEqual(r.warnings, [])
})

test('Strict unknown or duplicate fields are a 400; Warn turns them into warnings', () => {
  const raw = JSON.stringify({ ...body, spec: { ...body.spec, bogus: 1 } }).replace('"selector"', '"paused":false,"paused":true,"selector"')
  assert.throws(
    () => validateWrite(validator, { ...req, object: JSON.parse(raw) as Record<string, unknown>, rawBody: raw }),
    (err: unknown) => err instanceof StrictDecodingError && err.code === 'BadRequest' && err.message === 'strict decoding error: unknown field "spec.bogus", duplicate field "spec.paused"',
  )
  const warned = validateWrite(validator, { ...req, mode: 'Warn', object: JSON.parse(raw) as Record<string, unknown>, rawBody: raw })
  assert.deepEqual(warned.warnings, ['unknown field "spec.bogus"', 'duplicate field "spec.paused"'])
  assert.equal('bogus' in (warned.object.spec as Record<string, unknown>), false)
})

test('schema, metadata and update problems are one 422 with every cause', () => {
  const bad = { ...body, metadata: { name: 'Web', namespace: 'default' }, spec: { ...body.spec, replicas: 'two' } }
  assert.throws(
    () => validateWrite(validator, { ...req, object: bad }),
    (err: unknown) => {
      assert.ok(err instanceof ObjectInvalidError)
      assert.equal(err.code, 'Invalid')
      assert.deepEqual(err.causes.map((c) => c.field), ['spec.replicas', 'metadata.name'])
      assert.match(err.message, /^Deployment\.apps "Web" is invalid: \[spec\.replicas: Invalid value: "two": /)
      return true
    },
  )
  const old = validateWrite(validator, { ...req, object: body }).object
  const moved = { ...body, spec: { ...body.spec, selector: { matchLabels: { app: 'other' } } } }
  assert.throws(
    () => validateWrite(validator, { ...req, object: moved, old }),
    (err: unknown) => err instanceof ObjectInvalidError && err.causes.length === 1 && err.causes[0]?.field === 'spec.selector',
  )
  const scaled = { ...body, spec: { ...body.spec, replicas: 5 } }
  assert.equal((validateWrite(validator, { ...req, object: scaled, old }).object.spec as { replicas: number }).replicas, 5)
})

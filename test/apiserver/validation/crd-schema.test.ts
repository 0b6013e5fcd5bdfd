// CRD structural schemas (openAPIV3Schema) through SchemaValidator.setCustomSchema.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { loadKubernetesSchemas, type JsonSchema } from '../../../src/apiserver/openapi/index.js'
import { SchemaValidator } from '../../../src/apiserver/validation/index.js'

const validator = new SchemaValidator(await loadKubernetesSchemas())

const schema: JsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10 },
        ratio: { type: 'number', maximum: 1, exclusiveMaximum: true },
        color: { type: 'string', enum: ['red', 'blue'] },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
        port: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
      },
    },
    status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
}

function widget(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } }, spec, ...extra }
}

test('a custom schema replaces "no schema" and is dropped again with undefined', () => {
  assert.equal(validator.hasSchema('example.com/v1', 'Widget'), false)
  validator.setCustomSchema('example.com/v1', 'Widget', schema)
  assert.equal(validator.hasSchema('example.com/v1', 'Widget'), true)
  assert.deepEqual(validator.validate('example.com/v1', 'Widget', widget({}), 'Strict').causes.map((c) => c.field), ['spec.size'])
  validator.setCustomSchema('example.com/v1', 'Widget', undefined)
  assert.deepEqual(validator.validate('example.com/v1', 'Widget', widget({}), 'Strict').causes, [])
})

test('structural keywords: bounds, enum, pattern, length, items, nullable, int-or-string', () => {
  validator.setCustomSchema('example.com/v1', 'Widget', schema)
  const good = widget({ size: 3, ratio: 0.5, color: 'red', name: 'abc', port: 'http', note: null, tags: ['a'], labels: { x: 'y' } })
  assert.deepEqual(validator.validate('example.com/v1', 'Widget', good, 'Strict').causes, [])
  assert.deepEqual(validator.validate('example.com/v1', 'Widget', widget({ size: 3, port: 8080 }), 'Strict').causes, [])
  const bad = widget({ size: 11, ratio: 1, color: 'green', name: 'ABCDEF', port: true, tags: ['a', 'b', 'c'], labels: { x: 1 } })
  const byField = Object.fromEntries(validator.validate('example.com/v1', 'Widget', bad, 'Strict').causes.map((c) => [c.field, `${c.reason} ${c.message}`]))
  assert.deepEqual(byField, {
    'spec.size': 'FieldValueInvalid Invalid value: 11: spec.size in body should be less than or equal to 10',
    'spec.ratio': 'FieldValueInvalid Invalid value: 1: spec.ratio in body should be less than 1',
    'spec.color': 'FieldValueNotSupported Unsupported value: "green": supported values: "red", "blue"',
    'spec.name': 'FieldValueInvalid Invalid value: "ABCDEF": spec.name in body should match \'^[a-z]+$\'',
    'spec.port': 'FieldValueTypeInvalid Invalid value: true: spec.port in body must be of type integer,string: "boolean"',
    'spec.tags': 'FieldValueTooMany Too many: 3: must have at most 2 items',
    'spec.labels.x': 'FieldValueTypeInvalid Invalid value: 1: spec.labels.x in body must be of type string: "integer"',
  })
})

test('maxLength answers TooLong', () => {
  validator.setCustomSchema('example.com/v1', 'Widget', schema)
  const causes = validator.validate('example.com/v1', 'Widget', widget({ size: 1, name: 'abcdefg' }), 'Strict').causes
  assert.deepEqual(causes.find((c) => c.reason === 'FieldValueTooLong'), { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 5 bytes', field: 'spec.name' })
})

test('preserve-unknown-fields keeps anything; elsewhere unknown fields are pruned and reported', () => {
  validator.setCustomSchema('example.com/v1', 'Widget', schema)
  const obj = widget({ size: 1, config: { any: { deep: [1, 'x'] } }, extra: 1 }, { status: { whatever: true }, top: 1 })
  const r = validator.validate('example.com/v1', 'Widget', obj, 'Warn')
  assert.deepEqual(r.unknownFields.sort(), ['spec.extra', 'top'])
  const kept = r.object as { spec: Record<string, unknown>; status: unknown }
  assert.deepEqual(kept.spec.config, { any: { deep: [1, 'x'] } })
  assert.deepEqual(kept.status, { whatever: true })
  assert.equal('extra' in kept.spec, false)
})

test('embedded resources allow apiVersion, kind and metadata; metadata is always a full ObjectMeta', () => {
  validator.setCustomSchema('example.com/v1', 'Widget', schema)
  const embedded = widget({ size: 1, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} } })
  assert.deepEqual(validator.validate('example.com/v1', 'Widget', embedded, 'Strict').unknownFields, [])
  const badMeta = widget({ size: 1 }, { metadata: { name: 'w', labels: { a: 1 }, bogus: 1 } })
  const r = validator.validate('example.com/v1', 'Widget', badMeta, 'Strict')
  assert.deepEqual(r.unknownFields, ['metadata.bogus'])
  assert.deepEqual(r.causes.map((c) => c.field), ['metadata.labels.a'])
})

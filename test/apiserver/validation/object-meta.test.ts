import { test } from 'node:test'
import assert from 'node:assert/strict'
import { annotationsBytesMax, isDns1035Label, nameRuleFor, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, validateObjectMeta } from '../../../src/apiserver/validation/index.js'

test('DNS-1123 subdomain and label edge cases', () => {
  const sub: Array<[string, boolean]> = [
    ['a', true], ['0', true], ['a-b.c-d', true], ['example.com', true], ['a'.repeat(253), true],
    ['', false], ['A', false], ['-a', false], ['a-', false], ['a..b', false], ['.a', false], ['a_b', false], ['a'.repeat(254), false],
  ]
  for (const [v, ok] of sub) assert.equal(isDns1123Subdomain(v).length === 0, ok, `subdomain ${JSON.stringify(v.slice(0, 20))}`)
  const label: Array<[string, boolean]> = [['a', true], ['a'.repeat(63), true], ['a'.repeat(64), false], ['a.b', false], ['1abc', true]]
  for (const [v, ok] of label) assert.equal(isDns1123Label(v).length === 0, ok, `label ${v.slice(0, 10)}`)
  assert.deepEqual(isDns1123Label('a'.repeat(64)), ['must be no more than 63 characters'])
})

test('qualified names: prefixes, 63-char name part, one slash at most', () => {
  const cases: Array<[string, boolean]> = [
    ['app', true], ['app.kubernetes.io/name', true], ['example.com/My_Name-1.x', true], ['a'.repeat(63), true],
    ['a'.repeat(64), false], ['/name', false], ['example.com/', false], ['a/b/c', false], ['Example.com/name', false],
    ['-start', false], ['end_', false], ['with space', false], [`${'p'.repeat(254)}/n`, false],
  ]
  for (const [v, ok] of cases) assert.equal(isQualifiedName(v).length === 0, ok, `qname ${v.slice(0, 30)}`)
  assert.deepEqual(isQualifiedName('a'.repeat(64)), ['name part must be no more than 63 characters'])
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty'])
})

test('label values: empty allowed, 63 chars max', () => {
  for (const [v, ok] of [['', true], ['v1.2_3-x', true], ['a'.repeat(63), true], ['a'.repeat(64), false], ['-x', false], ['x y', false]] as const) {
    assert.equal(isValidLabelValue(v).length === 0, ok, v)
  }
})

test('name or generateName, and the kind-specific name rule', () => {
  assert.deepEqual(validateObjectMeta({ namespace: 'default' }, true), [
    { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' },
  ])
  assert.deepEqual(validateObjectMeta({ generateName: 'web-', namespace: 'default' }, true), [])
  assert.equal(validateObjectMeta({ generateName: 'Web-', namespace: 'default' }, true)[0]?.field, 'metadata.generateName')
  const bad = validateObjectMeta({ name: 'Web', namespace: 'default' }, true)
  assert.equal(bad.length, 1)
  assert.equal(bad[0]?.reason, 'FieldValueInvalid')
  assert.match(bad[0]?.message ?? '', /^Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters/)
  assert.deepEqual(validateObjectMeta({ name: 'a.b' }, false, { nameRule: 'dns1123subdomain' }), [])
  assert.equal(validateObjectMeta({ name: 'a.b' }, false, { nameRule: 'dns1123label' }).length, 1)
  assert.deepEqual(validateObjectMeta({ name: 'Any Thing:1' }, false, { nameRule: 'path' }), [])
  assert.equal(validateObjectMeta({ name: '..' }, false, { nameRule: 'path' })[0]?.message, 'Invalid value: "..": may not be \'..\'')
  assert.equal(validateObjectMeta({ name: 'a/b' }, false, { nameRule: 'path' })[0]?.message, 'Invalid value: "a/b": may not contain \'/\'')
})

test('namespace by scope', () => {
  assert.deepEqual(validateObjectMeta({ name: 'x' }, true), [{ reason: 'FieldValueRequired', message: 'Required value', field: 'metadata.namespace' }])
  assert.deepEqual(validateObjectMeta({ name: 'x', namespace: 'ns' }, false), [{ reason: 'FieldValueForbidden', message: 'Forbidden: not allowed on this type', field: 'metadata.namespace' }])
  assert.equal(validateObjectMeta({ name: 'x', namespace: 'a.b' }, true)[0]?.field, 'metadata.namespace')
})

test('labels, annotations, finalizers, ownerReferences', () => {
  const causes = validateObjectMeta(
    {
      name: 'x',
      labels: { 'bad key!': 'v', ok: 'a'.repeat(64) },
      annotations: { 'example.com/Fine': 'yes', 'a/b/c': 'no' },
      finalizers: ['example.com/cleanup', 'bad finalizer'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '1', controller: true }, { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: '', controller: true }],
    },
    false,
  )
  assert.deepEqual(causes.map((c) => c.field), [
    'metadata.labels',
    'metadata.labels',
    'metadata.annotations',
    'metadata.finalizers[1]',
    'metadata.ownerReferences.uid',
    'metadata.ownerReferences',
  ])
  assert.match(causes[0]?.message ?? '', /^Invalid value: "bad key!": name part must consist of/)
  assert.equal(causes[1]?.message, `Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`)
  assert.match(causes[5]?.message ?? '', /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/rs and Pod\/p$/)
})

test('annotations may total 256 KiB, not a byte more', () => {
  const fits = { a: 'x'.repeat(annotationsBytesMax - 1) }
  assert.deepEqual(validateObjectMeta({ name: 'x', annotations: fits }, false), [])
  const over = { a: 'x'.repeat(annotationsBytesMax) }
  assert.deepEqual(validateObjectMeta({ name: 'x', annotations: over }, false), [
    { reason: 'FieldValueTooLong', message: 'Too long: may not be more than 262144 bytes', field: 'metadata.annotations' },
  ])
})

test('name rule per kind; services take DNS-1035 labels (a letter first)', () => {
  assert.deepEqual(
    [nameRuleFor('', 'Namespace'), nameRuleFor('', 'Service'), nameRuleFor('rbac.authorization.k8s.io', 'ClusterRole'), nameRuleFor('apps', 'Deployment'), nameRuleFor('', 'ConfigMap')],
    ['dns1123label', 'dns1035label', 'path', 'dns1123subdomain', 'dns1123subdomain'],
  )
  assert.deepEqual(isDns1035Label('web-1'), [])
  assert.equal(isDns1035Label('1web').length, 1)
  assert.equal(validateObjectMeta({ name: '1web', namespace: 'd' }, true, { nameRule: nameRuleFor('', 'Service') })[0]?.field, 'metadata.name')
  assert.deepEqual(validateObjectMeta({ name: 'system:admin' }, false, { nameRule: nameRuleFor('rbac.authorization.k8s.io', 'ClusterRole') }), [])
})

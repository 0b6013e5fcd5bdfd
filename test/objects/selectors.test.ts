// Label and field selectors: Kubernetes syntax, evaluation, and bad syntax as Invalid.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { KubeObject } from '../../src/codec/index.js'
import { FieldSelector, LabelSelector, type LabelRequirement } from '../../src/objects/index.js'
import { InvalidArgumentError } from '../../src/util/index.js'

const matches = (selector: string, labels?: Record<string, string>): boolean => LabelSelector.parse(selector).matches(labels)

test('label selector operators evaluate as in Kubernetes', () => {
  const l = { app: 'web', tier: 'front', 'example.com/team': 'a', n: '7', empty: '' }
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true], // != matches objects without the label
    ['app in (web,db)', true],
    ['app in ( db , cache )', false],
    ['app notin (db)', true],
    ['missing notin (db)', true],
    ['app notin (web)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['! app', false],
    ['example.com/team=a', true],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['app=web, !missing, tier in (front)', true],
    ['empty=', true],
    ['empty==', true],
    ['empty', true],
    ['app=', false],
    ['n>5', true],
    ['n<5', false],
    ['n>7', false],
    ['app>1', false], // not an integer: matches neither
    ['missing<9', false],
    ['x in (a,)', false],
    ['empty in (a,)', true], // (a,) holds "" too
  ]
  for (const [s, want] of cases) assert.equal(matches(s, l), want, s)
  assert.equal(matches('app!=web', undefined), true)
  assert.equal(matches('app', undefined), false)
})

test('bad label selectors are Invalid, naming the selector', () => {
  const bad = [
    'app=web,',
    ',app',
    'app===web',
    'app in ()',
    'app in web',
    'app in (a b)',
    'app in (a',
    'app notin',
    'app=(web)',
    '!app=web',
    '!',
    '=web',
    'app web',
    'app=web tier=x',
    'Bad Key=1',
    'a/b/c=1',
    '-app=1',
    'UPPER.example.com/x=1',
    `${'k'.repeat(64)}=1`,
    `app=${'v'.repeat(64)}`,
    'app=-v',
    'n>x',
    'n>',
    'app)',
  ]
  for (const s of bad) {
    assert.throws(() => LabelSelector.parse(s), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError, s)
      assert.equal(e.code, 'Invalid')
      assert.ok(e.message.includes(JSON.stringify(s)), e.message)
      return true
    }, s)
  }
})

// A model of requirements and of how they render, to check parse and match against.
const keyArb = fc.constantFrom('app', 'tier', 'example.com/team', 'a.b_c-d', 'x')
const valueArb = fc.constantFrom('', 'web', 'db', 'v1.2', 'A_b-c')
const requirementArb: fc.Arbitrary<LabelRequirement> = fc.oneof(
  fc.record({ key: keyArb, operator: fc.constantFrom('exists' as const, '!exists' as const), values: fc.constant<string[]>([]) }),
  fc.record({ key: keyArb, operator: fc.constantFrom('=' as const, '!=' as const), values: valueArb.map((v) => [v]) }),
  fc.record({ key: keyArb, operator: fc.constantFrom('in' as const, 'notin' as const), values: fc.uniqueArray(valueArb.filter((v) => v !== ''), { minLength: 1, maxLength: 3 }) }),
)

function render(r: LabelRequirement, space: string, doubleEquals: boolean): string {
  switch (r.operator) {
    case 'exists':
      return r.key
    case '!exists':
      return `!${space}${r.key}`
    case '=':
      return `${r.key}${space}${doubleEquals ? '==' : '='}${space}${r.values[0] ?? ''}`
    case '!=':
      return `${r.key}${space}!=${space}${r.values[0] ?? ''}`
    default:
      return `${r.key} ${r.operator}${space}(${r.values.join(`${space},${space}`)})`
  }
}

function modelMatch(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key)
  const v = labels[r.key]
  if (r.operator === 'exists') return has
  if (r.operator === '!exists') return !has
  if (r.operator === '=' || r.operator === 'in') return has && r.values.includes(v ?? '')
  return !has || !r.values.includes(v ?? '')
}

test('property: rendered requirements parse back and match as the model says', () => {
  fc.assert(
    fc.property(
      fc.array(requirementArb, { maxLength: 4 }),
      fc.constantFrom('', ' ', '  '),
      fc.boolean(),
      fc.dictionary(keyArb, valueArb),
      (reqs, space, doubleEquals, labels) => {
        const text = reqs.map((r) => render(r, space, doubleEquals)).join(`,${space}`)
        const selector = LabelSelector.parse(text)
        assert.deepEqual(selector.requirements, reqs.map((r) => ({ ...r }))) // fast-check records have a null prototype
        assert.equal(selector.matches(labels), reqs.every((r) => modelMatch(r, labels)))
      },
    ),
  )
})

test('property: the label selector parser never throws anything but Invalid', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '=', '!', ',', '(', ')', ' ', 'in', 'notin', '/', '.', '<', '>', '1') }), (s) => {
      try {
        LabelSelector.parse(s)
      } catch (err) {
        // The property: every failure is the typed Invalid error, never a crash.
        assert.ok(err instanceof InvalidArgumentError, `${JSON.stringify(s)}: ${String(err)}`)
      }
    }),
  )
})

const obj = (name: string, namespace?: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(namespace === undefined ? {} : { namespace }) } }) as unknown as KubeObject

test('field selectors on metadata.name and metadata.namespace', () => {
  const fm = (s: string, o: KubeObject): boolean => FieldSelector.parse(s).matches(o)
  assert.equal(fm('', obj('a')), true)
  assert.equal(fm('metadata.name=a', obj('a')), true)
  assert.equal(fm('metadata.name==a', obj('a')), true)
  assert.equal(fm('metadata.name!=a', obj('a')), false)
  assert.equal(fm('metadata.namespace=ns', obj('a', 'ns')), true)
  assert.equal(fm('metadata.namespace=', obj('a')), true, 'no namespace is ""')
  assert.equal(fm('metadata.namespace!=', obj('a', 'ns')), true)
  assert.equal(fm('metadata.name=a,metadata.namespace=ns', obj('a', 'ns')), true)
  assert.equal(fm('metadata.name=a,metadata.namespace=other', obj('a', 'ns')), false)
  assert.equal(fm('metadata.name=a\\,b', obj('a,b')), true, 'escaped comma')
  assert.equal(fm('metadata.name=a\\=b\\\\', obj('a=b\\')), true, 'escaped = and backslash')
  assert.deepEqual(FieldSelector.parse('metadata.name!=x').requirements, [{ field: 'metadata.name', operator: '!=', value: 'x' }])
})

test('field selectors read any field path: spec.nodeName, status.phase, numbers and booleans as text', () => {
  const fm = (s: string, o: KubeObject): boolean => FieldSelector.parse(s).matches(o)
  const pod: KubeObject = { ...obj('p', 'ns'), spec: { nodeName: 'n1', unschedulable: true, replicas: 3 }, status: { phase: 'Running' } }
  assert.equal(fm('spec.nodeName=n1', pod), true)
  assert.equal(fm('spec.nodeName=n2', pod), false)
  assert.equal(fm('status.phase!=Pending,spec.nodeName=n1', pod), true)
  assert.equal(fm('spec.unschedulable=true', pod), true)
  assert.equal(fm('spec.replicas=3', pod), true)
  assert.equal(fm('spec.missing=', pod), true, 'a missing field reads as ""')
  assert.equal(fm('spec.nodeName.deeper=', pod), true, 'a path through a string reads as ""')
})

test('bad field selectors are Invalid', () => {
  for (const s of ['metadata.name', 'spec..nodeName=x', '1status.phase!=Running', 'metadata.name=a=b', 'metadata.name=a\\x', 'metadata.name=a\\', 'metadata.name=a,', ',metadata.name=a', '=a']) {
    assert.throws(() => FieldSelector.parse(s), (e: unknown) => e instanceof InvalidArgumentError && e.code === 'Invalid', s)
  }
})

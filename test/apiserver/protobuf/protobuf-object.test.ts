// decodeProtobufObject / encodeProtobufObject without kubectl: recorded kubectl bodies, the
// unknown-field policy, refusals, and fuzzing (only ProtobufBodyError may escape).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import protobuf from 'protobufjs'
import { decodeProtobufObject, encodeProtobufObject, ProtobufBodyError } from '../../../src/apiserver/protobuf/index.js'

interface Fixture {
  readonly args: readonly string[]
  readonly body: string
  readonly expected: Record<string, unknown>
}

const fixturesDir = new URL('./fixtures/', import.meta.url)
const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, fixturesDir), 'utf8')) as Fixture] as const)
const bodyOf = (name: string): Uint8Array => {
  const found = fixtures.find(([f]) => f === `${name}.json`)
  assert.ok(found !== undefined, `fixture ${name}`)
  return Buffer.from(found[1].body, 'base64')
}

const seed = Number(process.env['FC_SEED'] ?? Date.now() % 1_000_000)
console.log(`protobuf-object seed ${seed}`)

/** The body with one more field appended to the object's raw message (envelope field 2). */
function withExtraField(body: Uint8Array, number: number): Uint8Array {
  const reader = protobuf.Reader.create(body.subarray(4))
  const writer = protobuf.Writer.create()
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    const bytes = reader.bytes()
    const extra = tag >>> 3 === 2 ? protobuf.Writer.create().uint32((number << 3) | 2).string('x').finish() : new Uint8Array(0)
    writer.uint32(tag).bytes(Buffer.concat([bytes, extra]))
  }
  return Buffer.concat([body.subarray(0, 4), writer.finish()])
}

describe('recorded kubectl 1.32 bodies', () => {
  it('has fixtures', () => assert.ok(fixtures.length >= 15, `${fixtures.length} fixtures`))
  for (const [file, fixture] of fixtures) {
    it(`${file}: kubectl ${fixture.args.join(' ')}`, () => {
      const decoded = decodeProtobufObject(Buffer.from(fixture.body, 'base64'), { unknownFields: 'fail' })
      assert.deepEqual(decoded, fixture.expected)
      const encoded = encodeProtobufObject(decoded)
      assert.ok(encoded !== undefined)
      assert.deepEqual(decodeProtobufObject(encoded), decoded)
    })
  }
  it('a Secret keeps non-UTF-8 bytes as base64 and a ConfigMap puts them in binaryData', () => {
    const secret = decodeProtobufObject(bodyOf('secret-generic'))
    assert.equal((secret['data'] as Record<string, string>)['key'], Buffer.of(0xff, 0x00, 0xfe, 0x80, 0x01).toString('base64'))
    const configMap = decodeProtobufObject(bodyOf('configmap'))
    assert.deepEqual(configMap['binaryData'], { bin: '/wD+gAE=' })
    assert.equal((configMap['data'] as Record<string, string>)['empty'], '', 'an empty map value is data, not omitted')
  })
  it('a Deployment with replicas 0 keeps it (a pointer field) and drops empty strings', () => {
    const deployment = decodeProtobufObject(bodyOf('deployment'))
    assert.equal((deployment['spec'] as Record<string, unknown>)['replicas'], 0)
    assert.deepEqual(deployment['metadata'], { name: 'web', labels: { app: 'web' } })
  })
})

describe('unknown field numbers', () => {
  const body = withExtraField(bodyOf('configmap'), 99)
  it('fail loudly under the fail policy (the test default, KV_VERIFY=1)', () => {
    assert.throws(() => decodeProtobufObject(body), (err: unknown) => err instanceof ProtobufBodyError && /#99/.test(err.message) && err.code === 'BadRequest')
  })
  it('are skipped under the skip policy, the rest decoded and the path reported', () => {
    const skipped: string[] = []
    const decoded = decodeProtobufObject(body, { unknownFields: 'skip', onSkipped: (p) => skipped.push(...p) })
    assert.deepEqual(decoded, decodeProtobufObject(bodyOf('configmap')))
    assert.deepEqual(skipped, ['#99'])
  })
})

describe('envelope errors', () => {
  const cases: ReadonlyArray<readonly [string, Uint8Array, RegExp]> = [
    ['empty body', new Uint8Array(0), /magic/],
    ['JSON body', Buffer.from('{"kind":"ConfigMap"}'), /magic/],
    ['wrong encoding byte', Buffer.concat([Buffer.from('k8s\x01'), bodyOf('configmap').subarray(4)]), /magic/],
    ['no kind', Buffer.from('k8s\x00'), /no kind/],
    ['unknown kind', encodeRaw('v1', 'Widget'), /v1\/Widget is not known/],
    ['truncated', bodyOf('deployment').subarray(0, 40), /./],
  ]
  for (const [name, body, message] of cases) {
    it(name, () => {
      assert.throws(() => decodeProtobufObject(body), (err: unknown) => err instanceof ProtobufBodyError && message.test(err.message))
    })
  }
})

function encodeRaw(apiVersion: string, kind: string): Uint8Array {
  const w = protobuf.Writer.create()
  w.uint32(10).fork().uint32(10).string(apiVersion).uint32(18).string(kind).ldelim()
  return Buffer.concat([Buffer.from('k8s\x00', 'latin1'), w.finish()])
}

describe('encodeProtobufObject declines what protobuf cannot carry', () => {
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } }
  it('encodes a known kind', () => assert.ok(encodeProtobufObject(configMap) !== undefined))
  for (const [name, object] of [
    ['an unknown kind', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a' } }],
    ['no kind', { metadata: { name: 'a' } }],
    ['a field the schema lacks', { ...configMap, extra: 1 }],
    ['a nested field the schema lacks', { ...configMap, metadata: { name: 'a', future: true } }],
    ['a number where a string belongs', { ...configMap, data: { k: 1 } }],
    ['a fractional int', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1.5 } }],
    ['a bad time', { ...configMap, metadata: { creationTimestamp: 'yesterday' } }],
    ['bad base64', { apiVersion: 'v1', kind: 'Secret', data: { k: 'not base64!' } }],
  ] as const) {
    it(name, () => assert.equal(encodeProtobufObject(object as Record<string, unknown>), undefined))
  }
  it('a Status and a list with typed items', () => {
    const status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'nope', reason: 'NotFound', details: { name: 'x', kind: 'pods' }, code: 404 }
    assert.deepEqual(decodeProtobufObject(encodeProtobufObject(status) ?? new Uint8Array(0)), status)
    const list = { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '7' }, items: [{ ...configMap }] }
    const decoded = decodeProtobufObject(encodeProtobufObject(list) ?? new Uint8Array(0))
    assert.deepEqual(decoded['items'], [{ metadata: { name: 'a' }, data: { k: 'v' } }], 'items carry no TypeMeta on the wire')
  })
  it('times: Time at whole seconds, MicroTime at microseconds', () => {
    const event = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', creationTimestamp: '2024-02-29T23:59:59Z' },
      involvedObject: {}, source: {}, eventTime: '2024-02-29T23:59:59.123456Z', firstTimestamp: '1970-01-01T00:00:00Z', count: 0,
    }
    const decoded = decodeProtobufObject(encodeProtobufObject(event) ?? new Uint8Array(0))
    // count 0 is dropped (omitempty); the epoch survives (seconds 0 is on the wire, unlike the zero time).
    const { count: _count, ...expected } = event
    assert.deepEqual(decoded, expected)
    const fraction = { ...event, metadata: { name: 'e', creationTimestamp: '2024-02-29T23:59:59.9+01:00' } }
    const rounded = decodeProtobufObject(encodeProtobufObject(fraction) ?? new Uint8Array(0))
    assert.deepEqual(rounded['metadata'], { name: 'e', creationTimestamp: '2024-02-29T22:59:59Z' }, 'UTC, whole seconds')
  })
})

describe('fuzz: only ProtobufBodyError escapes', () => {
  const check = (body: Uint8Array): void => {
    try {
      decodeProtobufObject(body, { unknownFields: 'skip' })
    } catch (err) {
      if (!(err instanceof ProtobufBodyError)) throw err
    }
  }
  it('random bytes, with and without the magic', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, magic) => {
      check(magic ? Buffer.concat([Buffer.from('k8s\x00', 'latin1'), bytes]) : bytes)
    }), { seed, numRuns: 3000 })
  })
  it('every truncation of every fixture', () => {
    for (const [, fixture] of fixtures) {
      const body = Buffer.from(fixture.body, 'base64')
      for (let n = 0; n < body.length; n++) check(body.subarray(0, n))
    }
  })
  it('byte flips and splices in real bodies', () => {
    const bodies = fixtures.map(([, f]) => Buffer.from(f.body, 'base64'))
    fc.assert(fc.property(fc.nat(bodies.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), (i, flips) => {
      const body = Buffer.from(bodies[i] as Buffer)
      for (const [at, value] of flips) body[4 + (at % (body.length - 4))] = value
      check(body)
    }), { seed, numRuns: 5000 })
  })
})

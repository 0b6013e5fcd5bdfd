// Rotation as Kubernetes does it: put the new key first, old keys after it. Old values stay
// readable and read as stale (so a rewrite moves them), new writes go under the new key.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LocalKeyEncryptionService, type ProviderConfig } from '../../src/encryption/index.js'
import { aesgcm, bytes, CountingService, fcParams, hkdf, identity, kms, localKms, namedKey, storageKeyArb, transformerFor, valueArb } from './helpers.js'

const header = (stored: Uint8Array): string => Buffer.from(stored).subarray(0, 32).toString('latin1')

for (const [kind, make] of [
  ['aesgcm', aesgcm],
  ['aesgcmHkdf', hkdf],
] as const) {
  test(`${kind}: values under A read after [B, A], stale; new writes under B, not stale`, () => {
    const a = namedKey('a')
    const b = namedKey('b')
    const before = transformerFor(make(a))
    const after = transformerFor(make(b, a))
    fc.assert(
      fc.property(storageKeyArb, valueArb, (key, value) => {
        const old = before.toStorage(key, value)
        const read = after.fromStorage(key, old)
        assert.deepEqual(Buffer.from(read.value), Buffer.from(value))
        assert.equal(read.stale, true)
        const rewritten = after.toStorage(key, read.value)
        assert.match(header(rewritten), /:v1:b:/)
        assert.equal(after.fromStorage(key, rewritten).stale, false)
        // After dropping A, the rewritten value is all that is needed.
        assert.deepEqual(Buffer.from(transformerFor(make(b)).fromStorage(key, rewritten).value), Buffer.from(value))
      }),
      fcParams(200),
    )
  })
}

test('provider rotation: identity → aesgcm-hkdf → kms, every older value readable and stale', () => {
  const seed = namedKey('s1')
  const kek = namedKey('kek1')
  const key = bytes('/registry/secrets/default/db')
  const stages: ProviderConfig[][] = [
    [identity()],
    [hkdf(seed), identity()],
    [localKms('local', kek), hkdf(seed), identity()],
  ]
  const written: Uint8Array[] = []
  stages.forEach((providers, stage) => {
    const t = transformerFor(...providers)
    written.forEach((stored, older) => {
      const read = t.fromStorage(key, stored)
      assert.equal(Buffer.from(read.value).toString(), `value ${older}`)
      assert.equal(read.stale, true, `stage ${stage} reads stage ${older} as stale`)
    })
    const own = t.toStorage(key, bytes(`value ${stage}`))
    assert.equal(t.fromStorage(key, own).stale, false)
    written.push(own)
  })
  assert.equal(header(written[0] ?? new Uint8Array()), 'value 0')
  assert.match(header(written[2] ?? new Uint8Array()), /^etch:enc:kms:v1:local:/)
})

test('identity first, aesgcm second: encrypted values read back (decryption-only rollback)', () => {
  const k = namedKey('k1')
  const key = bytes('k')
  const stored = transformerFor(aesgcm(k)).toStorage(key, bytes('v'))
  const t = transformerFor(identity(), aesgcm(k))
  assert.deepEqual(t.fromStorage(key, stored), { value: bytes('v'), stale: true })
  assert.equal(Buffer.from(t.toStorage(key, bytes('w'))).toString(), 'w')
  assert.equal(t.fromStorage(key, bytes('w')).stale, false)
})

test('kms: kek rotation [kek2, kek1] keeps old values readable, stale; new writes carry kek2', () => {
  const kek1 = namedKey('kek1')
  const kek2 = namedKey('kek2')
  const key = bytes('/registry/secrets/a')
  const old = transformerFor(localKms('local', kek1)).toStorage(key, bytes('v1'))
  const t = transformerFor(localKms('local', kek2, kek1))
  assert.deepEqual(t.fromStorage(key, old), { value: bytes('v1'), stale: true })
  const fresh = t.toStorage(key, bytes('v2'))
  assert.match(Buffer.from(fresh).toString('latin1'), /^etch:enc:kms:v1:local:\x04kek2/)
  assert.deepEqual(t.fromStorage(key, fresh), { value: bytes('v2'), stale: false })
})

test('kms: a new seed per process (restart), old seeds unwrapped once each and cached', () => {
  const keks = [namedKey('kek1')]
  const key = bytes('k')
  // Three "restarts": each provider instance draws its own seed.
  const stored = [0, 1, 2].map((i) => transformerFor(localKms('local', ...keks)).toStorage(key, bytes(`v${i}`)))
  const service = new CountingService(new LocalKeyEncryptionService(keks))
  const t = transformerFor(kms('local', service))
  for (let round = 0; round < 5; round++) {
    stored.forEach((s, i) => assert.deepEqual(t.fromStorage(key, s), { value: bytes(`v${i}`), stale: false }))
  }
  assert.equal(service.unwraps, 3)
  // Writes use one seed, wrapped once, and reading them back needs no unwrap.
  for (let i = 0; i < 50; i++) t.fromStorage(key, t.toStorage(key, bytes('x')))
  assert.equal(service.wraps, 1)
  assert.equal(service.unwraps, 3)
})

test('kms: when the service key id changes, the next write draws and wraps a new seed', () => {
  // A KMS plugin rotating its KEK: it names a new key id and can still unwrap under the old KEK.
  const kek1 = namedKey('kek1')
  const before = new LocalKeyEncryptionService([kek1])
  const after = new LocalKeyEncryptionService([namedKey('kek2'), kek1])
  let active = before
  let wraps = 0
  const service = {
    keyId: () => active.keyId(),
    wrap: (seed: Uint8Array) => {
      wraps++
      return active.wrap(seed)
    },
    unwrap: (wrapped: Uint8Array) => active.unwrap(wrapped),
  }
  const t = transformerFor(kms('remote', service))
  const key = bytes('k')
  const first = t.toStorage(key, bytes('one'))
  t.toStorage(key, bytes('again'))
  assert.equal(wraps, 1)
  active = after
  const second = t.toStorage(key, bytes('two'))
  assert.equal(wraps, 2)
  assert.deepEqual(t.fromStorage(key, first), { value: bytes('one'), stale: true })
  assert.deepEqual(t.fromStorage(key, second), { value: bytes('two'), stale: false })
})

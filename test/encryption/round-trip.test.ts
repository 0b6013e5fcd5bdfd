// Every provider gives back exactly what it was given, for arbitrary keys and values.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createTransformer } from '../../src/encryption/index.js'
import { aesgcm, bytes, encryptingProviders, fcParams, hkdf, identity, localKms, namedKey, storageKeyArb, transformerFor, valueArb } from './helpers.js'

for (const [token, provider] of [...encryptingProviders(), ['identity', identity()] as const]) {
  test(`${token}: round trip of arbitrary keys and values, not stale`, () => {
    const transformer = transformerFor(provider)
    fc.assert(
      fc.property(storageKeyArb, valueArb, (key, value) => {
        const stored = transformer.toStorage(key, value)
        const back = transformer.fromStorage(key, stored)
        assert.deepEqual(Buffer.from(back.value), Buffer.from(value))
        assert.equal(back.stale, false)
      }),
      fcParams(300),
    )
  })
}

test('encrypted values carry a readable header naming provider and key', () => {
  const key = bytes('/registry/secrets/a')
  const header = (t: ReturnType<typeof transformerFor>): string => Buffer.from(t.toStorage(key, bytes('x'))).subarray(0, 40).toString('latin1')
  assert.match(header(transformerFor(aesgcm(namedKey('key-2')))), /^etch:enc:aesgcm:v1:key-2:/)
  assert.match(header(transformerFor(hkdf(namedKey('seed.1')))), /^etch:enc:aesgcm-hkdf:v1:seed\.1:/)
  assert.match(header(transformerFor(localKms('vault', namedKey('kek1')))), /^etch:enc:kms:v1:vault:\x04kek1/)
})

test('stored size is plaintext + header + fixed overhead (what value lengths leak)', () => {
  const key = bytes('k')
  const plain = Buffer.alloc(1000, 7)
  const header = 'etch:enc:aesgcm:v1:k1:'.length
  assert.equal(transformerFor(aesgcm(namedKey('k1'))).toStorage(key, plain).length, 1000 + header + 12 + 16)
  const hkdfHeader = 'etch:enc:aesgcm-hkdf:v1:k1:'.length
  assert.equal(transformerFor(hkdf(namedKey('k1'))).toStorage(key, plain).length, 1000 + hkdfHeader + 32 + 12 + 16)
  // kms: header, keyId (1 + 4), wrapped seed (2 + 1 + 4 + 12 + 32 + 16), salt, nonce, tag.
  const kmsHeader = 'etch:enc:kms:v1:local:'.length
  assert.equal(transformerFor(localKms('local', namedKey('kek1'))).toStorage(key, plain).length, 1000 + kmsHeader + 5 + 67 + 32 + 12 + 16)
})

test('identity stores plaintext as is, and escapes a plaintext that looks like a header', () => {
  const t = transformerFor(identity())
  const plain = bytes('{"kind":"Secret"}')
  assert.equal(t.toStorage(bytes('k'), plain), plain)
  const tricky = bytes('etch:enc:aesgcm:v1:k1:not really')
  const stored = Buffer.from(t.toStorage(bytes('k'), tricky))
  assert.equal(stored.toString('latin1'), `etch:enc:identity:v1:${tricky.toString('latin1')}`)
  assert.deepEqual(Buffer.from(t.fromStorage(bytes('k'), stored).value), tricky)
})

test('keys under no configured prefix are stored as plaintext', () => {
  const routed = createTransformer({
    resources: [{ prefixes: ['/registry/secrets/'], providers: [aesgcm(namedKey('k1'))] }],
  })
  const plain = bytes('hello')
  assert.equal(routed.toStorage(bytes('/registry/pods/a'), plain), plain)
  assert.notDeepEqual(Buffer.from(routed.toStorage(bytes('/registry/secrets/a'), plain)), plain)
  assert.deepEqual(routed.fromStorage(bytes('/registry/pods/a'), plain), { value: plain, stale: false })
})

test('the longest matching prefix wins', () => {
  const t = createTransformer({
    resources: [
      { prefixes: ['/registry/'], providers: [identity()] },
      { prefixes: ['/registry/secrets/'], providers: [hkdf(namedKey('s1'))] },
      { prefixes: [Buffer.from('/registry/secrets/kube-system/')], providers: [aesgcm(namedKey('ks'))] },
    ],
  })
  const at = (key: string): string => Buffer.from(t.toStorage(bytes(key), bytes('v'))).toString('latin1').slice(0, 40)
  assert.equal(at('/registry/pods/a'), 'v')
  assert.match(at('/registry/secrets/default/a'), /^etch:enc:aesgcm-hkdf:v1:s1/)
  assert.match(at('/registry/secrets/kube-system/a'), /^etch:enc:aesgcm:v1:ks:/)
  assert.equal(at('/registry/secrets'), 'v')
})

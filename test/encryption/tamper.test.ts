// Anything but the untouched value under its own key fails with DecryptError, never with wrong
// plaintext and never with a crash.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { describeKey } from '../../src/util/index.js'
import { DecryptError, LocalKeyEncryptionService, type EncryptionTransformer } from '../../src/encryption/index.js'
import {
  aesgcm,
  bytes,
  encryptingProviders,
  fcParams,
  hkdf,
  identity,
  kms,
  localKms,
  namedKey,
  storageKeyArb,
  transformerFor,
  valueArb,
} from './helpers.js'

function assertDecryptError(fn: () => unknown, key: Uint8Array, reason?: RegExp): DecryptError {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof DecryptError, `expected DecryptError, got ${String(caught)}`)
  assert.equal(caught.code, 'InternalError')
  assert.match(caught.message, /^encryption: cannot decrypt the value of key /)
  assert.ok(caught.message.includes(caught.key))
  assert.equal(caught.key, describeKey(key))
  if (reason !== undefined) assert.match(caught.reason, reason)
  return caught
}

function flipBit(stored: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(stored)
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7))
  return copy
}

for (const [token, provider] of encryptingProviders()) {
  const t = transformerFor(provider)

  test(`${token}: any single flipped bit fails with DecryptError`, () => {
    fc.assert(
      fc.property(storageKeyArb, valueArb, fc.nat(), (key, value, n) => {
        const stored = t.toStorage(key, value)
        assertDecryptError(() => t.fromStorage(key, flipBit(stored, n % (stored.length * 8))), key)
      }),
      fcParams(500),
    )
  })

  test(`${token}: every bit of one value, flipped in turn, fails`, () => {
    const key = bytes('/registry/secrets/default/db')
    const stored = t.toStorage(key, bytes('password=hunter2'))
    for (let bit = 0; bit < stored.length * 8; bit++) assertDecryptError(() => t.fromStorage(key, flipBit(stored, bit)), key)
  })

  test(`${token}: every truncation fails`, () => {
    const key = bytes('/registry/secrets/default/db')
    const stored = t.toStorage(key, bytes('password=hunter2'))
    for (let length = 0; length < stored.length; length++) {
      assertDecryptError(() => t.fromStorage(key, stored.subarray(0, length)), key)
    }
  })

  test(`${token}: a value copied to another key fails (the key is authenticated data)`, () => {
    fc.assert(
      fc.property(storageKeyArb, storageKeyArb, valueArb, (from, to, value) => {
        fc.pre(!Buffer.from(from).equals(Buffer.from(to)))
        const stored = t.toStorage(from, value)
        assertDecryptError(() => t.fromStorage(to, stored), to, /failed to authenticate/)
      }),
      fcParams(300),
    )
  })

  test(`${token}: appended bytes fail`, () => {
    const key = bytes('k')
    const stored = t.toStorage(key, bytes('v'))
    assertDecryptError(() => t.fromStorage(key, Buffer.concat([stored, Buffer.of(0)])), key)
  })
}

test('a value from a key that is not configured fails, naming the key name', () => {
  const writer = transformerFor(aesgcm(namedKey('old')))
  const reader = transformerFor(aesgcm(namedKey('new')))
  const key = bytes('/registry/secrets/a')
  assertDecryptError(() => reader.fromStorage(key, writer.toStorage(key, bytes('v'))), key, /no key "old" configured for provider aesgcm/)
})

test('a key with the same name but other bytes fails to authenticate', () => {
  const key = bytes('/registry/secrets/a')
  const stored = transformerFor(hkdf(namedKey('k1'))).toStorage(key, bytes('v'))
  assertDecryptError(() => transformerFor(hkdf(namedKey('k1'))).fromStorage(key, stored), key, /failed to authenticate/)
})

test('a provider that is not configured fails', () => {
  const key = bytes('k')
  const stored = transformerFor(hkdf(namedKey('k1'))).toStorage(key, bytes('v'))
  assertDecryptError(() => transformerFor(aesgcm(namedKey('k1'))).fromStorage(key, stored), key, /provider "aesgcm-hkdf" is not configured/)
  const sealedKms = transformerFor(localKms('a', namedKey('kek'))).toStorage(key, bytes('v'))
  assertDecryptError(() => transformerFor(localKms('b', namedKey('kek'))).fromStorage(key, sealedKms), key, /provider kms "a" is not configured/)
})

test('a kms whose kek is gone fails with the service error as cause', () => {
  const key = bytes('k')
  const stored = transformerFor(localKms('local', namedKey('kek1'))).toStorage(key, bytes('v'))
  const error = assertDecryptError(() => transformerFor(localKms('local', namedKey('kek2'))).fromStorage(key, stored), key, /could not unwrap/)
  assert.match(String((error.cause as Error).message), /local-kms: no kek "kek1" configured/)
})

test('unknown provider, unknown version and malformed headers fail', () => {
  const t = transformerFor(aesgcm(namedKey('k1')), identity())
  const key = Uint8Array.of(0, 0xff)
  assertDecryptError(() => t.fromStorage(key, bytes('etch:enc:rot13:v1:k1:xxxx')), key, /provider "rot13" is not configured/)
  assertDecryptError(() => t.fromStorage(key, bytes('etch:enc:aesgcm:v2:k1:xxxx')), key, /unsupported format version "v2"/)
  assertDecryptError(() => t.fromStorage(key, bytes('etch:enc:identity:v9:x')), key, /unsupported format version/)
  assertDecryptError(() => t.fromStorage(key, bytes('etch:enc:')), key, /malformed header/)
  assertDecryptError(() => t.fromStorage(key, bytes('etch:enc:aesgcm:v1:')), key, /malformed header: no key name/)
  assertDecryptError(() => t.fromStorage(key, bytes(`etch:enc:aesgcm:v1:${'k'.repeat(200)}:`)), key, /malformed header/)
  assertDecryptError(() => t.fromStorage(key, bytes('etch:enc:aes gcm:v1:k1:')), key, /malformed header/)
})

test('a plaintext value under a resource without identity fails', () => {
  const key = bytes('/registry/secrets/a')
  assertDecryptError(() => transformerFor(aesgcm(namedKey('k1'))).fromStorage(key, bytes('{"plain":true}')), key, /not encrypted/)
  assertDecryptError(() => transformerFor(aesgcm(namedKey('k1'))).fromStorage(key, new Uint8Array(0)), key, /not encrypted/)
})

test('with identity as fallback, flips after the magic still fail (flips inside it read as plaintext, see docs)', () => {
  for (const [, provider] of encryptingProviders()) {
    const t: EncryptionTransformer = transformerFor(provider, identity())
    const key = bytes('k')
    const stored = t.toStorage(key, bytes('secret'))
    for (let bit = 'etch:enc:'.length * 8; bit < stored.length * 8; bit++) {
      assertDecryptError(() => t.fromStorage(key, flipBit(stored, bit)), key)
    }
  }
})

test('a key service that throws on unwrap becomes a DecryptError; one that asserts is not caught', () => {
  const inner = new LocalKeyEncryptionService([namedKey('kek1')])
  const key = bytes('k')
  const stored = transformerFor(kms('x', inner)).toStorage(key, bytes('v'))
  const broken = { wrap: (s: Uint8Array) => inner.wrap(s), keyId: () => inner.keyId(), unwrap: (): Uint8Array => { throw new Error('network down') } }
  assertDecryptError(() => transformerFor(kms('x', broken)).fromStorage(key, stored), key, /could not unwrap/)
  const short = { ...broken, unwrap: (): Uint8Array => new Uint8Array(16) }
  assertDecryptError(() => transformerFor(kms('x', short)).fromStorage(key, stored), key, /could not unwrap/)
})

test('error messages name the key printably and hold no plaintext', () => {
  const t = transformerFor(aesgcm(namedKey('k1')))
  const key = Uint8Array.of(0x2f, 0x00, 0xff)
  const stored = t.toStorage(key, bytes('TOP-SECRET-MARKER'))
  const error = assertDecryptError(() => t.fromStorage(bytes('/other'), stored), bytes('/other'))
  assert.equal(error.key, '"/other"')
  const binary = assertDecryptError(() => t.fromStorage(key, flipBit(stored, stored.length * 8 - 1)), key)
  assert.equal(binary.key, '0x2f00ff')
  for (const e of [error, binary]) assert.ok(!e.message.includes('TOP-SECRET-MARKER') && !e.stack?.includes('TOP-SECRET-MARKER'))
})

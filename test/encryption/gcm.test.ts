// The primitives under the providers: HKDF-Expand against RFC 5869's vector, and GCM sealing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSecretKey, randomBytes } from 'node:crypto'
import { deriveKey, gcmOpen, gcmSeal, hkdfExpand32 } from '../../src/encryption/gcm.js'

test('hkdfExpand32 is HKDF-Expand: RFC 5869 test case 1, first 32 bytes of OKM', () => {
  const prk = Buffer.from('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5', 'hex')
  const info = Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex')
  const okm = hkdfExpand32(prk, info, Buffer.of(0x01))
  assert.equal(okm.toString('hex'), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf')
})

test('deriveKey gives a distinct 32-byte key per salt, and the same key for the same salt', () => {
  const seed = createSecretKey(randomBytes(32))
  const salt = randomBytes(32)
  const a = deriveKey(seed, salt)
  assert.equal(a.length, 32)
  assert.deepEqual(deriveKey(seed, Buffer.from(salt)), a)
  assert.notDeepEqual(deriveKey(seed, randomBytes(32)), a)
  assert.notDeepEqual(deriveKey(createSecretKey(randomBytes(32)), salt), a)
})

test('gcmSeal/gcmOpen: prefix kept in clear and authenticated, storage key authenticated, short input rejected', () => {
  const key = createSecretKey(randomBytes(32))
  const prefix = Buffer.from('HEADER:')
  const sealed = gcmSeal(key, prefix, Buffer.from('k'), Buffer.from('hello'))
  assert.deepEqual(sealed.subarray(0, prefix.length), prefix)
  assert.equal(sealed.length, prefix.length + 12 + 5 + 16)
  assert.equal(gcmOpen(key, sealed, prefix.length, Buffer.from('k'))?.toString(), 'hello')
  assert.equal(gcmOpen(key, sealed, prefix.length, Buffer.from('K')), undefined)
  assert.equal(gcmOpen(key, sealed.subarray(0, prefix.length + 27), prefix.length, Buffer.from('k')), undefined)
  const edited = Buffer.from(sealed)
  edited[0] = 0x68
  assert.equal(gcmOpen(key, edited, prefix.length, Buffer.from('k')), undefined)
})

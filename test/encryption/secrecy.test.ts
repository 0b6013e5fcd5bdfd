// What must never be seen: plaintext in stored bytes, key material anywhere it could be printed,
// and a repeated nonce or salt.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect, format } from 'node:util'
import { LocalKeyEncryptionService, SecretKey, createTransformer, type EncryptionConfig } from '../../src/encryption/index.js'
import { aesgcm, bytes, encryptingProviders, hkdf, localKms, namedKey, transformerFor } from './helpers.js'

const marker = 'PLAINTEXT-MARKER-7f3a'

for (const [token, provider] of encryptingProviders()) {
  test(`${token}: no plaintext marker appears in stored bytes (utf8, latin1, utf16, base64 views)`, () => {
    const t = transformerFor(provider)
    const key = bytes(`/registry/secrets/${marker}`)
    const value = bytes(`{"data":{"password":"${marker}"}}`)
    for (let i = 0; i < 200; i++) {
      const stored = Buffer.from(t.toStorage(bytes(`/registry/secrets/${i}`), value))
      assert.ok(!stored.includes(marker, 0, 'latin1'))
      assert.ok(!stored.includes(marker, 0, 'utf16le'))
      assert.ok(!stored.toString('base64').includes(Buffer.from(marker).toString('base64').slice(0, 16)))
    }
    // The storage key is authenticated, not stored: the key's marker is not in the value either.
    assert.ok(!Buffer.from(t.toStorage(key, value)).includes(marker))
  })

  test(`${token}: nonces (and salts) never repeat across 20k writes`, () => {
    const t = transformerFor(provider)
    const key = bytes('k')
    const value = bytes('v')
    const first = Buffer.from(t.toStorage(key, value))
    // Everything between the fixed prefix and the ciphertext is random per write.
    const tail = 1 + 16 // ciphertext of 'v' and the tag
    const randomBytes = token === 'aesgcm' ? 12 : 32 + 12
    const start = first.length - tail - randomBytes
    const seen = new Set<string>()
    for (let i = 0; i < 20_000; i++) {
      const stored = Buffer.from(t.toStorage(key, value))
      assert.ok(stored.subarray(0, start).equals(first.subarray(0, start)), 'the prefix before the random part is fixed')
      const random = stored.subarray(start, start + randomBytes).toString('hex')
      assert.ok(!seen.has(random), `repeat after ${i} writes`)
      seen.add(random)
      if (randomBytes > 12) {
        const nonce = stored.subarray(start + 32, start + 44).toString('hex')
        assert.ok(!seen.has(`n${nonce}`))
        seen.add(`n${nonce}`)
      }
    }
  })
}

function keyTexts(secret: SecretKey): string[] {
  const raw = secret.keyObject().export()
  return [raw.toString('base64'), raw.toString('hex'), raw.toString('base64url'), raw.toString('latin1')]
}

function assertNoKeyMaterial(printed: string, secrets: SecretKey[]): void {
  for (const secret of secrets) for (const text of keyTexts(secret)) assert.ok(!printed.includes(text), 'key material printed')
}

test('SecretKey redacts itself in String, template, JSON, inspect, format and Object.keys', () => {
  const secret = SecretKey.fromBase64(SecretKey.generate().keyObject().export().toString('base64'), 'a test key')
  const views = [
    String(secret),
    `${secret}`,
    JSON.stringify({ secret }),
    inspect(secret, { showHidden: true, depth: 10 }),
    format('%o %O %s %j', secret, secret, secret, secret),
    JSON.stringify(Object.keys(secret)),
    JSON.stringify({ ...secret }),
  ]
  for (const view of views) {
    assertNoKeyMaterial(view, [secret])
  }
  assert.equal(String(secret), 'SecretKey(<redacted>)')
  assert.equal(inspect(secret), 'SecretKey(<redacted>)')
})

test('configs, transformers and key services print no key material', () => {
  const keys = [namedKey('a'), namedKey('b'), namedKey('kek1'), namedKey('s')]
  const [a, b, kek1, s] = keys
  assert.ok(a && b && kek1 && s)
  const config: EncryptionConfig = {
    resources: [
      { prefixes: ['/registry/secrets/'], providers: [aesgcm(a, b), localKms('local', kek1)] },
      { prefixes: ['/registry/configmaps/'], providers: [hkdf(s)] },
    ],
  }
  const t = createTransformer(config)
  // Exercise the kms provider so it holds a seed and a cached seed.
  t.fromStorage(bytes('/registry/secrets/x'), createTransformer({ resources: [{ prefixes: [''], providers: [localKms('local', kek1)] }] }).toStorage(bytes('/registry/secrets/x'), bytes('v')))
  const service = new LocalKeyEncryptionService([kek1])
  const printed = [
    JSON.stringify(config),
    inspect(config, { depth: 20, showHidden: true }),
    inspect(t, { depth: 20, showHidden: true }),
    inspect(service, { depth: 20, showHidden: true }),
    JSON.stringify(t),
    String(t),
    format('%o', config),
  ].join('\n')
  assertNoKeyMaterial(printed, keys.map((k) => k.secret))
  assert.ok(JSON.stringify(config).includes('SecretKey(<redacted>)'))
})

test('config errors and key-source errors print no key material', () => {
  const good = SecretKey.generate().keyObject().export().toString('base64')
  // One character off: still looks like a key, must not be echoed.
  const typo = `${good.slice(0, 20)}!${good.slice(21)}`
  assert.throws(() => SecretKey.fromBase64(typo, 'the key in ETCHLOG_KEY'), (e: Error) => !e.message.includes(typo.slice(0, 10)) && /44 characters/.test(e.message))
  assert.throws(() => SecretKey.fromBase64(Buffer.alloc(31, 1).toString('base64'), 'k'), /must be base64 of 32 bytes/)
})

// Configuration: bad configs fail with InvalidArgumentError (code 'Invalid') before anything is
// encrypted; keys come from files or environment variables.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { InvalidArgumentError } from '../../src/util/index.js'
import {
  createTransformer,
  loadEncryptionConfig,
  LocalKeyEncryptionService,
  readKeyFromEnv,
  readKeyFromFile,
  type EncryptionConfig,
} from '../../src/encryption/index.js'
import { aesgcm, bytes, hkdf, identity, localKms, namedKey } from './helpers.js'

function assertInvalid(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`)
    assert.equal(error.code, 'Invalid')
    assert.match(error.message, /^encryption: /)
    assert.match(error.message, message)
    return true
  })
}

/** Untyped input, as from JSON or plain JavaScript. */
const loose = (config: unknown): EncryptionConfig => config as EncryptionConfig // deliberately wrong shapes

test('config validation rejects bad shapes, names and duplicates', () => {
  const k = namedKey('k1')
  const one = (providers: unknown): EncryptionConfig => loose({ resources: [{ prefixes: ['/a/'], providers }] })
  assertInvalid(() => createTransformer(loose(null)), /resources array/)
  assertInvalid(() => createTransformer(loose({ resources: [{ prefixes: [], providers: [identity()] }] })), /prefixes must be a non-empty array/)
  assertInvalid(() => createTransformer(loose({ resources: [{ prefixes: [7], providers: [identity()] }] })), /non-string/)
  assertInvalid(() => createTransformer(one([])), /providers must be a non-empty array/)
  assertInvalid(() => createTransformer(one([{ rot13: {} }])), /exactly one of identity, aesgcm, aesgcmHkdf, kms/)
  assertInvalid(() => createTransformer(one([{ aesgcm: { keys: [k] }, identity: {} }])), /exactly one of/)
  assertInvalid(() => createTransformer(one([aesgcm()])), /keys must be a non-empty array/)
  assertInvalid(() => createTransformer(one([aesgcm({ name: 'bad:name', secret: k.secret })])), /name must match/)
  assertInvalid(() => createTransformer(one([aesgcm({ name: '', secret: k.secret })])), /name must match/)
  assertInvalid(() => createTransformer(one([aesgcm({ name: 'x'.repeat(65), secret: k.secret })])), /name must match/)
  assertInvalid(() => createTransformer(one([aesgcm(k, { name: 'k1', secret: namedKey('z').secret })])), /"k1" is used twice/)
  assertInvalid(() => createTransformer(one([{ aesgcm: { keys: [{ name: 'k', secret: randomBytes(32) }] } }])), /must be a SecretKey/)
  assertInvalid(() => createTransformer(one([aesgcm(k), aesgcm(namedKey('k2'))])), /aesgcm is listed twice/)
  assertInvalid(() => createTransformer(one([identity(), identity()])), /identity is listed twice/)
  assertInvalid(() => createTransformer(one([{ identity: { secret: 'x' } }])), /identity takes no settings/)
  assertInvalid(() => createTransformer(one([{ kms: { name: 'x', service: {} } }])), /KeyEncryptionService/)
  assertInvalid(() => createTransformer(one([localKms('x', namedKey('a')), localKms('x', namedKey('b'))])), /kms:x is listed twice/)
  assertInvalid(
    () => createTransformer({ resources: [{ prefixes: ['/a/'], providers: [identity()] }, { prefixes: [bytes('/a/')], providers: [identity()] }] }),
    /"\/a\/" is configured twice/,
  )
  assertInvalid(() => new LocalKeyEncryptionService([]), /at least one kek/)
  assertInvalid(() => new LocalKeyEncryptionService([namedKey('a'), namedKey('a')]), /used twice/)
})

test('two kms providers with different names, and the same key name under two providers, are fine', () => {
  const t = createTransformer({
    resources: [{ prefixes: [''], providers: [localKms('a', namedKey('kek')), localKms('b', namedKey('kek')), hkdf(namedKey('k1')), aesgcm(namedKey('k1'))] }],
  })
  assert.equal(Buffer.from(t.fromStorage(bytes('k'), t.toStorage(bytes('k'), bytes('v'))).value).toString(), 'v')
})

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'etchlog-enc-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const newKeyText = (): string => randomBytes(32).toString('base64')

test('keys from the environment and from files (trailing newline allowed)', (t) => {
  const dir = tempDir(t)
  const text = newKeyText()
  writeFileSync(join(dir, 'k.b64'), `${text}\n`, { mode: 0o600 })
  const fromFile = readKeyFromFile(join(dir, 'k.b64'))
  const fromEnv = readKeyFromEnv('ETCHLOG_TEST_KEY', { ETCHLOG_TEST_KEY: text })
  assert.ok(fromFile.keyObject().equals(fromEnv.keyObject()))
  assert.equal(fromFile.keyObject().export().toString('base64'), text)
})

test('bad key sources fail with Invalid, naming the source and not the contents', (t) => {
  const dir = tempDir(t)
  assertInvalid(() => readKeyFromEnv('ETCHLOG_NOPE', {}), /environment variable ETCHLOG_NOPE is not set/)
  assertInvalid(() => readKeyFromEnv('ETCHLOG_K', { ETCHLOG_K: '' }), /is not set/)
  const short = randomBytes(16).toString('base64')
  assertInvalid(() => readKeyFromEnv('ETCHLOG_K', { ETCHLOG_K: short }), /ETCHLOG_K must be base64 of 32 bytes .* got 24 characters/)
  assertInvalid(() => readKeyFromEnv('ETCHLOG_K', { ETCHLOG_K: Buffer.alloc(32).toString('base64') }), /all zero/)
  assertInvalid(() => readKeyFromEnv('ETCHLOG_K', { ETCHLOG_K: newKeyText().replace(/.$/, '') }), /base64 of 32 bytes/)
  assertInvalid(() => readKeyFromFile(join(dir, 'missing')), /cannot read key file .*missing \(ENOENT\)/)
  writeFileSync(join(dir, 'hex'), randomBytes(32).toString('hex'))
  assertInvalid(() => readKeyFromFile(join(dir, 'hex')), /in file .*hex must be base64/)
  try {
    readKeyFromEnv('ETCHLOG_K', { ETCHLOG_K: short })
  } catch (error) {
    assert.ok(error instanceof Error && !error.message.includes(short))
  }
})

test('loadEncryptionConfig reads a JSON config, env and relative key files, and builds a working transformer', (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'old.b64'), newKeyText())
  const env = { ETCHLOG_NEW: newKeyText(), ETCHLOG_KEK: newKeyText() }
  const file = {
    resources: [
      {
        prefixes: ['/registry/secrets/'],
        providers: [
          { aesgcmHkdf: { keys: [{ name: 'new', env: 'ETCHLOG_NEW' }, { name: 'old', file: 'old.b64' }] } },
          { kms: { name: 'local', keks: [{ name: 'kek1', env: 'ETCHLOG_KEK' }] } },
          { identity: {} },
        ],
      },
    ],
  }
  writeFileSync(join(dir, 'encryption.json'), JSON.stringify(file))
  const config = loadEncryptionConfig(join(dir, 'encryption.json'), { env })
  const transformer = createTransformer(config)
  const key = bytes('/registry/secrets/default/db')
  const stored = Buffer.from(transformer.toStorage(key, bytes('v')))
  assert.match(stored.toString('latin1'), /^etch:enc:aesgcm-hkdf:v1:new:/)
  assert.deepEqual(transformer.fromStorage(key, stored), { value: bytes('v'), stale: false })
  assert.deepEqual(transformer.fromStorage(key, bytes('plain')), { value: bytes('plain'), stale: true })
  // The loaded config prints no key material.
  assert.ok(!JSON.stringify(config).includes(env.ETCHLOG_NEW))
})

test('loadEncryptionConfig: bad files fail with Invalid and say where', (t) => {
  const dir = tempDir(t)
  const write = (json: unknown): string => {
    const path = join(dir, `c${Math.random()}.json`)
    writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json))
    return path
  }
  const provider = (p: unknown): string => write({ resources: [{ prefixes: ['/a/'], providers: [p] }] })
  assertInvalid(() => loadEncryptionConfig(join(dir, 'none.json')), /cannot read encryption config file/)
  assertInvalid(() => loadEncryptionConfig(write('{ not json')), /is not valid JSON/)
  assertInvalid(() => loadEncryptionConfig(write({ resources: {} })), /resources must be an array/)
  assertInvalid(() => loadEncryptionConfig(write({ resources: [{ prefixes: '/a/', providers: [] }] })), /resources\[0\]\.prefixes must be an array/)
  assertInvalid(() => loadEncryptionConfig(provider({ aesgcm: { keys: [{ name: 'k' }] } })), /keys\[0\] must give exactly one of env, file/)
  assertInvalid(() => loadEncryptionConfig(provider({ aesgcm: { keys: [{ name: 'k', env: 'A', file: 'b' }] } })), /exactly one of env, file/)
  assertInvalid(() => loadEncryptionConfig(provider({ aesgcm: { keys: [{ name: 'k', env: 'ETCHLOG_UNSET' }] } }), { env: {} }), /ETCHLOG_UNSET is not set \(resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\], key "k"\)/)
  assertInvalid(() => loadEncryptionConfig(provider({ kms: { name: 'vault' } })), /pass a key encryption service named "vault"/)
  assertInvalid(() => loadEncryptionConfig(provider({ identity: { x: 1 } })), /identity takes no settings/)
  const service = new LocalKeyEncryptionService([namedKey('kek')])
  const config = loadEncryptionConfig(provider({ kms: { name: 'vault' } }), { keyEncryptionServices: { vault: service } })
  const t2 = createTransformer(config)
  assert.equal(Buffer.from(t2.fromStorage(bytes('/a/x'), t2.toStorage(bytes('/a/x'), bytes('v'))).value).toString(), 'v')
})

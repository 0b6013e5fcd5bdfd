// The encryption set-up of `npm start`: a key file (0600, base64 of 32 random bytes) and a config
// beside the database, made once and reused; pods, secrets and configmaps sealed, the rest plain.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidArgumentError } from '../../src/index.js'
import { configFileName, keyFileName, prepareAtRest } from '../../src/workload/index.js'
import { tempDir } from '../support/temp-store.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1')

test('the first run makes a 0600 key file and a config; later runs reuse them; the key is never in the config or summary', (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const db = join(dir.path, 'data', 'etchlog.db')
  const first = prepareAtRest(db)
  assert.equal(first.summary.created, true)
  const keyFile = join(dir.path, 'data', keyFileName)
  assert.equal(first.summary.keyFile, keyFile)
  assert.equal(statSync(keyFile).mode & 0o777, 0o600)
  const key = readFileSync(keyFile, 'utf8').trim()
  assert.match(key, /^[A-Za-z0-9+/]{43}=$/)
  assert.equal(Buffer.from(key, 'base64').length, 32)
  const config = readFileSync(join(dir.path, 'data', configFileName), 'utf8')
  assert.ok(!config.includes(key), 'the config holds a reference to the key file, not the key')
  assert.ok(!JSON.stringify(first.summary).includes(key))
  assert.deepEqual(first.summary.resources, [
    { prefixes: ['/registry/pods/', '/registry/secrets/', '/registry/configmaps/'], providers: ['aes-gcm-hkdf (keys key1)', 'identity'] },
  ])

  const sealed = first.transformer.toStorage(bytes('/registry/pods/ns/web'), bytes('pod bytes'))
  const again = prepareAtRest(db)
  assert.equal(again.summary.created, false)
  assert.equal(readFileSync(keyFile, 'utf8').trim(), key, 'the key file is not rewritten')
  // The second run's transformer opens what the first sealed: same key.
  assert.equal(text(again.transformer.fromStorage(bytes('/registry/pods/ns/web'), sealed).value), 'pod bytes')
})

test('pods, secrets and configmaps are sealed with aes-gcm-hkdf; nodes and events stay plaintext', (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const { transformer } = prepareAtRest(join(dir.path, 'etchlog.db'))
  for (const key of ['/registry/pods/ns/a', '/registry/secrets/ns/a', '/registry/configmaps/ns/a']) {
    const stored = transformer.toStorage(bytes(key), bytes('etch\0plain'))
    assert.ok(text(stored).startsWith('etch:enc:aesgcm-hkdf:v1:key1:'), key)
    assert.ok(!text(stored).includes('plain'), key)
  }
  for (const key of ['/registry/minions/node-1', '/registry/events/ns/e', '/registry/deployments/ns/a']) {
    assert.equal(text(transformer.toStorage(bytes(key), bytes('etch\0plain'))), 'etch\0plain', key)
  }
})

test('a config whose key file is gone is refused rather than replaced by a new key', (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const db = join(dir.path, 'etchlog.db')
  prepareAtRest(db)
  rmSync(join(dir.path, keyFileName))
  assert.throws(() => prepareAtRest(db), (err: unknown) => err instanceof InvalidArgumentError && err.message.includes(keyFileName))
})

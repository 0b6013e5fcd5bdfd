// Encryption at rest end to end: a store whose values go through the real transformer keeps no
// plaintext in its database file or WAL, reads back exactly, and a rotation leaves old values
// readable (stale) and writes new ones under the new key.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { DecryptError } from '../../src/encryption/index.js'
import { aesgcm, hkdf, identity, namedKey, transformerFor } from './helpers.js'
import { tempStore, text } from '../support/temp-store.js'

const markers = Array.from({ length: 50 }, (_, i) => `TOP-SECRET-PLAINTEXT-${i}-${'x'.repeat(i * 7)}`)

function fileBytes(path: string): Buffer {
  return Buffer.concat([readFileSync(path), readFileSync(`${path}-wal`, { flag: 'a+' })])
}

test('no plaintext reaches the database file or the WAL', async () => {
  const k1 = namedKey('k1')
  const ts = await tempStore({ durability: 'relaxed', transformer: transformerFor(hkdf(k1)) })
  for (const [i, m] of markers.entries()) await ts.store.put(`/registry/secrets/ns/s${i}`, m)
  await ts.store.put('/registry/secrets/ns/s0', markers[1] as string, { prevKv: true })
  await ts.store.txn({ success: [{ put: { key: '/registry/secrets/ns/t', value: markers[2] as string } }] })
  for (const [i, m] of markers.entries()) {
    if (i === 0) continue
    assert.equal(text((await ts.store.get(`/registry/secrets/ns/s${i}`))?.value), m)
  }
  await ts.store.close()
  const raw = fileBytes(ts.path)
  for (const m of markers) assert.equal(raw.includes(m), false, `plaintext ${m.slice(0, 24)} found on disk`)
  assert.equal(raw.includes('etch:enc:aesgcm-hkdf:v1:k1:'), true, 'values carry the provider header')
  await ts.reopen()
  await ts.done()
})

test('rotation: old values stay readable and report stale; new writes use the new key', async () => {
  const a = namedKey('a')
  const b = namedKey('b')
  const ts = await tempStore({ durability: 'relaxed', transformer: transformerFor(aesgcm(a)) })
  await ts.store.put('/k/old', 'written under a')
  const store = await ts.reopen({ transformer: transformerFor(aesgcm(b, a)) })
  const old = await store.get('/k/old')
  assert.equal(text(old?.value), 'written under a')
  assert.equal(old?.stale, true)
  await store.put('/k/new', 'written under b')
  assert.equal((await store.get('/k/new'))?.stale, undefined)
  await store.close()
  assert.equal(fileBytes(ts.path).includes('etch:enc:aesgcm:v1:b:'), true)
  // Without key a, the old value cannot be read: a typed error, never wrong plaintext.
  const withoutA = await ts.reopen({ transformer: transformerFor(aesgcm(b)) })
  await assert.rejects(withoutA.get('/k/old'), DecryptError)
  assert.equal(text((await withoutA.get('/k/new'))?.value), 'written under b')
  await ts.done()
})

test('plaintext written before encryption is read through the identity provider and reported stale', async () => {
  const ts = await tempStore({ durability: 'relaxed' })
  await ts.store.put('/k/legacy', 'stored before encryption')
  const store = await ts.reopen({ transformer: transformerFor(hkdf(namedKey('k')), identity()) })
  const kv = await store.get('/k/legacy')
  assert.equal(text(kv?.value), 'stored before encryption')
  assert.equal(kv?.stale, true)
  await ts.done()
})

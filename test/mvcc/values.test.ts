// Values pass through the ValueTransformer on the way to and from the log: every read, compare
// and sort sees plaintext, the file holds only what toStorage produced, the storage key is bound
// to the value, and a value under a retired key reads as stale.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { CorruptionError, type ValueTransformer } from '../../src/index.js'
import { openTestStore, text } from '../support/temp-store.js'

/**
 * A toy transformer: stored = tag + key length + key + reversed plaintext. 'new:' is the current
 * tag, 'old:' a retired one (readable, stale). A stored value under another key fails, as AAD would.
 */
function toyTransformer(tag = 'new:'): ValueTransformer {
  return {
    toStorage(key, plaintext) {
      return Buffer.concat([Buffer.from(tag), Buffer.from([key.length]), key, Buffer.from(plaintext).reverse()])
    },
    fromStorage(key, stored) {
      const s = Buffer.from(stored)
      const t = s.subarray(0, 4).toString()
      if (t !== 'new:' && t !== 'old:') throw new CorruptionError(`toy: unknown tag ${t}`)
      const k = s.subarray(5, 5 + (s[4] ?? 0))
      if (!k.equals(Buffer.from(key))) throw new CorruptionError('toy: value stored under another key')
      return { value: Buffer.from(s.subarray(5 + k.length)).reverse(), stale: t !== 'new:' }
    },
  }
}

test('reads, prevKv and historical reads return plaintext; the file holds only sealed bytes', async (t) => {
  const ts = await openTestStore(t, { transformer: toyTransformer() })
  const { store } = ts
  await store.put('k', 'PLAINTEXT-MARKER-1')
  const second = await store.put('k', 'PLAINTEXT-MARKER-2', { prevKv: true })
  assert.equal(text(second.prevKv?.value), 'PLAINTEXT-MARKER-1')
  assert.equal(text((await store.get('k'))?.value), 'PLAINTEXT-MARKER-2')
  assert.equal(text((await store.get('k', { revision: 2 }))?.value), 'PLAINTEXT-MARKER-1')
  const deleted = await store.deleteRange({ key: 'k', prevKv: true })
  assert.equal(text(deleted.prevKvs?.[0]?.value), 'PLAINTEXT-MARKER-2')
  await store.close()
  const file = Buffer.concat([readFileSync(ts.path), readFileSync(`${ts.path}-wal`, { flag: 'a+' })])
  assert.equal(file.includes('PLAINTEXT-MARKER'), false, 'no plaintext in the database file or WAL')
  assert.equal(file.includes(Buffer.from('PLAINTEXT-MARKER-1').reverse()), true, 'the sealed form is there')
  await ts.reopen({ transformer: toyTransformer() })
})

test('VALUE compares and VALUE sorting work on plaintext', async (t) => {
  const { store } = await openTestStore(t, { transformer: toyTransformer() })
  // Reversed (stored) order would be the opposite of plaintext order for these.
  await store.put('a', 'ba')
  await store.put('b', 'ab')
  const r = await store.range({ key: 'a', rangeEnd: 'c', sortTarget: 'VALUE', sortOrder: 'ASCEND' })
  assert.deepEqual(r.kvs.map((kv) => text(kv.key)), ['b', 'a'])
  const cas = await store.txn({ compare: [{ key: 'a', target: 'VALUE', result: 'EQUAL', value: 'ba' }], success: [{ put: { key: 'a', value: 'cc' } }] })
  assert.equal(cas.succeeded, true)
  assert.equal(text((await store.get('a'))?.value), 'cc')
})

test('ignoreValue keeps the stored bytes, which stay readable under their key', async (t) => {
  const { store } = await openTestStore(t, { transformer: toyTransformer() })
  const lease = await store.leaseGrant(60)
  await store.put('k', 'keep me')
  await store.put('k', undefined, { ignoreValue: true, lease: lease.id })
  const kv = await store.get('k')
  assert.equal(text(kv?.value), 'keep me')
  assert.equal(kv?.lease, lease.id)
})

test('a value stored under a retired key reads as stale; rewriting it clears that', async (t) => {
  const ts = await openTestStore(t, { transformer: toyTransformer('old:') })
  await ts.store.put('k', 'v1')
  const store = await ts.reopen({ transformer: toyTransformer('new:') })
  const kv = await store.get('k')
  assert.equal(kv?.stale, true)
  assert.equal(text(kv?.value), 'v1')
  assert.equal((await store.range({ key: 'k', keysOnly: true })).kvs[0]?.stale, undefined, 'keysOnly carries no value, so no staleness')
  await store.put('k', 'v1')
  assert.equal((await store.get('k'))?.stale, undefined)
})

test('a transformer failure on read is a typed error, not a crash', async (t) => {
  const failing: ValueTransformer = {
    toStorage: (_k, p) => p,
    fromStorage: () => {
      throw new CorruptionError('toy: cannot decrypt')
    },
  }
  const { store } = await openTestStore(t, { transformer: failing })
  await store.put('k', 'v')
  await assert.rejects(store.get('k'), CorruptionError)
  await assert.rejects(store.range({ key: 'k' }), CorruptionError)
  assert.equal((await store.range({ key: 'k', keysOnly: true })).count, 1, 'keysOnly reads no value')
})

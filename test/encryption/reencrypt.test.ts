// Rotation, the rewrite half (store.reencrypt): every stale value is written again under the
// current key, a concurrent update wins, a prefix limits it, an abort leaves a re-runnable state.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { StorageError } from '../../src/index.js'
import { aesgcm, namedKey, transformerFor } from './helpers.js'
import { text } from '../support/temp-store.js'
import { staleCount, staleStore } from './stale-store.js'

const a = namedKey('a')
const b = namedKey('b')

test('reencrypt rewrites every stale value; afterwards the old key can go', async () => {
  const { ts, store, lease } = await staleStore(1000, a, b)
  assert.equal(await staleCount(store), 1000)
  const seen: number[] = []
  const result = await store.reencrypt({ batchKeys: 100, onProgress: (p) => seen.push(p.scanned) })
  assert.deepEqual(result, { scanned: 1000, rewritten: 1000, raced: 0 })
  assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => (i + 1) * 100))
  assert.equal(await staleCount(store), 0)
  assert.equal((await store.get('/r/even/0'))?.lease, lease.id, 'leases stay attached')
  const again = await store.reencrypt()
  assert.deepEqual(again, { scanned: 1000, rewritten: 0, raced: 0 }, 'a second run has nothing to do')
  const onlyB = await ts.reopen({ transformer: transformerFor(aesgcm(b)) })
  assert.equal(text((await onlyB.get('/r/odd/999'))?.value), 'value-999')
  await ts.done()
})

test('a prefix limits the rewrite', async () => {
  const { ts, store } = await staleStore(100, a, b)
  const result = await store.reencrypt({ prefix: '/r/even/' })
  assert.deepEqual(result, { scanned: 50, rewritten: 50, raced: 0 })
  assert.equal(await staleCount(store), 50)
  await ts.done()
})

test('a concurrent update wins over the rewrite, and nothing is lost', async () => {
  const { ts, store } = await staleStore(10, a, b)
  // Between reading a page and rewriting it, another writer updates one of its keys.
  const realTxn = store.txn.bind(store)
  let raced = false
  store.txn = async (request) => {
    if (!raced) {
      raced = true
      await store.put('/r/even/0', 'newer')
    }
    return realTxn(request)
  }
  const result = await store.reencrypt()
  assert.equal(result.raced, 1)
  assert.equal(result.rewritten, 9)
  assert.equal(text((await store.get('/r/even/0'))?.value), 'newer')
  assert.equal(await staleCount(store), 0)
  await ts.done()
})

test('an abort stops with a typed error; running again finishes the job', async () => {
  const { ts, store } = await staleStore(300, a, b)
  const controller = new AbortController()
  await assert.rejects(
    store.reencrypt({ batchKeys: 50, signal: controller.signal, onProgress: (p) => p.scanned >= 100 && controller.abort() }),
    (err: unknown) => err instanceof StorageError && /aborted after 100 keys/.test(err.message),
  )
  assert.equal(await staleCount(store), 200)
  assert.deepEqual(await store.reencrypt(), { scanned: 300, rewritten: 200, raced: 0 })
  await ts.done()
})

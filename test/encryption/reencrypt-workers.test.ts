// store.reencrypt with its crypto on worker threads (createResealPool, issue 3): the same
// guarantees as the main-thread path (reencrypt.test.ts) — every stale value rewritten, fresh
// ones skipped, a concurrent update wins, a prefix limits it — and a kms config is refused.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { createResealPool, InvalidArgumentError } from '../../src/index.js'
import { createTransformer, DecryptError, type EncryptionConfig, type ProviderConfig } from '../../src/encryption/index.js'
import { aesgcm, hkdf, localKms, namedKey, transformerFor } from './helpers.js'
import { text } from '../support/temp-store.js'
import { staleCount, staleStore } from './stale-store.js'

const a = namedKey('a')
const b = namedKey('b')
const configOf = (...providers: ProviderConfig[]): EncryptionConfig => ({ resources: [{ prefixes: [''], providers }] })
const pool = createResealPool(configOf(aesgcm(b, a)))
after(() => pool.close())

test('with a pool, reencrypt rewrites every stale value and skips fresh ones; afterwards the old key can go', async () => {
  const { ts, store, lease } = await staleStore(1000, a, b)
  await store.put('/r/fresh', 'already-b')
  const freshRev = (await store.get('/r/fresh'))?.modRevision
  assert.equal(await staleCount(store), 1000)
  const seen: number[] = []
  const result = await store.reencrypt({ resealer: pool, batchKeys: 100, onProgress: (p) => seen.push(p.scanned) })
  assert.deepEqual(result, { scanned: 1001, rewritten: 1000, raced: 0 })
  assert.deepEqual(seen, [...Array.from({ length: 10 }, (_, i) => (i + 1) * 100), 1001])
  assert.equal(await staleCount(store), 0)
  assert.equal((await store.get('/r/fresh'))?.modRevision, freshRev, 'a fresh value is not rewritten')
  const kv = await store.get('/r/even/0')
  assert.equal(kv?.lease, lease.id, 'leases stay attached')
  assert.equal(kv?.version, 2, 'one new version per rewrite')
  assert.deepEqual(await store.reencrypt({ resealer: pool }), { scanned: 1001, rewritten: 0, raced: 0 }, 'a second run has nothing to do')
  const onlyB = await ts.reopen({ transformer: transformerFor(aesgcm(b)) })
  assert.equal(text((await onlyB.get('/r/odd/999'))?.value), 'value-999')
  assert.equal(text((await onlyB.get('/r/even/0'))?.value), 'value-0')
  assert.equal(text((await onlyB.get('/r/fresh'))?.value), 'already-b')
  await ts.done()
})

test('with a pool, a prefix limits the rewrite', async () => {
  const { ts, store } = await staleStore(100, a, b)
  const result = await store.reencrypt({ resealer: pool, prefix: '/r/even/' })
  assert.deepEqual(result, { scanned: 50, rewritten: 50, raced: 0 })
  assert.equal(await staleCount(store), 50)
  await ts.done()
})

test('with a pool, a concurrent update wins over the rewrite, and nothing is lost', async () => {
  const { ts, store } = await staleStore(10, a, b)
  // Between reading a page and rewriting it (while the workers re-seal), another writer updates one of its keys.
  let raced = false
  const racing = {
    async reseal(items: Parameters<typeof pool.reseal>[0]) {
      if (!raced) {
        raced = true
        await store.put('/r/even/0', 'newer')
      }
      return pool.reseal(items)
    },
  }
  const result = await store.reencrypt({ resealer: racing })
  assert.equal(result.raced, 1)
  assert.equal(result.rewritten, 9)
  assert.equal(text((await store.get('/r/even/0'))?.value), 'newer')
  assert.equal(await staleCount(store), 0)
  await ts.done()
})

test('with a pool built from a multi-resource config (hkdf, byte prefixes), keys route as on the main thread', async () => {
  const { ts } = await staleStore(20, a, b)
  const c = namedKey('c')
  const config: EncryptionConfig = {
    resources: [
      { prefixes: [Buffer.from('/r/odd/')], providers: [hkdf(c), aesgcm(a)] },
      { prefixes: ['/r/even/'], providers: [aesgcm(a)] },
    ],
  }
  const store = await ts.reopen({ transformer: createTransformer(config) })
  const own = createResealPool(config, { threads: 1 })
  try {
    assert.deepEqual(await store.reencrypt({ resealer: own }), { scanned: 20, rewritten: 10, raced: 0 }, 'only /r/odd/ is stale')
  } finally {
    await own.close()
  }
  const onlyC = await ts.reopen({ transformer: createTransformer({ resources: [{ prefixes: ['/r/odd/'], providers: [hkdf(c)] }] }) })
  assert.equal(text((await onlyC.get('/r/odd/19'))?.value), 'value-19')
  await ts.done()
})

test('a config with a kms provider is refused: its key service cannot reach a worker', () => {
  assert.throws(
    () => createResealPool(configOf(localKms('local', namedKey('kek1')), aesgcm(a))),
    (err: unknown) => err instanceof InvalidArgumentError && /kms provider \(local\).*worker threads/.test(err.message),
  )
})

test('a closed pool refuses work', async () => {
  const p = createResealPool(configOf(aesgcm(b, a)), { threads: 1 })
  await p.close()
  await assert.rejects(p.reseal([]), InvalidArgumentError)
})

test('an encryption error in a worker reaches the caller with its class, key and reason', async () => {
  const { ts, store } = await staleStore(40, a, b)
  // The pool knows only key b, so the values under key a cannot be opened on the workers.
  const blind = createResealPool(configOf(aesgcm(b)), { threads: 2 })
  try {
    await assert.rejects(store.reencrypt({ resealer: blind }), (err: unknown) => {
      assert.ok(err instanceof DecryptError, `expected DecryptError, got ${String(err)}`)
      assert.equal(err.code, 'InternalError')
      assert.match(err.key, /^"\/r\/(even|odd)\/\d+"$/)
      assert.match(err.message, /^encryption: cannot decrypt the value of key "\/r\//)
      assert.equal(err.reason.length > 0, true)
      return true
    })
  } finally {
    await blind.close()
  }
  assert.equal(await staleCount(store), 40, 'nothing was rewritten')
  await ts.done()
})

// Every public entry point checks its arguments before anything is applied (issue 16): typed
// InvalidArgumentError naming the argument, inputs copied at the boundary, txn validation linear
// in the request's size however its sub-objects are shared.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ArgumentError, InvalidArgumentError, openStore, RequestTooLargeError, TooManyOpsError, type TxnRequest } from '../../src/index.js'
import { tempDir, tempStore, text } from '../support/temp-store.js'

const bad = <T>(v: unknown): T => v as T

test('openStore: unknown, misspelt and ill-typed options are refused, typed, and nothing is created', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const path = `${dir.path}/x.db`
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ path, pathh: 'y' }, /openStore options.pathh is not a known option/],
    [{ path: null }, /openStore options.path must be a string/],
    [{ path: 42 }, /openStore options.path must be a string/],
    [{ path: '' }, /openStore options.path must not be empty/],
    [{ path, leasePollMs: 0 }, /leasePollMs must be an integer in \[1,/],
    [{ path, leasePollMs: Number.NaN }, /leasePollMs must be an integer/],
    [{ path, remotePollMs: -5 }, /remotePollMs must be an integer/],
    [{ path, quotaBytes: -1 }, /quotaBytes must be an integer in \[0,/],
    [{ path, quotaBytes: '2MB' }, /quotaBytes must be an integer/],
    [{ path, busyTimeoutMs: 1.5 }, /busyTimeoutMs must be an integer/],
    [{ path, cacheKiB: '1; x' }, /cacheKiB must be an integer/],
    [{ path, clock: {} }, /clock must be an object with methods now, setTimer/],
    [{ path, transformer: { toStorage: () => 0 } }, /transformer must be an object with methods/],
    [{ path, onError: 'log' }, /onError must be a function/],
    [{ path, limits: { txnOpsMaxx: 3 } }, /limits: txnOpsMaxx is not a known limit/],
    [{ path, limits: null }, /limits must be an object/],
    [{ path, readOnly: 'yes' }, /readOnly must be a boolean/],
  ]
  for (const [options, message] of cases) {
    await assert.rejects(openStore(bad(options)), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError, `${JSON.stringify(options)}: ${String(err)}`)
      assert.equal(err.code, 'Invalid')
      assert.match(err.message, message)
      return true
    })
  }
  await assert.rejects(openStore(bad(null)), ArgumentError)
  const { readdirSync } = await import('node:fs')
  assert.deepEqual(readdirSync(dir.path), [], 'no refused call created a file')
})

test('entry points: null and ill-typed options are typed refusals that change nothing', async (t) => {
  const s = await tempStore()
  t.after(() => s.done())
  await s.store.put('k', 'v')
  const calls: Array<() => unknown> = [
    () => s.store.get('k', bad(null)),
    () => s.store.get('k', bad({ revision: 10n })),
    () => s.store.get('k', bad({ revison: 1 })),
    () => s.store.put('k', 'w', bad({ lease: Symbol('x') })),
    () => s.store.compact(1, bad({ physical: 'yes' })),
    () => s.store.leaseTimeToLive(1, bad(null)),
    () => s.store.leaseGrant(bad(Object.create(null))),
    () => s.store.readEvents(1.5, 10),
    () => s.store.readEvents(bad('0'), 10),
    () => s.store.readEvents(0, 0),
    () => s.store.eventPositionBefore(bad(1.5)),
    () => s.store.reencrypt(bad(null)),
    () => s.store.backup(bad(null)),
    () => s.store.watch(bad({ key: 'k', signal: {} })),
    () => s.store.txn(bad({ success: [{ put: null }] })),
    // Regression: found by api-fuzz.test.ts, seed 1098152758 (a TypeError from the cache's key range).
    () => s.store.rangeFromCache(bad(null)),
  ]
  for (const [i, call] of calls.entries()) {
    await assert.rejects(
      (async () => call())(),
      (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError, `call ${i}: ${String(err)}`)
        return true
      },
    )
  }
  assert.equal(s.store.revision, 2)
  assert.equal(text((await s.store.get('k'))?.value), 'v')
})

test('inputs are copied: a buffer changed after put() does not change what is stored', async (t) => {
  const s = await tempStore()
  t.after(() => s.done())
  const key = Buffer.from('key-a')
  const value = Buffer.from('value-1')
  const put = s.store.put(key, value)
  key.write('key-b')
  value.write('value-2')
  await put
  assert.equal(text((await s.store.get('key-a'))?.value), 'value-1')
  assert.equal(await s.store.get('key-b'), undefined)
  // Two different keys that the caller makes equal in flight stay two different keys.
  const k1 = Buffer.from('x1')
  const k2 = Buffer.from('x2')
  const txn = s.store.txn({ success: [{ put: { key: k1, value: 'a' } }, { put: { key: k2, value: 'b' } }] })
  k2.write('x1')
  await txn
  assert.equal((await s.store.range({ key: 'x', prefix: true })).count, 2)
})

/** A txn 2^depth ops large when expanded, built from `depth` shared objects. */
function sharedTxn(depth: number, leaf: TxnRequest): TxnRequest {
  let t = leaf
  for (let i = 0; i < depth; i++) t = { success: [{ txn: t }], failure: [{ txn: t }] }
  return t
}

test('txn: shared sub-objects are validated once; depth 40 answers at once', async (t) => {
  const s = await tempStore()
  t.after(() => s.done())
  const started = performance.now()
  const r = await s.store.txn(sharedTxn(40, { success: [{ put: { key: 'deep', value: 'v' } }] }))
  assert.equal(r.succeeded, true)
  assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`)
  assert.equal(text((await s.store.get('deep'))?.value), 'v')
})

test('txn: a shared txn referenced twice in one branch is expanded for the limits', async (t) => {
  const s = await tempStore({ limits: { txnOpsMax: 128 } })
  t.after(() => s.done())
  // Each level runs its child three times: 3^30 ranges if applied. Refused by size, at once.
  let inner: TxnRequest = { success: [{ range: { key: 'a' } }] }
  for (let i = 0; i < 30; i++) inner = { success: [{ txn: inner }, { txn: inner }, { txn: inner }] }
  await assert.rejects(s.store.txn(inner), (err: unknown) => err instanceof RequestTooLargeError || err instanceof TooManyOpsError)
  // A shared put in one branch twice is a duplicate key, as if written out twice.
  const p: TxnRequest = { success: [{ put: { key: 'd', value: 'v' } }] }
  await assert.rejects(s.store.txn({ success: [{ txn: p }, { txn: p }] }), InvalidArgumentError)
  // A txn that contains itself is refused, not recursed into.
  const self: TxnRequest = { success: [] }
  self.success?.push({ txn: self })
  await assert.rejects(s.store.txn(self), /contains itself/)
  assert.equal(s.store.revision, 1)
})

test('watch: a thousand watchers on one AbortSignal print no warning and all end on abort', async (t) => {
  const s = await tempStore()
  t.after(() => s.done())
  const warnings: Error[] = []
  const onWarning = (w: Error): void => {
    warnings.push(w)
  }
  process.on('warning', onWarning)
  t.after(() => process.off('warning', onWarning))
  const controller = new AbortController()
  const watchers = Array.from({ length: 1000 }, () => s.store.watch({ key: 'k', signal: controller.signal }))
  await s.store.put('k', 'v')
  controller.abort()
  for (const w of watchers) assert.equal(w.ended, true)
  // A warning is emitted on a later tick: give it one round trip through the event loop.
  await new Promise<void>((resolve) => setImmediate(resolve))
  assert.deepEqual(warnings.map((w) => w.name), [])
  assert.equal(s.store.watcherCount, 0)
})

// Request limits (util/limits.ts, reference §9) and bad input: each refused with a typed error
// before anything is written, so the store is left exactly as it was.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import {
  defaultLimits,
  FakeClock,
  InvalidArgumentError,
  openStore,
  RequestTooLargeError,
  TooManyOpsError,
  TooManyRequestsError,
  type OpenStoreOptions,
  type Store,
} from '../../src/index.js'
import type { RequestOp } from '../../src/index.js'
import { openTestStore as open, tempDir, text } from '../support/temp-store.js'
import { rejectsWith } from '../support/assertions.js'

const tooLarge = (p: Promise<unknown>, what: RegExp = /etcdserver: request is too large/) =>
  rejectsWith(p, RequestTooLargeError, 'RequestEntityTooLarge', what)
const invalid = (p: Promise<unknown>, message: RegExp) => rejectsWith(p, InvalidArgumentError, 'Invalid', message)
/** A value of the wrong type, as an untyped caller (JSON, JavaScript) could pass it. */
const bad = <T>(v: unknown): T => v as T

/** Seeds one key and returns a probe that asserts the store still looks exactly like that. */
async function seeded(store: Store): Promise<() => Promise<void>> {
  await store.put('seed', 'v')
  return async () => {
    assert.equal(store.revision, 2, 'a rejected request must not bump the revision')
    const all = await store.range({ key: '\0', rangeEnd: '\0' })
    assert.deepEqual(all.kvs.map((kv) => [text(kv.key), text(kv.value), kv.version]), [['seed', 'v', 1]])
  }
}

test('limits: the defaults follow etcd', () => {
  assert.equal(defaultLimits.requestBytesMax, 1.5 * 1024 * 1024)
  assert.equal(defaultLimits.txnOpsMax, 128)
  assert.equal(defaultLimits.keyBytesMax, 32 * 1024)
  assert.equal(defaultLimits.leaseTtlMinSeconds, 2)
  assert.equal(defaultLimits.leaseTtlMaxSeconds, 9_000_000_000)
})

test('keyBytesMax: a key above 32 KiB is too large, in every request kind', async (t) => {
  const { store } = await open(t)
  const untouched = await seeded(store)
  const big = 'k'.repeat(32 * 1024 + 1)
  await tooLarge(store.put(big, 'v'), /request is too large \(key: 32769 > 32768 bytes\)/)
  await tooLarge(store.range({ key: big }))
  await tooLarge(store.deleteRange({ key: big }))
  await tooLarge(store.get(big))
  await tooLarge(store.txn({ success: [{ put: { key: big, value: 'v' } }] }))
  await tooLarge(store.txn({ compare: [{ key: big, target: 'MOD', result: 'EQUAL', value: 0 }] }))
  await untouched()
  const max = 'k'.repeat(32 * 1024)
  assert.equal((await store.put(max, 'v')).revision, 3)
  assert.equal((await store.get(max))?.key.length, 32 * 1024)
})

test('valueBytesMax and requestBytesMax: 1.5 MiB by default', async (t) => {
  const { store } = await open(t)
  const untouched = await seeded(store)
  const MiB = 1024 * 1024
  await tooLarge(store.put('k', Buffer.alloc(1.5 * MiB + 1)), /request is too large \(value of "k": 1572865 > 1572864 bytes\)/)
  // The value alone fits, but key + value do not.
  await tooLarge(store.put('k', Buffer.alloc(1.5 * MiB)), /request is too large \(request: /)
  const half = Buffer.alloc(MiB / 2)
  await tooLarge(
    store.txn({ success: [{ put: { key: 'a', value: half } }, { put: { key: 'b', value: half } }, { put: { key: 'c', value: half } }] }),
    /request is too large \(request: /,
  )
  await untouched()
  assert.equal((await store.put('k', Buffer.alloc(1.5 * MiB - 1))).revision, 3)
  assert.equal((await store.get('k'))?.value.length, 1.5 * MiB - 1)
})

test('limits are configurable through openStore({ limits })', async (t) => {
  const { store } = await open(t, { limits: { keyBytesMax: 4, valueBytesMax: 10, requestBytesMax: 40, txnOpsMax: 3 } })
  const untouched = await seeded(store)
  await tooLarge(store.put('abcde', 'v'), /key: 5 > 4 bytes/)
  await tooLarge(store.put('k', '0123456789x'), /value of "k": 11 > 10 bytes/)
  const puts = (n: number): RequestOp[] => Array.from({ length: n }, (_, i) => ({ put: { key: `k${i}`, value: '0123456789' } }))
  // 3 x (2 + 10) = 36 bytes fit; a compare on top brings it to 36 + 2 + 10 > 40.
  await tooLarge(
    store.txn({ compare: [{ key: 'k0', target: 'VALUE', result: 'EQUAL', value: '0123456789' }], success: puts(3) }),
    /request: \d+ > 40 bytes/,
  )
  await rejectsWith(store.txn({ success: puts(4) }), TooManyOpsError, 'Invalid', /too many operations in txn request \(4 > 3\)/)
  await untouched()
  assert.equal((await store.txn({ success: puts(3) })).revision, 3)
})

test('lease TTL limits are configurable', async (t) => {
  const { store } = await open(t, { limits: { leaseTtlMinSeconds: 5, leaseTtlMaxSeconds: 100 } })
  assert.equal((await store.leaseGrant(1, 1)).ttl, 5)
  assert.equal((await store.leaseGrant(100, 2)).ttl, 100)
  await invalid(store.leaseGrant(101, 3), /too large lease TTL/)
  assert.deepEqual((await store.leases()).map((l) => l.id), [1, 2])
})

test('pendingWritesMax: writes beyond the queue limit fail fast with TooManyRequests', async (t) => {
  const { store } = await open(t, { limits: { pendingWritesMax: 2 } })
  const a = store.put('a', '1')
  const b = store.put('b', '1')
  await rejectsWith(store.put('c', '1'), TooManyRequestsError, 'TooManyRequests', /too many pending writes/)
  assert.deepEqual((await Promise.all([a, b])).map((r) => r.revision), [2, 3])
  assert.equal(await store.get('c'), undefined)
  assert.equal((await store.put('c', '1')).revision, 4)
})

test('leaseRevokesPerPassMax: an expiry pass revokes at most that many leases, the next pass the rest', async (t) => {
  const clock = new FakeClock()
  const { store } = await open(t, { clock, limits: { leaseRevokesPerPassMax: 2 } })
  for (let id = 1; id <= 5; id++) {
    await store.leaseGrant(5, id)
    await store.put(`k${id}`, 'v', { lease: id })
  }
  assert.equal(store.revision, 6)
  clock.advance(5_000)
  await store.flush()
  assert.equal(store.revision, 8, 'the first pass revokes two leases, one revision each')
  assert.equal((await store.leases()).length, 3)
  for (let pass = 0; pass < 10 && (await store.leases()).length > 0; pass++) await store.flush()
  assert.deepEqual(await store.leases(), [])
  assert.equal(store.revision, 11)
  assert.equal((await store.range({ key: 'k', prefix: true })).count, 0)
})

test('invalid limit values are rejected by openStore', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const cases: Array<[string, unknown]> = [
    ['txnOpsMax', 0],
    ['keyBytesMax', -1],
    ['requestBytesMax', 1.5],
    ['valueBytesMax', Number.NaN],
    ['pendingWritesMax', Number.POSITIVE_INFINITY],
    ['leaseTtlMinSeconds', '2'],
    ['compactionBatchRowsMax', 2 ** 53],
  ]
  for (const [name, value] of cases) {
    await invalid(openStore({ path: `${dir.path}/x.db`, limits: { [name]: value } }), new RegExp(`limits: ${name} must be a positive integer`))
  }
  await invalid(openStore({ path: `${dir.path}/x.db`, durability: bad('fast') }), /durability must be 'strict' or 'relaxed'/)
})

test('bad input types are InvalidArgument with code Invalid, and leave the store untouched', async (t) => {
  const { store } = await open(t)
  const untouched = await seeded(store)
  await invalid(store.range({ key: 'seed', revision: 1.5 }), /revision must be a safe integer/)
  await invalid(store.range({ key: 'seed', revision: bad('2') }), /revision must be a safe integer/)
  await invalid(store.get('seed', { revision: Number.NaN }), /revision must be a safe integer/)
  await invalid(store.range({ key: 'seed', limit: 2.5 }), /limit must be a safe integer/)
  await invalid(store.range({ key: 'seed', minModRevision: bad('1') }), /minModRevision must be a safe integer/)
  await invalid(store.range({ key: 'seed', sortOrder: bad('UP') }), /etcdserver: invalid sort option/)
  await invalid(store.range({ key: 'seed', sortTarget: bad('NAME') }), /etcdserver: invalid sort option/)
  await invalid(store.range({ key: 'seed', keysOnly: bad('yes') }), /keysOnly must be a boolean/)
  await invalid(store.range({ key: 'seed', countOnly: bad(1) }), /countOnly must be a boolean/)
  await invalid(store.range({ key: 'seed', prefix: bad('true') }), /prefix must be a boolean/)
  await invalid(store.range({ key: 'seed', prefix: true, rangeEnd: 'z' }), /prefix and rangeEnd are mutually exclusive/)
  await invalid(store.range({ key: bad(5) }), /key must be a string or Uint8Array/)
  await invalid(store.range(bad(null)), /must be an object/)
  await invalid(store.put('seed', bad(7)), /value must be a string or Uint8Array/)
  await invalid(store.put('seed', 'x', { prevKv: bad('true') }), /prevKv must be a boolean/)
  await invalid(store.put('seed', undefined, { ignoreValue: bad(1) }), /ignoreValue must be a boolean/)
  await invalid(store.put('seed', 'x', { lease: bad('1') }), /lease must be a safe integer/)
  await invalid(store.deleteRange({ key: 'seed', prevKv: bad(0) }), /prevKv must be a boolean/)
  await invalid(store.txn({ compare: [{ key: 'seed', target: bad('SIZE'), result: 'EQUAL', value: 0 }] }), /invalid compare target/)
  await invalid(store.txn({ compare: [{ key: 'seed', target: 'MOD', result: bad('LIKE'), value: 0 }] }), /invalid compare result/)
  await invalid(store.txn({ compare: [{ key: 'seed', target: 'VALUE', result: 'EQUAL', value: 1 }] }), /VALUE compare takes bytes/)
  await invalid(store.txn({ compare: [{ key: 'seed', target: 'MOD', result: 'EQUAL', value: 'x' }] }), /MOD compare takes a number/)
  await invalid(store.txn({ success: bad({ put: { key: 'seed', value: 'x' } }) }), /success must be an array/)
  await invalid(store.txn({ success: [bad({ get: { key: 'seed' } })] }), /must have one of range, put, deleteRange, txn/)
  // A bad op after a good one refuses the whole txn.
  await invalid(store.txn({ success: [{ put: { key: 'seed', value: 'changed' } }, { range: { key: 'seed', limit: 0.5 } }] }), /limit/)
  await invalid(store.compact(1.5), /compaction revision must be a safe integer/)
  await invalid(store.leaseGrant(1.5), /lease TTL must be an integer/)
  await invalid(store.leaseGrant(10, -1), /lease ID must be an integer/)
  await invalid(store.leaseRevoke(0), /lease ID must be an integer/)
  await invalid(store.leaseKeepAlive(1.5), /lease ID must be an integer/)
  await invalid(store.leaseTimeToLive(bad('1')), /lease ID must be an integer/)
  await untouched()
  assert.deepEqual(await store.leases(), [])
  assert.equal(store.compactRevision, 0)
})

test('a request over a limit leaves the store untouched, also when queued with good writes', async (t) => {
  const { store } = await open(t, { limits: { valueBytesMax: 10 } })
  const a = store.put('a', 'ok')
  const b = store.put('b', '0123456789x')
  const c = store.put('c', 'ok')
  await tooLarge(b, /value of "b": 11 > 10 bytes/)
  assert.deepEqual([(await a).revision, (await c).revision], [2, 3])
  assert.deepEqual((await store.range({ key: '\0', rangeEnd: '\0' })).kvs.map((kv) => text(kv.key)), ['a', 'c'])
})

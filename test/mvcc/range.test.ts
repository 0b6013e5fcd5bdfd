// RG1-RG10 (reference §2): intervals, limit/more/count, keysOnly/countOnly, sorting, filters,
// historical reads and their errors, tombstones, byte-wise order.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { CompactedError, FutureRevisionError, InvalidArgumentError, type Store } from '../../src/index.js'
import type { RangeRequest, RangeResponse } from '../../src/index.js'
import { openTestStore as open, text } from '../support/temp-store.js'
import { rejectsWith } from '../support/assertions.js'

const keys = (r: RangeResponse): string[] => r.kvs.map((kv) => text(kv.key) ?? '')
const hex = (r: RangeResponse): string[] => r.kvs.map((kv) => Buffer.from(kv.key).toString('hex'))

async function putAll(store: Store, ...ks: string[]): Promise<void> {
  for (const k of ks) await store.put(k, `v-${k}`)
}

test('RG1: no rangeEnd reads one key; [key, rangeEnd) is half-open and byte-wise', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'a', 'ab', 'abc', 'b', 'c')
  assert.deepEqual(keys(await store.range({ key: 'ab' })), ['ab'])
  assert.deepEqual(keys(await store.range({ key: 'zz' })), [])
  assert.deepEqual(keys(await store.range({ key: 'a', rangeEnd: 'b' })), ['a', 'ab', 'abc'])
  assert.deepEqual(keys(await store.range({ key: 'ab', rangeEnd: 'c' })), ['ab', 'abc', 'b'])
  // An empty rangeEnd is the same as none: the single key.
  assert.deepEqual(keys(await store.range({ key: 'ab', rangeEnd: '' })), ['ab'])
})

test('RG1: prefix:true reads every key starting with key', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'a', 'ab', 'abc', 'ac', 'b')
  assert.deepEqual(keys(await store.range({ key: 'ab', prefix: true })), ['ab', 'abc'])
  assert.deepEqual(keys(await store.range({ key: 'a', prefix: true })), ['a', 'ab', 'abc', 'ac'])
  const r = await store.range({ key: 'ab', prefix: true })
  assert.equal(r.count, 2)
})

test('RG1: rangeEnd "\\0" reads all keys >= key; key "\\0" with rangeEnd "\\0" reads everything', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'a', 'b', 'c')
  await store.put(Buffer.from([0x00]), 'zero')
  await store.put(Buffer.from([0xff, 0xff]), 'high')
  assert.deepEqual(hex(await store.range({ key: 'b', rangeEnd: '\0' })), ['62', '63', 'ffff'])
  const all = await store.range({ key: '\0', rangeEnd: '\0' })
  assert.deepEqual(hex(all), ['00', '61', '62', '63', 'ffff'])
  assert.equal(all.count, 5)
  const allBytes = await store.range({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]) })
  assert.equal(allBytes.count, 5)
})

test('RG1: an empty key is refused with "key is not provided"', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1')
  await rejectsWith(store.range({ key: '' }), InvalidArgumentError, 'Invalid', /etcdserver: key is not provided/)
  await rejectsWith(store.range({ key: new Uint8Array(0), rangeEnd: '\0' }), InvalidArgumentError, 'Invalid', /key is not provided/)
  await rejectsWith(store.deleteRange({ key: '' }), InvalidArgumentError, 'Invalid', /key is not provided/)
  assert.equal(store.revision, 2)
})

test('RG1: rangeEnd <= key is an empty range', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'a', 'b', 'c')
  const below = await store.range({ key: 'c', rangeEnd: 'a' })
  assert.deepEqual(below.kvs, [])
  assert.equal(below.count, 0)
  assert.equal(below.more, false)
  const equal = await store.range({ key: 'b', rangeEnd: 'b' })
  assert.deepEqual(equal.kvs, [])
  assert.equal(equal.count, 0)
})

test('RG2: limit cuts the result and more says whether keys were left out; 0 means no limit', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'k1', 'k2', 'k3', 'k4', 'k5')
  const two = await store.range({ key: 'k', rangeEnd: 'l', limit: 2 })
  assert.deepEqual(keys(two), ['k1', 'k2'])
  assert.equal(two.more, true)
  const four = await store.range({ key: 'k', rangeEnd: 'l', limit: 4 })
  assert.deepEqual(keys(four), ['k1', 'k2', 'k3', 'k4'])
  assert.equal(four.more, true)
  const exact = await store.range({ key: 'k', rangeEnd: 'l', limit: 5 })
  assert.equal(exact.kvs.length, 5)
  assert.equal(exact.more, false)
  const over = await store.range({ key: 'k', rangeEnd: 'l', limit: 6 })
  assert.equal(over.kvs.length, 5)
  assert.equal(over.more, false)
  const none = await store.range({ key: 'k', rangeEnd: 'l', limit: 0 })
  assert.equal(none.kvs.length, 5)
  assert.equal(none.more, false)
})

test('RG2: more reflects the min/max filters, not the unfiltered range', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'k1', 'k2', 'k3', 'k4', 'k5') // mod revisions 2..6
  // Only k4 and k5 pass the filter: limit 1 leaves one out.
  const r = await store.range({ key: 'k', rangeEnd: 'l', limit: 1, minModRevision: 5 })
  assert.deepEqual(keys(r), ['k4'])
  assert.equal(r.more, true)
  // Only k5 passes: nothing left out although the range holds 5 keys.
  const one = await store.range({ key: 'k', rangeEnd: 'l', limit: 1, minModRevision: 6 })
  assert.deepEqual(keys(one), ['k5'])
  assert.equal(one.more, false)
})

test('RG3: count is the number of keys in the range, ignoring limit and filters', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'k1', 'k2', 'k3', 'k4', 'k5', 'z')
  assert.equal((await store.range({ key: 'k', rangeEnd: 'l', limit: 2 })).count, 5)
  const filtered = await store.range({ key: 'k', rangeEnd: 'l', limit: 1, maxModRevision: 3 })
  assert.deepEqual(keys(filtered), ['k1'])
  assert.equal(filtered.count, 5)
  const noneMatch = await store.range({ key: 'k', rangeEnd: 'l', minCreateRevision: 100 })
  assert.deepEqual(noneMatch.kvs, [])
  assert.equal(noneMatch.count, 5)
  const historical = await store.range({ key: 'k', rangeEnd: 'l', limit: 1, revision: 4 })
  assert.equal(historical.count, 3)
  assert.equal(historical.more, true)
})

test('RG4: revision <= 0 reads the latest; above the current revision is ErrFutureRev', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1')
  await store.put('a', '2')
  assert.equal(text((await store.range({ key: 'a', revision: 0 })).kvs[0]?.value), '2')
  assert.equal(text((await store.range({ key: 'a', revision: -5 })).kvs[0]?.value), '2')
  assert.equal(text((await store.range({ key: 'a', revision: 3 })).kvs[0]?.value), '2')
  assert.equal(text((await store.range({ key: 'a', revision: 2 })).kvs[0]?.value), '1')
  assert.equal((await store.range({ key: 'a', revision: 1 })).count, 0)
  await rejectsWith(
    store.range({ key: 'a', revision: 4 }),
    FutureRevisionError,
    'Timeout',
    /mvcc: required revision is a future revision/,
  )
  await rejectsWith(store.get('a', { revision: 4 }), FutureRevisionError, 'Timeout', /required revision is a future revision/)
})

test('RG4: a read at the compaction revision is allowed, below it is compacted', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1') // 2
  await store.put('a', '2') // 3
  await store.put('a', '3') // 4
  await store.compact(3, { physical: true })
  const at = await store.range({ key: 'a', revision: 3 })
  assert.equal(text(at.kvs[0]?.value), '2')
  assert.equal(at.revision, 4)
  await rejectsWith(
    store.range({ key: 'a', revision: 2 }),
    CompactedError,
    'Expired',
    /mvcc: required revision has been compacted/,
  )
  await rejectsWith(store.range({ key: 'a', revision: 1 }), CompactedError, 'Expired', /required revision has been compacted/)
  await rejectsWith(store.get('a', { revision: 2 }), CompactedError, 'Expired', /required revision has been compacted/)
  await rejectsWith(store.range({ key: 'a', revision: 2, countOnly: true }), CompactedError, 'Expired', /has been compacted/)
  assert.equal(text((await store.range({ key: 'a', revision: 4 })).kvs[0]?.value), '3')
})

test('RG6: keysOnly strips values and keeps the other fields', async (t) => {
  const { store } = await open(t)
  await store.put('a', 'one')
  await store.put('b', 'two')
  await store.put('a', 'three')
  const r = await store.range({ key: 'a', rangeEnd: 'c', keysOnly: true })
  assert.deepEqual(keys(r), ['a', 'b'])
  assert.deepEqual(
    r.kvs.map((kv) => [kv.value.length, kv.createRevision, kv.modRevision, kv.version, kv.lease]),
    [
      [0, 2, 4, 2, 0],
      [0, 3, 3, 1, 0],
    ],
  )
  assert.equal(r.count, 2)
  const old = await store.range({ key: 'a', keysOnly: true, revision: 2 })
  assert.equal(old.kvs[0]?.value.length, 0)
  assert.equal(old.kvs[0]?.modRevision, 2)
})

test('RG6: countOnly returns no kvs, only count', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'a', 'b', 'c', 'd')
  const r = await store.range({ key: 'a', rangeEnd: 'd', countOnly: true })
  assert.deepEqual(r.kvs, [])
  assert.equal(r.count, 3)
  assert.equal(r.more, false)
  const limited = await store.range({ key: 'a', rangeEnd: '\0', countOnly: true, limit: 1 })
  assert.deepEqual(limited.kvs, [])
  assert.equal(limited.count, 4)
  assert.equal((await store.range({ key: 'a', rangeEnd: '\0', countOnly: true, revision: 3 })).count, 2)
})

/**
 * k1: create 2, mod 5, version 2, value "c"
 * k2: create 3, mod 7, version 3, value "a"
 * k3: create 4, mod 4, version 1, value "b"
 * Every target orders the three keys differently, without ties.
 */
async function sortFixture(store: Store): Promise<void> {
  await store.put('k1', 'x') // 2
  await store.put('k2', 'x') // 3
  await store.put('k3', 'b') // 4
  await store.put('k1', 'c') // 5
  await store.put('k2', 'y') // 6
  await store.put('k2', 'a') // 7
}

test('RG7: every sort order x target', async (t) => {
  const { store } = await open(t)
  await sortFixture(store)
  const cases: Array<[RangeRequest['sortOrder'], RangeRequest['sortTarget'], string[]]> = [
    ['NONE', 'KEY', ['k1', 'k2', 'k3']],
    ['ASCEND', 'KEY', ['k1', 'k2', 'k3']],
    ['DESCEND', 'KEY', ['k3', 'k2', 'k1']],
    ['ASCEND', 'VERSION', ['k3', 'k1', 'k2']],
    ['DESCEND', 'VERSION', ['k2', 'k1', 'k3']],
    ['ASCEND', 'CREATE', ['k1', 'k2', 'k3']],
    ['DESCEND', 'CREATE', ['k3', 'k2', 'k1']],
    ['ASCEND', 'MOD', ['k3', 'k1', 'k2']],
    ['DESCEND', 'MOD', ['k2', 'k1', 'k3']],
    ['ASCEND', 'VALUE', ['k2', 'k3', 'k1']],
    ['DESCEND', 'VALUE', ['k1', 'k3', 'k2']],
    // NONE with a target other than KEY means ASCEND.
    ['NONE', 'VERSION', ['k3', 'k1', 'k2']],
    ['NONE', 'CREATE', ['k1', 'k2', 'k3']],
    ['NONE', 'MOD', ['k3', 'k1', 'k2']],
    ['NONE', 'VALUE', ['k2', 'k3', 'k1']],
  ]
  for (const [sortOrder, sortTarget, expected] of cases) {
    const r = await store.range({ key: 'k', prefix: true, sortOrder, sortTarget })
    assert.deepEqual(keys(r), expected, `${String(sortOrder)} ${String(sortTarget)}`)
    assert.equal(r.count, 3)
  }
  // Defaults: no order and no target is ascending key order.
  assert.deepEqual(keys(await store.range({ key: 'k', prefix: true, sortOrder: 'DESCEND' })), ['k3', 'k2', 'k1'])
  assert.deepEqual(keys(await store.range({ key: 'k', prefix: true, sortTarget: 'MOD' })), ['k3', 'k1', 'k2'])
})

test('RG7: sorting by VALUE with keysOnly sorts by the value and then strips it', async (t) => {
  const { store } = await open(t)
  await sortFixture(store)
  const r = await store.range({ key: 'k', prefix: true, sortOrder: 'DESCEND', sortTarget: 'VALUE', keysOnly: true })
  assert.deepEqual(keys(r), ['k1', 'k3', 'k2'])
  assert.ok(r.kvs.every((kv) => kv.value.length === 0))
})

test('RG7: an unknown sort order or target is refused with "invalid sort option"', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1')
  const bad = (v: string) => v as never
  await rejectsWith(store.range({ key: 'a', sortOrder: bad('UP') }), InvalidArgumentError, 'Invalid', /etcdserver: invalid sort option/)
  await rejectsWith(store.range({ key: 'a', sortTarget: bad('NAME') }), InvalidArgumentError, 'Invalid', /invalid sort option/)
})

test('RG8: sortOrder NONE with a non-KEY target cuts to limit+1 in key order before sorting (etcd quirk)', async (t) => {
  const { store } = await open(t)
  await sortFixture(store)
  // etcd reads limit+1 = 2 keys in key order (k1 v2, k2 v3), sorts them ascending by version,
  // then keeps 1: k1. The smallest version in the range (k3, v1) is never looked at.
  const quirk = await store.range({ key: 'k', prefix: true, sortTarget: 'VERSION', limit: 1 })
  assert.deepEqual(keys(quirk), ['k1'])
  assert.equal(quirk.more, true)
  assert.equal(quirk.count, 3)
  const quirk2 = await store.range({ key: 'k', prefix: true, sortOrder: 'NONE', sortTarget: 'VALUE', limit: 2 })
  // Three keys fit in limit+1 = 3: all are sorted by value, then cut to 2.
  assert.deepEqual(keys(quirk2), ['k2', 'k3'])
  assert.equal(quirk2.more, true)
  // The same with an explicit ASCEND reads everything first.
  const full = await store.range({ key: 'k', prefix: true, sortOrder: 'ASCEND', sortTarget: 'VERSION', limit: 1 })
  assert.deepEqual(keys(full), ['k3'])
  assert.equal(full.more, true)
  assert.equal(full.count, 3)
})

test('RG8: any sortOrder other than NONE, or any min/max filter, reads the whole range before cutting to limit', async (t) => {
  const { store } = await open(t)
  await sortFixture(store)
  const desc = await store.range({ key: 'k', prefix: true, sortOrder: 'DESCEND', sortTarget: 'KEY', limit: 1 })
  assert.deepEqual(keys(desc), ['k3'])
  assert.equal(desc.more, true)
  const byMod = await store.range({ key: 'k', prefix: true, sortOrder: 'DESCEND', sortTarget: 'MOD', limit: 2 })
  assert.deepEqual(keys(byMod), ['k2', 'k1'])
  // Only k3 (created at 4) passes; a limit+1 read in key order (k1, k2) would have missed it.
  for (const filter of [{ minCreateRevision: 4 }, { maxModRevision: 4 }, { maxCreateRevision: 4, minCreateRevision: 4 }]) {
    const r = await store.range({ key: 'k', prefix: true, limit: 1, ...filter })
    assert.deepEqual(keys(r), ['k3'], JSON.stringify(filter))
    assert.equal(r.more, false)
    assert.equal(r.count, 3)
  }
})

test('RG9: min/max mod/create revision filters are inclusive and 0 means unset', async (t) => {
  const { store } = await open(t)
  await sortFixture(store) // k1 c2 m5, k2 c3 m7, k3 c4 m4
  const q = async (f: Partial<RangeRequest>) => keys(await store.range({ key: 'k', prefix: true, ...f }))
  assert.deepEqual(await q({ minModRevision: 5 }), ['k1', 'k2'])
  assert.deepEqual(await q({ maxModRevision: 5 }), ['k1', 'k3'])
  assert.deepEqual(await q({ minModRevision: 5, maxModRevision: 5 }), ['k1'])
  assert.deepEqual(await q({ minModRevision: 6, maxModRevision: 6 }), [])
  assert.deepEqual(await q({ minCreateRevision: 3 }), ['k2', 'k3'])
  assert.deepEqual(await q({ maxCreateRevision: 3 }), ['k1', 'k2'])
  assert.deepEqual(await q({ minCreateRevision: 3, maxCreateRevision: 3 }), ['k2'])
  assert.deepEqual(await q({ minModRevision: 0, maxModRevision: 0, minCreateRevision: 0, maxCreateRevision: 0 }), ['k1', 'k2', 'k3'])
  assert.deepEqual(await q({ minCreateRevision: 3, maxModRevision: 4 }), ['k3'])
  // Filters apply to the versions seen at a historical revision.
  assert.deepEqual(await q({ revision: 5, maxModRevision: 4 }), ['k2', 'k3'])
})

test('RG10: tombstoned keys are never returned; a read at R shows the keyspace as of R', async (t) => {
  const { store } = await open(t)
  await putAll(store, 'a', 'b', 'c') // 2, 3, 4
  await store.deleteRange({ key: 'b' }) // 5
  const now = await store.range({ key: 'a', rangeEnd: '\0' })
  assert.deepEqual(keys(now), ['a', 'c'])
  assert.equal(now.count, 2)
  assert.equal((await store.range({ key: 'a', rangeEnd: '\0', countOnly: true })).count, 2)
  assert.deepEqual(keys(await store.range({ key: 'a', rangeEnd: '\0', keysOnly: true })), ['a', 'c'])
  assert.deepEqual(keys(await store.range({ key: 'a', rangeEnd: '\0', sortOrder: 'DESCEND', sortTarget: 'MOD' })), ['c', 'a'])
  assert.deepEqual(keys(await store.range({ key: 'a', rangeEnd: '\0', minModRevision: 1 })), ['a', 'c'])
  assert.deepEqual(keys(await store.range({ key: 'b' })), [])
  assert.deepEqual(keys(await store.range({ key: 'a', rangeEnd: '\0', revision: 4 })), ['a', 'b', 'c'])
  assert.deepEqual(keys(await store.range({ key: 'a', rangeEnd: '\0', revision: 3 })), ['a', 'b'])
  assert.deepEqual(keys(await store.range({ key: 'a', rangeEnd: '\0', revision: 5 })), ['a', 'c'])
  assert.equal((await store.range({ key: 'a', rangeEnd: '\0', revision: 5 })).count, 2)
  const limited = await store.range({ key: 'a', rangeEnd: '\0', limit: 1, revision: 5 })
  assert.deepEqual(keys(limited), ['a'])
  assert.equal(limited.more, true)
})

test('RG1/RG10: binary keys with 0x00 and 0xff bytes are ordered byte-wise', async (t) => {
  const { store } = await open(t)
  const raw = [[0x80], [0xff, 0xff], [0x00, 0xff], [0x61], [0x00], [0xff], [0x7f], [0x01], [0xff, 0x00], [0x00, 0x00]]
  for (const k of raw) await store.put(Buffer.from(k), Buffer.from(k))
  const all = await store.range({ key: '\0', rangeEnd: '\0' })
  assert.deepEqual(hex(all), ['00', '0000', '00ff', '01', '61', '7f', '80', 'ff', 'ff00', 'ffff'])
  assert.ok(all.kvs.every((kv) => Buffer.from(kv.key).equals(Buffer.from(kv.value))), 'values round-trip as bytes')
  assert.deepEqual(hex(await store.range({ key: Buffer.from([0x00]), prefix: true })), ['00', '0000', '00ff'])
  // The prefix of an all-0xff key has no upper bound: everything >= it.
  assert.deepEqual(hex(await store.range({ key: Buffer.from([0xff]), prefix: true })), ['ff', 'ff00', 'ffff'])
  assert.deepEqual(hex(await store.range({ key: Buffer.from([0x7f]), rangeEnd: Buffer.from([0xff]) })), ['7f', '80'])
  assert.deepEqual(hex(await store.range({ key: Buffer.from([0x00, 0x00]) })), ['0000'])
  assert.deepEqual(
    hex(await store.range({ key: '\0', rangeEnd: '\0', sortOrder: 'DESCEND', limit: 3 })),
    ['ffff', 'ff00', 'ff'],
  )
})

// T1-T5 (reference §4): compares, branches, reads of earlier writes, one revision per txn.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import {
  CompactedError,
  FutureRevisionError,
  KeyNotFoundError,
  LeaseNotFoundError,
  type Store,
} from '../../src/index.js'
import type { Compare, CompareResult, CompareTarget, RequestOp, TxnRequest } from '../../src/index.js'
import { openTestStore as open, text } from '../support/temp-store.js'
import { rejectsWith, type ErrorClass } from '../support/assertions.js'

const put = (key: string, value = 'v'): RequestOp => ({ put: { key, value } })
const get = (key: string): RequestOp => ({ range: { key } })
const del = (key: string, rangeEnd?: string): RequestOp => ({ deleteRange: rangeEnd === undefined ? { key } : { key, rangeEnd } })
const cmp = (key: string, target: CompareTarget, result: CompareResult, value: Compare['value']): Compare => ({ key, target, result, value })

/** Runs a read-only txn and says whether the compares held. */
async function holds(store: Store, ...compare: Compare[]): Promise<boolean> {
  const before = store.revision
  const r = await store.txn({ compare, success: [get('probe')], failure: [] })
  assert.equal(r.revision, before)
  assert.equal(r.responses.length, r.succeeded ? 1 : 0)
  return r.succeeded
}

test('T1: compares are a conjunction', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1')
  await store.put('b', '2')
  const a1 = cmp('a', 'VALUE', 'EQUAL', '1')
  const b2 = cmp('b', 'VALUE', 'EQUAL', '2')
  const bX = cmp('b', 'VALUE', 'EQUAL', 'x')
  assert.equal(await holds(store), true, 'no compares: success')
  assert.equal(await holds(store, a1), true)
  assert.equal(await holds(store, a1, b2), true)
  assert.equal(await holds(store, a1, bX), false)
  assert.equal(await holds(store, bX, a1), false)
})

test('T1: each target x result on an existing key', async (t) => {
  const { store } = await open(t)
  await store.leaseGrant(60, 100)
  await store.put('other', 'x') // 2
  await store.put('k', 'm') // 3
  await store.put('k', 'v', { lease: 100 }) // 4
  // k: version 2, create 3, mod 4, lease 100, value "v".
  const actual: Record<Exclude<CompareTarget, 'VALUE'>, number> = { VERSION: 2, CREATE: 3, MOD: 4, LEASE: 100 }
  const results: CompareResult[] = ['EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS']
  const expect = (result: CompareResult, d: number): boolean =>
    result === 'EQUAL' ? d === 0 : result === 'NOT_EQUAL' ? d !== 0 : result === 'GREATER' ? d > 0 : d < 0
  for (const [target, value] of Object.entries(actual) as Array<[CompareTarget, number]>) {
    for (const delta of [-1, 0, 1]) {
      for (const result of results) {
        // The key's field compared with (field - delta): the sign of delta is the comparison.
        const got = await holds(store, cmp('k', target, result, value - delta))
        assert.equal(got, expect(result, delta), `${target} ${result} ${value - delta}`)
      }
    }
  }
  for (const [operand, d] of [['u', 1], ['v', 0], ['w', -1], ['vv', -1], ['', 1]] as Array<[string, number]>) {
    for (const result of results) {
      assert.equal(await holds(store, cmp('k', 'VALUE', result, operand)), expect(result, d), `VALUE ${result} "${operand}"`)
    }
  }
  assert.equal(await holds(store, cmp('k', 'VALUE', 'EQUAL', Buffer.from('v'))), true)
})

test('T2: a missing key compares as 0 for VERSION, CREATE, MOD and LEASE', async (t) => {
  const { store } = await open(t)
  await store.put('gone', 'x')
  await store.deleteRange({ key: 'gone' })
  for (const key of ['missing', 'gone']) {
    for (const target of ['VERSION', 'CREATE', 'MOD', 'LEASE'] as const) {
      assert.equal(await holds(store, cmp(key, target, 'EQUAL', 0)), true, `${key} ${target} == 0`)
      assert.equal(await holds(store, cmp(key, target, 'LESS', 1)), true, `${key} ${target} < 1`)
      assert.equal(await holds(store, cmp(key, target, 'GREATER', 0)), false, `${key} ${target} > 0`)
      assert.equal(await holds(store, cmp(key, target, 'NOT_EQUAL', 0)), false, `${key} ${target} != 0`)
    }
  }
})

test('T2: a VALUE compare on a missing key is false, even against ""', async (t) => {
  const { store } = await open(t)
  await store.put('gone', 'x')
  await store.deleteRange({ key: 'gone' })
  for (const key of ['missing', 'gone']) {
    for (const result of ['EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS'] as const) {
      for (const value of ['', 'x', '\xff']) {
        assert.equal(await holds(store, cmp(key, 'VALUE', result, value)), false, `${key} VALUE ${result} "${value}"`)
      }
    }
  }
  // An existing key with an empty value does compare equal to "".
  await store.put('empty', '')
  assert.equal(await holds(store, cmp('empty', 'VALUE', 'EQUAL', '')), true)
})

test('T3: with rangeEnd every key in the range must satisfy the compare', async (t) => {
  const { store } = await open(t)
  await store.put('a1', 'x') // 2
  await store.put('a2', 'x') // 3
  await store.put('a2', 'y') // 4
  await store.put('b', 'z') // 5
  const range = (target: CompareTarget, result: CompareResult, value: number | string, rangeEnd = 'b'): Compare => ({
    key: 'a',
    rangeEnd,
    target,
    result,
    value,
  })
  assert.equal(await holds(store, range('VERSION', 'GREATER', 0)), true)
  assert.equal(await holds(store, range('VERSION', 'EQUAL', 1)), false, 'a2 has version 2')
  assert.equal(await holds(store, range('VERSION', 'LESS', 3)), true)
  assert.equal(await holds(store, range('MOD', 'LESS', 5)), true)
  assert.equal(await holds(store, range('MOD', 'LESS', 5, '\0')), false, 'b (mod 5) is in [a, \\0)')
  assert.equal(await holds(store, range('VALUE', 'NOT_EQUAL', 'z')), true)
  assert.equal(await holds(store, range('VALUE', 'EQUAL', 'x')), false)
  assert.equal(await holds(store, range('CREATE', 'EQUAL', 0)), false)
})

test('T3: an empty compare range behaves like a missing key', async (t) => {
  const { store } = await open(t)
  await store.put('a', 'x')
  const empty = (target: CompareTarget, result: CompareResult, value: number | string): Compare => ({
    key: 'm',
    rangeEnd: 'n',
    target,
    result,
    value,
  })
  assert.equal(await holds(store, empty('MOD', 'EQUAL', 0)), true)
  assert.equal(await holds(store, empty('VERSION', 'EQUAL', 0)), true)
  assert.equal(await holds(store, empty('MOD', 'GREATER', 0)), false)
  assert.equal(await holds(store, empty('VALUE', 'EQUAL', '')), false)
  assert.equal(await holds(store, empty('VALUE', 'NOT_EQUAL', 'x')), false)
})

test('T4: the success branch runs when all compares hold, else the failure branch; responses match 1:1', async (t) => {
  const { store } = await open(t)
  await store.put('b', 'old') // 2
  const request = (expected: string): TxnRequest => ({
    compare: [cmp('b', 'VALUE', 'EQUAL', expected)],
    success: [put('s1'), get('b'), del('b'), put('s2')],
    failure: [get('b'), put('f1')],
  })
  const failed = await store.txn(request('nope'))
  assert.equal(failed.succeeded, false)
  assert.equal(failed.revision, 3)
  assert.equal(failed.responses.length, 2)
  const [f0, f1] = failed.responses
  assert.ok(f0 !== undefined && 'range' in f0)
  assert.equal(text(f0.range.kvs[0]?.value), 'old')
  assert.ok(f1 !== undefined && 'put' in f1)
  assert.equal(f1.put.revision, 3)
  assert.equal(await store.get('s1'), undefined)

  const ok = await store.txn(request('old'))
  assert.equal(ok.succeeded, true)
  assert.equal(ok.revision, 4)
  assert.deepEqual(
    ok.responses.map((r) => Object.keys(r)[0]),
    ['put', 'range', 'deleteRange', 'put'],
  )
  const [s0, s1, s2, s3] = ok.responses
  assert.ok(s0 !== undefined && 'put' in s0 && s1 !== undefined && 'range' in s1)
  assert.ok(s2 !== undefined && 'deleteRange' in s2 && s3 !== undefined && 'put' in s3)
  assert.equal(s0.put.revision, 4)
  assert.equal(text(s1.range.kvs[0]?.value), 'old')
  assert.equal(s2.deleteRange.deleted, 1)
  assert.equal(s2.deleteRange.revision, 4)
  assert.equal(s3.put.revision, 4)
  assert.equal(await store.get('b'), undefined)
  assert.equal((await store.get('f1'))?.modRevision, 3, 'written by the first txn only')
  assert.equal((await store.get('s2'))?.modRevision, 4)
})

test('T4: reads later in a txn see writes made earlier in it, at the new revision', async (t) => {
  const { store } = await open(t)
  await store.put('a', 'old') // 2
  await store.put('d', 'doomed') // 3
  const r = await store.txn({
    success: [
      get('a'),
      put('a', 'new'),
      get('a'),
      { range: { key: '\0', rangeEnd: '\0', countOnly: true } },
      del('d'),
      { range: { key: '\0', rangeEnd: '\0' } },
      { range: { key: 'a', revision: 3 } },
    ],
  })
  assert.equal(r.revision, 4)
  const ranges = r.responses.flatMap((op) => ('range' in op ? [op.range] : []))
  const [before, after, countAfterPut, afterDelete, historical] = ranges
  assert.ok(before && after && countAfterPut && afterDelete && historical)
  assert.equal(text(before.kvs[0]?.value), 'old')
  assert.equal(before.revision, 3, 'nothing written yet: the current revision')
  assert.equal(text(after.kvs[0]?.value), 'new')
  assert.equal(after.kvs[0]?.modRevision, 4)
  assert.equal(after.kvs[0]?.version, 2)
  assert.equal(after.revision, 4, 'after a write the txn reads at its own revision')
  assert.equal(countAfterPut.count, 2)
  assert.deepEqual(afterDelete.kvs.map((kv) => text(kv.key)), ['a'])
  assert.equal(text(historical.kvs[0]?.value), 'old')
})

test('T4: nested txns run their own branch and answer with a nested response', async (t) => {
  const { store } = await open(t)
  await store.put('flag', 'on') // 2
  const r = await store.txn({
    success: [
      put('outer'),
      {
        txn: {
          compare: [cmp('flag', 'VALUE', 'EQUAL', 'off')],
          success: [put('inner-then')],
          failure: [put('inner-else'), get('outer')],
        },
      },
      { txn: { compare: [cmp('flag', 'VALUE', 'EQUAL', 'on')], success: [get('flag')], failure: [put('never')] } },
    ],
  })
  assert.equal(r.succeeded, true)
  assert.equal(r.revision, 3)
  const [, n1, n2] = r.responses
  assert.ok(n1 !== undefined && 'txn' in n1 && n2 !== undefined && 'txn' in n2)
  assert.equal(n1.txn.succeeded, false)
  assert.equal(n1.txn.responses.length, 2)
  const seen = n1.txn.responses[1]
  assert.ok(seen !== undefined && 'range' in seen)
  assert.equal(seen.range.kvs[0]?.modRevision, 3, 'a nested read sees the outer write')
  assert.equal(n2.txn.succeeded, true)
  assert.equal(n2.txn.responses.length, 1)
  assert.deepEqual(
    (await store.range({ key: '\0', rangeEnd: '\0' })).kvs.map((kv) => [text(kv.key), kv.modRevision]),
    [['flag', 2], ['inner-else', 3], ['outer', 3]],
  )
})

test('T4: nested compares are decided on the state before the txn (etcd compareToPath)', async (t) => {
  const { store } = await open(t)
  const r = await store.txn({
    success: [put('k', 'written'), { txn: { compare: [cmp('k', 'MOD', 'EQUAL', 0)], success: [get('k')], failure: [] } }],
  })
  const nested = r.responses[1]
  assert.ok(nested !== undefined && 'txn' in nested)
  assert.equal(nested.txn.succeeded, true, 'k did not exist when the txn started')
  const inner = nested.txn.responses[0]
  assert.ok(inner !== undefined && 'range' in inner)
  assert.equal(text(inner.range.kvs[0]?.value), 'written')
})

test('T5: a txn takes one revision; a read-only executed branch keeps the current one', async (t) => {
  const { store } = await open(t)
  await store.put('x', '1') // 2
  const w = await store.txn({ success: [put('a'), put('b'), del('x'), put('c')] })
  assert.equal(w.revision, 3)
  assert.equal(store.revision, 3)
  const kvs = (await store.range({ key: 'a', rangeEnd: 'd' })).kvs
  assert.deepEqual(kvs.map((kv) => kv.modRevision), [3, 3, 3])
  const ro = await store.txn({ compare: [cmp('a', 'VERSION', 'EQUAL', 7)], success: [put('never')], failure: [get('a'), get('b')] })
  assert.equal(ro.succeeded, false)
  assert.equal(ro.revision, 3)
  assert.equal(store.revision, 3)
  const empty = await store.txn({})
  assert.deepEqual([empty.succeeded, empty.revision, empty.responses], [true, 3, []])
})

test('T5: a failing check in the executed branch fails the whole txn with no write and no revision bump', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1') // 2
  await store.put('a', '2') // 3
  const cases: Array<[RequestOp, ErrorClass, string, RegExp]> = [
    [{ put: { key: 'b', value: 'v', lease: 999 } }, LeaseNotFoundError, 'NotFound', /requested lease not found/],
    [{ put: { key: 'missing', ignoreValue: true } }, KeyNotFoundError, 'NotFound', /key not found/],
    [{ put: { key: 'missing', value: 'v', ignoreLease: true } }, KeyNotFoundError, 'NotFound', /key not found/],
    [{ range: { key: 'a', revision: 4 } }, FutureRevisionError, 'Timeout', /required revision is a future revision/],
    [
      { txn: { success: [{ put: { key: 'nested', value: 'v', lease: 999 } }] } },
      LeaseNotFoundError,
      'NotFound',
      /requested lease not found/,
    ],
  ]
  for (const [bad, type, code, message] of cases) {
    await rejectsWith(store.txn({ success: [put('a', 'changed'), put('z'), bad] }), type, code, message)
    assert.equal(store.revision, 3, JSON.stringify(bad))
    assert.equal(text((await store.get('a'))?.value), '2')
    assert.equal(await store.get('z'), undefined)
  }
  // The same op in the branch that does not run is not checked.
  const r = await store.txn({ success: [put('z')], failure: [{ put: { key: 'b', value: 'v', lease: 999 } }] })
  assert.equal(r.succeeded, true)
  assert.equal(r.revision, 4)
})

test('T5: a range at a compacted revision inside a txn fails it without writing (etcd #18667)', async (t) => {
  const { store } = await open(t)
  await store.put('a', '1') // 2
  await store.put('a', '2') // 3
  await store.put('a', '3') // 4
  await store.compact(3)
  await rejectsWith(
    store.txn({ success: [put('b'), { range: { key: 'a', revision: 2 } }] }),
    CompactedError,
    'Expired',
    /required revision has been compacted/,
  )
  assert.equal(store.revision, 4)
  assert.equal(await store.get('b'), undefined)
  const ok = await store.txn({ success: [put('b'), { range: { key: 'a', revision: 3 } }] })
  const r = ok.responses[1]
  assert.ok(r !== undefined && 'range' in r)
  assert.equal(text(r.range.kvs[0]?.value), '2')
})

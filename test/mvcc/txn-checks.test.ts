// T6, T7, T9 (reference §4): duplicate-key and op-count checks, and the Kubernetes CAS patterns.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import {
  DuplicateKeyError,
  TooManyOpsError,
  type Store,
} from '../../src/index.js'
import type { Compare, CompareResult, CompareTarget, RequestOp, TxnRequest } from '../../src/index.js'
import { openTestStore as open, text } from '../support/temp-store.js'
import { rejectsWith } from '../support/assertions.js'

const put = (key: string, value = 'v'): RequestOp => ({ put: { key, value } })
const get = (key: string): RequestOp => ({ range: { key } })
const del = (key: string, rangeEnd?: string): RequestOp => ({ deleteRange: rangeEnd === undefined ? { key } : { key, rangeEnd } })
const cmp = (key: string, target: CompareTarget, result: CompareResult, value: Compare['value']): Compare => ({ key, target, result, value })

async function duplicate(store: Store, request: TxnRequest): Promise<void> {
  const before = store.revision
  await rejectsWith(store.txn(request), DuplicateKeyError, 'Invalid', /etcdserver: duplicate key given in txn request/)
  assert.equal(store.revision, before)
}

test('T6: the same key put twice, or put inside a deleted range, is a duplicate key', async (t) => {
  const { store } = await open(t)
  await store.put('k', '0')
  await duplicate(store, { success: [put('k', '1'), put('k', '2')] })
  await duplicate(store, { success: [del('a', 'z'), put('k')] })
  await duplicate(store, { success: [put('k'), del('k')] })
  await duplicate(store, { success: [put('k'), del('\0', '\0')] })
  // Both branches are checked, the one that would not run too.
  await duplicate(store, { compare: [cmp('k', 'VALUE', 'EQUAL', '0')], success: [put('a')], failure: [put('x'), put('x')] })
  // The same key in different branches is fine.
  const r = await store.txn({ success: [put('k', 's')], failure: [put('k', 'f')] })
  assert.equal(r.succeeded, true)
  assert.equal(text((await store.get('k'))?.value), 's')
  await store.txn({ compare: [cmp('k', 'VALUE', 'EQUAL', 'nope')], success: [del('k')], failure: [put('k', 'f2')] })
  assert.equal(text((await store.get('k'))?.value), 'f2')
  // A put next to a delete of a range that does not contain it is fine.
  await store.txn({ success: [del('a', 'k'), put('k', 'kept')] })
  assert.equal(text((await store.get('k'))?.value), 'kept')
})

test('T6: duplicates across nested txns are refused, except in then/else of one nested txn', async (t) => {
  const { store } = await open(t)
  const nested = (success: RequestOp[], failure: RequestOp[] = []): RequestOp => ({ txn: { success, failure } })
  await duplicate(store, { success: [put('k'), nested([put('k')])] })
  await duplicate(store, { success: [nested([], [put('k')]), put('k')] })
  await duplicate(store, { success: [nested([put('k')]), nested([put('k')])] })
  await duplicate(store, { success: [nested([put('k')]), nested([], [put('k')])] })
  await duplicate(store, { success: [del('a', 'z'), nested([put('k')])] })
  await duplicate(store, { success: [put('k'), nested([del('k')])] })
  await duplicate(store, { success: [nested([nested([put('k')])]), put('k')] })
  await duplicate(store, { success: [nested([put('k'), put('k')])] })
  const before = store.revision
  const ok = await store.txn({ success: [nested([put('k', 'then')], [put('k', 'else')])] })
  assert.equal(ok.revision, before + 1)
  assert.equal(text((await store.get('k'))?.value), 'then')
  const deep = await store.txn({ success: [nested([nested([put('k', 'deep-then')], [put('k', 'deep-else')])])] })
  assert.equal(deep.revision, before + 2)
  assert.equal(text((await store.get('k'))?.value), 'deep-then')
})

test('T6: overlapping deletes are allowed', async (t) => {
  const { store } = await open(t)
  for (const k of ['a', 'b', 'c', 'd']) await store.put(k, k) // 2..5
  const r = await store.txn({ success: [del('a', 'c'), del('b', 'd'), del('a', '\0'), { txn: { success: [del('a', 'z')] } }] })
  assert.equal(r.revision, 6)
  const deleted = r.responses.map((op) => ('deleteRange' in op ? op.deleteRange.deleted : -1))
  assert.deepEqual(deleted.slice(0, 3), [2, 1, 1])
  assert.equal((await store.range({ key: '\0', rangeEnd: '\0' })).count, 0)
})

test('T7: more than 128 compares, success or failure ops is refused', async (t) => {
  const { store } = await open(t)
  const puts = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => put(`${prefix}${i}`))
  const compares = (n: number) => Array.from({ length: n }, () => cmp('c', 'MOD', 'EQUAL', 0))
  for (const request of [{ success: puts(129, 's') }, { failure: puts(129, 'f') }, { compare: compares(129) }]) {
    await rejectsWith(store.txn(request), TooManyOpsError, 'Invalid', /etcdserver: too many operations in txn request/)
  }
  assert.equal(store.revision, 1)
  const ok = await store.txn({ compare: compares(128), success: puts(128, 's'), failure: puts(128, 'f') })
  assert.equal(ok.succeeded, true)
  assert.equal(ok.revision, 2)
  assert.equal((await store.range({ key: 's', prefix: true, countOnly: true })).count, 128)
})

test('T7: a nested txn gets the budget left by its parent', async (t) => {
  const { store } = await open(t)
  const puts = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => put(`${prefix}${i}`))
  const withNested = (outer: number, inner: number): TxnRequest => ({
    success: [...puts(outer - 1, 'o'), { txn: { success: puts(inner, 'i') } }],
  })
  // 100 ops at the top leave 28 for the nested txn.
  await rejectsWith(store.txn(withNested(100, 29)), TooManyOpsError, 'Invalid', /too many operations in txn request/)
  assert.equal(store.revision, 1)
  assert.equal((await store.txn(withNested(100, 28))).revision, 2)
  // The budget is max(compares, success, failure) of the parent, however it is spent.
  const nested: TxnRequest = {
    compare: Array.from({ length: 120 }, () => cmp('x', 'MOD', 'EQUAL', 0)),
    success: [{ txn: { failure: puts(9, 'n') } }],
  }
  await rejectsWith(store.txn(nested), TooManyOpsError, 'Invalid', /too many operations/)
  // A full parent leaves nothing: even a one-op nested txn is refused, an empty one is not.
  await rejectsWith(store.txn(withNested(128, 1)), TooManyOpsError, 'Invalid', /too many operations/)
  assert.equal((await store.txn(withNested(128, 0))).revision, 3)
})

test('T9: Kubernetes create: If(mod == 0) Then(Put)', async (t) => {
  const { store } = await open(t)
  const create = (value: string) =>
    store.txn({ compare: [cmp('pods/a', 'MOD', 'EQUAL', 0)], success: [put('pods/a', value)], failure: [get('pods/a')] })
  const first = await create('v1')
  assert.equal(first.succeeded, true)
  assert.equal(first.revision, 2)
  const second = await create('v2')
  assert.equal(second.succeeded, false)
  assert.equal(second.revision, 2)
  const existing = second.responses[0]
  assert.ok(existing !== undefined && 'range' in existing)
  assert.equal(text(existing.range.kvs[0]?.value), 'v1')
  assert.equal(existing.range.kvs[0]?.modRevision, 2)
})

test('T9: Kubernetes update: If(mod == rv) Then(Put) Else(Get) returns the fresh object', async (t) => {
  const { store } = await open(t)
  await store.put('pods/a', 'v1') // 2
  await store.put('pods/a', 'v2') // 3, by someone else
  const update = (rv: number, value: string) =>
    store.txn({ compare: [cmp('pods/a', 'MOD', 'EQUAL', rv)], success: [put('pods/a', value)], failure: [get('pods/a')] })
  const stale = await update(2, 'mine')
  assert.equal(stale.succeeded, false)
  assert.equal(stale.revision, 3)
  const fresh = stale.responses[0]
  assert.ok(fresh !== undefined && 'range' in fresh)
  const kv = fresh.range.kvs[0]
  assert.ok(kv !== undefined)
  assert.deepEqual([text(kv.value), kv.modRevision, kv.version], ['v2', 3, 2])
  const retry = await update(kv.modRevision, 'mine')
  assert.equal(retry.succeeded, true)
  assert.equal(retry.revision, 4)
  const ack = retry.responses[0]
  assert.ok(ack !== undefined && 'put' in ack)
  assert.equal(ack.put.revision, 4)
  assert.equal(text((await store.get('pods/a'))?.value), 'mine')
})

test('T9: Kubernetes delete: If(mod == rv) Then(Delete) Else(Get)', async (t) => {
  const { store } = await open(t)
  await store.put('pods/a', 'v1') // 2
  await store.put('pods/a', 'v2') // 3
  const remove = (rv: number) =>
    store.txn({
      compare: [cmp('pods/a', 'MOD', 'EQUAL', rv)],
      success: [{ deleteRange: { key: 'pods/a', prevKv: true } }],
      failure: [get('pods/a')],
    })
  const stale = await remove(2)
  assert.equal(stale.succeeded, false)
  assert.equal(stale.revision, 3)
  const fresh = stale.responses[0]
  assert.ok(fresh !== undefined && 'range' in fresh)
  assert.equal(fresh.range.kvs[0]?.modRevision, 3)
  const ok = await remove(3)
  assert.equal(ok.succeeded, true)
  assert.equal(ok.revision, 4)
  const d = ok.responses[0]
  assert.ok(d !== undefined && 'deleteRange' in d)
  assert.equal(d.deleteRange.deleted, 1)
  assert.equal(text(d.deleteRange.prevKvs?.[0]?.value), 'v2')
  assert.equal(await store.get('pods/a'), undefined)
  // Deleting again with the old rv: the Else-Get shows the object is gone.
  const again = await remove(3)
  assert.equal(again.succeeded, false)
  const gone = again.responses[0]
  assert.ok(gone !== undefined && 'range' in gone)
  assert.deepEqual(gone.range.kvs, [])
  assert.equal(store.revision, 4)
})

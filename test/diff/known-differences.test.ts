// Where etcd 3.4.23 and etchlog answer differently on purpose, or because of a known etcd 3.4
// quirk, each case is sent to both and both answers are pinned here, so a change on either side
// shows up. The random differential test (etcd-diff.test.ts) leaves these cases out. The check-order
// cases at the end were etchlog bugs found here; they are kept as regression tests.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { type Store, type TxnRequest } from '../../src/index.js'
import { EtcdClient } from '../support/etcd-client.js'
import { findEtcd, startEtcd } from '../support/etcd-server.js'
import { openTestStore } from '../support/temp-store.js'
import { etcdRefusesDuplicate } from './etcd-rules.js'
import { outcomeOf, plain, type Outcome } from './outcomes.js'

interface Both { etcd: EtcdClient; store: Store }

/** A fresh etcd and store per test, or a skip (a failure under ETCHLOG_REQUIRE_ETCD=1). */
async function both(t: TestContext): Promise<Both | undefined> {
  const bin = findEtcd()
  if (bin === undefined) {
    const why = 'etcd not installed (.ci/run unpacks Debian etcd-server; or set ETCHLOG_ETCD_BIN)'
    if (process.env.ETCHLOG_REQUIRE_ETCD === '1') assert.fail(why)
    t.skip(why)
    return undefined
  }
  const server = await startEtcd(bin)
  t.after(() => server.stop())
  const etcd = new EtcdClient(server.endpoint)
  t.after(() => etcd.close())
  const { store } = await openTestStore(t)
  return { etcd, store }
}

async function txnBoth(b: Both, req: TxnRequest): Promise<{ etcd: Outcome; etchlog: Outcome }> {
  return {
    etcd: await outcomeOf('etcd', () => b.etcd.txn(req), plain),
    etchlog: await outcomeOf('etchlog', () => b.store.txn(req), plain),
  }
}

const DUPLICATE = { error: 'INVALID_ARGUMENT', message: 'etcdserver: duplicate key given in txn request' }

test('README row: a put in a nested txn and a delete of the key in a later sibling pass etcd, not etchlog', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  const req: TxnRequest = { success: [{ txn: { success: [{ put: { key: 'k', value: 'v' } }] } }, { txn: { success: [{ deleteRange: { key: 'k' } }] } }] }
  assert.equal(etcdRefusesDuplicate(req), false)
  const r = await txnBoth(b, req)
  assert.ok('ok' in r.etcd && (r.etcd.ok as { succeeded: boolean }).succeeded, 'etcd applies put and delete at one revision')
  assert.deepEqual(r.etchlog, DUPLICATE)
  // The order the other way round is refused by both.
  const reversed: TxnRequest = { success: [{ txn: { success: [{ deleteRange: { key: 'k' } }] } }, { txn: { success: [{ put: { key: 'k', value: 'v' } }] } }] }
  assert.equal(etcdRefusesDuplicate(reversed), true)
  const r2 = await txnBoth(b, reversed)
  assert.deepEqual(r2.etcd, DUPLICATE)
  assert.deepEqual(r2.etchlog, DUPLICATE)
})

test('not in README: a put inside a delete whose range end is "\\0" passes etcd 3.4, not etchlog', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  // etcd's checkIntervals takes [a, "\0") literally (an empty interval); the delete itself means every key >= a.
  const req: TxnRequest = { success: [{ deleteRange: { key: 'a', rangeEnd: '\0' } }, { put: { key: 'b', value: 'v' } }] }
  assert.equal(etcdRefusesDuplicate(req), false)
  assert.equal(etcdRefusesDuplicate(req, true), true)
  const r = await txnBoth(b, req)
  assert.ok('ok' in r.etcd, 'etcd applies the delete and the put at one revision')
  assert.deepEqual(r.etchlog, DUPLICATE)
})

test('a nested txn response has an empty header (revision 0) in etcd and in etchlog', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  await b.etcd.put({ key: 'a', value: '1' })
  await b.store.put('a', '1')
  const req: TxnRequest = { success: [{ put: { key: 'b', value: '2' } }, { txn: { success: [{ range: { key: 'a' } }] } }] }
  const etcd = await b.etcd.txn(req)
  const mine = await b.store.txn(req)
  const inner = (r: typeof etcd) => r.responses[1] as { txn: typeof etcd }
  assert.equal(etcd.revision, 3)
  assert.equal(mine.revision, 3)
  assert.equal(inner(etcd).txn.revision, 0)
  assert.equal(inner(mine).txn.revision, 0)
  // Inner range, put and delete headers agree (checked at random in etcd-diff.test.ts).
  assert.equal((inner(etcd).txn.responses[0] as { range: { revision: number } }).range.revision, 3)
})

test('etcd 3.4 quirk: a negative revision in a txn range is "compacted" there; etchlog reads the current revision (RG4)', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  await b.etcd.put({ key: 'a', value: '1' })
  await b.store.put('a', '1')
  const req: TxnRequest = { success: [{ range: { key: 'a', revision: -2 } }] }
  const r = await txnBoth(b, req)
  assert.deepEqual(r.etcd, { error: 'OUT_OF_RANGE', message: 'etcdserver: mvcc: required revision has been compacted' })
  assert.ok('ok' in r.etchlog)
  // A plain Range with the same revision reads the current revision on both.
  assert.equal((await b.etcd.range({ key: 'a', revision: -2 })).count, 1)
  assert.equal((await b.store.range({ key: 'a', revision: -2 })).count, 1)
})

test('etcd 3.4 quirk: Compact(0) before any compaction is accepted by etcd, compacted in etchlog', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  await b.etcd.put({ key: 'a', value: '1' })
  await b.store.put('a', '1')
  assert.deepEqual(await outcomeOf('etcd', () => b.etcd.compact(0, true), plain), { ok: { revision: 2 } })
  assert.deepEqual(await outcomeOf('etchlog', () => b.store.compact(0), plain), {
    error: 'OUT_OF_RANGE',
    message: 'etcdserver: mvcc: required revision has been compacted',
  })
})

test('etcd 3.4.23 has no "invalid sort option" check (RG7 is 3.5+): it ignores an unknown order; etchlog refuses it', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  for (const k of ['a', 'b', 'c']) {
    await b.etcd.put({ key: k, value: k })
    await b.store.put(k, k)
  }
  // An unknown order as a number on the wire (UNKNOWN_ENUM). An unknown *target* with an order
  // crashes etcd 3.4.23 (nil sorter), so it is never sent.
  const req = { key: 'a', rangeEnd: '\0', limit: 1, sortOrder: 'SIDEWAYS' as 'NONE' }
  assert.deepEqual(plain(await b.etcd.range(req)), plain({ revision: 4, kvs: [{ key: Buffer.from('a'), value: Buffer.from('a'), createRevision: 2, modRevision: 2, version: 1, lease: 0 }], count: 3, more: true }))
  const mine = await outcomeOf('etchlog', () => b.store.range(req), plain)
  assert.equal('error' in mine && mine.message, 'etcdserver: invalid sort option')
})

test('README row: sort ties are in key order in etchlog, the same set in etcd', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  for (const k of ['d', 'a', 'c', 'b']) {
    await b.etcd.put({ key: k, value: 'same' })
    await b.store.put(k, 'same')
  }
  for (const sortOrder of ['ASCEND', 'DESCEND'] as const) {
    const req = { key: 'a', rangeEnd: '\0', sortTarget: 'VALUE' as const, sortOrder }
    const keys = (r: { kvs: Array<{ key: Uint8Array }> }) => r.kvs.map((kv) => Buffer.from(kv.key).toString())
    assert.deepEqual(keys(await b.store.range(req)), ['a', 'b', 'c', 'd'])
    assert.deepEqual(keys(await b.etcd.range(req)).sort(), ['a', 'b', 'c', 'd'])
  }
})

test('README row: lease IDs above 2^53 - 1 are etcd-only; etchlog refuses them', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  const big = 2 ** 53 // not a safe integer
  const etcd = await b.etcd.leaseGrant(60, '9007199254740993')
  assert.equal(etcd.id, '9007199254740993')
  const mine = await outcomeOf('etchlog', () => b.store.leaseGrant(60, big), plain)
  assert.equal('error' in mine && mine.error, 'INVALID_ARGUMENT')
})

// Regression (found by this suite): etchlog once checked txn ops one by one, lease before key.
test('a txn checks all its puts before its ranges, as etcd', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  const req: TxnRequest = { success: [{ range: { key: 'a', revision: 99 } }, { put: { key: 'b', value: 'v', lease: 4242 } }] }
  const r = await txnBoth(b, req)
  assert.deepEqual(r.etcd, { error: 'NOT_FOUND', message: 'etcdserver: requested lease not found' })
  assert.deepEqual(r.etchlog, r.etcd)
})

test('a txn put is checked for a missing key before its lease, as etcd', async (t) => {
  const b = await both(t)
  if (b === undefined) return
  const req: TxnRequest = { success: [{ put: { key: 'missing', ignoreValue: true, lease: 4242 } }] }
  const r = await txnBoth(b, req)
  assert.deepEqual(r.etcd, { error: 'INVALID_ARGUMENT', message: 'etcdserver: key not found' })
  assert.deepEqual(r.etchlog, r.etcd)
})

// Converting requests from the wire refuses a txn for the first bad operation etcd finds, in
// etcd's depth-first order: a nested txn's bad put comes before a later sibling's empty key.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { txnFromWire } from '../../src/etcdserver/wire.js'

type WireTxn = Parameters<typeof txnFromWire>[0]

const refusal = (t: WireTxn): string => {
  try {
    txnFromWire(t)
  } catch (err) {
    return err instanceof Error ? err.message : String(err)
  }
  return 'accepted'
}

test('regression (wire-diff seed 577470077): a nested ignore_lease put with a lease is refused before a later empty key', () => {
  const t = {
    compare: [],
    success: [
      { request_txn: { compare: [], success: [], failure: [{ request_put: { key: Buffer.from('b'), value: Buffer.alloc(0), lease: '102', ignore_value: true, ignore_lease: true } }] } },
      { request_delete_range: { key: Buffer.alloc(0) } },
    ],
    failure: [],
  } as unknown as WireTxn
  assert.match(refusal(t), /lease is provided/)
})

test('put checks run in etcd order: empty key, then value provided, then lease provided', () => {
  const put = (p: Record<string, unknown>): WireTxn => ({ compare: [], success: [{ request_put: { key: Buffer.from('k'), value: Buffer.alloc(0), ...p } }], failure: [] }) as unknown as WireTxn
  assert.match(refusal(put({ key: Buffer.alloc(0), ignore_value: true, value: Buffer.from('v') })), /key is not provided/)
  assert.match(refusal(put({ ignore_value: true, value: Buffer.from('v'), ignore_lease: true, lease: '5' })), /value is provided/)
  assert.match(refusal(put({ ignore_lease: true, lease: '5' })), /lease is provided/)
  assert.equal(refusal(put({ ignore_lease: true, lease: '0' })), 'accepted')
})

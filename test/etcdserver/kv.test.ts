import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EtcdClient, EtcdRpcError } from '../support/etcd-client.js'
import { startTestFront } from '../support/etcd-front.js'

test('put, range, delete and txn over the wire', async (t) => {
  const f = await startTestFront(t)
  const c = new EtcdClient(f.endpoint)
  t.after(() => c.close())
  const put = await c.put({ key: 'a', value: '1' })
  assert.equal(put.revision, 2)
  await c.put({ key: 'b', value: '2' })
  const r = await c.range({ key: 'a', rangeEnd: 'c', limit: 1 })
  assert.equal(r.count, 2)
  assert.equal(r.more, true)
  assert.equal(Buffer.from(r.kvs[0]?.value ?? []).toString(), '1')
  const txn = await c.txn({ compare: [{ key: 'a', target: 'MOD', result: 'EQUAL', value: 2 }], success: [{ put: { key: 'a', value: '3' } }], failure: [] })
  assert.equal(txn.succeeded, true)
  assert.equal(txn.revision, 4)
  const d = await c.deleteRange({ key: 'a', prefix: true, prevKv: true })
  assert.equal(d.deleted, 1)
  await assert.rejects(c.range({ key: 'a', revision: 99 }), (e: unknown) => e instanceof EtcdRpcError && e.code === 'OUT_OF_RANGE' && e.details === 'etcdserver: mvcc: required revision is a future revision')
})

// RangeRequest.withoutCount (not etcd): a limited range skips counting the rest of the range, so a
// reader walking a large range in slices stays linear; everything else about the answer is equal.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { openTestStore } from '../support/temp-store.js'

test('withoutCount: same rows and more, count is only what was read; without a limit cut, the real count', async (t) => {
  const { store } = await openTestStore(t)
  for (let i = 0; i < 20; i++) await store.put(`k${String(i).padStart(2, '0')}`, `v${i}`)
  const keys = (r: { kvs: Array<{ key: Uint8Array }> }): string[] => r.kvs.map((kv) => Buffer.from(kv.key).toString())
  const counted = await store.range({ key: 'k', prefix: true, limit: 5 })
  const quick = await store.range({ key: 'k', prefix: true, limit: 5, withoutCount: true })
  assert.equal(counted.count, 20)
  assert.deepEqual(keys(quick), keys(counted))
  assert.equal(quick.more, true)
  assert.equal(quick.count, 6, 'the rows read: limit + 1')
  const whole = await store.range({ key: 'k', prefix: true, limit: 50, withoutCount: true })
  assert.equal(whole.count, 20)
  assert.equal(whole.more, false)
  const past = await store.range({ key: 'k', prefix: true, limit: 5, revision: 10, withoutCount: true })
  assert.deepEqual(keys(past), ['k00', 'k01', 'k02', 'k03', 'k04'])
  await assert.rejects(store.range({ key: 'k', withoutCount: 'yes' as unknown as boolean }), { code: 'Invalid' })
})

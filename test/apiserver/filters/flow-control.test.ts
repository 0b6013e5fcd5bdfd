// Flow control: priority levels by user, exempt requests never queued, long-running requests
// apart, and the per-user cap on watch streams.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classify, FlowControl, parseRequestInfo, type UserInfo } from '../../../src/apiserver/index.js'

const admin: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] }
const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] }
const sa: UserInfo = { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts', 'system:authenticated'] }
const list = parseRequestInfo('GET', '/api/v1/namespaces/a/configmaps')
const create = parseRequestInfo('POST', '/api/v1/namespaces/a/configmaps')
const watch = parseRequestInfo('GET', '/api/v1/namespaces/a/configmaps?watch=1')

test('priority levels: masters and health probes exempt, service accounts high, the rest default', () => {
  assert.equal(classify(admin, list), 'exempt')
  assert.equal(classify({ username: 'system:anonymous', groups: ['system:unauthenticated'] }, parseRequestInfo('GET', '/readyz')), 'exempt')
  assert.equal(classify(alice, parseRequestInfo('GET', '/livez/ping')), 'exempt')
  assert.equal(classify(sa, create), 'workload-high')
  assert.equal(classify(alice, create), 'global-default')
  assert.equal(classify(alice, parseRequestInfo('GET', '/metrics')), 'global-default')
})

test('mutating and read-only seats are apart; exempt requests pass a full level', async () => {
  const f = new FlowControl({ maxRequestsInflight: 3, maxMutatingRequestsInflight: 3, queuedMax: 1, queuedPerUserMax: 1, watchesPerUserMax: 0 })
  // 3 seats shared 40:20 -> workload-high 2, global-default 1.
  const r1 = await f.admit(alice, list)
  const m1 = await f.admit(alice, create)
  assert.deepEqual(f.inflight, { readOnly: 1, mutating: 1, longRunning: 0 })
  const queued = f.admit(alice, list)
  await assert.rejects(f.admit({ username: 'bob', groups: [] }, list), /Too many requests/)
  const exempt = await f.admit(admin, list)
  assert.equal(f.inflight.readOnly, 2)
  exempt()
  r1()
  ;(await queued)()
  m1()
  assert.deepEqual(f.inflight, { readOnly: 0, mutating: 0, longRunning: 0 })
  const high = f.queueStats().find((q) => q.level === 'workload-high' && q.kind === 'readonly')
  assert.equal(high?.executing, 0)
})

test('watches take no seat; a user past the watch cap gets 429, exempt users are not capped', async () => {
  const f = new FlowControl({ maxRequestsInflight: 1, maxMutatingRequestsInflight: 1, watchesPerUserMax: 2, queuedMax: 1 })
  const w1 = await f.admit(alice, watch)
  const w2 = await f.admit(alice, watch)
  await assert.rejects(f.admit(alice, watch), (err: unknown) => err instanceof Error && /2 open watch streams, the limit is 2/.test(err.message))
  const other = await f.admit({ username: 'bob', groups: [] }, watch)
  const adminWatches = [await f.admit(admin, watch), await f.admit(admin, watch), await f.admit(admin, watch)]
  const r = await f.admit(alice, list)
  assert.equal(f.inflight.longRunning, 6)
  w1()
  w1()
  const w3 = await f.admit(alice, watch)
  for (const release of [w2, w3, other, r, ...adminWatches]) release()
  assert.deepEqual(f.inflight, { readOnly: 0, mutating: 0, longRunning: 0 })
  assert.equal(f.watchesRejected, 1)
})

test('a limit of 0 means no limit', async () => {
  const f = new FlowControl({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0, watchesPerUserMax: 0 })
  const held = await Promise.all(Array.from({ length: 50 }, () => f.admit(alice, create)))
  assert.equal(f.inflight.mutating, 50)
  for (const h of held) h()
  assert.deepEqual(f.queueStats(), [])
})

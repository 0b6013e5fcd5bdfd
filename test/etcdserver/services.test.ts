// Lease, Maintenance, Cluster and Auth over the wire; etcd's error codes and messages; limits.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { status as Status, type ServiceError } from '@grpc/grpc-js'
import { startTestFront } from '../support/etcd-front.js'
import { rawClients, unaryCall } from '../support/etcd-raw.js'

const b = (s: string): Buffer => Buffer.from(s)
const refusedWith = (code: Status, details: string) => (e: unknown) => {
  const err = e as ServiceError
  assert.equal(err.code, code, `code of ${err.details}`)
  assert.equal(err.details, details)
  return true
}

test('every response carries etcd header fields; errors carry etcd codes and messages', async (t) => {
  const f = await startTestFront(t, { maxTxnOps: 4, maxRequestBytes: 2048 })
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  const put = await unaryCall<{ header: Record<string, string> }>(c.kv, 'Put', { key: b('k'), value: b('v') })
  assert.equal(put.header.revision, '2')
  assert.equal(put.header.raft_term, '2')
  assert.match(put.header.cluster_id as string, /^[1-9]\d*$/)
  assert.match(put.header.member_id as string, /^[1-9]\d*$/)
  await assert.rejects(unaryCall(c.kv, 'Range', { key: b('') }), refusedWith(Status.INVALID_ARGUMENT, 'etcdserver: key is not provided'))
  await assert.rejects(unaryCall(c.kv, 'Range', { key: b('k'), revision: '9' }), refusedWith(Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'))
  await assert.rejects(unaryCall(c.kv, 'Put', { key: b('x'), value: b('v'), ignore_value: true }), refusedWith(Status.INVALID_ARGUMENT, 'etcdserver: value is provided'))
  await assert.rejects(unaryCall(c.kv, 'Put', { key: b('x'), ignore_value: true }), refusedWith(Status.INVALID_ARGUMENT, 'etcdserver: key not found'))
  await assert.rejects(unaryCall(c.kv, 'Put', { key: b('x'), lease: '12345' }), refusedWith(Status.NOT_FOUND, 'etcdserver: requested lease not found'))
  await assert.rejects(unaryCall(c.kv, 'Put', { key: b('x'), lease: '9223372036854775807' }), refusedWith(Status.NOT_FOUND, 'etcdserver: requested lease not found'))
  await assert.rejects(unaryCall(c.kv, 'Put', { key: b('x'), value: Buffer.alloc(4000) }), refusedWith(Status.INVALID_ARGUMENT, 'etcdserver: request is too large'))
  const ops = Array.from({ length: 5 }, (_, i) => ({ request_put: { key: b(`t${i}`), value: b('v') } }))
  await assert.rejects(unaryCall(c.kv, 'Txn', { success: ops }), refusedWith(Status.INVALID_ARGUMENT, 'etcdserver: too many operations in txn request'))
  const dup = [{ request_put: { key: b('d'), value: b('1') } }, { request_put: { key: b('d'), value: b('2') } }]
  await assert.rejects(unaryCall(c.kv, 'Txn', { success: dup }), refusedWith(Status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request'))
  await unaryCall(c.kv, 'Compact', { revision: '2', physical: true })
  await assert.rejects(unaryCall(c.kv, 'Compact', { revision: '1' }), refusedWith(Status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted'))
  const nested = await unaryCall<{ succeeded: boolean; responses: Array<{ response_txn?: { header: unknown; succeeded: boolean } }> }>(c.kv, 'Txn', {
    success: [{ request_txn: { compare: [{ key: b('k'), target: 3, result: 0, value: b('v') }], success: [{ request_range: { key: b('k') } }] } }],
  })
  assert.equal(nested.responses[0]?.response_txn?.succeeded, true)
  assert.equal(nested.responses[0]?.response_txn?.header, null)
  const unknown = await new Promise<ServiceError>((resolve) => {
    const client = c.kv as unknown as { makeUnaryRequest: (...a: unknown[]) => void }
    client.makeUnaryRequest('/etcdserverpb.KV/RangeStream', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (err: ServiceError) => resolve(err))
  })
  assert.equal(unknown.code, Status.UNIMPLEMENTED)
})

test('leases: int64 IDs exact on the wire, keep-alive stream, time-to-live with keys, revoke', async (t) => {
  const f = await startTestFront(t)
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  const g = await unaryCall<{ ID: string; TTL: string }>(c.lease, 'LeaseGrant', { TTL: '1' })
  assert.equal(g.TTL, '2', 'raised to the minimum TTL (L1)')
  const big = '9007199254740991' // 2^53 - 1: exact through the wire, a number would still be exact; one more is refused
  const chosen = await unaryCall<{ ID: string }>(c.lease, 'LeaseGrant', { TTL: '60', ID: big })
  assert.equal(chosen.ID, big)
  await assert.rejects(unaryCall(c.lease, 'LeaseGrant', { TTL: '60', ID: big }), refusedWith(Status.FAILED_PRECONDITION, 'etcdserver: lease already exists'))
  await assert.rejects(unaryCall(c.lease, 'LeaseGrant', { TTL: '9000000001' }), refusedWith(Status.OUT_OF_RANGE, 'etcdserver: too large lease TTL'))
  await unaryCall(c.kv, 'Put', { key: b('lk'), value: b('v'), lease: big })
  const ttl = await unaryCall<{ ID: string; TTL: string; grantedTTL: string; keys: Buffer[] }>(c.lease, 'LeaseTimeToLive', { ID: big, keys: true })
  assert.equal(ttl.ID, big)
  assert.equal(ttl.grantedTTL, '60')
  assert.deepEqual(ttl.keys.map(String), ['lk'])
  const missing = await unaryCall<{ TTL: string }>(c.lease, 'LeaseTimeToLive', { ID: '9223372036854775807' })
  assert.equal(missing.TTL, '-1')
  const ka = (c.lease.LeaseKeepAlive as () => import('@grpc/grpc-js').ClientDuplexStream<object, { ID: string; TTL: string }>).call(c.lease)
  const answers: Array<{ ID: string; TTL: string }> = []
  const got = new Promise<void>((resolve) => ka.on('data', (m: { ID: string; TTL: string }) => {
    answers.push(m)
    if (answers.length === 2) resolve()
  }))
  ka.write({ ID: big })
  ka.write({ ID: '42' })
  await got
  assert.deepEqual(answers.map((a) => [a.ID, a.TTL]), [[big, '60'], ['42', '0']])
  ka.end()
  const leases = await unaryCall<{ leases: Array<{ ID: string }> }>(c.lease, 'LeaseLeases', {})
  assert.deepEqual(leases.leases.map((l) => l.ID).sort(), [g.ID, big].sort())
  await unaryCall(c.lease, 'LeaseRevoke', { ID: big })
  assert.equal(await f.store.get('lk'), undefined)
  await assert.rejects(unaryCall(c.lease, 'LeaseRevoke', { ID: big }), refusedWith(Status.NOT_FOUND, 'etcdserver: requested lease not found'))
})

test('maintenance, cluster and auth: status, hashes, alarms, member list, refusals', async (t) => {
  const f = await startTestFront(t, { name: 'front-1' })
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  await f.store.put('a', '1')
  const s = await unaryCall<Record<string, unknown>>(c.maintenance, 'Status', {})
  assert.equal(s.version, '3.5.13')
  assert.equal(s.leader, (s.header as { member_id: string }).member_id)
  assert.equal(s.raftIndex, '2')
  const h1 = await unaryCall<{ hash: number; compact_revision: string }>(c.maintenance, 'HashKV', { revision: '0' })
  const h2 = await unaryCall<{ hash: number }>(c.maintenance, 'HashKV', { revision: '2' })
  assert.equal(h1.hash, h2.hash)
  await f.store.put('a', '2')
  const h3 = await unaryCall<{ hash: number }>(c.maintenance, 'HashKV', { revision: '0' })
  assert.notEqual(h3.hash, h1.hash)
  assert.equal((await unaryCall<{ hash: number }>(c.maintenance, 'HashKV', { revision: '2' })).hash, h1.hash, 'a past revision hashes as before')
  await unaryCall(c.maintenance, 'Alarm', { action: 1, alarm: 1 })
  assert.deepEqual((await unaryCall<{ alarms: unknown[] }>(c.maintenance, 'Alarm', { action: 0 })).alarms.length, 1)
  await assert.rejects(unaryCall(c.kv, 'Put', { key: b('x'), value: b('v') }), refusedWith(Status.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded'))
  await unaryCall(c.kv, 'DeleteRange', { key: b('a') }) // deletes still work under NOSPACE (M5)
  await unaryCall(c.maintenance, 'Alarm', { action: 2, alarm: 1 })
  await unaryCall(c.kv, 'Put', { key: b('x'), value: b('v') })
  await unaryCall(c.maintenance, 'Defragment', {})
  const members = await unaryCall<{ members: Array<{ name: string; clientURLs: string[]; ID: string }> }>(c.cluster, 'MemberList', {})
  assert.deepEqual(members.members.map((m) => [m.name, m.clientURLs]), [['front-1', [f.url]]])
  await assert.rejects(unaryCall(c.cluster, 'MemberAdd', { peerURLs: ['http://x:1'] }), refusedWith(Status.UNIMPLEMENTED, 'etchlog: single-node store, membership changes are not supported'))
  await assert.rejects(unaryCall(c.auth, 'Authenticate', { name: 'u', password: 'p' }), refusedWith(Status.FAILED_PRECONDITION, 'etcdserver: authentication is not enabled'))
  assert.equal((await unaryCall<{ enabled: boolean }>(c.auth, 'AuthStatus', {})).enabled, false)
  await assert.rejects(unaryCall(c.auth, 'UserAdd', {}), refusedWith(Status.UNIMPLEMENTED, 'etchlog: authentication is not supported'))
})

test('the quota: a write beyond it raises NOSPACE, as etcd does', async (t) => {
  const f = await startTestFront(t, {}, { quotaBytes: 256 * 1024 })
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  let refused: ServiceError | undefined
  for (let i = 0; i < 200 && refused === undefined; i++) {
    await unaryCall(c.kv, 'Put', { key: b(`q${i}`), value: Buffer.alloc(8192, 1) }).catch((e: ServiceError) => (refused = e))
  }
  assert.ok(refused !== undefined, 'the quota was reached')
  assert.equal(refused.code, Status.RESOURCE_EXHAUSTED)
  assert.equal(refused.details, 'etcdserver: mvcc: database space exceeded')
  const alarms = await unaryCall<{ alarms: Array<{ alarm: number }> }>(c.maintenance, 'Alarm', { action: 0 })
  assert.deepEqual(alarms.alarms.map((a) => a.alarm), [1])
})

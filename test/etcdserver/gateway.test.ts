// etcd's JSON gateway on the gRPC port: the curl forms of etcd 3.4 (base64 keys and values,
// int64 as strings, defaults left out), the streamed watch, /health and /version.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestFront } from '../support/etcd-front.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')
const post = async (url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

test('gateway: put, range, txn, deleterange, compaction, lease and status as etcd 3.4 serves them', async (t) => {
  const f = await startTestFront(t)
  const put = await post(`${f.url}/v3/kv/put`, { key: b64('foo'), value: b64('bar') })
  assert.equal(put.status, 200)
  assert.equal((put.json.header as { revision: string }).revision, '2')
  assert.match((put.json.header as { cluster_id: string }).cluster_id, /^\d+$/)
  const range = await post(`${f.url}/v3/kv/range`, { key: b64('foo') })
  assert.deepEqual(range.json.kvs, [{ key: b64('foo'), create_revision: '2', mod_revision: '2', version: '1', value: b64('bar') }])
  assert.equal(range.json.count, '1')
  const txn = await post(`${f.url}/v3beta/kv/txn`, {
    compare: [{ key: b64('foo'), target: 'VALUE', result: 'EQUAL', value: b64('bar') }],
    success: [{ request_put: { key: b64('foo'), value: b64('baz') } }],
  })
  assert.equal(txn.json.succeeded, true)
  const missing = await post(`${f.url}/v3/kv/range`, { key: '' })
  assert.equal(missing.status, 400)
  assert.equal(missing.json.error, 'etcdserver: key is not provided')
  assert.equal(missing.json.code, 3)
  const grant = await post(`${f.url}/v3/lease/grant`, { TTL: '30' })
  const id = grant.json.ID as string
  assert.equal(grant.json.TTL, '30')
  const ttl = await post(`${f.url}/v3/kv/lease/timetolive`, { ID: id, keys: true })
  assert.equal(ttl.json.grantedTTL, '30')
  const ka = await fetch(`${f.url}/v3/lease/keepalive`, { method: 'POST', body: JSON.stringify({ ID: id }) })
  assert.equal((JSON.parse(await ka.text()) as { result: { TTL: string } }).result.TTL, '30')
  assert.equal((await post(`${f.url}/v3/lease/revoke`, { ID: id })).status, 200)
  const del = await post(`${f.url}/v3/kv/deleterange`, { key: b64('foo'), prev_kv: true })
  assert.equal(del.json.deleted, '1')
  assert.equal((await post(`${f.url}/v3/kv/compaction`, { revision: '3', physical: true })).status, 200)
  const status = await post(`${f.url}/v3/maintenance/status`, {})
  assert.equal(status.json.version, '3.5.13')
  assert.match(status.json.dbSize as string, /^\d+$/)
  assert.deepEqual(await (await fetch(`${f.url}/health`)).json(), { health: 'true' })
  assert.equal(((await (await fetch(`${f.url}/version`)).json()) as { etcdserver: string }).etcdserver, '3.5.13')
})

test('gateway: /v3/watch streams one JSON result per line', async (t) => {
  const f = await startTestFront(t)
  const controller = new AbortController()
  t.after(() => controller.abort())
  const res = await fetch(`${f.url}/v3/watch`, { method: 'POST', body: JSON.stringify({ create_request: { key: b64('w'), range_end: b64('x') } }), signal: controller.signal })
  assert.equal(res.status, 200)
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  let text = ''
  const lines = async (n: number): Promise<Array<{ result: Record<string, unknown> }>> => {
    while (text.split('\n').length <= n) {
      const { value, done } = await reader.read()
      if (done) break
      text += Buffer.from(value).toString('utf8')
    }
    return text.trim().split('\n').map((l) => JSON.parse(l) as { result: Record<string, unknown> })
  }
  const [created] = await lines(1)
  assert.equal(created?.result.created, true)
  await f.store.put('w1', 'v')
  const all = await lines(2)
  const events = all[1]?.result.events as Array<{ type?: string; kv: { key: string; value: string } }>
  assert.equal(events[0]?.kv.key, b64('w1'))
  assert.equal(events[0]?.type, undefined, 'PUT is the default enum value: left out as etcd does')
  await reader.cancel()
})

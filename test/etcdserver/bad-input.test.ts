// Bad input: malformed protobuf, unknown fields, oversize messages, abrupt disconnects. Each gets
// etcd's answer or is cut off alone; the store stays consistent (store.check() after each test,
// test/support/etcd-front.ts) and nothing acknowledged is lost.
import assert from 'node:assert/strict'
import { connect } from 'node:http2'
import { test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { startTestFront } from '../support/etcd-front.js'
import { rawClients, unaryCall } from '../support/etcd-raw.js'

const b = (s: string): Buffer => Buffer.from(s)
type Raw = grpc.Client & { makeUnaryRequest: (path: string, ser: (x: Buffer) => Buffer, de: (x: Buffer) => Buffer, arg: Buffer, cb: (err: grpc.ServiceError | null, res?: Buffer) => void) => void }

function rawBytes(client: grpc.Client, path: string, body: Buffer): Promise<{ err: grpc.ServiceError | null; res?: Buffer }> {
  return new Promise((resolve) => (client as Raw).makeUnaryRequest(path, (x) => x, (x) => x, body, (err, res) => resolve(res === undefined ? { err } : { err, res })))
}

test('malformed protobuf is refused; unknown fields are ignored, as etcd does', async (t) => {
  const f = await startTestFront(t)
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  // Field 1 (key), length 10, but only 2 bytes follow.
  const truncated = await rawBytes(c.kv, '/etcdserverpb.KV/Put', Buffer.from([0x0a, 0x0a, 0x61, 0x62]))
  assert.ok(truncated.err !== null)
  assert.equal(truncated.err.code, grpc.status.INTERNAL)
  // A valid Put for key "u", value "v" plus an unknown field 99 (varint): served.
  const unknownField = Buffer.from([0x0a, 0x01, 0x75, 0x12, 0x01, 0x76, 0x98, 0x06, 0x01])
  const ok = await rawBytes(c.kv, '/etcdserverpb.KV/Put', unknownField)
  assert.equal(ok.err, null)
  assert.equal(String((await f.store.get('u'))?.value), 'v')
})

test('a message beyond the gRPC receive limit is refused with RESOURCE_EXHAUSTED; the connection serves on', async (t) => {
  const f = await startTestFront(t, { maxRequestBytes: 64 * 1024 })
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  // Limit: 64 KiB + 512 KiB of gRPC overhead.
  await assert.rejects(unaryCall(c.kv, 'Put', { key: b('big'), value: Buffer.alloc(700 * 1024) }), (e: grpc.ServiceError) => e.code === grpc.status.RESOURCE_EXHAUSTED)
  await assert.rejects(unaryCall(c.kv, 'Put', { key: b('big'), value: Buffer.alloc(100 * 1024) }), (e: grpc.ServiceError) => e.details === 'etcdserver: request is too large')
  await unaryCall(c.kv, 'Put', { key: b('small'), value: b('v') })
  assert.equal(await f.store.get('big'), undefined)
})

test('abrupt disconnects mid-request and mid-stream: acknowledged writes stay, watchers and keep-alives end', async (t) => {
  const f = await startTestFront(t)
  const acknowledged: string[] = []
  for (let round = 0; round < 5; round++) {
    const c = rawClients(f.endpoint)
    const w = (c.watch.Watch as () => grpc.ClientDuplexStream<object, unknown>).call(c.watch)
    w.on('error', () => {}) // the cancel below ends it with CANCELLED: expected
    w.write({ create_request: { key: b('d'), range_end: b('e') } })
    const ka = (c.lease.LeaseKeepAlive as () => grpc.ClientDuplexStream<object, unknown>).call(c.lease)
    ka.on('error', () => {}) // as above
    const writes = Array.from({ length: 20 }, (_, i) => {
      const key = `d/${round}/${i}`
      const ops = [{ request_put: { key: b(key), value: b('v') } }, { request_put: { key: b(`${key}/b`), value: b('v') } }]
      return unaryCall(c.kv, 'Txn', { success: ops }).then(
        () => acknowledged.push(key),
        () => undefined, // cut off by the close below: may or may not have been applied, never half
      )
    })
    await new Promise((r) => setImmediate(r))
    w.cancel()
    ka.cancel()
    c.close()
    await Promise.all(writes)
  }
  for (const key of acknowledged) assert.ok((await f.store.get(key)) !== undefined, `acknowledged ${key} is there`)
  const all = await f.store.range({ key: 'd/', prefix: true })
  const keys = new Set(all.kvs.map((kv) => String(kv.key)))
  for (const k of keys) if (!k.endsWith('/b')) assert.ok(keys.has(`${k}/b`), `txn ${k} is whole`)
  const deadline = Date.now() + 10_000
  while (f.store.watcherCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  assert.equal(f.store.watcherCount, 0)
})

test('garbage instead of an HTTP/2 preface gets an HTTP/1 answer; a dropped TCP connection harms nobody', async (t) => {
  const f = await startTestFront(t)
  const res = await fetch(`${f.url}/nope`, { method: 'POST' })
  assert.equal(res.status, 404)
  const session = connect(f.url)
  session.on('error', () => {}) // destroyed below on purpose
  await new Promise<void>((resolve) => session.once('connect', () => resolve()))
  session.destroy()
  const c = rawClients(f.endpoint)
  t.after(() => c.close())
  await unaryCall(c.kv, 'Put', { key: b('after'), value: b('v') })
})

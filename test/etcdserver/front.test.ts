// startEtcdFront's contract: several URLs with :0 ports, TLS with client certificates (gRPC and
// the gateway on one port), and close() ending streams and every connection.
import assert from 'node:assert/strict'
import { request } from 'node:https'
import { test } from 'node:test'
import * as grpc from '@grpc/grpc-js'
import { startEtcdFront } from '../../src/etcdserver/index.js'
import { etcdProto } from '../../src/etcdserver/proto.js'
import { rawClients, record, unaryCall, type RawClient } from '../support/etcd-raw.js'
import { openTestStore, tempDir } from '../support/temp-store.js'
import { writeTestCerts } from '../support/test-certs.js'

const b = (s: string): Buffer => Buffer.from(s)

test('several listen URLs with :0 each get a free port; close() ends watch and keep-alive streams and every connection', async (t) => {
  const ts = await openTestStore(t)
  const front = await startEtcdFront({ store: ts.store, listenClientUrls: ['http://127.0.0.1:0', 'http://127.0.0.1:0'] })
  assert.equal(front.urls.length, 2)
  assert.notEqual(front.urls[0], front.urls[1])
  const clients = front.urls.map((u) => rawClients(u.replace('http://', '')))
  t.after(() => clients.forEach((c) => c.close()))
  for (const [i, c] of clients.entries()) await unaryCall(c.kv, 'Put', { key: b(`k${i}`), value: b('v') })
  const c = clients[0] as ReturnType<typeof rawClients>
  const w = record((c.watch.Watch as () => grpc.ClientDuplexStream<object, unknown>).call(c.watch))
  w.stream.write({ create_request: { key: b('k') } })
  await w.until((ms) => ms.length === 1, 'created')
  const ka = record((c.lease.LeaseKeepAlive as () => grpc.ClientDuplexStream<object, unknown>).call(c.lease))
  await front.close()
  await w.until(() => w.ended || w.error !== undefined, 'the watch stream to end')
  await ka.until(() => ka.ended || ka.error !== undefined, 'the keep-alive stream to end')
  assert.equal(ts.store.watcherCount, 0)
  await assert.rejects(unaryCall(c.kv, 'Range', { key: b('k0') }), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE)
})

test('TLS with client certificate auth: gRPC and the gateway on one https port; a client without a certificate is refused', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const certs = writeTestCerts(dir.path)
  const ts = await openTestStore(t)
  const front = await startEtcdFront({
    store: ts.store,
    listenClientUrls: ['https://127.0.0.1:0'],
    tls: { certFile: certs.certFile, keyFile: certs.keyFile, trustedCaFile: certs.caFile, clientCertAuth: true },
  })
  t.after(() => front.close())
  const url = front.urls[0] as string
  assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/)
  const pkg = grpc.loadPackageDefinition(etcdProto().definition).etcdserverpb as grpc.GrpcObject
  const KV = pkg.KV as grpc.ServiceClientConstructor
  const creds = grpc.credentials.createSsl(Buffer.from(certs.ca), Buffer.from(certs.clientKey), Buffer.from(certs.clientCert))
  const kv = new KV(url.replace('https://', ''), creds) as unknown as RawClient
  t.after(() => kv.close())
  await unaryCall(kv, 'Put', { key: b('secure'), value: b('v') })
  const anonymous = new KV(url.replace('https://', ''), grpc.credentials.createSsl(Buffer.from(certs.ca))) as unknown as RawClient
  t.after(() => anonymous.close())
  await assert.rejects(unaryCall(anonymous, 'Range', { key: b('secure') }), (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE)
  const body = await new Promise<string>((resolve, reject) => {
    const req = request(`${url}/v3/kv/range`, { method: 'POST', ca: certs.ca, cert: certs.clientCert, key: certs.clientKey }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (s: string) => (text += s)).on('end', () => resolve(text))
    })
    req.on('error', reject)
    req.end(JSON.stringify({ key: b('secure').toString('base64') }))
  })
  assert.equal((JSON.parse(body) as { count: string }).count, '1')
})

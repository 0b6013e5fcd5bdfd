// ResourceQuota across two server processes' worth of state on one store: two servers (each with
// its own in-process mutex) open the same database; 50 creates spread over both against a quota
// of 10 pods still leave exactly 10, because charges are a compare-and-swap on the quota object.
import assert from 'node:assert/strict'
import { request } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startServing, type Serving } from '../../../src/serve.js'
import { startTestServer, type TestServer } from '../../support/api-server.js'

let s: TestServer
let second: Serving | undefined
before(async () => {
  s = await startTestServer()
})
after(async () => {
  await second?.close()
  await s.close()
})

function post(port: number, path: string, body: unknown): Promise<number> {
  const pki = join(s.dataDir, 'pki')
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, ca: s.ca, cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')), headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

test('two servers on one store: 50 racing creates against pods=10 leave exactly 10', async () => {
  assert.equal((await s.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared' } } })).status, 201)
  assert.equal((await s.call('POST', '/api/v1/namespaces/shared/resourcequotas', { body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods' }, spec: { hard: { pods: '10' } } } })).status, 201)
  // The second server starts after the quota exists: a quota made by another process reaches a
  // server's quota cache through its watch, as with kube's informers (docs/apiserver-admission.md).
  second = await startServing({ dataDir: s.dataDir, bindAddress: '127.0.0.1', securePort: 0, nodes: 0, listenClientUrls: [], etcdTls: { clientCertAuth: false } }, () => undefined)
  const ports = [s.port, second.server.address.port]
  const pod = (i: number): unknown => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}` }, spec: { automountServiceAccountToken: false, containers: [{ name: 'app', image: 'nginx' }] } })
  const codes = await Promise.all(Array.from({ length: 50 }, (_, i) => post(ports[i % 2] ?? s.port, '/api/v1/namespaces/shared/pods', pod(i))))
  assert.equal(codes.filter((c) => c === 201).length, 10, codes.join(','))
  assert.equal(codes.filter((c) => c === 403).length, 40, codes.join(','))
  const deadline = Date.now() + 10_000
  let count = -1
  while (Date.now() < deadline) {
    count = ((await s.call('GET', '/api/v1/namespaces/shared/pods')).json().items as unknown[]).length
    if (count === 10) break
    await new Promise((r) => setImmediate(r))
  }
  assert.equal(count, 10)
})

// etchctl --endpoints: the same commands over etcd v3 gRPC, against the etcd front (and against a
// real etcd 3.4 when one is installed), printing what they print against a database file.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { startTestFront } from '../support/etcd-front.js'
import { findEtcd, startEtcd } from '../support/etcd-server.js'
import { runCli, ok } from './harness.js'
import { join } from 'node:path'
import { tempDir } from '../support/temp-store.js'

async function session(t: TestContext, endpoint: string): Promise<void> {
  const cli = (args: string[], input?: string) => runCli([`--endpoints=${endpoint}`, ...args], input === undefined ? {} : { stdin: input })
  assert.equal(ok(await cli(['put', 'foo', 'bar'])).stdout, 'OK\n')
  assert.equal(ok(await cli(['put', 'foo2', 'baz'])).stdout, 'OK\n')
  assert.equal(ok(await cli(['get', 'foo', '--prefix'])).stdout, 'foo\nbar\nfoo2\nbaz\n')
  const txn = ok(await cli(['txn'], 'value("foo") = "bar"\n\nput foo new\n\n\n'))
  assert.match(txn.stdout, /^SUCCESS\n/)
  assert.equal(ok(await cli(['get', 'foo', '--print-value-only'])).stdout, 'new\n')
  assert.equal(ok(await cli(['del', 'foo2'])).stdout, '1\n')
  const grant = ok(await cli(['lease', 'grant', '60'])).stdout
  assert.match(grant, /^lease [0-9a-f]+ granted with TTL\(60s\)\n$/)
  const status = ok(await cli(['endpoint', 'status', '-w', 'json'])).stdout
  assert.ok(status.length > 0)
  const missing = await cli(['get', 'foo', '--rev=1000'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /required revision is a future revision/)
  t.diagnostic(`ok against ${endpoint}`)
}

test('etchctl --endpoints against the etcd front', async (t) => {
  const f = await startTestFront(t)
  await session(t, f.endpoint)
  assert.equal(String((await f.store.get('foo'))?.value), 'new')
  const dir = tempDir()
  t.after(() => dir.remove())
  const snap = join(dir.path, 'snap.db')
  ok(await runCli([`--endpoints=${f.endpoint}`, 'snapshot', 'save', snap]))
  const status = ok(await runCli(['snapshot', 'status', snap, '-w', 'json'])).stdout
  assert.equal((JSON.parse(status) as { revision: number }).revision, f.store.revision)
})

test('etchctl --endpoints against a real etcd 3.4', async (t) => {
  const bin = findEtcd()
  if (bin === undefined) {
    if (process.env.ETCHLOG_REQUIRE_ETCD === '1') assert.fail('etcd not installed')
    t.skip('etcd not installed')
    return
  }
  const server = await startEtcd(bin)
  t.after(() => server.stop())
  await session(t, server.endpoint)
})

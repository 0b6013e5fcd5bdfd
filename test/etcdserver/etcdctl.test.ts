// etcdctl 3.4 (a Go gRPC client) against the front: the commands of issue 14, each checked on
// its output and, where it writes, on the store. Concurrency recipes run several contenders.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { startTestFront, type TestFront } from '../support/etcd-front.js'
import { etcdctl, findEtcdctl, type CtlResult } from '../support/etcdctl.js'
import { tempDir } from '../support/temp-store.js'

function binOrSkip(t: TestContext): string | undefined {
  const bin = findEtcdctl()
  if (bin !== undefined) return bin
  const why = 'etcdctl not found (set ETCHLOG_ETCDCTL_BIN or run .ci/run once)'
  if (process.env.ETCHLOG_REQUIRE_ETCD === '1') assert.fail(why)
  t.skip(why)
  return undefined
}

async function setup(t: TestContext): Promise<{ f: TestFront; ctl: (args: string[], input?: string) => Promise<CtlResult>; ok: (args: string[], input?: string) => Promise<string> } | undefined> {
  const bin = binOrSkip(t)
  if (bin === undefined) return undefined
  const f = await startTestFront(t)
  const ctl = (args: string[], input?: string): Promise<CtlResult> => etcdctl(bin, f.endpoint, args, input === undefined ? {} : { input })
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await ctl(args, input)
    assert.equal(r.code, 0, `etcdctl ${args.join(' ')} failed: ${r.stderr}`)
    return r.stdout
  }
  return { f, ctl, ok }
}

test('etcdctl: put, get with every option, del, txn, compaction', async (t) => {
  const s = await setup(t)
  if (s === undefined) return
  const { ok, ctl, f } = s
  for (const [k, v] of [['a/1', 'x'], ['a/2', 'yy'], ['a/3', 'z'], ['b', 'w']]) assert.equal(await ok(['put', k as string, v as string]), 'OK\n')
  assert.equal(await ok(['get', 'a/', '--prefix', '--keys-only']), 'a/1\n\na/2\n\na/3\n\n')
  assert.equal(await ok(['get', 'a/2', '--from-key', '--keys-only']), 'a/2\n\na/3\n\nb\n\n')
  assert.equal(await ok(['get', 'a/', '--prefix', '--limit=1', '--order=DESCEND', '--sort-by=VALUE', '--print-value-only']), 'z\n')
  assert.equal(await ok(['get', 'a/1', '--rev=2', '--print-value-only']), 'x\n')
  const counted = JSON.parse(await ok(['get', 'a/', '--prefix', '--limit=1', '-w', 'json'])) as { count: number; more: boolean; header: { revision: number; raft_term: number } }
  assert.equal(counted.count, 3)
  assert.equal(counted.more, true)
  assert.equal(counted.header.revision, 5)
  assert.equal(counted.header.raft_term, 2)
  const json = JSON.parse(await ok(['get', 'b', '-w', 'json'])) as { kvs: Array<{ key: string; value: string; version: number }> }
  assert.equal(Buffer.from(json.kvs[0]?.key ?? '', 'base64').toString(), 'b')
  assert.equal(Buffer.from(json.kvs[0]?.value ?? '', 'base64').toString(), 'w')
  assert.equal(await ok(['del', 'a/', '--prefix', '--prev-kv']), '3\na/1\nx\na/2\nyy\na/3\nz\n')
  assert.equal((await f.store.range({ key: 'a/', prefix: true })).count, 0)
  const txn = await ok(['txn'], 'mod("b") > "0"\n\nput b new\nget b\n\nput c no\n\n')
  assert.match(txn, /^SUCCESS\n\nOK\n\nb\nnew\n$/)
  assert.equal((await f.store.get('c')), undefined)
  assert.equal(await ok(['compaction', '3']), 'compacted revision 3\n')
  assert.equal(await ok(['compaction', '--physical', '4']), 'compacted revision 4\n')
  const old = await ctl(['get', 'b', '--rev=2'])
  assert.notEqual(old.code, 0)
  assert.match(old.stderr, /etcdserver: mvcc: required revision has been compacted/)
})

test('etcdctl: leases, endpoint status / health / hashkv, defrag, member list, alarm list, snapshot save', async (t) => {
  const s = await setup(t)
  if (s === undefined) return
  const { ok, ctl, f } = s
  const granted = /^lease ([0-9a-f]+) granted with TTL\(30s\)\n$/.exec(await ok(['lease', 'grant', '30']))
  assert.ok(granted !== null)
  const id = granted[1] as string
  await ok(['put', 'leased', 'v', `--lease=${id}`])
  assert.match(await ok(['lease', 'timetolive', id, '--keys']), new RegExp(`^lease ${id} granted with TTL\\(30s\\), remaining\\(\\d+s\\), attached keys\\(\\[leased\\]\\)\\n$`))
  assert.equal(await ok(['lease', 'keep-alive', '--once', id]), `lease ${id} keepalived with TTL(30)\n`)
  assert.match(await ok(['lease', 'list']), new RegExp(`found 1 leases\\n${id}\\n`))
  assert.equal(await ok(['lease', 'revoke', id]), `lease ${id} revoked\n`)
  assert.equal(await f.store.get('leased'), undefined)
  const status = JSON.parse(await ok(['endpoint', 'status', '-w', 'json'])) as Array<{ Status: { version: string; leader: number; header: { member_id: number } } }>
  assert.equal(status[0]?.Status.version, '3.5.13')
  assert.equal(status[0]?.Status.leader, status[0]?.Status.header.member_id)
  assert.match((await ctl(['endpoint', 'health'])).stderr, /is healthy: successfully committed proposal/)
  const h1 = await ok(['endpoint', 'hashkv'])
  assert.equal(await ok(['endpoint', 'hashkv']), h1)
  assert.match(await ok(['defrag']), /^Finished defragmenting etcd member\[/)
  assert.match(await ok(['member', 'list']), new RegExp(`^[0-9a-f]+, started, default, , ${f.url}, false\\n$`))
  assert.equal(await ok(['alarm', 'list']), '')
  const dir = tempDir()
  t.after(() => dir.remove())
  const snap = join(dir.path, 'snap.db')
  await ok(['snapshot', 'save', snap])
  // etcdctl checked the trailing SHA-256 (size % 512 == 32) and keeps it: an SQLite copy, then the sum.
  const data = readFileSync(snap)
  assert.equal(statSync(snap).size % 512, 32)
  assert.equal(data.subarray(0, 16).toString('latin1'), 'SQLite format 3\0')
  assert.deepEqual(data.subarray(-32), createHash('sha256').update(data.subarray(0, -32)).digest())
})

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
import { runCli } from '../cli/harness.js'

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
  // Restorable by etchctl (SQLite reads the copy and ignores the 32 bytes after its last page).
  const restored = join(dir.path, 'restored.db')
  const r = await runCli(['snapshot', 'restore', snap, '--output', restored])
  assert.equal(r.code, 0, r.stderr)
  const got = await runCli(['--db', restored, 'get', 'leased-never', '--from-key', '--keys-only'])
  assert.equal(got.code, 0, got.stderr)
  const check = await runCli(['--db', restored, 'check'])
  assert.equal(check.code, 0, check.stderr)
  assert.equal((await runCli(['--db', restored, 'endpoint', 'status', '-w', 'json'])).code, 0)
})

/** Polls `cond` until it holds or the deadline passes. */
async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('etcdctl: watch (prefix, rev, prev-kv) and watch -i with progress', async (t) => {
  const bin = binOrSkip(t)
  if (bin === undefined) return
  const f = await startTestFront(t)
  await f.store.put('w/a', '1')
  await f.store.put('w/b', '2')
  const { spawn } = await import('node:child_process')
  const child = spawn(bin, [`--endpoints=${f.endpoint}`, 'watch', 'w/', '--prefix', '--rev=2', '--prev-kv'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => child.kill('SIGKILL'))
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s))
  await until(() => out.split('\n').length > 6, 'the history events')
  await f.store.put('w/a', '3')
  await f.store.deleteRange({ key: 'w/b' })
  await until(() => out.includes('DELETE'), 'the live events')
  assert.equal(out, 'PUT\nw/a\n1\nPUT\nw/b\n2\nPUT\nw/a\n1\nw/a\n3\nDELETE\nw/b\n2\nw/b\n\n')
  const interactive = spawn(bin, [`--endpoints=${f.endpoint}`, 'watch', '-i'], { stdio: ['pipe', 'pipe', 'pipe'] })
  t.after(() => interactive.kill('SIGKILL'))
  let iout = ''
  interactive.stdout.setEncoding('utf8').on('data', (s: string) => (iout += s))
  interactive.stdin.write('watch x\n')
  interactive.stdin.write('progress\n')
  await until(() => /progress notify: 5/.test(iout), 'the progress answer')
})

test('etcdctl: lock and elect with several contenders', async (t) => {
  const bin = binOrSkip(t)
  if (bin === undefined) return
  const f = await startTestFront(t)
  const dir = tempDir()
  t.after(() => dir.remove())
  const log = join(dir.path, 'lock.log')
  const holders = [1, 2, 3, 4].map((i) =>
    etcdctl(bin, f.endpoint, ['lock', 'mylock', '--', 'sh', '-c', `echo start ${i} >> ${log}; sleep 0.2; echo end ${i} >> ${log}`]),
  )
  for (const r of await Promise.all(holders)) assert.equal(r.code, 0, r.stderr)
  const lines = readFileSync(log, 'utf8').trim().split('\n')
  assert.equal(lines.length, 8)
  // Mutual exclusion: every start is followed by its own end.
  for (let i = 0; i < lines.length; i += 2) assert.equal(lines[i]?.replace('start', 'end'), lines[i + 1])
  assert.equal((await f.store.range({ key: 'mylock/', prefix: true })).count, 0)

  const { spawn } = await import('node:child_process')
  const leader = spawn(bin, [`--endpoints=${f.endpoint}`, 'elect', 'e', 'p1'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => leader.kill('SIGKILL'))
  let lout = ''
  leader.stdout.setEncoding('utf8').on('data', (s: string) => (lout += s))
  await until(() => lout.includes('p1'), 'the first leader')
  const second = spawn(bin, [`--endpoints=${f.endpoint}`, 'elect', 'e', 'p2'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => second.kill('SIGKILL'))
  let sout = ''
  second.stdout.setEncoding('utf8').on('data', (s: string) => (sout += s))
  const observer = spawn(bin, [`--endpoints=${f.endpoint}`, 'elect', '-l', 'e'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => observer.kill('SIGKILL'))
  let oout = ''
  observer.stdout.setEncoding('utf8').on('data', (s: string) => (oout += s))
  await until(() => oout.includes('p1'), 'the observer to see p1')
  assert.equal(sout, '')
  // The leader resigns on SIGINT; the second contender wins and the observer sees it.
  leader.kill('SIGINT')
  await until(() => sout.includes('p2') && oout.includes('p2'), 'the second leader')
})

// compaction, endpoint status and health, defrag, check (also on a damaged file) and reencrypt
// with an encryption config file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { tempDir } from '../support/temp-store.js'
import { cliDb, ok, runCli } from './harness.js'

test('compaction: etcdctl text, --physical, and the errors for old and future revisions', async (t) => {
  const { etchctl } = cliDb(t)
  for (let i = 0; i < 5; i++) ok(await etchctl(['put', 'k', String(i)]))
  assert.equal(ok(await etchctl(['compaction', '3'])).stdout, 'compacted revision 3\n')
  assert.deepEqual(JSON.parse(ok(await etchctl(['compaction', '5', '--physical', '-w', 'json'])).stdout), { header: { revision: 6 }, compact_revision: 5 })
  const old = await etchctl(['compaction', '4'])
  assert.equal(old.code, 1)
  assert.match(old.stderr, /^Error: etcdserver: mvcc: required revision has been compacted .*\(Expired\)\n$/)
  const future = await etchctl(['compaction', '99'])
  assert.match(future.stderr, /^Error: etcdserver: mvcc: required revision is a future revision .*\(Timeout\)\n$/)
  const status = JSON.parse(ok(await etchctl(['endpoint', 'status', '-w', 'json'])).stdout) as Array<{ Status: { compactRevision: number } }>
  assert.equal(status[0]?.Status.compactRevision, 5)
  const bad = await etchctl(['compaction'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /^Error: compaction command needs 1 argument\n/)
})

test('endpoint status in simple, json and table form', async (t) => {
  const { etchctl, db } = cliDb(t)
  ok(await etchctl(['put', 'a', 'b']))
  ok(await etchctl(['lease', 'grant', '60']))
  const simple = ok(await etchctl(['endpoint', 'status'])).stdout
  assert.match(simple, new RegExp(`^${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, \\d+\\.\\d+\\.\\d+, 2, 0, [\\d.]+ kB, [\\d.]+ kB, [\\d.]+ k?B, 1, relaxed\\n$`))
  const [entry] = JSON.parse(ok(await etchctl(['endpoint', 'status', '-w', 'json'])).stdout) as Array<{ Endpoint: string; Status: Record<string, unknown> }>
  assert.equal(entry?.Endpoint, db)
  assert.deepEqual(entry?.Status['header'], { revision: 2 })
  assert.equal(entry?.Status['leases'], 1)
  assert.ok(typeof entry?.Status['dbSize'] === 'number' && typeof entry.Status['dbSizeInUse'] === 'number' && typeof entry.Status['walSize'] === 'number')
  const table = ok(await etchctl(['endpoint', 'status', '-w', 'table'])).stdout.split('\n')
  assert.match(table[1] ?? '', /^\| +ENDPOINT +\| VERSION \| REVISION \| COMPACT REVISION \| DB SIZE \| DB SIZE IN USE \| WAL SIZE \| LEASES \| DURABILITY \|$/)
  assert.equal(table.length, 6)
  assert.match(ok(await etchctl(['endpoint', 'health'])).stdout, /is healthy: successfully read the database: took = \d+ms\n$/)
})

test('defrag returns free pages: the file shrinks after a big delete and compaction', async (t) => {
  const { etchctl } = cliDb(t)
  const big = 'x'.repeat(4000)
  for (let i = 0; i < 60; i++) ok(await etchctl(['put', `k${i}`, big]))
  ok(await etchctl(['del', 'k', '--prefix']))
  const rev = /"revision":(\d+)/.exec(ok(await etchctl(['get', 'k', '-w', 'json'])).stdout)?.[1] ?? '0'
  ok(await etchctl(['compaction', rev, '--physical']))
  const r = ok(await etchctl(['defrag']))
  assert.match(r.stdout, /^Finished defragmenting etchlog database\[.*\] \(db size .* -> .*\)\n$/)
  const json = JSON.parse(ok(await etchctl(['defrag', '-w', 'json'])).stdout) as { dbSizeBefore: number; Status: { dbSize: number; dbSizeInUse: number } }
  assert.ok(json.Status.dbSize <= json.dbSizeBefore)
  assert.equal(json.Status.dbSize, json.Status.dbSizeInUse, 'no free pages left')
})

test('check: OK on a sound database, problems and exit 1 on a damaged one', async (t) => {
  const { etchctl } = cliDb(t)
  ok(await etchctl(['put', 'a', '1']))
  ok(await etchctl(['put', 'b', '2']))
  assert.equal(ok(await etchctl(['check'])).stdout, 'OK: 2 rows, 2 keys\n')
  assert.deepEqual(JSON.parse(ok(await etchctl(['check', '-w', 'json'])).stdout), { ok: true, problems: [], rows: 2, keys: 2 })
  const dir = tempDir('etchctl-damaged-')
  t.after(() => dir.remove())
  const damaged = join(dir.path, 'damaged.db')
  ok(await runCli(['--db', damaged, '--create', 'put', 'a', '1']))
  ok(await runCli(['--db', damaged, 'put', 'b', '2']))
  const raw = new Database(damaged)
  raw.prepare('DELETE FROM live WHERE key = ?').run(Buffer.from('b'))
  raw.close()
  const r = await runCli(['--db', damaged, 'check'])
  assert.equal(r.code, 1)
  assert.match(r.stdout, /^.+\nFAILED: \d+ problem\(s\) in 2 rows, 1 keys\n$/s)
  const table = await runCli(['--db', damaged, 'check', '-w', 'table'])
  assert.equal(table.code, 1)
  assert.match(table.stdout, /\| false \|/)
})

test('reencrypt rewrites values under the new key; without --encryption-config it is refused', async (t) => {
  const { etchctl, dir } = cliDb(t)
  const env = { KEY_OLD: randomBytes(32).toString('base64'), KEY_NEW: randomBytes(32).toString('base64') }
  const config = (name: string, ...keys: string[]): string => {
    const path = join(dir, `${name}.json`)
    const json = { resources: [{ prefixes: ['/secrets/'], providers: [{ aesgcm: { keys: keys.map((k) => ({ name: k, env: k })) } }] }] }
    writeFileSync(path, JSON.stringify(json))
    return path
  }
  const oldOnly = config('old', 'KEY_OLD')
  const rotated = config('rotated', 'KEY_NEW', 'KEY_OLD')
  const newOnly = config('new', 'KEY_NEW')
  for (let i = 0; i < 5; i++) ok(await etchctl(['--encryption-config', oldOnly, 'put', `/secrets/s${i}`, `secret ${i}`], { env }))
  ok(await etchctl(['put', '/plain/p', 'not encrypted'], { env }))
  const raw = ok(await etchctl(['get', '/secrets/s0', '--print-value-only'])).stdout
  assert.ok(!raw.includes('secret 0'), 'stored encrypted')
  assert.equal(ok(await etchctl(['--encryption-config', oldOnly, 'get', '/secrets/s0', '--print-value-only'], { env })).stdout, 'secret 0\n')
  const refused = await etchctl(['reencrypt'], { env })
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /^Error: reencrypt needs --encryption-config/)
  assert.equal(
    ok(await etchctl(['reencrypt', '--encryption-config', rotated, '--batch-keys', '2'], { env })).stdout,
    'examined 6 keys: rewrote 5 under the current key, skipped 1 already under it\n',
  )
  assert.deepEqual(JSON.parse(ok(await etchctl(['reencrypt', '--encryption-config', rotated, '-w', 'json'], { env })).stdout), { examined: 6, rewritten: 0, skipped: 6, changedMeanwhile: 0 })
  assert.equal(ok(await etchctl(['--encryption-config', newOnly, 'get', '/secrets/s4', '--print-value-only'], { env })).stdout, 'secret 4\n')
  const wrongKey = await etchctl(['--encryption-config', oldOnly, 'get', '/secrets/s4'], { env })
  assert.equal(wrongKey.code, 1)
  assert.match(wrongKey.stderr, /^Error: .*\((InternalError|Invalid)\)\n$/)
})

test('reencrypt on the main thread (--workers 0) gives the same result as on worker threads', async (t) => {
  const { etchctl, dir } = cliDb(t)
  const env = { KEY_A: randomBytes(32).toString('base64'), KEY_B: randomBytes(32).toString('base64') }
  const config = (name: string, ...keys: string[]): string => {
    const path = join(dir, `${name}.json`)
    writeFileSync(path, JSON.stringify({ resources: [{ prefixes: [''], providers: [{ aesgcm: { keys: keys.map((k) => ({ name: k, env: k })) } }] }] }))
    return path
  }
  const a = config('a', 'KEY_A')
  const ba = config('ba', 'KEY_B', 'KEY_A')
  const b = config('b', 'KEY_B')
  for (let i = 0; i < 4; i++) ok(await etchctl(['--encryption-config', a, 'put', `k${i}`, `v${i}`], { env }))
  assert.deepEqual(JSON.parse(ok(await etchctl(['reencrypt', '--encryption-config', ba, '--workers', '0', '--prefix', 'k0', '-w', 'json'], { env })).stdout), { examined: 1, rewritten: 1, skipped: 0, changedMeanwhile: 0 })
  assert.deepEqual(JSON.parse(ok(await etchctl(['reencrypt', '--encryption-config', ba, '--workers', '2', '-w', 'json'], { env })).stdout), { examined: 4, rewritten: 3, skipped: 1, changedMeanwhile: 0 })
  for (let i = 0; i < 4; i++) assert.equal(ok(await etchctl(['--encryption-config', b, 'get', `k${i}`, '--print-value-only'], { env })).stdout, `v${i}\n`)
})

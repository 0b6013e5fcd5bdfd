// snapshot save | status | restore: a round trip through a new file, the checksum catching a
// damaged copy, and refusals to overwrite.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cliDb, ok, runCli } from './harness.js'

test('save, status and restore round trip; the restored database answers the same', async (t) => {
  const { etchctl, dir } = cliDb(t)
  for (let i = 0; i < 10; i++) ok(await etchctl(['put', `k${i}`, `v${i}`]))
  ok(await etchctl(['del', 'k9']))
  const snap = join(dir, 'backup', 'snap.db')
  assert.equal(ok(await etchctl(['snapshot', 'save', snap])).stdout, `Snapshot saved at ${snap}\n`)
  const sha = readFileSync(`${snap}.sha256`, 'utf8').trim()
  assert.match(sha, /^[0-9a-f]{64}$/)
  assert.match(ok(await runCli(['snapshot', 'status', snap])).stdout, new RegExp(`^${sha}, 12, 9, [\\d.]+ kB, 0, 11\\n$`))
  const json = JSON.parse(ok(await runCli(['snapshot', 'status', snap, '-w', 'json'])).stdout) as Record<string, unknown>
  assert.deepEqual({ ...json, totalSize: 0 }, { hash: sha, revision: 12, totalKey: 9, totalSize: 0, compactRevision: 0, totalRows: 11 })
  const table = ok(await runCli(['snapshot', 'status', snap, '-w', 'table'])).stdout.split('\n')
  assert.match(table[1] ?? '', /^\| +HASH +\| REVISION \| TOTAL KEYS \| TOTAL SIZE \| COMPACT REVISION \| TOTAL ROWS \|$/)
  const restored = join(dir, 'restored', 'etchlog.db')
  assert.equal(ok(await runCli(['snapshot', 'restore', snap, '--data-dir', join(dir, 'restored')])).stdout, `Restored snapshot ${snap} (revision 12, 9 keys) to ${restored}\n`)
  const original = ok(await etchctl(['get', '', '--prefix', '-w', 'json'])).stdout
  assert.equal(ok(await runCli(['--db', restored, 'get', '', '--prefix', '-w', 'json'])).stdout, original)
  assert.equal(ok(await runCli(['--db', restored, 'check'])).stdout, 'OK: 11 rows, 9 keys\n')
  const other = join(dir, 'other.db')
  ok(await runCli(['snapshot', 'restore', snap, '--output', other]))
  assert.ok(existsSync(other))
})

test('snapshot errors: damaged file, existing target, missing file, bad arguments', async (t) => {
  const { etchctl, dir } = cliDb(t)
  ok(await etchctl(['put', 'a', '1']))
  const snap = join(dir, 'snap.db')
  ok(await etchctl(['snapshot', 'save', snap]))
  const exists = await etchctl(['snapshot', 'save', snap])
  assert.equal(exists.code, 1)
  assert.match(exists.stderr, /already exists \(Invalid\)\n$/)
  const target = join(dir, 'target.db')
  ok(await runCli(['snapshot', 'restore', snap, '--output', target]))
  const again = await runCli(['snapshot', 'restore', snap, '--output', target])
  assert.equal(again.code, 1)
  assert.match(again.stderr, /^Error: snapshot: restore target .* already exists \(Invalid\)\n$/)
  const bytes = readFileSync(snap)
  bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff
  writeFileSync(snap, bytes)
  const damaged = await runCli(['snapshot', 'status', snap])
  assert.equal(damaged.code, 1)
  assert.match(damaged.stderr, /^Error: snapshot: .* has sha256 [0-9a-f]+, expected [0-9a-f]+ \(InternalError\)\n$/)
  const restore = await runCli(['snapshot', 'restore', snap, '--output', join(dir, 'x.db')])
  assert.equal(restore.code, 1)
  assert.ok(!existsSync(join(dir, 'x.db')), 'nothing restored from a damaged snapshot')
  for (const [argv, message] of [
    [['snapshot', 'status', join(dir, 'missing.db')], /^Error: snapshot file .*missing\.db does not exist\n$/],
    [['snapshot', 'status'], /^Error: snapshot status requires exactly one argument\n/],
    [['snapshot', 'restore', snap], /^Error: snapshot restore needs exactly one of --output and --data-dir\n/],
    [['snapshot', 'save'], /^Error: snapshot save expects one argument\n/],
  ] as const) {
    const r = await runCli(argv)
    assert.equal(r.code, 1, argv.join(' '))
    assert.match(r.stderr, message, argv.join(' '))
  }
})

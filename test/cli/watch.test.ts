// watch: events written by another store instance on the same file arrive in etcdctl's format;
// --max-events stops it, the signal (Ctrl-C) ends it cleanly, a compacted start fails.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { openStore, type Store } from '../../src/index.js'
import { Capture, cliDb, ok, type CliDb } from './harness.js'

async function writer(t: { after(fn: () => Promise<void>): void }, db: CliDb): Promise<Store> {
  const store = await openStore({ path: db.db, durability: 'relaxed' })
  t.after(() => store.close())
  return store
}

test('watch --prefix --prev-kv prints events written by another store instance', async (t) => {
  const db = cliDb(t)
  const other = await writer(t, db)
  await other.put('w/a', '1')
  // Start at the next revision: the watch waits for it, so no write can be missed.
  const start = other.revision + 1
  const running = db.etchctl(['watch', 'w/', '--prefix', '--prev-kv', '--rev', String(start), '--max-events', '3'])
  await other.put('w/a', '2')
  await other.put('x', 'not watched')
  await other.put('w/b', '3')
  await other.deleteRange({ key: 'w/a' })
  await other.put('w/c', 'after the third event')
  const r = ok(await running)
  assert.equal(r.stdout, ['PUT', 'w/a', '1', 'w/a', '2', 'PUT', 'w/b', '3', 'DELETE', 'w/a', '2', 'w/a', '', ''].join('\n'))
})

test('watch --rev replays history; -w json prints one etcdctl WatchResponse per line', async (t) => {
  const db = cliDb(t)
  ok(await db.etchctl(['put', 'k', 'v1']))
  ok(await db.etchctl(['del', 'k']))
  const r = ok(await db.etchctl(['watch', 'k', '--rev', '1', '--max-events', '2', '-w', 'json']))
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { Header: { revision: number }; Events: Array<Record<string, unknown>> })
  const events = lines.flatMap((l) => l.Events)
  assert.deepEqual(events, [
    { kv: { key: 'aw==', create_revision: 2, mod_revision: 2, version: 1, value: 'djE=' } },
    { type: 1, kv: { key: 'aw==', mod_revision: 3 } },
  ])
  assert.equal(lines[0]?.Header.revision, 3)
})

test('watch ends cleanly (exit 0) when interrupted, and prints progress notifications', async (t) => {
  const db = cliDb(t)
  ok(await db.etchctl(['put', 'k', 'v']))
  const stop = new AbortController()
  const stdout = new Capture()
  const running = db.etchctl(['watch', 'k', '--progress-notify'], {
    stdout,
    signal: stop.signal,
    storeOptions: { watchProgressNotifyIntervalMs: 20 },
  })
  await stdout.until((s) => s.includes('progress notify: 2\n'))
  stop.abort()
  const r = ok(await running)
  assert.match(r.stdout, /^(progress notify: 2\n)+$/)
})

test('watch from a compacted revision fails as etcdctl does', async (t) => {
  const db = cliDb(t)
  for (let i = 0; i < 3; i++) ok(await db.etchctl(['put', 'k', String(i)]))
  ok(await db.etchctl(['compaction', '3']))
  const r = await db.etchctl(['watch', 'k', '--rev', '2'])
  assert.equal(r.code, 1)
  assert.equal(r.stderr, 'watch was canceled (etcdserver: mvcc: required revision has been compacted)\nError: watch is canceled by the server\n')
})

test('watch argument errors', async (t) => {
  const db = cliDb(t)
  ok(await db.etchctl(['put', 'k', 'v']))
  for (const [argv, message] of [
    [['watch'], /^Error: watch command needs one argument as key/],
    [['watch', 'a', 'b', '--prefix'], /^Error: too many arguments/],
    [['watch', 'a', '--max-events', '0'], /^Error: bad max-events "0": must be at least 1/],
    [['watch', 'a', '--rev', 'x'], /^Error: bad rev "x"/],
  ] as const) {
    const r = await db.etchctl(argv)
    assert.equal(r.code, 1, argv.join(' '))
    assert.match(r.stderr, message, argv.join(' '))
  }
})

// WAL checkpoints run on a worker thread, so no write on the main thread pays for copying the WAL
// into the database file; the main connection keeps only a far-away backstop.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { SqliteLog } from '../../src/log/index.js'
import { tempDir } from '../support/temp-store.js'

function openLog(path: string, checkpointThread: boolean): SqliteLog {
  return new SqliteLog({ path, durability: 'relaxed', busyTimeoutMs: 1000, cacheKiB: 1024, quotaBytes: 0, checkpointThread })
}

function commit(log: SqliteLog, i: number): void {
  log.write((tx) => {
    log.append(tx, { key: Buffer.from(`k${i}`), rev: i + 2, createRev: i + 2, version: 1, lease: 0, value: Buffer.alloc(8192, 1) })
  })
}

test('the checkpoint thread checkpoints the WAL once it has grown by about 4 MiB', { timeout: 30_000 }, async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const log = openLog(join(dir.path, 'a.db'), true)
  assert.equal(log.checkpointer?.done, 0)
  // 8 KiB values: each commit adds about 28 KiB to the WAL estimate, so 100 commits stay below
  // the 4 MiB cadence and 200 pass it.
  for (let i = 0; i < 100; i++) commit(log, i)
  assert.equal(log.checkpointer?.wakeups, 0)
  for (let i = 100; i < 200; i++) commit(log, i)
  assert.equal(log.checkpointer?.wakeups, 1)
  await log.checkpointer?.whenDone(1)
  assert.ok((log.checkpointer?.last?.checkpointedFrames ?? 0) > 0, 'the worker copied WAL frames into the database')
  assert.equal(log.checkpointer?.lastError, undefined)
  await log.close()
})

test('the main connection auto-checkpoints only as a backstop while the thread runs', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const withThread = openLog(join(dir.path, 'a.db'), true)
  const without = openLog(join(dir.path, 'b.db'), false)
  const pages = (log: SqliteLog): number =>
    log.read(() => (log as unknown as { db: { pragma(s: string, o: object): number } }).db.pragma('wal_autocheckpoint', { simple: true }))
  assert.equal(pages(withThread), 16_384)
  const keep = (withThread as unknown as { db: { pragma(s: string, o: object): number } }).db.pragma('journal_size_limit', { simple: true })
  assert.equal(keep, 16 * 1024 * 1024, 'a restarted WAL is cut back to 16 MiB')
  commit(withThread, 0)
  assert.ok(withThread.stats().walBytes > 8192, 'stats report the WAL file size')
  assert.equal(pages(without), 1000, 'SQLite default when checkpoints stay on the main thread')
  assert.equal(without.checkpointer, undefined)
  await withThread.close()
  await without.close()
})

// A read-only open: reads work and follow another process's writes; every write is refused with
// a typed error; the file is never written; a missing file is a typed error, not a new file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { LogError, ReadOnlyError, openStore } from '../../src/index.js'
import { SqliteLog } from '../../src/log/index.js'
import { openTestStore, tempDir, text } from '../support/temp-store.js'

test('a read-only store reads, follows the writer and refuses every write', async (t) => {
  const writer = await openTestStore(t)
  await writer.store.put('a', '1')
  const lease = await writer.store.leaseGrant(60)
  const reader = await openStore({ path: writer.path, readOnly: true, remotePollMs: 5 })
  t.after(() => reader.close())
  assert.equal(text((await reader.get('a'))?.value), '1')
  await writer.store.put('a', '2')
  assert.equal(reader.revision, 3, 'sees the other connection commit')
  assert.equal(text((await reader.get('a'))?.value), '2')
  const writes: Array<() => Promise<unknown>> = [
    () => reader.put('b', 'x'),
    () => reader.deleteRange({ key: 'a' }),
    () => reader.txn({ success: [{ put: { key: 'b', value: 'x' } }] }),
    () => reader.compact(2),
    () => reader.leaseGrant(10),
    () => reader.leaseRevoke(lease.id),
    () => reader.leaseKeepAlive(lease.id),
    () => reader.defragment(),
  ]
  for (const w of writes) {
    await assert.rejects(w(), (err: unknown) => err instanceof ReadOnlyError && err.code === 'MethodNotAllowed')
  }
  assert.equal(reader.revision, 3)
  assert.deepEqual((await reader.check()).problems, [])
})

test('opening a missing file read-only fails and creates nothing', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const path = join(dir.path, 'missing.db')
  await assert.rejects(openStore({ path, readOnly: true }), LogError)
  assert.equal(existsSync(path), false)
})

test('the log itself refuses a write on a read-only file with SQLITE_READONLY, typed', async (t) => {
  const writer = await openTestStore(t)
  await writer.store.put('a', '1')
  await writer.store.flush()
  const before = statSync(writer.path).mtimeMs
  const log = new SqliteLog({ path: writer.path, durability: 'strict', busyTimeoutMs: 100, cacheKiB: 1024, quotaBytes: 0, readOnly: true })
  t.after(() => log.close())
  assert.throws(
    () => log.write((tx) => log.setRevision(tx, 99)),
    (err: unknown) => err instanceof LogError && (err.sqliteCode ?? '').startsWith('SQLITE_READONLY'),
  )
  assert.equal(log.head(log.autocommit).revision, 2)
  assert.equal(statSync(writer.path).mtimeMs, before, 'the database file was not touched')
})

// I/O faults: each gives the caller a typed error, loses nothing acknowledged, and the store
// carries on (or reopens) cleanly afterwards.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Database from 'better-sqlite3'
import { LogError } from '../../src/index.js'
import { tempStore, text } from '../support/temp-store.js'

const big = Buffer.alloc(4096, 7)

test('disk full (quota): writes fail with LogError, acknowledged data stays, compaction frees space', async (t) => {
  const ts = await tempStore({ quotaBytes: 512 * 1024, durability: 'relaxed' })
  t.after(() => ts.done())
  const acked: Array<{ key: string; revision: number }> = []
  let failure: unknown
  for (let i = 0; i < 1000 && failure === undefined; i++) {
    try {
      const r = await ts.store.put(`k${i % 20}`, big)
      acked.push({ key: `k${i % 20}`, revision: r.revision })
    } catch (err) {
      failure = err
    }
  }
  assert.ok(failure instanceof LogError, `expected LogError, got ${String(failure)}`)
  assert.equal(failure.sqliteCode, 'SQLITE_FULL')
  assert.equal(failure.code, 'InternalError')
  assert.match(failure.message, /database space exceeded/)
  const last = acked[acked.length - 1]
  assert.ok(last !== undefined)
  // The failed write took no revision and every acknowledged write is readable.
  assert.equal(ts.store.revision, last.revision)
  for (const a of acked.slice(-20)) assert.equal((await ts.store.get(a.key))?.modRevision, a.revision)
  // Compaction (a metadata write plus deletes) works while full and makes room again.
  await ts.store.compact(ts.store.revision, { physical: true })
  const after = await ts.store.put('after', big)
  assert.equal(after.revision, last.revision + 1)
  assert.equal((await ts.store.check()).ok, true)
})

test('in a group commit, a write that hits disk full fails alone; the others keep their own results', async (t) => {
  const ts = await tempStore({ quotaBytes: 256 * 1024, durability: 'relaxed' })
  t.after(() => ts.done())
  // Fill until the next big write no longer fits.
  for (let i = 0; ; i++) {
    try {
      await ts.store.put(`fill/${i}`, big)
    } catch (err) {
      assert.ok(err instanceof LogError)
      break
    }
  }
  const before = ts.store.revision
  const keys = ['small-1', 'big-1', 'small-2', 'big-2', 'small-3']
  const results = await Promise.allSettled(keys.map((k) => ts.store.put(k, k.startsWith('big') ? big : 's')))
  let expected = before
  for (const [i, r] of results.entries()) {
    const key = keys[i] as string
    if (r.status === 'fulfilled') {
      // Revisions stay dense and in submission order even though a neighbour failed.
      expected++
      assert.equal(r.value.revision, expected, `${key} gets the next revision`)
      assert.equal((await ts.store.get(key))?.modRevision, expected)
    } else {
      assert.ok(r.reason instanceof LogError, `${key} fails with LogError`)
      assert.equal(await ts.store.get(key), undefined, `${key} left nothing behind`)
    }
  }
  assert.equal(results[1]?.status, 'rejected', 'a 4 KiB value does not fit')
  // A 1-byte value still fits in the partly filled pages that a 4 KiB value (which needs new
  // overflow pages) cannot use: the small writes of the same group succeed.
  assert.equal(results[0]?.status, 'fulfilled', 'the small write before the failing one is kept')
  assert.equal(results[2]?.status, 'fulfilled', 'the small write after the failing one is kept')
  assert.equal(ts.store.revision, expected)
})

test('lock contention: another connection holding the write lock past the busy timeout gives ServiceUnavailable', async (t) => {
  const ts = await tempStore({ busyTimeoutMs: 50, durability: 'relaxed' })
  t.after(() => ts.done())
  await ts.store.put('a', '1')
  const other = new Database(ts.path)
  other.exec('BEGIN IMMEDIATE')
  try {
    await assert.rejects(ts.store.put('a', '2'), (err: unknown) => {
      assert.ok(err instanceof LogError)
      assert.equal(err.sqliteCode, 'SQLITE_BUSY')
      assert.equal(err.code, 'ServiceUnavailable')
      return true
    })
  } finally {
    other.exec('ROLLBACK')
    other.close()
  }
  // Once the lock is free the store writes again, at the next revision.
  const r = await ts.store.put('a', '3')
  assert.equal(r.revision, 3)
  assert.equal(text((await ts.store.get('a'))?.value), '3')
})

test('rebuildIndex recreates the current-state index from the log', async (t) => {
  const ts = await tempStore({ durability: 'relaxed' })
  t.after(() => ts.done())
  await ts.store.put('a', '1')
  await ts.store.put('b', '2')
  await ts.store.put('a', '3')
  await ts.store.deleteRange({ key: 'b' })
  const before = await ts.store.range({ key: '\0', rangeEnd: '\0' })
  await ts.store.close()
  // Damage the index behind the store's back: the log alone must be enough.
  const db = new Database(ts.path)
  db.exec("DELETE FROM live; INSERT INTO live VALUES (x'7a', 1, 2, 2, 1, 0)")
  db.close()
  const damaged = await ts.reopen()
  const report = await damaged.check()
  assert.equal(report.ok, false, 'check() notices an index that differs from the log')
  const rebuilt = await ts.reopen({ rebuildIndex: true })
  assert.deepEqual(await rebuilt.range({ key: '\0', rangeEnd: '\0' }), before)
})

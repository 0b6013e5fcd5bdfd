// The quota bounds the database file and its WAL together (issue 16): under a 2 MiB quota the two
// stay within the quota plus one transaction, puts beyond it are refused typed, and deletes and
// compaction still run to free space.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { LogError } from '../../src/index.js'
import { tempStore } from '../support/temp-store.js'

const size = (path: string): number => statSync(path, { throwIfNoEntry: false })?.size ?? 0

test('quota: database + WAL stay under quotaBytes (plus one request); puts refused, deletes go on', async (t) => {
  const quota = 2 * 1024 * 1024
  const s = await tempStore({ quotaBytes: quota })
  t.after(() => s.done())
  const value = Buffer.alloc(16 * 1024, 7)
  let refused: unknown
  let peak = 0
  for (let i = 0; i < 2000 && refused === undefined; i++) {
    try {
      await s.store.put(`k${i % 300}`, value)
    } catch (err) {
      refused = err
    }
    peak = Math.max(peak, size(s.path) + size(`${s.path}-wal`))
  }
  assert.ok(refused instanceof LogError, `puts are refused once full: ${String(refused)}`)
  assert.match(refused.message, /database space exceeded/)
  const slack = 256 * 1024 // one request's pages, written before the next write looks
  assert.ok(peak <= quota + slack, `database + WAL peaked at ${peak} bytes (quota ${quota})`)
  // Space is freed by deleting and compacting, which the quota never refuses.
  const deleted = await s.store.deleteRange({ key: 'k', prefix: true })
  assert.ok(deleted.deleted > 0)
  await s.store.compact(s.store.revision, { physical: true })
})

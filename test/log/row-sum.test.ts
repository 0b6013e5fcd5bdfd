// Format 2 row checksums (src/log/row-sum.ts): a format-1 file is migrated on a writable open,
// its old rows stay readable (unverified), rows written after are verified, and a row of a
// format-2 file whose sums were wiped is corrupt, not "old".
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { CorruptionError, openStore } from '../../src/index.js'
import { tempDir } from '../support/temp-store.js'

/** Turns a fresh store file back into format 1 (the columns format 2 added, dropped). */
function downgrade(path: string): void {
  const db = new Database(path)
  db.exec('ALTER TABLE log DROP COLUMN sum; ALTER TABLE log DROP COLUMN vsum; ALTER TABLE meta DROP COLUMN sums_from; UPDATE meta SET format = 1')
  db.close()
}

test('row sums: a format-1 file is refused read-only, migrated writable, old rows still read', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const path = join(dir.path, 'etchlog.db')
  const first = await openStore({ path })
  await first.put('old', 'written by format 1')
  await first.close()
  downgrade(path)
  await assert.rejects(openStore({ path, readOnly: true }), /has format 1; open it writable once to migrate/)
  const store = await openStore({ path })
  t.after(() => store.close())
  assert.equal((await store.get('old'))?.value.toString(), 'written by format 1')
  await store.put('new', 'written by format 2')
  assert.deepEqual((await store.check()).problems, [])
  const raw = new Database(path, { readonly: true })
  const rows = raw.prepare('SELECT key, sum IS NOT NULL AS summed FROM log ORDER BY id').all() as Array<{ key: Buffer; summed: number }>
  const sumsFrom = raw.prepare('SELECT format, sums_from FROM meta').get()
  raw.close()
  assert.deepEqual(rows.map((r) => [r.key.toString(), r.summed]), [['old', 0], ['new', 1]])
  assert.deepEqual(sumsFrom, { format: 2, sums_from: 2 })
})

test('row sums: wiped sums on a format-2 row are corruption, not an old row', async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const path = join(dir.path, 'etchlog.db')
  const first = await openStore({ path })
  await first.put('k', 'v')
  await first.close()
  const db = new Database(path)
  db.exec('UPDATE log SET sum = NULL, vsum = NULL')
  db.close()
  const store = await openStore({ path })
  t.after(() => store.close())
  await assert.rejects(store.get('k'), (err: unknown) => err instanceof CorruptionError && /checksums are missing/.test(err.message))
  await assert.rejects(store.put('k', 'w'), /known to be corrupt/)
})

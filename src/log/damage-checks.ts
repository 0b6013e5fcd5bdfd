// Checks that keep a damaged file from answering wrongly, beside the row checksums (row-sum.ts):
// a point read that finds nothing, or an old version, asks the other index before believing it;
// and the quota over the database file and its WAL together.
import type Database from 'better-sqlite3'
import { statSync } from 'node:fs'
import { describeKey } from '../util/index.js'
import { CorruptRowError } from './row-sum.js'
import { toLogError } from './sqlite-errors.js'
import type { Statements } from './statements.js'

const fileSize = (path: string): number => statSync(path, { throwIfNoEntry: false })?.size ?? 0

/**
 * A point read found no key: asks the other structure before believing it, so a damaged page
 * that lost an entry is a CorruptionError rather than a missing key. The live index missing a
 * key is checked against the log's (key, rev) index; the log index missing a key at revision R
 * against the live index (a life that started at or before R has a row in effect at R, which
 * compaction keeps). One index seek, on misses only.
 */
export function confirmAbsent(sql: Statements, key: Buffer, revision: number | undefined): void {
  if (revision === undefined) {
    const newest = sql.get('SELECT rev, version FROM log WHERE key = ? ORDER BY rev DESC LIMIT 1').get(key) as
      | { rev: number; version: number }
      | undefined
    if (newest !== undefined && newest.version > 0) {
      throw new CorruptRowError(describeKey(key), newest.rev, 'the key is alive in the log but missing from the live index')
    }
    return
  }
  const live = sql.get('SELECT mod_rev, create_rev FROM live WHERE key = ?').get(key) as { mod_rev: number; create_rev: number } | undefined
  if (live !== undefined && live.create_rev <= revision) {
    throw new CorruptRowError(describeKey(key), live.mod_rev, `the key's row in effect at revision ${revision} is missing from the log index`)
  }
}

/**
 * A historical point read found the key's row at `found`: if the live index says the key's
 * current version was written at or before the revision read, that must be the row found (an
 * index entry lost from log_key_rev would otherwise let an older version through).
 */
export function confirmNewest(sql: Statements, key: Buffer, revision: number, found: number): void {
  const live = sql.get('SELECT mod_rev FROM live WHERE key = ?').pluck().get(key) as number | undefined
  if (live !== undefined && live <= revision && live !== found) {
    throw new CorruptRowError(describeKey(key), live, `the log index gives revision ${found} as the newest at ${revision}`)
  }
}

/**
 * The quota bounds the database file and its WAL together (the WAL is disk too, and between
 * checkpoints can grow past the file itself). Over it, checkpoint and truncate the WAL first;
 * only if that does not bring the two under the quota are puts refused.
 */
export function overQuota(db: Database.Database, path: string, quotaBytes: number): boolean {
  const used = (): number => fileSize(path) + fileSize(`${path}-wal`)
  if (used() <= quotaBytes) return false
  try {
    db.pragma('wal_checkpoint(TRUNCATE)')
  } catch (err) {
    throw toLogError(err, 'checkpoint for the quota')
  }
  return used() > quotaBytes
}


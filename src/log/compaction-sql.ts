// One bounded step of physical compaction (etcd C1), and the id search it starts from.
import type { Statements } from './statements.js'

export interface CompactStepResult {
  scanned: number
  removed: number
  /** Bytes of keys removed, for the WAL estimate. */
  removedKeyBytes: number
  done: boolean
  cursor: number
}

/** Smallest log id whose row has rev >= revision (ids grow with revisions), or maxId + 1. */
export function firstIdAtRevision(sql: Statements, revision: number): number {
  const next = sql.get('SELECT id, rev FROM log WHERE id >= ? ORDER BY id LIMIT 1')
  let lo = 0
  let hi = ((sql.get('SELECT max(id) FROM log').pluck().get() as number | null) ?? 0) + 1
  // Invariant: every row with id < lo has rev < revision; the row at or after hi (if any) has rev >= revision.
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    const r = next.get(mid) as { id: number; rev: number } | undefined
    if (r === undefined || r.rev >= revision) hi = mid
    else lo = r.id + 1
  }
  return lo
}

/**
 * Looks at up to rowsMax rows after the cursor with rev < revision and removes those compaction
 * drops: tombstones, and rows of a key that has a newer row at or below the revision. So each key
 * keeps its newest row at or below the revision unless that is a tombstone below it; a tombstone
 * exactly at the revision stays (etcd #18089, #19179).
 */
export function compactStep(sql: Statements, revision: number, cursor: number, rowsMax: number): CompactStepResult {
  const boundary = firstIdAtRevision(sql, revision)
  const rows = sql
    .get('SELECT id, key, rev, version FROM log WHERE id > ? AND id < ? ORDER BY id LIMIT CAST(? AS INTEGER)')
    .all(cursor, boundary, rowsMax) as Array<{ id: number; key: Buffer; rev: number; version: number }>
  const newer = sql.get('SELECT 1 FROM log WHERE key = ? AND rev > ? AND rev <= ? LIMIT 1').pluck()
  const remove = sql.get('DELETE FROM log WHERE id = ?')
  let removed = 0
  let removedKeyBytes = 0
  for (const r of rows) {
    if (r.version === 0 || newer.get(r.key, r.rev, revision) !== undefined) {
      remove.run(r.id)
      removed++
      removedKeyBytes += r.key.length
    }
  }
  const last = rows[rows.length - 1]
  return { scanned: rows.length, removed, removedKeyBytes, done: rows.length < rowsMax, cursor: last === undefined ? cursor : last.id }
}

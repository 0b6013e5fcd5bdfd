// Snapshots (etcd M3): save a consistent copy of a store with a SHA-256 checksum beside it,
// inspect one, and restore one into a new database file. Root-level: it joins the store (for the
// copy) with plain file I/O (for checksums and the restore).
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { rmSync } from 'node:fs'
import Database from 'better-sqlite3'
import { verifyRow } from './log/index.js'
import type { KvStore } from './mvcc/index.js'
import { CorruptionError, InvalidArgumentError, StorageError } from './util/index.js'

export interface SnapshotStatus {
  /** SHA-256 of the snapshot file, hex. */
  sha256: string
  /** Store revision and compaction point captured in the snapshot. */
  revision: number
  compactRevision: number
  /** Keys alive at that revision, and log rows (versions) kept. */
  keys: number
  rows: number
  bytes: number
}

const checksumPath = (path: string): string => `${path}.sha256`

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

function inspect(path: string): Omit<SnapshotStatus, 'sha256'> {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const meta = db.prepare('SELECT revision, compact_revision FROM meta WHERE id = 1').get() as
      | { revision: number; compact_revision: number }
      | undefined
    if (meta === undefined) throw new CorruptionError(`snapshot: ${path} has no meta row`)
    return {
      revision: meta.revision,
      compactRevision: meta.compact_revision,
      keys: db.prepare('SELECT count(*) FROM live').pluck().get() as number,
      rows: db.prepare('SELECT count(*) FROM log').pluck().get() as number,
      bytes: (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number),
    }
  } finally {
    db.close()
  }
}

/**
 * A backup keeps the store's WAL journal mode, and opening a WAL database (even to read it) makes
 * -wal and -shm files beside it that a read-only connection cannot remove. A snapshot is one
 * self-contained file: switch the copy to rollback journaling, which also folds any WAL into it.
 * A store opened on a restored copy turns WAL back on itself.
 */
function toSingleFile(path: string): void {
  const db = new Database(path, { fileMustExist: true })
  try {
    db.pragma('journal_mode = DELETE')
  } finally {
    db.close()
  }
}

/**
 * Refuses a damaged snapshot: SQLite's full integrity check (pages, and every index against its
 * table), then, for format 2 and later, every log row against its checksums and every live index
 * entry against its log row. CorruptionError names the first problem found.
 */
export function verifySnapshot(path: string): void {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const problems = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).filter((m) => m !== 'ok')
    if (problems.length > 0) throw new CorruptionError(`snapshot: ${path} is corrupt: ${problems.slice(0, 3).join('; ')}`)
    const format = db.prepare('SELECT format FROM meta WHERE id = 1').pluck().get() as number
    if (format < 2) return // no row checksums to verify
    const sumsFrom = db.prepare('SELECT sums_from FROM meta WHERE id = 1').pluck().get() as number
    for (const r of db.prepare('SELECT id, key, rev, create_rev, version, lease, value, sum, vsum FROM log').iterate()) {
      const row = r as { id: number; key: Buffer; rev: number; create_rev: number; version: number; lease: number; value: Buffer | null; sum: number | null; vsum: number | null }
      verifyRow({ key: row.key, rev: row.rev, createRev: row.create_rev, version: row.version, lease: row.lease }, row.value, row.sum, row.vsum, row.id < sumsFrom)
    }
    const stray = db
      .prepare(
        `SELECT count(*) FROM live l LEFT JOIN log g ON g.id = l.id WHERE g.id IS NULL OR g.key <> l.key OR g.rev <> l.mod_rev
           OR g.create_rev <> l.create_rev OR g.version <> l.version OR g.lease <> l.lease`,
      )
      .pluck()
      .get() as number
    if (stray > 0) throw new CorruptionError(`snapshot: ${path} is corrupt: ${stray} live index entries do not match their log rows`)
  } catch (err) {
    throw err instanceof StorageError ? err : new CorruptionError(`snapshot: ${path} is corrupt: ${err instanceof Error ? err.message : String(err)}`)
  } finally {
    db.close()
  }
}

/** Saves a consistent copy of the store to `path` (which must not exist) and `path.sha256`. */
export async function saveSnapshot(store: KvStore, path: string): Promise<SnapshotStatus> {
  if (existsSync(path)) throw new InvalidArgumentError(`snapshot: ${path} already exists`)
  mkdirSync(dirname(path), { recursive: true })
  await store.backup(path)
  toSingleFile(path)
  try {
    // The copy holds the source's pages as they are: a damaged source gives a damaged copy.
    verifySnapshot(path)
  } catch (err) {
    rmSync(path, { force: true })
    throw err
  }
  const sum = sha256(path)
  writeFileSync(checksumPath(path), `${sum}\n`)
  return { sha256: sum, ...inspect(path) }
}

/** Reads a snapshot's checksum and contents; CorruptionError if the checksum does not match
 *  or the file is damaged (verifySnapshot). */
export function snapshotStatus(path: string): SnapshotStatus {
  const sum = sha256(path)
  if (existsSync(checksumPath(path))) {
    const expected = readFileSync(checksumPath(path), 'utf8').trim()
    if (expected !== sum) throw new CorruptionError(`snapshot: ${path} has sha256 ${sum}, expected ${expected}`)
  }
  verifySnapshot(path)
  return { sha256: sum, ...inspect(path) }
}

/**
 * Restores a snapshot into a new database file (which must not exist), after verifying its
 * checksum. Open the result with openStore({ path: target }).
 */
export function restoreSnapshot(snapshot: string, target: string): SnapshotStatus {
  if (existsSync(target)) throw new InvalidArgumentError(`snapshot: restore target ${target} already exists`)
  const status = snapshotStatus(snapshot)
  mkdirSync(dirname(target), { recursive: true })
  copyFileSync(snapshot, target)
  return status
}

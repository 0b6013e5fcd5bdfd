// Opens the log's SQLite file: pragmas, the schema on first open, the format check and the
// migration from format 1 (src/log/schema.ts, docs/log-format.md).
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { CorruptionError } from '../util/index.js'
import { FORMAT, migrateTo2Sql, schemaSql } from './schema.js'
import { toLogError } from './sqlite-errors.js'

export interface OpenDatabaseOptions {
  path: string
  durability: 'strict' | 'relaxed'
  busyTimeoutMs: number
  cacheKiB: number
  quotaBytes: number
  readOnly?: boolean
}

/** The connection, set up and at the current format; LogError or CorruptionError otherwise (closed). */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  const readOnly = options.readOnly === true
  if (options.path !== ':memory:' && !readOnly) mkdirSync(dirname(options.path), { recursive: true })
  let db: Database.Database
  try {
    db = new Database(options.path, { timeout: options.busyTimeoutMs, readonly: readOnly, fileMustExist: readOnly })
  } catch (err) {
    throw toLogError(err, `open ${options.path}`)
  }
  try {
    if (readOnly) db.pragma(`cache_size = -${options.cacheKiB}`)
    else setUp(db, options)
    const format = migrate(db, options.path, readOnly)
    if (format !== FORMAT) throw new CorruptionError(`log: ${options.path} has format ${format}, this build reads format ${FORMAT}`)
  } catch (err) {
    if (db.open) db.close()
    throw toLogError(err, `open ${options.path}`)
  }
  return db
}

/** Pragmas and schema of a writable database (created on first open). */
function setUp(db: Database.Database, options: OpenDatabaseOptions): void {
  // auto_vacuum must be chosen before the first table exists; it is a no-op afterwards.
  db.pragma('auto_vacuum = INCREMENTAL')
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${options.durability === 'strict' ? 'FULL' : 'NORMAL'}`)
  db.pragma(`cache_size = -${options.cacheKiB}`)
  db.pragma('temp_store = MEMORY')
  if (options.quotaBytes > 0) {
    const pageSize = db.pragma('page_size', { simple: true }) as number
    db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.quotaBytes / pageSize))}`)
    // Checkpoint (and cut the WAL back) well before the WAL alone could reach the quota.
    const walPages = Math.max(16, Math.floor(options.quotaBytes / 8 / pageSize))
    db.pragma(`wal_autocheckpoint = ${walPages}`)
    db.pragma(`journal_size_limit = ${walPages * pageSize}`)
  }
  db.exec(`BEGIN IMMEDIATE; ${schemaSql} COMMIT;`)
}

/** Brings a format-1 file to format 2 (adds the checksum columns); returns the format now. */
function migrate(db: Database.Database, path: string, readOnly: boolean): number {
  const format = db.prepare('SELECT format FROM meta WHERE id = 1').pluck().get() as number
  if (format !== 1) return format
  if (readOnly) throw new CorruptionError(`log: ${path} has format 1; open it writable once to migrate it to format ${FORMAT}`)
  db.exec(`BEGIN IMMEDIATE; ${migrateTo2Sql} COMMIT;`)
  return FORMAT
}

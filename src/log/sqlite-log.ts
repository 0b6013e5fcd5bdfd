// The append-only log on SQLite (better-sqlite3, WAL). Rows are only ever appended, and removed
// by compaction; the live table is a derived index that can be rebuilt from them (rebuildLive).
// This file knows SQL and nothing of etcd semantics: mvcc decides what to write.
import Database from 'better-sqlite3'
import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { CorruptionError, LogError, assert } from '../util/index.js'
import { Checkpointer, walBudget } from './checkpointer.js'
import { compactStep, firstIdAtRevision, type CompactStepResult } from './compaction-sql.js'
import { LeaseTable } from './lease-table.js'
import { countSql, intervalShape, rangeSql } from './range-sql.js'
import {
  logRow,
  rangeRow,
  type Interval,
  type LeaseRow,
  type LiveEntry,
  type LogId,
  type LogRow,
  type RangeRow,
  type SqlLogRow,
  type SqlRangeRow,
  type Tx,
  type WriteTx,
} from './rows.js'
import { FORMAT, migrateTo2Sql, schemaSql } from './schema.js'
import { rowSum, valueSum } from './row-sum.js'
import { confirmAbsent, confirmNewest, overQuota } from './damage-checks.js'
import { isCorruptError, isIoError, toLogError } from './sqlite-errors.js'
import { Statements, type Statement } from './statements.js'

export interface SqliteLogOptions {
  /** File path, or ':memory:'. Parent folders are created. */
  path: string
  /** 'strict': fsync every commit (synchronous=FULL). 'relaxed': synchronous=NORMAL. */
  durability: 'strict' | 'relaxed'
  /** How long a writer waits for another connection's write lock before failing. */
  busyTimeoutMs: number
  /** SQLite page cache, in KiB. */
  cacheKiB: number
  /** Largest database file, in bytes (etcd's quota-backend-bytes); 0 = no limit. */
  quotaBytes: number
  /** Run WAL checkpoints on a worker thread (file databases only). Default true. */
  checkpointThread?: boolean
  /** Open an existing file for reading only: every write fails with SQLITE_READONLY. */
  readOnly?: boolean
}

const READ: Tx = Object.freeze({ __read: true })
const WRITE: WriteTx = Object.freeze({ __read: true, __write: true })

function fileSize(path: string): number {
  // The WAL exists while a connection is open; if it was just removed, its size is 0.
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0
}

export class SqliteLog {
  readonly path: string
  readonly autocommit: Tx = READ
  private readonly db: Database.Database
  private readonly sql: Statements
  private readonly leaseTable: LeaseTable
  // True while a write() is open on this connection; write() does not nest.
  private writing = false
  // data_version last seen; it changes when another connection commits.
  private dataVersion: number
  // Bytes appended by the open write transaction (keys and values), for the WAL estimate.
  private appendedBytes = 0
  // Set when a COMMIT failed with an I/O error (a failed fsync, typically). What reached the disk
  // is then unknown (after a failed fsync the kernel may drop the dirty pages and report success
  // next time: "fsyncgate"), so every later write is refused until the store is reopened and
  // SQLite recovers from what the file really holds (VERIFICATION.md, fsync errors).
  private commitFailure: LogError | undefined
  // Write statements started in the open write transaction (counted before they run, so a
  // statement that fails counts too: the caller must then treat the transaction as dirty).
  private writes = 0
  // Set when a read found the file damaged (a row failing its checksum, or SQLite reporting a
  // malformed page): every later write is refused, so nothing is built on top of damaged data,
  // until the file is restored from a snapshot (or repaired) and reopened.
  private corruption: CorruptionError | undefined
  // Runs checkpoints off the main thread; undefined for in-memory databases or when disabled.
  readonly checkpointer: Checkpointer | undefined
  // Bytes the database file and its WAL may take together (0: no quota).
  private readonly quotaBytes: number
  // Set by write() when the files were over the quota even after a truncating checkpoint: puts
  // are refused in that transaction, deletes and compaction (which free space) go on.
  private overQuota = false
  // Log rows with a lower id were written before the file was migrated to format 2 and have no
  // checksums (meta.sums_from); every other row must have them.
  private readonly sumsFrom: number

  constructor(options: SqliteLogOptions) {
    this.path = options.path
    this.quotaBytes = options.path === ':memory:' ? 0 : options.quotaBytes
    const readOnly = options.readOnly === true
    if (options.path !== ':memory:' && !readOnly) mkdirSync(dirname(options.path), { recursive: true })
    try {
      this.db = new Database(options.path, { timeout: options.busyTimeoutMs, readonly: readOnly, fileMustExist: readOnly })
    } catch (err) {
      throw toLogError(err, `open ${options.path}`)
    }
    try {
      if (readOnly) {
        this.db.pragma(`cache_size = -${options.cacheKiB}`)
      } else {
        this.setUp(options)
      }
    } catch (err) {
      this.db.close()
      throw toLogError(err, `open ${options.path}`)
    }
    this.sql = new Statements(this.db)
    this.leaseTable = new LeaseTable(this.sql)
    const format = this.migrate(options.path, readOnly)
    if (format !== FORMAT) {
      this.db.close()
      throw new CorruptionError(`log: ${options.path} has format ${format}, this build reads format ${FORMAT}`)
    }
    this.sumsFrom = this.stmt('SELECT sums_from FROM meta WHERE id = 1').pluck().get() as number
    this.dataVersion = this.stmt('PRAGMA data_version').pluck().get() as number
    if (options.path !== ':memory:' && options.checkpointThread !== false && !readOnly) {
      // Under a quota the smaller WAL bounds set up for it stay in force.
      if (this.quotaBytes === 0) {
        this.db.pragma(`wal_autocheckpoint = ${walBudget.autocheckpointBackstopPages}`)
        this.db.pragma(`journal_size_limit = ${walBudget.fileKeepBytes}`)
      }
      this.checkpointer = new Checkpointer(options.path, options.busyTimeoutMs, walBudget.bytesPerCheckpoint)
    }
  }

  /** Pragmas and schema of a writable database (created on first open). */
  private setUp(options: SqliteLogOptions): void {
    // auto_vacuum must be chosen before the first table exists; it is a no-op afterwards.
    this.db.pragma('auto_vacuum = INCREMENTAL')
    this.db.pragma('journal_mode = WAL')
    this.db.pragma(`synchronous = ${options.durability === 'strict' ? 'FULL' : 'NORMAL'}`)
    this.db.pragma(`cache_size = -${options.cacheKiB}`)
    this.db.pragma('temp_store = MEMORY')
    if (options.quotaBytes > 0) {
      const pageSize = this.db.pragma('page_size', { simple: true }) as number
      this.db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.quotaBytes / pageSize))}`)
      // Checkpoint (and cut the WAL back) well before the WAL alone could reach the quota.
      const walPages = Math.max(16, Math.floor(options.quotaBytes / 8 / pageSize))
      this.db.pragma(`wal_autocheckpoint = ${walPages}`)
      this.db.pragma(`journal_size_limit = ${walPages * pageSize}`)
    }
    this.db.exec(`BEGIN IMMEDIATE; ${schemaSql} COMMIT;`)
  }

  /** Brings a format-1 file to format 2 (adds the checksum columns); returns the format now. */
  private migrate(path: string, readOnly: boolean): number {
    let format: number
    try {
      format = this.stmt('SELECT format FROM meta WHERE id = 1').pluck().get() as number
      if (format !== 1) return format
      if (readOnly) {
        this.db.close()
        throw new CorruptionError(`log: ${path} has format 1; open it writable once to migrate it to format ${FORMAT}`)
      }
      this.db.exec(`BEGIN IMMEDIATE; ${migrateTo2Sql} COMMIT;`)
    } catch (err) {
      if (this.db.open) this.db.close()
      throw toLogError(err, `open ${path}`)
    }
    return FORMAT
  }

  private stmt(sql: string): Statement {
    return this.sql.get(sql)
  }

  read<T>(fn: (tx: Tx) => T): T {
    if (this.writing) return fn(READ)
    return this.reading(() => {
      this.stmt('BEGIN').run()
      try {
        return fn(READ)
      } finally {
        this.stmt('COMMIT').run()
      }
    })
  }

  /** Runs a read; damage it meets becomes a CorruptionError, and writes are refused from then on. */
  private reading<T>(fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      const typed = err instanceof CorruptionError ? err : isCorruptError(err) ? toLogError(err, 'read') : err
      if (typed instanceof CorruptionError) this.corruption ??= typed
      throw typed
    }
  }

  /** The damage found so far on this connection, if any (writes are refused while it is set). */
  get corruptionFound(): CorruptionError | undefined {
    return this.corruption
  }

  write<T>(fn: (tx: WriteTx) => T): T {
    assert(!this.writing, 'log: write() does not nest')
    const damage = this.corruption
    if (damage !== undefined) {
      throw new CorruptionError(`log: writes refused: the file is known to be corrupt (${damage.message})`)
    }
    const failure = this.commitFailure
    if (failure !== undefined) {
      throw new LogError(`log: writes refused since a commit failed with ${failure.sqliteCode ?? 'an I/O error'}; reopen the store`, failure.sqliteCode, { cause: failure })
    }
    if (this.quotaBytes > 0) this.overQuota = overQuota(this.db, this.path, this.quotaBytes)
    try {
      this.stmt('BEGIN IMMEDIATE').run()
    } catch (err) {
      throw toLogError(err, 'begin write transaction')
    }
    this.writing = true
    this.appendedBytes = 0
    this.writes = 0
    let result: T
    try {
      result = fn(WRITE)
      this.commit()
      this.checkpointer?.committed(walBudget.bytesPerCommit + 2 * this.appendedBytes)
    } catch (err) {
      if (this.db.inTransaction) this.stmt('ROLLBACK').run()
      const typed = toLogError(err, 'write transaction')
      if (typed instanceof CorruptionError) this.corruption ??= typed
      throw typed
    } finally {
      this.writing = false
    }
    return result
  }

  private commit(): void {
    try {
      this.stmt('COMMIT').run()
    } catch (err) {
      if (isIoError(err)) this.commitFailure = new LogError(`log: commit failed: ${err.message} (${err.code})`, err.code, { cause: err })
      throw err
    }
  }

  writesInTransaction(_tx: WriteTx): number {
    return this.writes
  }

  /** Runs one write statement (or a group): counted first, SQLite errors turned into LogError. */
  private mutate<T>(fn: () => T): T {
    assert(this.writing, 'log: writes happen inside write()')
    this.writes++
    try {
      return fn()
    } catch (err) {
      throw toLogError(err, 'write')
    }
  }

  changedElsewhere(): boolean {
    const v = this.stmt('PRAGMA data_version').pluck().get() as number
    if (v === this.dataVersion) return false
    this.dataVersion = v
    return true
  }

  head(_tx: Tx): { revision: number; compactRevision: number; compactedRevision: number; compactCursor: number } {
    const r = this.stmt(
      'SELECT revision, compact_revision, compacted_revision, compact_cursor FROM meta WHERE id = 1',
    ).get() as { revision: number; compact_revision: number; compacted_revision: number; compact_cursor: number }
    return {
      revision: r.revision,
      compactRevision: r.compact_revision,
      compactedRevision: r.compacted_revision,
      compactCursor: r.compact_cursor,
    }
  }

  setRevision(_tx: WriteTx, revision: number): void {
    this.mutate(() => this.stmt('UPDATE meta SET revision = ? WHERE id = 1').run(revision))
  }

  setCompaction(_tx: WriteTx, compactRevision: number, cursor: number): void {
    this.mutate(() => this.stmt('UPDATE meta SET compact_revision = ?, compact_cursor = ? WHERE id = 1').run(compactRevision, cursor))
  }

  setCompacted(_tx: WriteTx, compactedRevision: number): void {
    this.mutate(() => this.stmt('UPDATE meta SET compacted_revision = ? WHERE id = 1').run(compactedRevision))
  }

  live(_tx: Tx, key: Buffer): LiveEntry | undefined {
    const r = this.reading(() => this.stmt('SELECT id, mod_rev, create_rev, version, lease FROM live WHERE key = ?').get(key)) as
      | { id: number; mod_rev: number; create_rev: number; version: number; lease: number }
      | undefined
    if (r === undefined) {
      this.reading(() => confirmAbsent(this.sql, key, undefined))
      return undefined
    }
    return { id: r.id as LogId, modRev: r.mod_rev, createRev: r.create_rev, version: r.version, lease: r.lease }
  }

  /** Revision of the newest row (ids grow with revisions), or undefined for an empty log. */
  lastRowRevision(_tx: Tx): number | undefined {
    const v = this.stmt('SELECT rev FROM log ORDER BY id DESC LIMIT 1').pluck().get() as number | undefined
    return v
  }

  /** Up to `limit` rows after `afterId`, in append order: how committed events are read. */
  tail(_tx: Tx, afterId: number, limit: number): LogRow[] {
    return this.reading(() => {
      const rows = this.stmt(
        'SELECT id, rev, key, create_rev, version, lease, value, sum, vsum FROM log WHERE id > ? ORDER BY id LIMIT CAST(? AS INTEGER)',
      ).all(afterId, limit) as SqlLogRow[]
      return rows.map((r) => logRow(r, this.sumsFrom))
    })
  }

  /** Position just before the first row at or above `revision`: tail(from) starts at that revision. */
  positionBefore(_tx: Tx, revision: number): number {
    return firstIdAtRevision(this.sql, revision) - 1
  }

  /** Position of the newest row (0 for an empty log). */
  lastPosition(_tx: Tx): number {
    return (this.stmt('SELECT max(id) FROM log').pluck().get() as number | null) ?? 0
  }

  row(_tx: Tx, id: LogId): LogRow | undefined {
    return this.reading(() => {
      const r = this.stmt('SELECT id, rev, key, create_rev, version, lease, value, sum, vsum FROM log WHERE id = ?').get(id) as
        | SqlLogRow
        | undefined
      return r === undefined ? undefined : logRow(r, this.sumsFrom)
    })
  }

  range(_tx: Tx, q: { interval: Interval; revision: number | undefined; limit: number; withValues: boolean }): RangeRow[] {
    const { shape, start, end } = intervalShape(q.interval)
    const historical = q.revision !== undefined
    const statement = this.sql.shaped(`r:${shape}:${historical}:${q.withValues}`, () =>
      rangeSql({ interval: shape, historical, withValues: q.withValues }),
    )
    const params: Record<string, unknown> = { start, limit: q.limit > 0 ? q.limit : -1 }
    if (shape === 'bounded') params['end'] = end
    if (historical) params['rev'] = q.revision
    return this.reading(() => {
      const rows = (statement.all(params) as SqlRangeRow[]).map((r) => rangeRow(r, q.withValues, this.sumsFrom))
      if (shape === 'point' && rows.length === 0) confirmAbsent(this.sql, start, q.revision)
      else if (shape === 'point' && q.revision !== undefined) confirmNewest(this.sql, start, q.revision, rows[0]?.modRev ?? 0)
      return rows
    })
  }

  count(_tx: Tx, interval: Interval, revision: number | undefined): number {
    const { shape, start, end } = intervalShape(interval)
    const params: Record<string, unknown> = { start }
    if (shape === 'bounded') params['end'] = end
    if (revision !== undefined) params['rev'] = revision
    const historical = revision !== undefined
    return this.reading(() => this.sql.shaped(`c:${shape}:${historical}`, () => countSql(shape, historical)).pluck().get(params) as number)
  }

  append(_tx: WriteTx, row: Omit<LogRow, 'id'>): LogId {
    assert((row.version === 0) === (row.value === null), 'log: a tombstone, and only a tombstone, has no value')
    if (this.overQuota && row.value !== null) {
      // Before the statement runs (not counted as a write): only this request is refused.
      throw new LogError(
        `log: database space exceeded (database and WAL over the quota of ${this.quotaBytes} bytes); compact and defragment to free space`,
        'SQLITE_FULL',
      )
    }
    this.appendedBytes += row.key.length + (row.value?.length ?? 0) + walBudget.bytesPerRowOverhead
    const vsum = valueSum(row.value)
    const sum = rowSum(row, vsum, row.value !== null)
    const info = this.mutate(() =>
      this.stmt('INSERT INTO log (rev, key, create_rev, version, lease, value, sum, vsum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        row.rev,
        row.key,
        row.createRev,
        row.version,
        row.lease,
        row.value,
        sum,
        vsum,
      ),
    )
    return Number(info.lastInsertRowid) as LogId
  }

  setLive(_tx: WriteTx, key: Buffer, e: LiveEntry): void {
    this.mutate(() =>
      this.stmt(
        `INSERT INTO live (key, id, mod_rev, create_rev, version, lease) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET id = excluded.id, mod_rev = excluded.mod_rev,
           create_rev = excluded.create_rev, version = excluded.version, lease = excluded.lease`,
      ).run(key, e.id, e.modRev, e.createRev, e.version, e.lease),
    )
  }

  deleteLive(_tx: WriteTx, key: Buffer): void {
    this.mutate(() => this.stmt('DELETE FROM live WHERE key = ?').run(key))
  }

  lease(_tx: Tx, id: number): LeaseRow | undefined {
    return this.leaseTable.get(id)
  }

  leases(_tx: Tx): LeaseRow[] {
    return this.leaseTable.all()
  }

  leaseKeys(_tx: Tx, id: number): Buffer[] {
    return this.leaseTable.keys(id)
  }

  leasesExpired(_tx: Tx, nowMs: number, limit: number): number[] {
    return this.leaseTable.expired(nowMs, limit)
  }

  leaseDeadlineMin(_tx: Tx): number | undefined {
    return this.leaseTable.deadlineMin()
  }

  putLease(_tx: WriteTx, lease: LeaseRow): void {
    this.mutate(() => this.leaseTable.put(lease))
  }

  deleteLease(_tx: WriteTx, id: number): void {
    this.mutate(() => this.leaseTable.delete(id))
  }

  compactStep(_tx: WriteTx, revision: number, cursor: number, rowsMax: number): CompactStepResult {
    const step = this.mutate(() => compactStep(this.sql, revision, cursor, rowsMax))
    this.appendedBytes += step.removedKeyBytes + step.removed * walBudget.bytesPerRemovedRow
    return step
  }

  vacuumStep(pagesMax: number): number {
    try {
      this.db.pragma(`incremental_vacuum(${Math.floor(pagesMax)})`)
      this.checkpointer?.committed(pagesMax * 4096)
      return this.stmt('PRAGMA freelist_count').pluck().get() as number
    } catch (err) {
      throw toLogError(err, 'incremental vacuum')
    }
  }

  *scan(_tx: Tx): IterableIterator<LogRow> {
    const it = this.db.prepare('SELECT id, rev, key, create_rev, version, lease, value, sum, vsum FROM log ORDER BY id').iterate()
    for (const r of this.reading(() => it)) yield this.reading(() => logRow(r as SqlLogRow, this.sumsFrom))
  }

  rebuildLive(_tx: WriteTx): number {
    return this.mutate(() => this.rebuildLiveRows())
  }

  private rebuildLiveRows(): number {
    this.stmt('DELETE FROM live').run()
    const info = this.stmt(
      `INSERT INTO live (key, id, mod_rev, create_rev, version, lease)
       SELECT key, id, rev, create_rev, version, lease FROM
         (SELECT key, id, max(rev) AS rev, create_rev, version, lease FROM log GROUP BY key)
       WHERE version > 0`,
    ).run()
    return info.changes
  }

  /**
   * A consistent copy of the database at one moment into a new file, while writers go on (SQLite
   * online backup, in small steps between which the event loop runs; a write made by this
   * connection meanwhile is carried into the copy, one by another process restarts it).
   */
  async backup(destination: string): Promise<void> {
    try {
      await this.db.backup(destination)
    } catch (err) {
      throw toLogError(err, `backup to ${destination}`)
    }
  }

  /** Rewrites the file without free pages (VACUUM); blocks this connection while it runs. */
  vacuum(): void {
    assert(!this.writing, 'log: vacuum runs outside a write transaction')
    try {
      this.db.exec('VACUUM')
    } catch (err) {
      throw toLogError(err, 'vacuum')
    }
  }

  /** SQLite's own check of the file; a file too damaged to check answers with why. */
  integrityCheck(): string[] {
    let problems: string[]
    try {
      // The full check: quick_check does not compare the indexes with their tables.
      const rows = this.db.pragma('integrity_check') as Array<{ integrity_check: string }>
      problems = rows.map((r) => r.integrity_check).filter((m) => m !== 'ok')
    } catch (err) {
      if (!isCorruptError(err)) throw toLogError(err, 'integrity check')
      this.corruption ??= toLogError(err, 'integrity check') as CorruptionError
      return [`${err.message} (${err.code})`]
    }
    if (problems.length > 0) this.corruption ??= new CorruptionError(`log: integrity check: ${problems[0] ?? ''}`)
    return problems
  }

  stats(): { pageSize: number; pageCount: number; freelistCount: number; walBytes: number } {
    return {
      pageSize: this.stmt('PRAGMA page_size').pluck().get() as number,
      pageCount: this.stmt('PRAGMA page_count').pluck().get() as number,
      freelistCount: this.stmt('PRAGMA freelist_count').pluck().get() as number,
      walBytes: this.path === ':memory:' ? 0 : fileSize(`${this.path}-wal`),
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
    await this.checkpointer?.stop()
  }
}

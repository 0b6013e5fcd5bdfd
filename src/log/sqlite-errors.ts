// SQLite's errors as the log reports them: typed LogErrors with the SQLite code, and a message
// that says what the log was doing. Errors the project already typed pass through.
import Database from 'better-sqlite3'
import { CorruptionError, LogError, StorageError } from '../util/index.js'

export function toLogError(err: unknown, doing: string): unknown {
  if (err instanceof StorageError) return err
  if (err instanceof Database.SqliteError && err.code === 'SQLITE_FULL') {
    return new LogError(`log: database space exceeded (${doing}); compact to free space`, err.code, {
      cause: err,
    })
  }
  if (isCorruptError(err)) return new CorruptionError(`log: the database file is corrupt (${doing}): ${err.message} (${err.code}); restore from a snapshot`)
  if (err instanceof Database.SqliteError) {
    return new LogError(`log: ${doing} failed: ${err.message} (${err.code})`, err.code, { cause: err })
  }
  return err
}

/** An I/O error from SQLite (a failed fsync, typically): what reached the disk is then unknown. */
export function isIoError(err: unknown): err is InstanceType<typeof Database.SqliteError> {
  return err instanceof Database.SqliteError && err.code.startsWith('SQLITE_IOERR')
}

/** SQLite found the file damaged: a malformed page or header (SQLITE_CORRUPT*, SQLITE_NOTADB). */
export function isCorruptError(err: unknown): err is InstanceType<typeof Database.SqliteError> {
  return err instanceof Database.SqliteError && (err.code.startsWith('SQLITE_CORRUPT') || err.code === 'SQLITE_NOTADB')
}

// What is wrong with a --db path, said before SQLite gets to say it less clearly ("disk I/O
// error" for a directory, "no such table: meta" for an empty file). A write command on a path
// that does not exist needs --create: a mistyped path must not quietly become a new database.
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { CommandError } from './errors.js'

/** How a command uses the database: see Session.openStore. */
export type OpenMode = 'existing' | 'create' | 'read'

/** The first 16 bytes of every SQLite database file. */
const sqliteHeader = 'SQLite format 3\0'

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    // Missing, or a path through a file: either way there is no database there.
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw err
  }
}

function fileHeader(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const bytes = Buffer.alloc(sqliteHeader.length)
    const n = readSync(fd, bytes, 0, bytes.length, 0)
    return bytes.subarray(0, n).toString('latin1')
  } finally {
    closeSync(fd)
  }
}

/** Throws a CommandError saying what is wrong with `path` for a command opening it in `mode`. */
/** The file at --db does not start with SQLite's header: damaged, or not a database at all (check reports it). */
export class NotSqliteFileError extends CommandError {}

export function checkDbPath(path: string, mode: OpenMode, create: boolean): void {
  if (path === ':memory:') return
  const stat = statOf(path)
  if (stat === undefined) {
    if (mode === 'create' && create) return
    if (mode === 'create') throw new CommandError(`database ${path} does not exist: add --create to make a new database there (or give --db or ETCHLOG_DB the path of an existing one)`)
    throw new CommandError(`database ${path} does not exist (give --db or ETCHLOG_DB)`)
  }
  if (stat.isDirectory()) throw new CommandError(`--db ${path} is a directory: give the database file in it (e.g. --db ${join(path, 'etchlog.db')})`)
  if (!stat.isFile()) throw new CommandError(`--db ${path} is not a regular file`)
  if (stat.size === 0) {
    if (mode === 'create' && create) return
    throw new CommandError(`database ${path} is an empty file, not an etchlog database${mode === 'create' ? ' (add --create to make a new database in it)' : ''}`)
  }
  if (fileHeader(path) !== sqliteHeader) throw new NotSqliteFileError(`${path} is not an etchlog database (not an SQLite file: its header is damaged or it is another kind of file)`)
}

/** An error from opening a file that passed checkDbPath, said in terms of the path where possible. */
export function explainOpenError(path: string, error: unknown): unknown {
  if (error instanceof Error && /no such table/.test(error.message)) {
    return new CommandError(`${path} is an SQLite database but not an etchlog one (${error.message})`)
  }
  return error
}

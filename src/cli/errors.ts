// etchctl's two kinds of expected failure and how they are shown. Bad command-line input is a
// UsageError; a refused or failed operation is a CommandError, a StorageError from the store, or
// a file-system or SQLite error. Each prints one "Error: ..." line on stderr, as etcdctl's
// ExitWithError does, and exits 1. Anything else is a bug and is rethrown with its stack.
import type { Writable } from 'node:stream'
import { LeaseExistsError, LeaseNotFoundError, StorageError } from '../index.js'
import { formatLeaseId } from './lease-id.js'

/** Bad command-line input: the message, then a hint to the command's help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A command that ran and failed for a reason the user can act on (no such file, lease gone). */
export class CommandError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CommandError'
  }
}

export const exitOk = 0
export const exitError = 1

/** Node's system errors (ENOENT, EACCES, ...) and better-sqlite3's (SQLITE_NOTADB, ...). */
function environmentCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return undefined
  // ERR_* codes are Node's own programmer errors (ERR_ASSERTION among them): never reported here.
  if (code.startsWith('ERR_')) return undefined
  return /^E[A-Z]+$/.test(code) || code.startsWith('SQLITE_') ? code : undefined
}

/**
 * etcdctl prints store errors as "Error: etcdserver: mvcc: ...". etchlog's mvcc messages keep
 * etcd's wording but start at "mvcc:", so the prefix etcd's server adds is restored; the
 * StatusReason code follows in parentheses.
 */
function storageMessage(error: StorageError): string {
  let text = error.message.startsWith('mvcc:') ? `etcdserver: ${error.message}` : error.message
  // The library names a lease by its number; etchctl, like etcdctl, prints and takes it in hex.
  if (error instanceof LeaseNotFoundError || error instanceof LeaseExistsError) text = text.replace(`lease=${error.leaseId}`, `lease=${formatLeaseId(error.leaseId)}`)
  return `${text} (${error.code})`
}

/** Writes the error line(s) and returns the exit code; rethrows what is not an expected error. */
export function reportError(error: unknown, stderr: Writable, command: string | undefined): number {
  if (error instanceof UsageError) {
    stderr.write(`Error: ${error.message}\n`)
    stderr.write(`Run 'etchctl ${command === undefined ? '' : `${command} `}--help' for usage.\n`)
    return exitError
  }
  if (error instanceof StorageError) {
    stderr.write(`Error: ${storageMessage(error)}\n`)
    return exitError
  }
  if (error instanceof CommandError) {
    stderr.write(`Error: ${error.message}\n`)
    return exitError
  }
  if (error instanceof Error) {
    const code = environmentCode(error)
    if (code !== undefined) {
      stderr.write(`Error: ${error.message}${error.message.includes(code) ? '' : ` (${code})`}\n`)
      return exitError
    }
  }
  throw error
}

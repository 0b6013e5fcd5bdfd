// Reads a store's file directly, through a second read-only connection, to check what the
// store's API cannot show (the order of rows inside one revision).
import Database from 'better-sqlite3'

/** Keys of the log rows written at `rev`, in append (= event) order. */
export function logKeysAt(path: string, rev: number): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    const keys = db.prepare('SELECT key FROM log WHERE rev = ? ORDER BY id').pluck().all(rev) as Buffer[]
    return keys.map((k) => k.toString('utf8'))
  } finally {
    db.close()
  }
}

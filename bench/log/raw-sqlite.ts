// Raw better-sqlite3 baselines for the store's benchmarks: the same file layout (schemaSql from
// src/log/schema.ts, so the tables cannot drift), the same pragmas as SqliteLog's constructor
// (copied; synchronous and cache_size are per connection, so they cannot be read back from the
// store's own connection: keep this list in step with src/log/sqlite-log.ts), prepared statements,
// and none of the store's work above SQL (validation, revisions, promises, group commit).
//
// Estimate: one durable commit = a WAL append + one fsync (synchronous=FULL in WAL mode syncs the
// WAL on every commit), 0.2-0.45 ms here, plus ~5-10 us of SQL per statement. So 1 row per
// transaction is fsync-bound at ~2,000-4,000 commits/s; 64 rows per transaction amortise the
// fsync and become CPU-bound: ~3 statements x ~5 us per row + ~0.3 ms fsync per 64 rows, i.e.
// roughly 40-60k rows/s for the store's statements, more for the log row alone.
import Database from 'better-sqlite3'
import { schemaSql } from '../../src/log/schema.js'

export type Durability = 'strict' | 'relaxed'

/** A connection configured exactly like SqliteLog's (see the header for why it is copied). */
export function openRaw(path: string, durability: Durability = 'strict', cacheKiB = 65536): Database.Database {
  const db = new Database(path, { timeout: 5000 })
  db.pragma('auto_vacuum = INCREMENTAL')
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${durability === 'strict' ? 'FULL' : 'NORMAL'}`)
  db.pragma(`cache_size = -${cacheKiB}`)
  db.pragma('temp_store = MEMORY')
  db.exec(`BEGIN IMMEDIATE; ${schemaSql} COMMIT;`)
  return db
}

/**
 * What a raw transaction writes per row:
 * - 'log-only': the log row alone, into the same `log` table with its log_key_rev index.
 * - 'same-rows': the statements the store issues per put on a new key (mvcc/apply.ts put() and
 *   mvcc/writer.ts commit()): per transaction read meta, per row read the live row, insert the
 *   log row, upsert the live row, then update meta.revision once. This is the fair baseline.
 */
export type RawVariant = 'log-only' | 'same-rows'

export class RawPutter {
  private readonly begin: Database.Statement
  private readonly commit: Database.Statement
  private readonly head: Database.Statement
  private readonly live: Database.Statement
  private readonly insertLog: Database.Statement
  private readonly upsertLive: Database.Statement
  private readonly setRevision: Database.Statement
  // The revision the next row gets; like the store's, it grows by one per row.
  private revision: number

  constructor(
    private readonly db: Database.Database,
    readonly variant: RawVariant,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE')
    this.commit = db.prepare('COMMIT')
    this.head = db.prepare('SELECT revision, compact_revision, compacted_revision, compact_cursor FROM meta WHERE id = 1')
    this.live = db.prepare('SELECT id, mod_rev, create_rev, version, lease FROM live WHERE key = ?')
    this.insertLog = db.prepare('INSERT INTO log (rev, key, create_rev, version, lease, value) VALUES (?, ?, ?, ?, ?, ?)')
    this.upsertLive = db.prepare(
      `INSERT INTO live (key, id, mod_rev, create_rev, version, lease) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET id = excluded.id, mod_rev = excluded.mod_rev,
         create_rev = excluded.create_rev, version = excluded.version, lease = excluded.lease`,
    )
    this.setRevision = db.prepare('UPDATE meta SET revision = ? WHERE id = 1')
    this.revision = (this.head.get() as { revision: number }).revision
  }

  /** One transaction writing one row per key. */
  putBatch(keys: readonly Buffer[], value: (i: number) => Buffer): void {
    this.begin.run()
    try {
      if (this.variant === 'same-rows') this.head.get()
      keys.forEach((key, i) => {
        const rev = ++this.revision
        if (this.variant === 'log-only') {
          this.insertLog.run(rev, key, rev, 1, 0, value(i))
          return
        }
        const cur = this.live.get(key) as { create_rev: number; version: number } | undefined
        const createRev = cur === undefined ? rev : cur.create_rev
        const version = cur === undefined ? 1 : cur.version + 1
        const id = this.insertLog.run(rev, key, createRev, version, 0, value(i)).lastInsertRowid
        this.upsertLive.run(key, id, rev, createRev, version, 0)
      })
      if (this.variant === 'same-rows') this.setRevision.run(this.revision)
      this.commit.run()
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw err
    }
  }
}

/**
 * The read a point get needs, written by hand: the live row joined to its log row for the value.
 * The store's point get runs the same join (src/log/range-sql.ts, current state with values).
 */
export function rawGetter(db: Database.Database): (key: Buffer) => unknown {
  const stmt = db.prepare(
    `SELECT l.key, l.mod_rev, l.create_rev, l.version, l.lease, g.value
     FROM live l JOIN log g ON g.id = l.id WHERE l.key = ?`,
  )
  return (key) => stmt.get(key)
}

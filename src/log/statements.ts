// Prepared statements of one connection, cached by SQL text (the set of texts is small and fixed).
import type Database from 'better-sqlite3'

export type Statement = Database.Statement<unknown[], unknown>

export class Statements {
  // Prepared statements by SQL text.
  private readonly cache = new Map<string, Statement>()
  // Generated SQL by a short shape key (range and count shapes: at most 18 entries).
  private readonly shapes = new Map<string, string>()

  constructor(readonly db: Database.Database) {}

  get(sql: string): Statement {
    let s = this.cache.get(sql)
    if (s === undefined) {
      s = this.db.prepare(sql)
      this.cache.set(sql, s)
    }
    return s
  }

  /** The statement for a generated query shape, building its SQL only the first time. */
  shaped(shapeKey: string, build: () => string): Statement {
    let sql = this.shapes.get(shapeKey)
    if (sql === undefined) {
      sql = build()
      this.shapes.set(shapeKey, sql)
    }
    return this.get(sql)
  }
}

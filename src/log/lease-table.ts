// Lease rows. A key's lease is recorded on its live row, so a lease's keys come from live.
import type { LeaseRow } from './rows.js'
import type { Statements } from './statements.js'

type SqlLease = { id: number; ttl: number; deadline_ms: number }

const toLease = (r: SqlLease): LeaseRow => ({ id: r.id, ttl: r.ttl, deadlineMs: r.deadline_ms })

export class LeaseTable {
  constructor(private readonly sql: Statements) {}

  get(id: number): LeaseRow | undefined {
    const r = this.sql.get('SELECT id, ttl, deadline_ms FROM lease WHERE id = ?').get(id) as SqlLease | undefined
    return r === undefined ? undefined : toLease(r)
  }

  all(): LeaseRow[] {
    return (this.sql.get('SELECT id, ttl, deadline_ms FROM lease ORDER BY id').all() as SqlLease[]).map(toLease)
  }

  keys(id: number): Buffer[] {
    return this.sql.get('SELECT key FROM live WHERE lease = ? ORDER BY key').pluck().all(id) as Buffer[]
  }

  expired(nowMs: number, limit: number): number[] {
    return this.sql
      .get('SELECT id FROM lease WHERE deadline_ms <= ? ORDER BY deadline_ms, id LIMIT CAST(? AS INTEGER)')
      .pluck()
      .all(nowMs, limit) as number[]
  }

  deadlineMin(): number | undefined {
    const v = this.sql.get('SELECT min(deadline_ms) FROM lease').pluck().get() as number | null
    return v ?? undefined
  }

  put(lease: LeaseRow): void {
    this.sql
      .get('INSERT OR REPLACE INTO lease (id, ttl, deadline_ms) VALUES (?, ?, ?)')
      .run(lease.id, lease.ttl, lease.deadlineMs)
  }

  delete(id: number): void {
    this.sql.get('DELETE FROM lease WHERE id = ?').run(id)
  }
}

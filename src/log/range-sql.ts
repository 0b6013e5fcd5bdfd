// SQL for range reads, built per query shape and cached as prepared statements by the caller.
//
// Current state comes from the live index (one row per live key, pointing at its log row).
// A historical read at revision R takes, per key, the newest log row with rev <= R and drops
// keys whose newest row is a tombstone (version 0).

// A LIMIT bound from JavaScript arrives as a floating-point value; SQLite then takes a much
// slower path (a point read costs 3x). Casting it keeps the integer fast path.
import type { Interval } from './rows.js'

const LIMIT = 'LIMIT CAST(@limit AS INTEGER)'

export type IntervalShape = 'point' | 'bounded' | 'unbounded'

/** The statement shape of an interval and its bound parameters. */
export function intervalShape(interval: Interval): { shape: IntervalShape; start: Buffer; end: Buffer | null } {
  if ('point' in interval) return { shape: 'point', start: interval.point, end: null }
  return { shape: interval.end === null ? 'unbounded' : 'bounded', start: interval.start, end: interval.end }
}

export interface RangeShape {
  interval: IntervalShape
  historical: boolean
  withValues: boolean
}

function keyCondition(column: string, shape: IntervalShape): string {
  switch (shape) {
    case 'point':
      return `${column} = @start`
    case 'bounded':
      return `${column} >= @start AND ${column} < @end`
    case 'unbounded':
      return `${column} >= @start`
  }
}

// Rows of g that are the newest version of their key at or below @rev: a seek per row in
// log_key_rev, so results stream in key order and LIMIT stops the scan early.
function newestAtRevision(shape: IntervalShape): string {
  return `${keyCondition('g.key', shape)} AND g.rev <= @rev AND g.version > 0
    AND NOT EXISTS (SELECT 1 FROM log n WHERE n.key = g.key AND n.rev > g.rev AND n.rev <= @rev)`
}

// A live entry agrees with the log row it points to (row-sum.ts: the index has no checksum of its own).
const AGREE = `(g.id IS NOT NULL AND g.key = l.key AND g.rev = l.mod_rev AND g.create_rev = l.create_rev
  AND g.version = l.version AND g.lease = l.lease) AS agree`

export function rangeSql(shape: RangeShape): string {
  const value = shape.withValues ? 'g.value' : 'NULL AS value'
  if (!shape.historical) {
    // LEFT JOIN: an entry whose log row is missing must be seen (and refused), not skipped.
    return `SELECT g.id, l.key, l.mod_rev, l.create_rev, l.version, l.lease, ${value}, g.sum, g.vsum, ${AGREE}
      FROM live l LEFT JOIN log g ON g.id = l.id
      WHERE ${keyCondition('l.key', shape.interval)} ORDER BY l.key ${LIMIT}`
  }
  const columns = `g.id, g.key, g.rev AS mod_rev, g.create_rev, g.version, g.lease, ${value}, g.sum, g.vsum, 1 AS agree`
  if (shape.interval === 'point') return `${pointAtRevision(columns)} ${LIMIT}`
  return `SELECT ${columns}
    FROM log g WHERE ${newestAtRevision(shape.interval)} ORDER BY g.key ${LIMIT}`
}

// One key at a revision: its newest row at or below it, if that is not a tombstone.
function pointAtRevision(columns: string): string {
  return `SELECT * FROM (SELECT ${columns} FROM log g WHERE g.key = @start AND g.rev <= @rev
    ORDER BY g.rev DESC LIMIT 1) WHERE version > 0`
}

export function countSql(interval: IntervalShape, historical: boolean): string {
  if (!historical) return `SELECT count(*) FROM live WHERE ${keyCondition('key', interval)}`
  if (interval === 'point') return `SELECT count(*) FROM (${pointAtRevision('g.version')})`
  return `SELECT count(*) FROM log g WHERE ${newestAtRevision(interval)}`
}

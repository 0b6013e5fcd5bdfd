// SQL for range reads, built per query shape and cached as prepared statements by the caller.
//
// Current state comes from the live index (one row per live key, pointing at its log row).
// A historical read at revision R takes, per key, the newest log row with rev <= R (a covering
// scan of log_key_rev) and drops keys whose newest row is a tombstone (version 0).

export type IntervalShape = 'point' | 'bounded' | 'unbounded'

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

function newestAtRevision(shape: IntervalShape): string {
  return `SELECT key AS k, max(rev) AS r FROM log WHERE ${keyCondition('key', shape)} AND rev <= @rev GROUP BY key`
}

export function rangeSql(shape: RangeShape): string {
  if (!shape.historical) {
    if (!shape.withValues) {
      return `SELECT key, mod_rev, create_rev, version, lease, NULL AS value FROM live
        WHERE ${keyCondition('key', shape.interval)} ORDER BY key LIMIT @limit`
    }
    return `SELECT l.key, l.mod_rev, l.create_rev, l.version, l.lease, g.value
      FROM live l JOIN log g ON g.id = l.id
      WHERE ${keyCondition('l.key', shape.interval)} ORDER BY l.key LIMIT @limit`
  }
  const value = shape.withValues ? 'g.value' : 'NULL AS value'
  return `SELECT g.key, g.rev AS mod_rev, g.create_rev, g.version, g.lease, ${value}
    FROM (${newestAtRevision(shape.interval)}) m JOIN log g ON g.key = m.k AND g.rev = m.r
    WHERE g.version > 0 ORDER BY g.key LIMIT @limit`
}

export function countSql(interval: IntervalShape, historical: boolean): string {
  if (!historical) return `SELECT count(*) FROM live WHERE ${keyCondition('key', interval)}`
  return `SELECT count(*) FROM (${newestAtRevision(interval)}) m JOIN log g ON g.key = m.k AND g.rev = m.r
    WHERE g.version > 0`
}

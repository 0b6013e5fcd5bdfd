// The SQL of a point read alone, without the store around it: where does a get's time go?
// Three statements on the same populated file, all through better-sqlite3 prepared statements:
// - `hand`: the join written by hand, `WHERE l.key = ?` (what get.bench.ts calls raw);
// - `store`: the exact text the store runs (src/log/range-sql.ts rangeSql for a current point
//   read with values: ORDER BY l.key and a bound LIMIT, named parameters, limit bound to 1);
// - `store-limit-literal`: the same text with the bound LIMIT replaced by a literal `LIMIT 1`.
//
// Estimate: all three are the same plan (SEARCH live by primary key, then log by rowid), so they
// should cost the same ~3-8 us. A bound LIMIT once cost 3x (a JS number binds as a float; the
// store now casts it to INTEGER): `store` close to `store-limit-literal` shows that it stays fixed.
import { Bench } from 'tinybench'
import { rangeSql } from '../../src/log/range-sql.js'
import { openRaw, rawGetter } from './raw-sqlite.js'
import { rng, benchKey } from '../support/rng.js'
import { summarize, type LatencySummary } from '../support/stats.js'

export interface PointSqlOptions {
  /** A store file populated with benchKey('pop', i) for i in [0, keyCount). */
  path: string
  keyCount: number
  timeMs: number
  warmupMs: number
}

export interface PointSqlRow {
  task: string
  latency: LatencySummary
}

export async function runPointSqlBench(o: PointSqlOptions): Promise<PointSqlRow[]> {
  const db = openRaw(o.path, 'strict')
  try {
    const next = rng(o.keyCount ^ 0x5a1)
    const keys = Array.from({ length: 4096 }, () => benchKey('pop', Math.floor(next() * o.keyCount)))
    const storeSql = rangeSql({ interval: 'point', historical: false, withValues: true })
    const store = db.prepare(storeSql)
    const literal = db.prepare(storeSql.replace(/LIMIT \S.*$/, 'LIMIT 1'))
    const hand = rawGetter(db)
    let i = 0
    const key = (): Buffer => keys[i++ % keys.length] as Buffer // modulo keeps it in range
    const found = (row: unknown): void => {
      if (row === undefined) throw new Error('bench: a populated key is missing')
    }
    const prefix = `log/point-sql/keys=${o.keyCount}`
    const bench = new Bench({ time: o.timeMs, warmupTime: o.warmupMs, iterations: 16, throws: true })
      .add(`${prefix}/hand`, () => found(hand(key())))
      .add(`${prefix}/store`, () => found(store.get({ start: key(), limit: 1 })))
      .add(`${prefix}/store-limit-literal`, () => found(literal.get({ start: key() })))
    await bench.run()
    return bench.tasks.map((t) => {
      const samples = t.result?.latency.samples
      if (samples === undefined) throw new Error(`bench: ${t.name} has no result`)
      return { task: t.name, latency: summarize(samples) }
    })
  } finally {
    db.close()
  }
}

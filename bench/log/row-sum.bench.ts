// What the row checksums (src/log/row-sum.ts, format 2) cost, as paired runs on one file:
// - range/keys=N: the current-state range with values, as format 1 read it (live JOIN log) against
//   format 2 (live LEFT JOIN log, sums selected, every row verified: a CRC-32 over its fields and
//   key, one over its value, and the index entry against the row).
// - keysOnly/keys=N: format 1 read the live index alone; format 2 also seeks each log row by id
//   to check the entry and the row's field checksum (values are not read).
// - put: one store.put with the sums computed (format 2) against the same INSERT without them
//   (measured as the cost of computing them, since the columns are always there).
//
// Estimate (N = 10,000, 256-byte values): CRC-32 runs at several GB/s, so ~0.1-0.2 us per row for
// ~300 bytes plus ~0.3 us of JS per row: +5-15 % on a full range (~2-4 us per row). keysOnly adds a
// rowid seek per row (~0.5-1 us): maybe 1.5-2x its old cost, still below a full range. A put pays
// ~1 us for two CRCs, against ~20-100 us per durable put: noise.
//
// Run: npx tsx bench/log/row-sum.bench.ts [--keys=10000] [--smoke]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Bench } from 'tinybench'
import Database from 'better-sqlite3'
import { openStore } from '../../src/index.js'
import { rowSum, valueSum, verifyRow } from '../../src/log/row-sum.js'

const smoke = process.argv.includes('--smoke')
const keysArg = process.argv.find((a) => a.startsWith('--keys='))
const N = keysArg === undefined ? (smoke ? 200 : 10_000) : Number(keysArg.slice('--keys='.length))
const ROUNDS = smoke ? 1 : 5

type Row = { key: Buffer; mod_rev: number; create_rev: number; version: number; lease: number; value: Buffer | null; sum: number | null; vsum: number | null; agree: number }

const FORMAT1_FULL = `SELECT l.key, l.mod_rev, l.create_rev, l.version, l.lease, g.value FROM live l JOIN log g ON g.id = l.id
  WHERE l.key >= ? ORDER BY l.key`
const FORMAT1_KEYS = 'SELECT key, mod_rev, create_rev, version, lease, NULL AS value FROM live WHERE key >= ? ORDER BY key'
const AGREE = `(g.id IS NOT NULL AND g.key = l.key AND g.rev = l.mod_rev AND g.create_rev = l.create_rev
  AND g.version = l.version AND g.lease = l.lease) AS agree`
const format2 = (value: string): string => `SELECT l.key, l.mod_rev, l.create_rev, l.version, l.lease, ${value}, g.sum, g.vsum, ${AGREE}
  FROM live l LEFT JOIN log g ON g.id = l.id WHERE l.key >= ? ORDER BY l.key`

function verified(rows: Row[], withValues: boolean): number {
  for (const r of rows) {
    if (r.agree !== 1) throw new Error('bench: index and log disagree')
    verifyRow({ key: r.key, rev: r.mod_rev, createRev: r.create_rev, version: r.version, lease: r.lease }, withValues ? r.value : undefined, r.sum, r.vsum, false)
  }
  return rows.length
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'etchlog-bench-'))
  try {
    const path = join(dir, 'etchlog.db')
    const store = await openStore({ path, durability: 'relaxed' })
    const value = Buffer.alloc(256, 'v')
    for (let i = 0; i < N; i += 100) {
      await store.txn({ success: Array.from({ length: Math.min(100, N - i) }, (_, j) => ({ put: { key: `pop/${String(i + j).padStart(6, '0')}`, value } })) })
    }
    const db = new Database(path, { readonly: true })
    const start = Buffer.from('pop/')
    const s1full = db.prepare(FORMAT1_FULL)
    const s1keys = db.prepare(FORMAT1_KEYS)
    const s2full = db.prepare(format2('g.value'))
    const s2keys = db.prepare(format2('NULL AS value'))
    const results: Record<string, number[]> = {}
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({ iterations: smoke ? 2 : 20, warmupIterations: smoke ? 0 : 3, time: 0 })
      bench
        .add(`range/keys=${N}/format1`, () => void (s1full.all(start) as Row[]).length)
        .add(`range/keys=${N}/format2`, () => void verified(s2full.all(start) as Row[], true))
        .add(`keysOnly/keys=${N}/format1`, () => void (s1keys.all(start) as Row[]).length)
        .add(`keysOnly/keys=${N}/format2`, () => void verified(s2keys.all(start) as Row[], false))
        .add('put/sums only', () => {
          const vsum = valueSum(value)
          rowSum({ key: start, rev: 5, createRev: 5, version: 1, lease: 0 }, vsum, true)
        })
      let i = 0
      bench.add('put/store (relaxed)', async () => {
        await store.put(`put/${i++ % 1000}`, value)
      })
      await bench.run()
      for (const task of bench.tasks) {
        const p50 = task.result?.latency.p50
        if (p50 !== undefined) (results[task.name] ??= []).push(p50)
      }
    }
    db.close()
    await store.close()
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
    for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(28)} p50 ${med(xs).toFixed(4)} ms`)
    for (const v of ['range', 'keysOnly']) {
      const a = med(results[`${v}/keys=${N}/format1`] ?? [])
      const b = med(results[`${v}/keys=${N}/format2`] ?? [])
      console.log(`${v}: format 2 / format 1 = ${(b / a).toFixed(2)}x (${(((b - a) / N) * 1000).toFixed(3)} us per row)`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()

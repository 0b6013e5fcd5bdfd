// Corruption campaign (issue 16): copies of a populated database get bytes flipped, zeroed or
// shuffled at random offsets in the log table, the indexes, the header and the WAL. Every read
// afterwards must return what was written (as of the revision the store answers at) or fail with
// a typed error: never a different answer. Counts are printed.
// ETCHLOG_CORRUPTION_TRIALS (default 48) sets the number of copies; ETCHLOG_CORRUPTION_SEED the seed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openStore, StorageError, type Store } from '../../src/index.js'
import { tempDir } from '../support/temp-store.js'

const TRIALS = Number(process.env['ETCHLOG_CORRUPTION_TRIALS'] ?? 48)
const SEED = Number(process.env['ETCHLOG_CORRUPTION_SEED'] ?? Math.floor(Math.random() * 2 ** 31))

function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Every write made, by revision: the model answers "what was written, as of revision R". */
interface Written {
  rev: number
  key: string
  value: string | null
}

async function populate(path: string, random: () => number): Promise<{ store: Store; writes: Written[] }> {
  const store = await openStore({ path, checkpointThread: false })
  const writes: Written[] = []
  for (let i = 0; i < 400; i++) {
    const key = `key/${Math.floor(random() * 120)
      .toString()
      .padStart(3, '0')}`
    if (random() < 0.1) {
      const r = await store.deleteRange({ key })
      if (r.deleted > 0) writes.push({ rev: r.revision, key, value: null })
    } else {
      const value = `${key}=${i};`.repeat(1 + Math.floor(random() * (random() < 0.1 ? 400 : 20)))
      writes.push({ rev: (await store.put(key, value)).revision, key, value })
    }
    if (i === 200) await store.compact(store.revision, { physical: true })
  }
  return { store, writes }
}

function modelAt(writes: readonly Written[], rev: number): Map<string, string> {
  const m = new Map<string, string>()
  for (const w of writes) {
    if (w.rev > rev) break
    if (w.value === null) m.delete(w.key)
    else m.set(w.key, w.value)
  }
  return m
}

type Region = 'header' | 'log' | 'index' | 'wal'
type Damage = 'flip' | 'zero' | 'shuffle'

/** Byte ranges of the database file per region (dbstat), and the WAL file. */
function regions(path: string): Record<Exclude<Region, 'wal'>, Array<[number, number]>> {
  const db = new Database(path, { readonly: true })
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number
    const pages = db.prepare('SELECT name, pageno FROM dbstat').all() as Array<{ name: string; pageno: number }>
    const of = (names: string[]): Array<[number, number]> =>
      pages.filter((p) => names.includes(p.name)).map((p) => [(p.pageno - 1) * pageSize, p.pageno * pageSize])
    return { header: [[0, 100]], log: of(['log']), index: of(['live', 'log_key_rev', 'sqlite_autoindex_live_1']) }
  } finally {
    db.close()
  }
}

function damage(bytes: Buffer, from: number, to: number, kind: Damage, random: () => number): void {
  const at = from + Math.floor(random() * (to - from))
  const lengthMax = random() < 0.2 ? 4096 : 64
  const length = Math.max(1, Math.min(1 + Math.floor(random() * lengthMax), to - at))
  if (kind === 'flip') bytes[at] = (bytes[at] ?? 0) ^ (1 + Math.floor(random() * 255))
  else if (kind === 'zero') bytes.fill(0, at, at + length)
  else {
    const other = from + Math.floor(random() * Math.max(1, to - from - length))
    const a = Buffer.from(bytes.subarray(at, at + length))
    bytes.copy(bytes, at, other, other + length)
    a.copy(bytes, other)
  }
}

// missed: rows left out (never a changed one) after index damage, which store.check() must find.
type Outcome = 'intact' | 'typed' | 'missed' | 'wrong'

/** Reads everything back from a damaged copy. */
async function readBack(path: string, writes: readonly Written[], random: () => number): Promise<{ outcome: Outcome; detail: string }> {
  let store: Store
  try {
    store = await openStore({ path, checkpointThread: false })
  } catch (err) {
    if (err instanceof StorageError) return { outcome: 'typed', detail: err.message }
    throw err
  }
  let typedFailures = 0
  let detail = ''
  // Rows a read left out that were written (index damage, see docs/corruption.md).
  let missing = 0
  const typed = (err: unknown): void => {
    if (!(err instanceof StorageError)) throw err
    typedFailures++
    detail ||= err.message
  }
  try {
    const rev = store.revision
    const model = modelAt(writes, rev)
    const keys = [...new Set(writes.map((w) => w.key))]
    for (const key of keys) {
      try {
        const kv = await store.get(key)
        const got = kv === undefined ? undefined : Buffer.from(kv.value).toString()
        if (got === undefined && model.has(key)) missing++
        else if (got !== model.get(key)) return { outcome: 'wrong', detail: `get ${key} at ${rev}: ${got?.slice(0, 20)} != ${model.get(key)?.slice(0, 20)}` }
      } catch (err) {
        typed(err)
      }
    }
    for (const keysOnly of [false, true]) {
      try {
        const r = await store.range({ key: 'key/', prefix: true, keysOnly })
        const got = r.kvs.map((kv) => `${Buffer.from(kv.key).toString()}=${keysOnly ? '' : Buffer.from(kv.value).toString()}`)
        const want = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${keysOnly ? '' : v}`)
        const wanted = new Set(want)
        if (got.some((row) => !wanted.has(row))) return { outcome: 'wrong', detail: `range keysOnly=${keysOnly}: a row that was not written` }
        if (got.join('|') !== want.filter((row) => got.includes(row)).join('|')) return { outcome: 'wrong', detail: `range keysOnly=${keysOnly}: out of order` }
        missing += want.length - got.length
      } catch (err) {
        typed(err)
      }
    }
    const at = Math.max(store.compactRevision + 1, Math.floor(rev - random() * 100))
    const old = modelAt(writes, at)
    for (const key of keys.slice(0, 40)) {
      try {
        const kv = await store.get(key, { revision: at })
        const got = kv === undefined ? undefined : Buffer.from(kv.value).toString()
        if (got === undefined && old.has(key)) missing++
        else if (got !== old.get(key)) return { outcome: 'wrong', detail: `get ${key} at ${at}: ${got?.slice(0, 20)} != ${old.get(key)?.slice(0, 20)}` }
      } catch (err) {
        typed(err)
      }
    }
    if (missing > 0) {
      // A read left rows out without an error: check() must find the damage.
      const report = await store.check().catch((err: unknown) => {
        typed(err)
        return { ok: false, problems: [String(err)] }
      })
      if (report.ok) return { outcome: 'wrong', detail: `${missing} rows left out and check() found nothing` }
      return { outcome: 'missed', detail: report.problems[0] ?? '' }
    }
    // A write on a file found corrupt is refused; on a file that looked whole it may go through.
    try {
      await store.put('after', 'damage')
      if (typedFailures > 0) return { outcome: 'wrong', detail: 'a write was accepted on a file known to be corrupt' }
    } catch (err) {
      typed(err)
    }
  } finally {
    await store.close().catch(typed)
  }
  return { outcome: typedFailures > 0 ? 'typed' : missing > 0 ? 'missed' : 'intact', detail }
}

test(`corruption campaign: ${TRIALS} damaged copies, every read right or typed (seed ${SEED})`, async (t) => {
  const dir = tempDir()
  t.after(() => dir.remove())
  const random = rng(SEED)
  const source = join(dir.path, 'source.db')
  const { store, writes } = await populate(source, random)
  // Copied while open: the WAL holds the newest commits (a crash image, which SQLite recovers).
  const walImage = readFileSync(source)
  const wal = existsSync(`${source}-wal`) ? readFileSync(`${source}-wal`) : Buffer.alloc(0)
  assert.ok(wal.length > 0, 'the open store has a WAL to damage')
  // Closed: everything checkpointed into the database file, which the other regions damage.
  await store.close()
  const original = readFileSync(source)
  writeFileSync(join(dir.path, 'pristine.db'), original)
  const where = regions(join(dir.path, 'pristine.db'))
  const counts: Record<string, number> = {}
  const wrong: string[] = []
  for (let i = 0; i < TRIALS; i++) {
    const region = (['header', 'log', 'index', 'wal'] as const)[i % 4] as Region
    const kind = (['flip', 'zero', 'shuffle'] as const)[Math.floor(random() * 3)] as Damage
    const db = Buffer.from(region === 'wal' ? walImage : original)
    const w = region === 'wal' ? Buffer.from(wal) : Buffer.alloc(0)
    if (region === 'wal') {
      damage(w, 32, w.length, kind, random)
    } else {
      const spans = where[region]
      const span = spans[Math.floor(random() * spans.length)]
      if (span !== undefined) damage(db, span[0], Math.min(span[1], db.length), kind, random)
    }
    const path = join(dir.path, `copy-${i}.db`)
    writeFileSync(path, db)
    if (w.length > 0) writeFileSync(`${path}-wal`, w)
    const { outcome, detail } = await readBack(path, writes, random)
    const name = `${region}/${kind}/${outcome}`
    counts[name] = (counts[name] ?? 0) + 1
    if (outcome === 'wrong') wrong.push(`trial ${i} ${region} ${kind}: ${detail}`)
  }
  t.diagnostic(`seed ${SEED}: ${JSON.stringify(counts)}`)
  assert.deepEqual(wrong, [], `wrong answers (seed ${SEED})`)
})

// Writes while a physical compaction removes a large history: "no single write waits more than
// ~50 ms behind compaction". Default history: 50,000 keys x 4 versions = 200,000 log rows of
// 256-byte values, of which compact(revision, { physical: true }) removes the 150,000 superseded
// ones and then returns the freed pages to the file system.
//
// Estimate (fsync 0.2-0.45 ms here, 2 shared cores). Removal runs in steps of at most
// compactionBatchRowsMax = 500 scanned rows, each its own transaction: ~500 id-ordered reads
// plus ~375 "newer version?" probes and ~375 deletes (each touching log and log_key_rev), about
// 5-10 us each, so ~5-10 ms of CPU, plus one commit whose WAL append is ~50-100 dirtied pages
// (~0.3-0.5 MB) and one fsync. 200,000 rows / 500 = 400 steps, ~3-6 s. Then incremental vacuum in
// steps of 128 pages: ~150,000 x ~330 B = ~50 MB = ~12,000 pages, ~100 steps of a few ms each.
// The writer and the compactor take turns on the event loop (both schedule with setImmediate), so
// a write waits for at most one step in progress plus its own commit: p50 goes from ~0.3-0.5 ms
// to a few ms (half a step on average), p99 to about one step (~10-20 ms), and max stays well
// under 50 ms, unless a WAL checkpoint blocks the main thread; it runs on a worker thread
// (src/log/checkpointer.ts, PASSIVE, never blocks writers), so it should not. With 8 writers the
// waits are the same, shared by a group commit of up to 8 puts.
//
// Seen on first runs (2026-11-30): steps are faster than estimated (~2-3 ms; 150,000 rows gone in
// ~1.3-1.8 s), and the rare ~30 ms waits are not steps: the WAL grows to the main connection's
// backstop (wal_autocheckpoint 16,384 pages, ~64 MiB) during compaction, apparently as the worker's
// PASSIVE checkpoints never catch up with the next commit, and that checkpoint runs inside a write.
//
// Closed-loop writers, not tinybench: the writers must run through a compaction of unknown
// length. Each round, for each writer count, copies a populated store file (populated once,
// through the store), reopens it with durability 'strict', runs the writers for a baseline phase
// with nothing else running, then again from compact() to its completion. Baseline and
// compaction share the file and the minute, so the ratio between them is paired per round.
import Database from 'better-sqlite3'
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, rmSync, statSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { openStore, type Store } from '../../src/index.js'
import { benchKey, valuePool } from '../support/rng.js'
import { median, summarize, type LatencySummary } from '../support/stats.js'
import { tempDir } from '../support/temp.js'

export interface CompactionBenchOptions {
  /** History: keys x versions log rows. */
  keys: number
  versions: number
  writers: readonly number[]
  rounds: number
  /** Writers run this long before each measured phase (not measured). */
  warmupMs: number
  /** Length of the baseline phase; the compaction phase lasts as long as the compaction. */
  baselineMs: number
}

/** One writer count, one round. */
export interface CompactionRound {
  baseline: LatencySummary
  during: LatencySummary
  baselinePutsPerSec: number
  duringPutsPerSec: number
  compactionMs: number
  rowsRemoved: number
  dbSizeBefore: number
  dbSizeInUseBefore: number
  dbSizeAfter: number
  dbSizeInUseAfter: number
}

export interface CompactionRow {
  writers: number
  historyRows: number
  baselineTask: string
  duringTask: string
  rounds: CompactionRound[]
}

export interface CompactionResult {
  keys: number
  versions: number
  populateS: number
  populateOpsPerSec: number
  /** Size of the populated file (closed, no WAL). */
  fileBytes: number
  rows: CompactionRow[]
}

export const LATENCY_TARGET_MS = 50

const values = valuePool(1024, 256, 0xc0ac7)
const valueAt = (i: number): Buffer => values[i % values.length] as Buffer // modulo keeps it in range

/** Puts every key `versions` times through the store (relaxed, 512 in flight), then closes it. */
async function populateHistory(path: string, keys: number, versions: number): Promise<number> {
  const store = await openStore({ path, durability: 'relaxed' })
  const start = performance.now()
  try {
    let next = 0
    const total = keys * versions
    const loop = async (): Promise<void> => {
      while (next < total) {
        const n = next++
        await store.put(benchKey('hist', n % keys), valueAt(n))
      }
    }
    await Promise.all(Array.from({ length: 512 }, loop))
  } finally {
    await store.close()
  }
  return ((keys * versions) / (performance.now() - start)) * 1000
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Copies a closed store's file; a leftover -wal would hold rows the copy lacks. */
function copyClosedStore(from: string, to: string): void {
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(from + suffix)) throw new Error(`bench: ${from}${suffix} left behind after close; copying the main file alone would lose rows`)
  }
  copyFileSync(from, to)
  // Flush the copy now, so its write-back does not land on the measured fsyncs.
  fsyncFile(to)
}

/**
 * Runs `writers` closed-loop put loops on new keys; after warmupMs calls `during` and records the
 * latency of every put submitted while it runs. Returns once `during` and every loop are done.
 */
async function measureWrites(
  store: Store,
  writers: number,
  warmupMs: number,
  keyPrefix: string,
  during: () => Promise<void>,
): Promise<{ latency: LatencySummary; putsPerSec: number; elapsedMs: number }> {
  const latenciesMs: number[] = []
  let from = Number.POSITIVE_INFINITY
  let until = Number.POSITIVE_INFINITY
  let next = 0
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      const i = next++
      const t0 = performance.now()
      await store.put(benchKey(keyPrefix, i), valueAt(i))
      if (t0 >= from && t0 < until) latenciesMs.push(performance.now() - t0)
    }
  }
  const loops = Promise.all(Array.from({ length: writers }, loop))
  await sleep(warmupMs)
  from = performance.now()
  await during()
  until = performance.now()
  await loops
  const elapsedMs = until - from
  return { latency: summarize(latenciesMs), putsPerSec: (latenciesMs.length / elapsedMs) * 1000, elapsedMs }
}

async function runRound(path: string, writers: number, o: CompactionBenchOptions): Promise<CompactionRound> {
  const store = await openStore({ path, durability: 'strict' })
  const reader = new Database(path, { readonly: true })
  try {
    const countUpTo = reader.prepare('SELECT count(*) FROM log WHERE rev <= ?').pluck()
    const baseline = await measureWrites(store, writers, o.warmupMs, 'base', () => sleep(o.baselineMs))
    const before = await store.status()
    let revision = 0
    let rowsBefore = 0
    let compactionMs = 0
    const during = await measureWrites(store, writers, o.warmupMs, 'during', async () => {
      // The whole history, and the writers' own rows so far (new keys: nothing of theirs goes).
      revision = store.revision
      rowsBefore = countUpTo.get(revision) as number
      const t0 = performance.now()
      await store.compact(revision, { physical: true })
      compactionMs = performance.now() - t0
    })
    const after = await store.status()
    const rowsRemoved = rowsBefore - (countUpTo.get(revision) as number)
    return {
      baseline: baseline.latency,
      during: during.latency,
      baselinePutsPerSec: baseline.putsPerSec,
      duringPutsPerSec: during.putsPerSec,
      compactionMs,
      rowsRemoved,
      dbSizeBefore: before.dbSize,
      dbSizeInUseBefore: before.dbSizeInUse,
      dbSizeAfter: after.dbSize,
      dbSizeInUseAfter: after.dbSizeInUse,
    }
  } finally {
    // The reader closes first: the store's close (last connection) then removes its WAL.
    reader.close()
    await store.close()
  }
}

export async function runCompactionBench(o: CompactionBenchOptions, progress: (line: string) => void = () => {}): Promise<CompactionResult> {
  const dir = tempDir()
  try {
    const template = dir.file('history.db')
    const t0 = performance.now()
    const populateOpsPerSec = await populateHistory(template, o.keys, o.versions)
    fsyncFile(template)
    const populateS = (performance.now() - t0) / 1000
    const history = `${o.keys}x${o.versions}`
    progress(`  populated ${o.keys * o.versions} rows (${history}) in ${populateS.toFixed(1)} s`)
    const rows: CompactionRow[] = o.writers.map((writers) => ({
      writers,
      historyRows: o.keys * o.versions,
      baselineTask: `compaction/history=${history}/writers=${writers}/baseline`,
      duringTask: `compaction/history=${history}/writers=${writers}/during-physical-compact`,
      rounds: [],
    }))
    for (let round = 0; round < o.rounds; round++) {
      for (const row of rows) {
        const path = dir.file(`round-${round}-w${row.writers}.db`)
        copyClosedStore(template, path)
        const r = await runRound(path, row.writers, o)
        row.rounds.push(r)
        progress(
          `  round ${round + 1}/${o.rounds} writers=${row.writers}: compaction ${(r.compactionMs / 1000).toFixed(2)} s, ` +
            `write p99 ${r.baseline.p99.toFixed(2)} -> ${r.during.p99.toFixed(2)} ms, max ${r.baseline.max.toFixed(1)} -> ${r.during.max.toFixed(1)} ms`,
        )
        for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true })
      }
    }
    return { keys: o.keys, versions: o.versions, populateS, populateOpsPerSec, fileBytes: statSync(template).size, rows }
  } finally {
    dir.remove()
  }
}

/** Median over rounds of one figure. */
export const overRounds = (row: CompactionRow, f: (r: CompactionRound) => number): number => median(row.rounds.map(f))

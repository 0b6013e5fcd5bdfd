// Durable puts (durability 'strict'): the store against raw better-sqlite3 writing the same rows.
//
// Estimate (fsync 0.2-0.45 ms here, 2 shared cores):
// - writers=1: every put is its own transaction and waits for its own fsync, so raw SQLite tops
//   out at ~2,000-4,000 commits/s. The store adds a setImmediate hop, request checks and promise
//   resolution, ~20-40 us on a ~300 us commit, so it should reach ~0.9x raw.
// - writers=64: group commit puts every put queued during a commit into the next one, so with
//   64 loops each batch holds ~64 puts and one fsync serves them all. Then the CPU bounds it: raw
//   'same-rows' is ~3 statements x ~5 us per row (~40-60k rows/s); the store adds per put the
//   request normalisation, a closure, a promise and its continuation (~10-15 us), which on
//   ~20 us of SQL gives ~0.6x. The target is >= 0.6x raw 'same-rows'.
// - writers=8: batches of ~8, so still mostly fsync-bound: raw ~8 x 2,000-4,000 commits/s, i.e.
//   ~15-30k rows/s; the store's per-put overhead is a smaller share of a commit than at 64, but
//   its setImmediate hop before each commit is not amortised as well: ~0.6-0.8x.
// - writers=256: batches of ~256, fully CPU-bound as at 64 (the fsync is now ~5 % of a batch):
//   ~0.6x raw 'same-rows', with each put waiting for a whole batch (~256 x ~20-35 us, 5-9 ms).
//
// - etcd (when installed, bench/support/etcd.ts): the same N loops, each awaiting a gRPC Put over
//   loopback, measured in the same rounds. etcd batches a raft entry and a bbolt commit (one
//   fsync each for the WAL and the backend) over ~100-300 us of gRPC and raft work per put on the
//   client's and server's shared 2 cores: ~1k puts/s at 1 writer, ~5-8k/s at 64 and beyond
//   (reference/etcd-baseline.md saw 924 and 5,974), so the store should be ~3-10x etcd.
//
// Closed-loop phases, not tinybench: see bench/support/closed-loop.ts for why.
import type Database from 'better-sqlite3'
import { openStore, type Store } from '../../src/index.js'
import { openRaw, RawPutter, type RawVariant } from '../log/raw-sqlite.js'
import { CommitCounter, pairedRatio, runRounds, type Contender, type ContenderResult, type PhaseResult } from '../support/closed-loop.js'
import type { EtcdClient } from '../support/etcd.js'
import { benchKey, valuePool } from '../support/rng.js'
import { tempDir } from '../support/temp.js'

export const VALUE_BYTES = 256

export interface PutBenchOptions {
  writers: readonly number[]
  rounds: number
  warmupMs: number
  phaseMs: number
  /** Length of the store-only phase that measures the batch size raw SQLite then uses. */
  calibrationMs: number
  /** Real etcd, measured as a fourth contender in the same rounds. */
  etcd?: EtcdClient
}

export interface PutRow {
  task: string
  result: ContenderResult
}

export interface PutGroup {
  writers: number
  /** Rows per raw transaction. */
  rawBatch: number
  /** How rawBatch was chosen. */
  rawBatchSource: string
  /** Puts per commit the store achieved over the measured phases. */
  storeBatch: number
  store: PutRow
  rawLogOnly: PutRow
  rawSameRows: PutRow
  ratioVsLogOnly: number
  ratioVsSameRows: number
  /** Present when etcd ran: its row, and the paired ratio store / etcd. */
  etcd?: PutRow
  ratioVsEtcd?: number
}

const values = valuePool(1024, VALUE_BYTES)
const valueAt = (i: number): Buffer => values[i % values.length] as Buffer // modulo keeps it in range

class StoreContender implements Contender {
  private next = 0

  constructor(
    readonly name: string,
    private readonly store: Store,
    private readonly writers: number,
  ) {}

  async phase(durationMs: number): Promise<PhaseResult> {
    const latenciesMs: number[] = []
    const counter = new CommitCounter()
    const start = performance.now()
    const end = start + durationMs
    const loop = async (): Promise<void> => {
      while (performance.now() < end) {
        const i = this.next++
        const t0 = performance.now()
        await this.store.put(benchKey('store', i), valueAt(i))
        latenciesMs.push(performance.now() - t0)
        counter.resolved()
      }
    }
    await Promise.all(Array.from({ length: this.writers }, loop))
    return { ops: latenciesMs.length, elapsedMs: performance.now() - start, latenciesMs, commits: counter.commits }
  }
}

/** N loops each awaiting a gRPC Put to etcd, on keys no other contender uses. */
class EtcdContender implements Contender {
  private next = 0

  constructor(
    readonly name: string,
    private readonly client: EtcdClient,
    private readonly writers: number,
  ) {}

  async phase(durationMs: number): Promise<PhaseResult> {
    const latenciesMs: number[] = []
    const start = performance.now()
    const end = start + durationMs
    const prefix = `etcd-w${this.writers}`
    const loop = async (): Promise<void> => {
      while (performance.now() < end) {
        const i = this.next++
        const t0 = performance.now()
        await this.client.put({ key: benchKey(prefix, i), value: valueAt(i) })
        latenciesMs.push(performance.now() - t0)
      }
    }
    await Promise.all(Array.from({ length: this.writers }, loop))
    // etcd's batching is not visible from the client: one put per "commit" here.
    return { ops: latenciesMs.length, elapsedMs: performance.now() - start, latenciesMs, commits: latenciesMs.length }
  }
}

class RawContender implements Contender {
  private next = 0
  private readonly putter: RawPutter

  constructor(
    readonly name: string,
    db: Database.Database,
    variant: RawVariant,
    private readonly batch: number,
  ) {
    this.putter = new RawPutter(db, variant)
  }

  async phase(durationMs: number): Promise<PhaseResult> {
    const latenciesMs: number[] = []
    const start = performance.now()
    const end = start + durationMs
    let ops = 0
    while (performance.now() < end) {
      const keys = Array.from({ length: this.batch }, (_, j) => benchKey('raw', this.next + j))
      const first = this.next
      this.next += this.batch
      const t0 = performance.now()
      this.putter.putBatch(keys, (j) => valueAt(first + j))
      latenciesMs.push(performance.now() - t0)
      ops += this.batch
    }
    return { ops, elapsedMs: performance.now() - start, latenciesMs, commits: latenciesMs.length }
  }
}

async function runWriters(writers: number, o: PutBenchOptions, file: (name: string) => string): Promise<PutGroup> {
  const store = await openStore({ path: file(`store-w${writers}.db`), durability: 'strict' })
  const dbs: Database.Database[] = []
  try {
    const storeC = new StoreContender(`put/strict/writers=${writers}/store`, store, writers)
    let rawBatch = 1
    let rawBatchSource = '1 row per transaction (one writer)'
    if (writers > 1) {
      const cal = await storeC.phase(o.calibrationMs)
      rawBatch = Math.max(1, Math.round(cal.ops / cal.commits))
      rawBatchSource = `store's puts per commit in a ${o.calibrationMs} ms calibration phase (${cal.ops} puts / ${cal.commits} commits)`
    }
    const raw = (variant: RawVariant): RawContender => {
      const db = openRaw(file(`raw-${variant}-w${writers}.db`), 'strict')
      dbs.push(db)
      return new RawContender(`put/strict/writers=${writers}/raw-${variant}/batch=${rawBatch}`, db, variant, rawBatch)
    }
    const contenders: Contender[] = [storeC, raw('log-only'), raw('same-rows')]
    if (o.etcd !== undefined) contenders.push(new EtcdContender(`put/strict/writers=${writers}/etcd`, o.etcd, writers))
    const [s, a, b, e] = await runRounds(contenders, o)
    if (s === undefined || a === undefined || b === undefined) throw new Error('bench: runRounds lost a contender')
    if (o.etcd !== undefined && e === undefined) throw new Error('bench: runRounds lost the etcd contender')
    await store.flush()
    const withEtcd = e === undefined ? {} : { etcd: { task: e.name, result: e }, ratioVsEtcd: pairedRatio(s, e) }
    return {
      ...withEtcd,
      writers,
      rawBatch,
      rawBatchSource,
      storeBatch: s.ops / s.commits,
      store: { task: s.name, result: s },
      rawLogOnly: { task: a.name, result: a },
      rawSameRows: { task: b.name, result: b },
      ratioVsLogOnly: pairedRatio(s, a),
      ratioVsSameRows: pairedRatio(s, b),
    }
  } finally {
    await store.close()
    for (const db of dbs) db.close()
  }
}

export async function runPutBench(o: PutBenchOptions): Promise<PutGroup[]> {
  const dir = tempDir()
  try {
    const groups: PutGroup[] = []
    for (const w of o.writers) groups.push(await runWriters(w, o, dir.file))
    return groups
  } finally {
    dir.remove()
  }
}

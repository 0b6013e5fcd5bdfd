// Compare-and-swap under contention: N clients each loop on read-modify-write increments of one of
// K hot counters through store.txn, the way the Kubernetes API server updates an object:
//   compare MOD == the modRevision the client last saw, success: put value+1,
//   failure: range the key (the fresh value and modRevision, for the retry).
// A client picks its next key from a seeded generator, reads it (store.get), and retries that key
// until it commits; latency runs from that read to the commit.
//
// Estimate (durability 'strict', fsync 0.2-0.45 ms, 2 shared cores, 64 clients):
// - Every txn goes through the group-commit writer, and compares are decided in queue order
//   inside the batch, so per batch and per key only the first txn with the current MOD wins; the
//   rest fail and retry with the value their failure branch read (already the winner's).
// - K=1: ~1 success per commit. A batch still holds ~64 txns (one fsync plus ~64 x ~20-60 us of
//   request checks, compare, range or put and promise work, ~2-5 ms), so ~200-500 increments/s,
//   conflict rate ~63/64 ~ 98 %, and a client waits for its turn among 64: p50 ~ 64 batches / 2,
//   i.e. ~100-150 ms, p99 a few times that.
// - K=16: ~16 winners per batch of 64: ~8-12k increments/s, conflicts ~75 %.
// - K=256: 64 picks out of 256 keys hit ~57 distinct keys (256 (1 - (255/256)^64)), so
//   conflicts ~10 % and throughput approaches the 64-writer put figure (~25-40k/s) minus the
//   compare and the failed txns' reads.
// - etcd (when installed): the same clients and loop through gRPC (Range, then Txn with the same
//   compare and branches), in the same rounds as the store, order alternating. etcd applies one
//   txn per raft entry batch in order too, so the conflict pattern is alike; its throughput is
//   bounded by its ~5-8k txns/s over gRPC, so ~100-200 increments/s at K=1, ~1.5-2.5k at K=16 and
//   ~4-6k at K=256; the store should be several times faster at every K.
// At the end the counters must sum to the increments committed (warm-up included): a lost or
// doubled increment would be a CAS bug, so the bench throws.
//
// Closed-loop phases (bench/support/closed-loop.ts explains why not tinybench).
import { openStore, type KeyValue, type Store, type TxnRequest, type TxnResponse } from '../../src/index.js'
import type { EtcdClient } from '../support/etcd.js'
import { rng, SEED } from '../support/rng.js'
import { benchKey } from '../support/rng.js'
import { median, summarize, type LatencySummary } from '../support/stats.js'
import { tempDir } from '../support/temp.js'

export interface CasBenchOptions {
  clients: number
  hotKeys: readonly number[]
  rounds: number
  warmupMs: number
  phaseMs: number
  /** Real etcd, run in the same rounds as the store. */
  etcd?: EtcdClient
}

/** One contender's figures for one hot-key count. */
export interface CasSide {
  task: string
  /** Committed increments per second, per measured round. */
  incrementsPerSec: number[]
  /** Failed txns / all txns over the measured rounds. */
  conflictRate: number
  /** Txns per committed increment (1 = no retries). */
  attemptsPerIncrement: number
  /** First attempt to successful commit, per committed increment (ms). */
  latency: LatencySummary
  /** Counters' sum read back at the end; equals every increment committed (warm-up included). */
  counterSum: number
}

export interface CasRow extends CasSide {
  clients: number
  hotKeys: number
  /** Present when etcd ran, with the paired ratio store / etcd (median over rounds). */
  etcd?: CasSide
  ratioVsEtcd?: number
}

/** What a CAS client needs: the store and the etcd client both fit. */
interface CasTarget {
  get(key: Buffer): Promise<KeyValue | undefined>
  txn(t: TxnRequest): Promise<TxnResponse>
  /** Every counter under the prefix, read back at the end. */
  counters(prefix: string): Promise<KeyValue[]>
}

const storeTarget = (store: Store): CasTarget => ({
  get: (key) => store.get(key),
  txn: (t) => store.txn(t),
  counters: async (prefix) => (await store.range({ key: prefix, prefix: true })).kvs,
})

const etcdTarget = (client: EtcdClient): CasTarget => ({
  get: async (key) => (await client.range({ key })).kvs[0],
  txn: (t) => client.txn(t),
  counters: async (prefix) => (await client.range({ key: prefix, prefix: true })).kvs,
})

const decode = (value: Uint8Array): number => Number(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString())

/** The increment loops of one contender; counts survive across phases for the final check. */
class CasContender {
  committedTotal = 0
  readonly incrementsPerSec: number[] = []
  readonly latenciesMs: number[] = []
  ok = 0
  failed = 0

  constructor(
    readonly task: string,
    private readonly target: CasTarget,
    private readonly prefix: string,
    private readonly hotKeys: number,
    private readonly clients: number,
  ) {}

  private key(k: number): Buffer {
    return benchKey(this.prefix, k)
  }

  async create(): Promise<void> {
    // One put each, so each counter has its own modRevision.
    await Promise.all(Array.from({ length: this.hotKeys }, (_, k) => this.target.txn({ success: [{ put: { key: this.key(k), value: '0' } }] })))
  }

  /** A measured phase when `measured`, else a warm-up whose figures are dropped. */
  async phase(durationMs: number, measured: boolean): Promise<void> {
    let ok = 0
    let failed = 0
    const start = performance.now()
    const end = start + durationMs
    const client = async (c: number): Promise<void> => {
      const next = rng(SEED + c * 7919 + this.hotKeys)
      while (performance.now() < end) {
        const key = this.key(Math.floor(next() * this.hotKeys))
        const t0 = performance.now()
        const kv = await this.target.get(key)
        if (kv === undefined) throw new Error('bench: a counter is missing')
        let cur = { mod: kv.modRevision, value: decode(kv.value) }
        for (;;) {
          const r = await this.target.txn({
            compare: [{ key, target: 'MOD', result: 'EQUAL', value: cur.mod }],
            success: [{ put: { key, value: String(cur.value + 1) } }],
            failure: [{ range: { key } }],
          })
          if (r.succeeded) {
            ok++
            this.committedTotal++
            if (measured) this.latenciesMs.push(performance.now() - t0)
            break
          }
          failed++
          const first = r.responses[0]
          const fresh = first !== undefined && 'range' in first ? first.range.kvs[0] : undefined
          if (fresh === undefined) throw new Error('bench: a failed CAS returned no fresh counter')
          cur = { mod: fresh.modRevision, value: decode(fresh.value) }
        }
      }
    }
    await Promise.all(Array.from({ length: this.clients }, (_, c) => client(c)))
    if (!measured) return
    this.incrementsPerSec.push((ok / (performance.now() - start)) * 1000)
    this.ok += ok
    this.failed += failed
  }

  /** Reads the counters back; their sum must equal the increments committed. */
  async result(): Promise<CasSide> {
    const all = await this.target.counters(`/bench/${this.prefix}/`)
    if (all.length !== this.hotKeys) throw new Error(`bench: ${this.task}: ${all.length} counters, expected ${this.hotKeys}`)
    const counterSum = all.reduce((s, kv) => s + decode(kv.value), 0)
    if (counterSum !== this.committedTotal) {
      throw new Error(`bench: ${this.task}: counters sum to ${counterSum} but ${this.committedTotal} increments committed`)
    }
    return {
      task: this.task,
      incrementsPerSec: this.incrementsPerSec,
      conflictRate: this.failed / (this.ok + this.failed),
      attemptsPerIncrement: (this.ok + this.failed) / this.ok,
      latency: summarize(this.latenciesMs),
      counterSum,
    }
  }
}

async function runHotKeys(store: Store, hotKeys: number, o: CasBenchOptions): Promise<CasRow> {
  const task = `txn/cas-increment/strict/clients=${o.clients}/hot-keys=${hotKeys}`
  const prefix = `cas-k${hotKeys}`
  const contenders = [new CasContender(task, storeTarget(store), prefix, hotKeys, o.clients)]
  if (o.etcd !== undefined) contenders.push(new CasContender(`${task}/etcd`, etcdTarget(o.etcd), prefix, hotKeys, o.clients))
  for (const c of contenders) await c.create()
  for (let round = 0; round < o.rounds; round++) {
    // Paired rounds, order rotated (as support/closed-loop.ts): noise hits both contenders.
    for (let j = 0; j < contenders.length; j++) {
      const c = contenders[(j + round) % contenders.length] as CasContender // index < length
      if (o.warmupMs > 0) await c.phase(o.warmupMs, false)
      await c.phase(o.phaseMs, true)
    }
  }
  await store.flush()
  const [storeSide, etcdSide] = await Promise.all(contenders.map((c) => c.result()))
  if (storeSide === undefined) throw new Error('bench: the store CAS contender is missing')
  const row: CasRow = { ...storeSide, clients: o.clients, hotKeys }
  if (etcdSide !== undefined) {
    row.etcd = etcdSide
    row.ratioVsEtcd = median(storeSide.incrementsPerSec.map((x, r) => x / (etcdSide.incrementsPerSec[r] ?? Number.NaN)))
  }
  return row
}

export async function runCasBench(o: CasBenchOptions): Promise<CasRow[]> {
  const dir = tempDir()
  try {
    const rows: CasRow[] = []
    for (const k of o.hotKeys) {
      const store = await openStore({ path: dir.file(`cas-k${k}.db`), durability: 'strict' })
      try {
        rows.push(await runHotKeys(store, k, o))
      } finally {
        await store.close()
      }
    }
    return rows
  } finally {
    dir.remove()
  }
}

export const medianIncrementsPerSec = (r: CasSide): number => median(r.incrementsPerSec)

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
// At the end the counters must sum to the increments committed (warm-up included): a lost or
// doubled increment would be a CAS bug, so the bench throws.
//
// Closed-loop phases (bench/support/closed-loop.ts explains why not tinybench).
import { openStore, type Store } from '../../src/index.js'
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
}

export interface CasRow {
  task: string
  clients: number
  hotKeys: number
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

const counterKey = (k: number): Buffer => benchKey('cas', k)
const decode = (value: Uint8Array): number => Number(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString())

async function runHotKeys(store: Store, hotKeys: number, o: CasBenchOptions): Promise<CasRow> {
  // Create the counters at 0 (one put each, so each has its own modRevision).
  await Promise.all(Array.from({ length: hotKeys }, (_, k) => store.put(counterKey(k), '0')))
  let committedTotal = 0
  const phase = async (durationMs: number, latenciesMs: number[] | undefined): Promise<{ ok: number; failed: number; elapsedMs: number }> => {
    let ok = 0
    let failed = 0
    const start = performance.now()
    const end = start + durationMs
    const client = async (c: number): Promise<void> => {
      const next = rng(SEED + c * 7919 + hotKeys)
      while (performance.now() < end) {
        const key = counterKey(Math.floor(next() * hotKeys))
        const t0 = performance.now()
        const kv = await store.get(key)
        if (kv === undefined) throw new Error('bench: a counter is missing')
        let cur = { mod: kv.modRevision, value: decode(kv.value) }
        for (;;) {
          const r = await store.txn({
            compare: [{ key, target: 'MOD', result: 'EQUAL', value: cur.mod }],
            success: [{ put: { key, value: String(cur.value + 1) } }],
            failure: [{ range: { key } }],
          })
          if (r.succeeded) {
            ok++
            committedTotal++
            latenciesMs?.push(performance.now() - t0)
            break
          }
          failed++
          const first = r.responses[0]
          const kv = first !== undefined && 'range' in first ? first.range.kvs[0] : undefined
          if (kv === undefined) throw new Error('bench: a failed CAS returned no fresh counter')
          cur = { mod: kv.modRevision, value: decode(kv.value) }
        }
      }
    }
    await Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)))
    return { ok, failed, elapsedMs: performance.now() - start }
  }

  const incrementsPerSec: number[] = []
  const latenciesMs: number[] = []
  let ok = 0
  let failed = 0
  for (let round = 0; round < o.rounds; round++) {
    if (o.warmupMs > 0) await phase(o.warmupMs, undefined)
    const p = await phase(o.phaseMs, latenciesMs)
    incrementsPerSec.push((p.ok / p.elapsedMs) * 1000)
    ok += p.ok
    failed += p.failed
  }
  await store.flush()
  const all = await store.range({ key: '/bench/cas/', prefix: true })
  if (all.kvs.length !== hotKeys) throw new Error(`bench: ${all.kvs.length} counters, expected ${hotKeys}`)
  const counterSum = all.kvs.reduce((s, kv) => s + decode(kv.value), 0)
  if (counterSum !== committedTotal) {
    throw new Error(`bench: CAS counters sum to ${counterSum} but ${committedTotal} increments committed`)
  }
  return {
    task: `txn/cas-increment/strict/clients=${o.clients}/hot-keys=${hotKeys}`,
    clients: o.clients,
    hotKeys,
    incrementsPerSec,
    conflictRate: failed / (ok + failed),
    attemptsPerIncrement: (ok + failed) / ok,
    latency: summarize(latenciesMs),
    counterSum,
  }
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

export const medianIncrementsPerSec = (r: CasRow): number => median(r.incrementsPerSec)

// Closed-loop timed phases for write throughput, interleaved so that noise hits every contender.
//
// Why not tinybench here: tinybench times one call at a time (or fires a task's iterations
// concurrently without a fixed number in flight), so it can express neither "64 loops, each
// awaiting its own put" nor a synchronous loop committing B rows per transaction, and it runs one
// task to completion before the next, so a noisy neighbour lands on one contender only. Here
// every round runs each contender for a warm-up and then a measured phase, rotating the order
// per round; we keep each phase's throughput and take medians across rounds, and compare
// contenders by the median of per-round ratios (paired, so a slow round slows both).
import { median } from './stats.js'

export interface PhaseResult {
  ops: number
  elapsedMs: number
  /** One latency per operation (ms): a put for the store, a transaction for raw SQLite. */
  latenciesMs: number[]
  /** Transactions committed (rows / commits = achieved batch size). */
  commits: number
}

export interface Contender {
  name: string
  /** Runs until durationMs has passed (finishing what is in flight) and reports what it did. */
  phase(durationMs: number): Promise<PhaseResult>
}

export interface ContenderResult {
  name: string
  /** ops/s per measured round, in round order. */
  opsPerSec: number[]
  latenciesMs: number[]
  ops: number
  commits: number
  /**
   * CPU time of this whole process (every thread) over the measured phases, ms: for the store
   * and raw SQLite all of their work, for etcd its client's share only (etcd runs elsewhere).
   */
  cpuMs: number
}

export interface RoundsOptions {
  rounds: number
  warmupMs: number
  phaseMs: number
}

export async function runRounds(contenders: readonly Contender[], o: RoundsOptions): Promise<ContenderResult[]> {
  const results = contenders.map((c): ContenderResult => ({ name: c.name, opsPerSec: [], latenciesMs: [], ops: 0, commits: 0, cpuMs: 0 }))
  for (let round = 0; round < o.rounds; round++) {
    for (let j = 0; j < contenders.length; j++) {
      const i = (j + round) % contenders.length
      const c = contenders[i] as Contender // i < contenders.length
      const r = results[i] as ContenderResult
      if (o.warmupMs > 0) await c.phase(o.warmupMs)
      const cpu = process.cpuUsage()
      const p = await c.phase(o.phaseMs)
      const used = process.cpuUsage(cpu)
      r.cpuMs += (used.user + used.system) / 1000
      r.opsPerSec.push((p.ops / p.elapsedMs) * 1000)
      for (const l of p.latenciesMs) r.latenciesMs.push(l) // push(...xs) overflows the stack past ~100k
      r.ops += p.ops
      r.commits += p.commits
    }
  }
  return results
}

/** Median over rounds of a.opsPerSec[r] / b.opsPerSec[r]. */
export function pairedRatio(a: ContenderResult, b: ContenderResult): number {
  return median(a.opsPerSec.map((x, r) => x / (b.opsPerSec[r] ?? Number.NaN)))
}

/**
 * Counts commits of the store's group-commit writer from outside: the writer resolves every put
 * of a batch in one synchronous loop, so their continuations all run in the same microtask
 * checkpoint, before any later setImmediate. The first continuation of a checkpoint opens a
 * group and schedules an immediate that closes it; that immediate is queued before the next
 * flush (the continuation submits its next put, which schedules the flush, after opening the
 * group), so one group is one commit.
 */
export class CommitCounter {
  commits = 0
  private open = false

  resolved(): void {
    if (this.open) return
    this.open = true
    this.commits++
    setImmediate(() => {
      this.open = false
    })
  }
}

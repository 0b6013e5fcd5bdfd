// What every actor shares: the store (as KV for status, health and compaction; as objects for
// everything an API client does), time, the stop signal and the counters. `timed` is the one place an operation's latency and storage errors are recorded.
import { StorageError } from '../util/index.js'
import type { KvApi } from './kv-api.js'
import type { ObjectApi } from './object-api.js'
import type { ClusterShape, WorkloadOptions } from './options.js'
import type { Scheduler } from './scheduler.js'
import type { CategoryName, Stats } from './stats.js'

export class ActorContext {
  // Cluster time starts at the wall time of the run's start and runs `speedup` times faster.
  private readonly wallStartMs: number
  private readonly monotonicStartMs: number
  // The last few storage errors, for the summary (the counts are in stats).
  readonly recentErrors: string[] = []

  constructor(
    readonly kv: KvApi,
    readonly client: ObjectApi,
    readonly scheduler: Scheduler,
    readonly stats: Stats,
    readonly options: WorkloadOptions,
    readonly shape: ClusterShape,
    /** Aborted when the run ends: no new operations after it, in-flight ones finish. */
    readonly signal: AbortSignal,
  ) {
    this.wallStartMs = scheduler.now()
    this.monotonicStartMs = scheduler.monotonicMs()
  }

  /** Real milliseconds for a cluster interval. */
  real(clusterMs: number): number {
    return clusterMs / this.options.speedup
  }

  clusterNowMs(): number {
    return this.wallStartMs + (this.scheduler.monotonicMs() - this.monotonicStartMs) * this.options.speedup
  }

  clusterNow(): string {
    return new Date(Math.floor(this.clusterNowMs())).toISOString()
  }

  get stopping(): boolean {
    return this.signal.aborted
  }

  /**
   * Runs `op`, recording its latency under `category` (with its attempt count for CAS updates).
   * A storage error is an expected outcome under load (queue full, conflict on create): it is
   * counted and the actor carries on, so the result is undefined. Anything else is a bug and throws.
   */
  async timed<T>(category: CategoryName, op: () => Promise<T>, attempts?: (result: T) => number): Promise<T | undefined> {
    const started = this.scheduler.monotonicMs()
    try {
      const result = await op()
      this.stats.of(category).done(this.scheduler.monotonicMs() - started, attempts?.(result) ?? 1)
      return result
    } catch (err) {
      if (!(err instanceof StorageError)) throw err
      this.noteError(category, err)
      return undefined
    }
  }

  /** Counts a storage error under `category` and keeps its message if it is among the first ten. */
  noteError(category: CategoryName, err: StorageError): void {
    this.stats.of(category).errors++
    if (this.recentErrors.length < 10) this.recentErrors.push(`${category}: ${err.code}: ${err.message}`)
  }
}

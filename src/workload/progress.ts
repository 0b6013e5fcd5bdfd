// The live line: elapsed time, operations per second per category and watch delivery latency
// since the previous line, revision and database size (from the monitor's last status).
import type { CategoryName } from './stats.js'
import type { Workload } from './workload.js'

const shortNames: ReadonlyArray<[CategoryName, string]> = [
  ['node-status', 'node'],
  ['pod-status', 'pod'],
  ['reconcile', 'ctl'],
  ['list', 'list'],
  ['deploy', 'deploy'],
  ['event', 'event'],
  ['lease', 'lease'],
  ['monitor', 'mon'],
  ['compact', 'compact'],
]

export class Progress {
  // Monotonic ms of the previous line: rates are over the window since then.
  private lastMs: number

  constructor(private readonly workload: Workload) {
    this.lastMs = workload.ctx.scheduler.monotonicMs()
  }

  /** The next line; resets the window counters. */
  line(): string {
    const w = this.workload
    const now = w.ctx.scheduler.monotonicMs()
    const seconds = Math.max((now - this.lastMs) / 1000, 1e-3)
    this.lastMs = now
    const rates = shortNames
      .map(([name, short]) => {
        const c = w.stats.of(name)
        const rate = c.windowOps / seconds
        c.windowOps = 0
        return `${short} ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}`
      })
      .join(' ')
    const watch = w.stats.watchWindow
    const latency = watch.count === 0 ? 'watch -' : `watch p50 ${watch.quantile(0.5).toFixed(2)} ms p99 ${watch.quantile(0.99).toFixed(2)} ms`
    watch.reset()
    const status = w.monitor.last
    const db = status === undefined ? '-' : `${(status.dbSize / 1048576).toFixed(1)} MiB`
    const elapsed = `${(w.elapsedMs() / 1000).toFixed(1)}s`.padStart(6)
    const phase = w.phase === 'running' ? '' : ` [${w.phase}]`
    return `${elapsed}${phase} | rev ${w.ctx.kv.revision} | db ${db} | ops/s ${rates} | ${latency}`
  }
}

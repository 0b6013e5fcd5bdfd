// The live line: elapsed time, operations per second (in total and per category) and watch
// delivery latency since the previous line, revision and database size (from the monitor's last
// status), fitted to the terminal's width.
import { formatCount, formatMeasure } from './format.js'
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

  /**
   * The next line, at most `widthMax` characters (a terminal's width: a longer line would wrap and
   * garble the redraw); resets the window counters. Elapsed time, revision and the total rate
   * always show; then, while they fit, the watch latency, the database size and the per-category
   * rates in the order of shortNames.
   */
  line(widthMax = Number.POSITIVE_INFINITY): string {
    const w = this.workload
    const now = w.ctx.scheduler.monotonicMs()
    const seconds = Math.max((now - this.lastMs) / 1000, 1e-3)
    this.lastMs = now
    let total = 0
    const rates = shortNames.map(([name, short]) => {
      const c = w.stats.of(name)
      const rate = c.windowOps / seconds
      c.windowOps = 0
      total += rate
      return `${short} ${formatMeasure(rate, 2)}`
    })
    const watch = w.stats.watchWindow
    const latency = watch.count === 0 ? 'watch -' : `watch p50 ${formatMeasure(watch.quantile(0.5), 2)} p99 ${formatMeasure(watch.quantile(0.99), 2)} ms`
    watch.reset()
    const status = w.monitor.last
    const db = `db ${status === undefined ? '-' : `${formatMeasure(status.dbSize / 1048576, 3)} MiB`}`
    const head = `${`${(w.elapsedMs() / 1000).toFixed(1)}s`.padStart(6)}${w.phase === 'running' ? '' : ` [${w.phase}]`}`
    const rev = `rev ${formatCount(w.ctx.kv.revision)}`
    const ops = `ops/s ${formatMeasure(total, 2)}`
    const assemble = (withWatch: boolean, withDb: boolean, categories: number): string =>
      [head, rev, ...(withDb ? [db] : []), categories > 0 ? `${ops}: ${rates.slice(0, categories).join(' ')}` : ops, ...(withWatch ? [latency] : [])].join(' | ')
    const candidates = [assemble(true, false, 0), assemble(true, true, 0), ...rates.map((_, i) => assemble(true, true, i + 1))]
    let line = assemble(false, false, 0)
    for (const candidate of candidates) {
      if (candidate.length > widthMax) break
      line = candidate
    }
    return line.length > widthMax ? line.slice(0, Math.max(0, widthMax)) : line
  }
}

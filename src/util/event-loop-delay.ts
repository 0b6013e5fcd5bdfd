// The event loop's delay, as Node measures it (perf_hooks.monitorEventLoopDelay): how late a
// timer of `resolutionMs` fires, i.e. how long the loop was blocked. The histogram's timer is
// unref'd, so it never keeps a process alive; stop() ends it.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

export interface EventLoopDelayStats {
  /** Longest stall seen since the start or the last reset, in ms (includes the resolution). */
  maxMs: number
  meanMs: number
  p50Ms: number
  p99Ms: number
  /** Timer samples the figures come from (0: none yet, every figure is 0). */
  samples: number
}

export class EventLoopDelay {
  private readonly histogram: IntervalHistogram

  constructor(resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs })
    this.histogram.enable()
  }

  stats(reset = false): EventLoopDelayStats {
    const h = this.histogram
    const samples = h.count
    const ms = (ns: number): number => (samples === 0 || !Number.isFinite(ns) ? 0 : ns / 1e6)
    const out = { maxMs: ms(h.max), meanMs: ms(h.mean), p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), samples }
    if (reset) h.reset()
    return out
  }

  stop(): void {
    this.histogram.disable()
  }
}

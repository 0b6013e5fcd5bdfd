// Latency histogram with logarithmic buckets: constant memory however long the run, quantiles
// within about 2.5 % (each bucket is 5 % wide), from 1 microsecond to about 20 minutes.
import { assert } from '../util/index.js'

const growth = 1.05
const bucketsMax = 600 // log1.05(1.2e9 us) ~ 430, with room to spare
const logGrowth = Math.log(growth)

export class Histogram {
  // counts[i]: samples in [growth^i, growth^(i+1)) microseconds; counts[0] also holds < 1 us.
  private readonly counts = new Float64Array(bucketsMax)
  // Number of samples recorded; equals the sum of counts.
  count = 0
  // Largest sample in milliseconds (exact).
  maxMs = 0

  record(ms: number): void {
    assert(Number.isFinite(ms), 'workload: a latency must be finite')
    const us = Math.max(1, ms * 1000)
    const i = Math.min(bucketsMax - 1, Math.floor(Math.log(us) / logGrowth))
    this.counts[i] = (this.counts[i] ?? 0) + 1
    this.count++
    if (ms > this.maxMs) this.maxMs = ms
  }

  /** The q-quantile in milliseconds (bucket midpoint), or 0 with no samples. */
  quantile(q: number): number {
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < bucketsMax; i++) {
      seen += this.counts[i] ?? 0
      if (seen >= rank) return Math.min(this.maxMs, (growth ** i * Math.sqrt(growth)) / 1000)
    }
    return this.maxMs
  }

  merge(other: Histogram): void {
    for (let i = 0; i < bucketsMax; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0)
    this.count += other.count
    this.maxMs = Math.max(this.maxMs, other.maxMs)
  }

  reset(): void {
    this.counts.fill(0)
    this.count = 0
    this.maxMs = 0
  }
}

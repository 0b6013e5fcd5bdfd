// Order statistics for benchmark samples. Medians and percentiles, never means: the machine is
// shared and noisy, and one stalled fsync would drag a mean around.

/** The q-quantile (0..1) of samples, by linear interpolation between closest ranks. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  const a = sorted[lo] as number // 0 <= lo <= hi < length
  const b = sorted[hi] as number
  return a + (b - a) * (pos - lo)
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5)

export interface LatencySummary {
  /** Milliseconds. */
  p50: number
  p99: number
  samples: number
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  return { p50: quantile(latenciesMs, 0.5), p99: quantile(latenciesMs, 0.99), samples: latenciesMs.length }
}

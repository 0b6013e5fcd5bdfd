// Order statistics for benchmark samples. Medians and percentiles, never means: the machine is
// shared and noisy, and one stalled fsync would drag a mean around.

/** The q-quantile (0..1) of samples sorted ascending, by linear interpolation between closest ranks. */
function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  const a = sorted[lo] as number // 0 <= lo <= hi < length
  const b = sorted[hi] as number
  return a + (b - a) * (pos - lo)
}

/** The q-quantile (0..1) of samples, by linear interpolation between closest ranks. */
export function quantile(samples: readonly number[], q: number): number {
  return quantileSorted([...samples].sort((a, b) => a - b), q)
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5)

export interface LatencySummary {
  /** Milliseconds. */
  p50: number
  p99: number
  p999: number
  max: number
  samples: number
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b)
  return {
    p50: quantileSorted(sorted, 0.5),
    p99: quantileSorted(sorted, 0.99),
    p999: quantileSorted(sorted, 0.999),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number), // length > 0
    samples: sorted.length,
  }
}

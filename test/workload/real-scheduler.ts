// Real timers for workload tests, as main.ts wires them: the runs are short because of a high
// --speedup, not because time is faked (the store's own threads and fsyncs run in real time).
import type { Scheduler } from '../../src/workload/index.js'

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, delayMs)
    return { cancel: () => clearTimeout(t) }
  },
}

// The workload's time: an injected scheduler, as the store takes an injected Clock. main.ts
// passes real timers; nothing here reads the wall clock or sets a timer on its own.
import type { Clock } from '../util/index.js'

export interface Scheduler extends Clock {
  /** Monotonic milliseconds with sub-millisecond resolution: latencies and pacing. */
  monotonicMs(): number
}

/** Resolves after `ms`, or at once when `signal` aborts (a stopping actor must not wait out its sleep). */
export function sleep(scheduler: Scheduler, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      timer.cancel()
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = scheduler.setTimer(Math.max(0, ms), done)
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Runs `tick` every `intervalMs` at a fixed rate until `signal` aborts, the first after `offsetMs`
 * (actors spread over the interval, as kubelets started at different moments are). A tick that
 * overruns is not made up for: the next one starts on the following slot, as a Go ticker drops ticks.
 */
export async function every(
  scheduler: Scheduler,
  intervalMs: number,
  offsetMs: number,
  signal: AbortSignal,
  tick: () => Promise<void>,
): Promise<void> {
  let due = scheduler.monotonicMs() + offsetMs
  for (;;) {
    await sleep(scheduler, due - scheduler.monotonicMs(), signal)
    if (signal.aborted) return
    await tick()
    const now = scheduler.monotonicMs()
    due += intervalMs
    if (due < now) due += Math.ceil((now - due) / intervalMs) * intervalMs
  }
}

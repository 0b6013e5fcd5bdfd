// Time comes from an injected Clock so tests can move it by hand (see FakeClock). This file and
// fake-clock.ts are the only places in src/ that may touch wall-clock time or timers.

export interface TimerHandle {
  cancel(): void
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /** Runs `fn` once after `delayMs`. A pending timer must not keep the process alive. */
  setTimer(delayMs: number, fn: () => void): TimerHandle
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    const t = setTimeout(fn, delayMs)
    t.unref()
    return { cancel: () => clearTimeout(t) }
  },
}

import type { Clock, TimerHandle } from './clock.js'

type Pending = { due: number; seq: number; fn: () => void; cancelled: boolean }

/** A clock that moves only when told to. Timers fire, in due order, inside advance(). */
export class FakeClock implements Clock {
  // Current time in ms; only grows.
  private time: number
  // Timers not yet fired or cancelled; order is by (due, seq).
  private pending: Pending[] = []
  private seq = 0

  constructor(startMs = 1_700_000_000_000) {
    this.time = startMs
  }

  now(): number {
    return this.time
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const entry: Pending = { due: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false }
    this.pending.push(entry)
    return {
      cancel: () => {
        entry.cancelled = true
      },
    }
  }

  /** Moves time forward by `ms`, firing every timer that falls due, each at its own due time. */
  advance(ms: number): void {
    const target = this.time + ms
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled)
      this.pending.sort((a, b) => a.due - b.due || a.seq - b.seq)
      const next = this.pending[0]
      if (next === undefined || next.due > target) break
      this.pending.shift()
      this.time = Math.max(this.time, next.due)
      next.fn()
    }
    this.time = target
  }

  get timersPending(): number {
    return this.pending.filter((p) => !p.cancelled).length
  }
}

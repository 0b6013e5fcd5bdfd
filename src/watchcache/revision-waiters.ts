// Reads that must not be older than a revision wait here until the cache reaches it, or until
// their time runs out on the injected Clock (Kubernetes' waitUntilFreshAndBlock, 3 s).
import type { Clock, TimerHandle } from '../util/index.js'
import { CacheTooOldError } from './errors.js'

interface Waiter {
  revision: number
  resolve(): void
  reject(err: unknown): void
  timer: TimerHandle
}

export class RevisionWaiters {
  // Pending waits, each for a revision above the cache's at the time it was last checked.
  private readonly waiting = new Set<Waiter>()

  constructor(
    private readonly clock: Clock,
    private readonly waitMs: number,
    private readonly revisionNow: () => number,
    /** Counts each wait and its length on the Clock. */
    private readonly counters?: { waits: number; waitMsTotal: number },
  ) {}

  get size(): number {
    return this.waiting.size
  }

  /** Resolves once the cache is at `revision` or beyond; CacheTooOldError after waitMs (or this call's own wait). */
  until(revision: number, waitMs = this.waitMs): Promise<void> {
    if (this.revisionNow() >= revision) return Promise.resolve()
    const began = this.clock.now()
    const counters = this.counters
    if (counters !== undefined) counters.waits++
    const ended = (): void => {
      if (counters !== undefined) counters.waitMsTotal += this.clock.now() - began
    }
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        revision,
        resolve: () => {
          ended()
          resolve()
        },
        reject: (err) => {
          ended()
          reject(err)
        },
        timer: this.clock.setTimer(waitMs, () => {
          this.waiting.delete(w)
          w.reject(new CacheTooOldError(revision, this.revisionNow(), waitMs))
        }),
      }
      this.waiting.add(w)
    })
  }

  /** The cache moved: wake every wait it satisfies. */
  advanced(): void {
    if (this.waiting.size === 0) return
    const now = this.revisionNow()
    for (const w of this.waiting) {
      if (w.revision > now) continue
      this.waiting.delete(w)
      w.timer.cancel()
      w.resolve()
    }
  }

  /** Ends every wait with `err` (the store closed, or the feed failed). */
  failAll(err: unknown): void {
    for (const w of this.waiting) {
      w.timer.cancel()
      w.reject(err)
    }
    this.waiting.clear()
  }
}

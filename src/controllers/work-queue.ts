// A keyed work queue: a key waits at most once, is never handled by two workers at once, and a
// key added while it is being handled runs again afterwards. Failures retry with backoff on the
// injected clock.
import type { Clock, TimerHandle } from '../util/index.js'
import { isReason } from './api-client.js'

export class WorkQueue {
  private readonly waiting: string[] = []
  private readonly queued = new Set<string>()
  private readonly active = new Set<string>()
  private readonly dirty = new Set<string>()
  private readonly failures = new Map<string, number>()
  private readonly timers = new Set<TimerHandle>()
  private readonly running = new Set<Promise<void>>()
  private stopped = false

  constructor(
    private readonly name: string,
    private readonly handle: (key: string) => Promise<void>,
    private readonly o: { clock: Clock; log: (line: string) => void; workers?: number },
  ) {}

  add(key: string): void {
    if (this.stopped) return
    if (this.active.has(key)) {
      this.dirty.add(key)
      return
    }
    if (this.queued.has(key)) return
    this.queued.add(key)
    this.waiting.push(key)
    this.pump()
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return
    const timer = this.o.clock.setTimer(delayMs, () => {
      this.timers.delete(timer)
      this.add(key)
    })
    this.timers.add(timer)
  }

  /** Stops taking work, cancels retries and waits for the handlers under way. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const t of this.timers) t.cancel()
    this.timers.clear()
    this.waiting.length = 0
    this.queued.clear()
    await Promise.allSettled([...this.running])
  }

  private pump(): void {
    while (!this.stopped && this.active.size < (this.o.workers ?? 4)) {
      const key = this.waiting.shift()
      if (key === undefined) return
      this.queued.delete(key)
      this.active.add(key)
      const p = this.run(key)
      this.running.add(p)
      void p.finally(() => {
        this.running.delete(p)
        this.active.delete(key)
        if (this.dirty.delete(key)) this.add(key)
        this.pump()
      })
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.handle(key)
      this.failures.delete(key)
    } catch (err) {
      if (this.stopped) return
      const n = (this.failures.get(key) ?? 0) + 1
      this.failures.set(key, n)
      // A conflict or a vanished object is routine: retry soon; anything else backs off.
      const quick = isReason(err, 'Conflict', 'NotFound', 'AlreadyExists')
      const delay = Math.min(quick ? 50 * n : 200 * 2 ** Math.min(n, 6), 10_000)
      if (!quick || n > 5) this.o.log(`controllers: ${this.name} ${key}: ${err instanceof Error ? err.message : String(err)} (retry ${n} in ${delay} ms)`)
      this.addAfter(key, delay)
    }
  }
}

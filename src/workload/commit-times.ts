// When each revision was committed, to measure watch delivery latency from the moment the store
// acknowledged a write (its commit listeners run before the writer is answered) to the moment a
// controller's loop has the event. Bounded: old revisions are forgotten, their late deliveries
// simply give no sample.
import type { KvApi } from './kv-api.js'
import type { Scheduler } from './scheduler.js'

const revisionsKept = 200_000

export class CommitTimes {
  // revision -> monotonic ms of the commit that made it; insertion order is revision order.
  private readonly times = new Map<number, number>()
  // Highest revision recorded; revisions between it and a new head were committed together.
  private head: number
  private readonly unsubscribe: () => void

  constructor(kv: KvApi, private readonly scheduler: Scheduler) {
    this.head = kv.revision
    this.unsubscribe = kv.onCommit(({ revision }) => this.committed(revision))
  }

  /** Milliseconds since `revision` was committed, or undefined when it is not known. */
  since(revision: number, now: number): number | undefined {
    const at = this.times.get(revision)
    return at === undefined ? undefined : Math.max(0, now - at)
  }

  close(): void {
    this.unsubscribe()
  }

  private committed(revision: number): void {
    if (revision <= this.head) return
    const now = this.scheduler.monotonicMs()
    // A group commit makes several revisions durable at one moment.
    for (let r = Math.max(this.head + 1, revision - revisionsKept); r <= revision; r++) this.times.set(r, now)
    this.head = revision
    while (this.times.size > revisionsKept) {
      const oldest = this.times.keys().next()
      if (oldest.done === true) break
      this.times.delete(oldest.value)
    }
  }
}

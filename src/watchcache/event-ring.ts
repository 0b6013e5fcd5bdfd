// The cyclic buffer of the most recent committed events (Kubernetes' watch_cache_history).
//
// Indexes are absolute and only grow; slot = index % capacity. Live events occupy [start, end).
// Example, capacity 4: after pushing revisions 2,3,3,4 the ring is full (start 0, end 4); pushing
// 5 evicts index 0 (revision 2): start 1, end 5, slot 0 now holds revision 5. Eviction by bytes
// works the same way, oldest first, and may leave part of a revision behind: whoever serves from
// the ring must only trust revisions above the newest evicted one (WatchCache.ringStartRevision).
import { assert } from '../util/index.js'
import type { CachedEvent } from './cached-event.js'

export class EventRing {
  private readonly slots: Array<CachedEvent | undefined>
  // Absolute index of the oldest live event; start <= end <= start + capacity.
  private start = 0
  // Absolute index after the newest live event.
  private end = 0
  // Sum of bytes of the live events; <= bytesMax after every push.
  private bytes = 0

  constructor(
    readonly capacity: number,
    private readonly bytesMax: number,
  ) {
    assert(capacity > 0, 'watchcache: ring capacity must be positive')
    this.slots = new Array<CachedEvent | undefined>(capacity)
  }

  get startIndex(): number {
    return this.start
  }

  get endIndex(): number {
    return this.end
  }

  get bytesUsed(): number {
    return this.bytes
  }

  at(index: number): CachedEvent {
    assert(index >= this.start && index < this.end, 'watchcache: ring index out of range')
    const e = this.slots[index % this.capacity]
    assert(e !== undefined, 'watchcache: live ring slot is empty')
    return e
  }

  /** Appends `event`; returns the events evicted to make room (oldest first). */
  push(event: CachedEvent): CachedEvent[] {
    const last = this.end > this.start ? this.at(this.end - 1) : undefined
    assert(last === undefined || last.revision <= event.revision, 'watchcache: ring events must come in revision order')
    const evicted: CachedEvent[] = []
    if (this.end - this.start === this.capacity) evicted.push(this.shift())
    this.slots[this.end % this.capacity] = event
    this.end++
    this.bytes += event.bytes
    while (this.bytes > this.bytesMax && this.end > this.start) evicted.push(this.shift())
    return evicted
  }

  private shift(): CachedEvent {
    const e = this.at(this.start)
    this.slots[this.start % this.capacity] = undefined
    this.start++
    this.bytes -= e.bytes
    return e
  }

  /** The first index whose revision is >= revision (endIndex when there is none). */
  firstIndexAtOrAfter(revision: number): number {
    let lo = this.start
    let hi = this.end
    // Invariant: events before lo are below revision; the event at hi (if live) is at or above it.
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2)
      if (this.at(mid).revision < revision) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

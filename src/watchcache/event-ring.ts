// The cyclic buffer of the most recent committed events (Kubernetes' watch_cache_history).
//
// Indexes are absolute and only grow; slot = index % capacity. Live events occupy [start, end).
// Example, capacity 4: after pushing revisions 2,3,3,4 the ring is full (start 0, end 4); pushing
// 5 evicts index 0 (revision 2): start 1, end 5, slot 0 now holds revision 5. Eviction by bytes
// works the same way, oldest first, and may leave part of a revision behind: whoever serves from
// the ring must only trust revisions above the newest evicted one (WatchCache.ringStartRevision).
//
// Dynamic size, as Kubernetes' watch cache: only when a push finds the ring full, the capacity
// doubles (up to capacityMax) if the oldest event is younger than freshMs, since evicting it would
// keep less than a freshness window of history; it halves (down to capacityMin, evicting the
// oldest to fit) if the event a quarter of the capacity back from the newest is already older
// than freshMs (the quarter is hysteresis: a ring that just grew does not shrink at once).
// Resizing copies the live events into new slots at the same absolute indexes, so an index a
// reader holds stays valid. The byte bound applies at every size.
import { assert } from '../util/index.js'
import type { CachedEvent } from './cached-event.js'

export interface RingSizing {
  /** Capacity the ring starts with and never shrinks below. */
  capacityMin: number
  /** Capacity it never grows beyond. */
  capacityMax: number
  /** Events younger than this are worth keeping (Kubernetes eventFreshDuration). */
  freshMs: number
}

export class EventRing {
  private slots: Array<CachedEvent | undefined>
  // When each slot's event entered the ring (clock ms); same slot numbering as slots.
  private times: Float64Array
  // Current number of slots; capacityMin <= capacity <= capacityMax, changed only by resize.
  private size: number
  // Absolute index of the oldest live event; start <= end <= start + capacity.
  private start = 0
  // Absolute index after the newest live event.
  private end = 0
  // Sum of bytes of the live events; <= bytesMax after every push.
  private bytes = 0

  constructor(
    private readonly sizing: Readonly<RingSizing>,
    private readonly bytesMax: number,
  ) {
    assert(sizing.capacityMin > 0, 'watchcache: ring capacity must be positive')
    assert(sizing.capacityMin <= sizing.capacityMax, 'watchcache: ring capacityMin must not exceed capacityMax')
    this.size = sizing.capacityMin
    this.slots = new Array<CachedEvent | undefined>(this.size)
    this.times = new Float64Array(this.size)
  }

  get capacity(): number {
    return this.size
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
    const e = this.slots[index % this.size]
    assert(e !== undefined, 'watchcache: live ring slot is empty')
    return e
  }

  /** Appends `event`, which entered the cache at `now`; returns the events evicted to make room (oldest first). */
  push(event: CachedEvent, now: number): CachedEvent[] {
    const last = this.end > this.start ? this.at(this.end - 1) : undefined
    assert(last === undefined || last.revision <= event.revision, 'watchcache: ring events must come in revision order')
    const evicted: CachedEvent[] = []
    if (this.end - this.start === this.size) this.resize(now, evicted)
    if (this.end - this.start === this.size) evicted.push(this.shift())
    this.slots[this.end % this.size] = event
    this.times[this.end % this.size] = now
    this.end++
    this.bytes += event.bytes
    while (this.bytes > this.bytesMax && this.end > this.start) evicted.push(this.shift())
    return evicted
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

  /** The ring is full: grow while history is fresh, shrink when a quarter of it is stale. */
  private resize(now: number, evicted: CachedEvent[]): void {
    const { capacityMin, capacityMax, freshMs } = this.sizing
    const oldest = this.timeAt(this.start)
    if (now - oldest < freshMs) {
      if (this.size < capacityMax) this.reslot(Math.min(this.size * 2, capacityMax), evicted)
      return
    }
    const quarterBack = this.timeAt(this.end - Math.max(1, Math.floor(this.size / 4)))
    if (now - quarterBack > freshMs && this.size > capacityMin) this.reslot(Math.max(Math.floor(this.size / 2), capacityMin), evicted)
  }

  private reslot(capacity: number, evicted: CachedEvent[]): void {
    // Shrinking keeps the newest `capacity` events.
    while (this.end - this.start > capacity) evicted.push(this.shift())
    const slots = new Array<CachedEvent | undefined>(capacity)
    const times = new Float64Array(capacity)
    for (let i = this.start; i < this.end; i++) {
      slots[i % capacity] = this.slots[i % this.size]
      times[i % capacity] = this.timeAt(i)
    }
    this.slots = slots
    this.times = times
    this.size = capacity
  }

  private timeAt(index: number): number {
    assert(index >= this.start && index < this.end, 'watchcache: ring index out of range')
    return this.times[index % this.size] ?? 0
  }

  private shift(): CachedEvent {
    const e = this.at(this.start)
    this.slots[this.start % this.size] = undefined
    this.start++
    this.bytes -= e.bytes
    return e
  }
}

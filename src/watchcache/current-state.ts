// The cache's current state of the keyspace: the latest version of every live key, at the cache's
// revision (Kubernetes' watch cache store). Lists and gets that accept a cached answer read it
// instead of ranging the store. It is loaded by a store range pinned at one revision, then kept
// in step by applying every event the cache takes in, in revision order; events that arrive while
// the load is still reading are queued and applied when it ends.
//
// Order: keys live in a Map (by the latin1 string of their bytes, whose code units compare as the
// bytes do) plus a sorted array of those strings for ranges. Creating a key does not splice the
// array (a bulk load would be quadratic): new keys wait in `added` and deleted ones in `removed`,
// and the next range merges them in once, O(n + a log a).
// Example: sorted [a, c], put b, delete c -> added {b}, removed {c}; a range rebuilds [a, b].
import { assert, CompactedError, ReadSlicer } from '../util/index.js'
import type { KeyValue } from '../mvcc/index.js'
import { keyString } from './cached-event.js'
import type { KeyRange } from './key-range.js'
import type { EventSource } from './types.js'

/** Memory of one entry beyond its key and value bytes: the KeyValue, its two Buffers, the map entry,
 *  the sorted key string (measured: ~860 B per key of 25 + 300 bytes on Node 20). */
export const stateEntryOverheadBytes = 512

/** What the state needs of an event (CachedEvent.plain fits). */
interface StateEvent {
  readonly type: 'PUT' | 'DELETE'
  readonly kv: KeyValue
}

export class CurrentState {
  // The latest version of every live key, by keyString; frozen objects shared with events.
  private readonly kvs = new Map<string, KeyValue>()
  // Keys of kvs in byte order, except those in `added` (missing) and `removed` (still present).
  private sorted: string[] = []
  // Keys in kvs but not in sorted.
  private readonly added = new Set<string>()
  // Keys in sorted but no longer in kvs.
  private readonly removed = new Set<string>()
  // Sum of key + value + overhead bytes of kvs.
  private bytes = 0
  // Events taken in while loading, applied in order when the load ends; undefined once ready.
  private queued: StateEvent[][] | undefined = []

  /** @param revision the revision the load reads at: the state stands for it until events move it. */
  constructor(readonly revision: number) {}

  get ready(): boolean {
    return this.queued === undefined
  }

  get bytesUsed(): number {
    return this.bytes
  }

  get size(): number {
    return this.kvs.size
  }

  /** Rows of the load, in key order, page after page. */
  load(kvs: readonly KeyValue[]): void {
    assert(!this.ready, 'watchcache: state rows after the load ended')
    for (const kv of kvs) this.set(Object.freeze(kv))
  }

  /** The load has read every row: apply what came meanwhile. */
  finishLoad(): void {
    const queued = this.queued
    assert(queued !== undefined, 'watchcache: the state load ended twice')
    this.queued = undefined
    for (const events of queued) this.apply(events)
  }

  /** Events after the state's revision, in revision order (queued while loading). */
  apply(events: readonly StateEvent[]): void {
    if (this.queued !== undefined) {
      this.queued.push([...events])
      return
    }
    for (const e of events) {
      if (e.type === 'PUT') this.set(e.kv)
      else this.remove(keyString(e.kv.key))
    }
  }

  /** The latest version of a key (only once ready). */
  latest(key: string): KeyValue | undefined {
    assert(this.ready, 'watchcache: state read before its load ended')
    return this.kvs.get(key)
  }

  /** Live keys in range, in key order. */
  range(range: KeyRange): KeyValue[] {
    assert(this.ready, 'watchcache: state read before its load ended')
    if (range.end === undefined) {
      const kv = this.kvs.get(keyString(range.start))
      return kv === undefined ? [] : [kv]
    }
    const keys = this.sortedKeys()
    const start = keyString(range.start)
    const end = range.end === null ? undefined : keyString(range.end)
    const out: KeyValue[] = []
    for (let i = lowerBound(keys, start); i < keys.length; i++) {
      const k = keys[i] as string
      if (end !== undefined && k >= end) break
      const kv = this.kvs.get(k)
      assert(kv !== undefined, 'watchcache: a sorted state key has no version')
      out.push(kv)
    }
    return out
  }

  private set(kv: KeyValue): void {
    const k = keyString(kv.key)
    const old = this.kvs.get(k)
    if (old === undefined) {
      if (!this.removed.delete(k)) this.added.add(k)
      this.bytes += kv.key.length + stateEntryOverheadBytes
    } else this.bytes -= old.value.length
    this.kvs.set(k, kv)
    this.bytes += kv.value.length
  }

  private remove(k: string): void {
    const old = this.kvs.get(k)
    // A delete event always follows a live version of its key.
    assert(old !== undefined, 'watchcache: a delete event for a key the state does not hold')
    this.kvs.delete(k)
    this.bytes -= old.key.length + old.value.length + stateEntryOverheadBytes
    if (!this.added.delete(k)) this.removed.add(k)
  }

  private sortedKeys(): readonly string[] {
    if (this.added.size === 0 && this.removed.size === 0) return this.sorted
    const kept = this.removed.size === 0 ? this.sorted : this.sorted.filter((k) => !this.removed.has(k))
    const fresh = [...this.added].sort()
    this.sorted = merge(kept, fresh)
    this.added.clear()
    this.removed.clear()
    assert(this.sorted.length === this.kvs.size, 'watchcache: sorted state keys and versions differ')
    return this.sorted
  }
}

/** The first index whose key is >= key. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0
  let hi = keys.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((keys[mid] as string) < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

function merge(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return a.slice()
  const out: string[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) out.push((a[i] as string) < (b[j] as string) ? (a[i++] as string) : (b[j++] as string))
  while (i < a.length) out.push(a[i++] as string)
  while (j < b.length) out.push(b[j++] as string)
  return out
}

/** How a load ended: 'abandoned' when `current()` turned false (the feed restarted). */
export type LoadOutcome = 'loaded' | 'abandoned' | 'too-large' | 'compacted'

/**
 * Reads every live key at the state's revision, in pages, while the feed queues the events after
 * it, then applies them. Pages are sized to take about sliceMs and the load yields to the event
 * loop between slices (the first load of 10k objects must not stall watchers or requests; reads
 * go to the store meanwhile). Stops early when `current()` turns false or the state outgrows
 * bytesMax. 'compacted': a compaction passed the revision mid-load (the caller loads again later,
 * at a newer revision).
 */
export async function loadCurrentState(source: EventSource, state: CurrentState, current: () => boolean, bytesMax: number, sliceMs: number): Promise<LoadOutcome> {
  const everything = Buffer.from([0])
  let key = everything
  const slicer = new ReadSlicer(sliceMs)
  try {
    for (;;) {
      const r = await source.range({ key, rangeEnd: everything, revision: state.revision, limit: slicer.pageRows, withoutCount: true })
      if (!current()) return 'abandoned'
      state.load(r.kvs)
      if (state.bytesUsed > bytesMax) return 'too-large'
      const last = r.kvs[r.kvs.length - 1]
      if (!r.more || last === undefined) break
      key = Buffer.concat([last.key, everything])
      await slicer.pageDone(r.kvs.length)
      if (!current()) return 'abandoned'
    }
  } catch (err) {
    if (err instanceof CompactedError) return 'compacted'
    throw err
  }
  state.finishLoad()
  return state.bytesUsed > bytesMax ? 'too-large' : 'loaded'
}

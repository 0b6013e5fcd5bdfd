// Live watchers, grouped by key range so that matching a commit's events costs one check per
// event per distinct range (plus one map lookup per event for single-key watches), not per
// watcher. Within a group, the events a watcher gets depend only on its filters and prevKv, so
// each of those (at most 8) variants is built once per commit, frozen, and the same array is
// handed to every watcher that wants it: fanning a commit out costs one push per watcher.
import { assert } from '../util/index.js'
import { keyString, type CachedEvent } from './cached-event.js'
import type { KeyRange } from './key-range.js'
import type { WatchEvent } from './types.js'
import type { Watcher } from './watcher.js'

interface Group {
  readonly range: KeyRange
  readonly watchers: Set<Watcher>
}

/** Does `w` want `e`, and in which shape? Undefined when it does not (W10 filters). */
export function shapeFor(w: { noPut: boolean; noDelete: boolean; prevKv: boolean }, e: CachedEvent): WatchEvent | undefined {
  if (e.plain.type === 'PUT' ? w.noPut : w.noDelete) return undefined
  return w.prevKv ? e.withPrev : e.plain
}

const variantOf = (w: Watcher): number => (w.noPut ? 1 : 0) | (w.noDelete ? 2 : 0) | (w.prevKv ? 4 : 0)

export class WatcherGroups {
  // Single-key watches, by the key's latin1 string.
  private readonly points = new Map<string, Group>()
  // Every other range, by KeyRange.id.
  private readonly ranges = new Map<string, Group>()

  add(w: Watcher): void {
    const single = w.range.end === undefined
    const map = single ? this.points : this.ranges
    const id = single ? keyString(w.range.start) : w.range.id
    let g = map.get(id)
    if (g === undefined) {
      g = { range: w.range, watchers: new Set() }
      map.set(id, g)
    }
    g.watchers.add(w)
  }

  remove(w: Watcher): void {
    const single = w.range.end === undefined
    const map = single ? this.points : this.ranges
    const id = single ? keyString(w.range.start) : w.range.id
    const g = map.get(id)
    if (g === undefined || !g.watchers.delete(w)) return
    if (g.watchers.size === 0) map.delete(id)
  }

  /** Pushes `events` (whole revisions, in order, newer than anything pushed before) to their watchers. */
  dispatch(events: readonly CachedEvent[]): void {
    const matched = new Map<Group, CachedEvent[]>()
    if (this.points.size > 0) {
      for (const e of events) {
        const g = this.points.get(keyString(e.key))
        if (g === undefined) continue
        const m = matched.get(g)
        if (m === undefined) matched.set(g, [e])
        else m.push(e)
      }
    }
    for (const g of this.ranges.values()) {
      let m: CachedEvent[] | undefined
      for (const e of events) {
        if (!g.range.contains(e.key)) continue
        if (m === undefined) m = [e]
        else m.push(e)
      }
      if (m !== undefined) matched.set(g, m)
    }
    for (const [g, m] of matched) this.fanOut(g, m)
  }

  private fanOut(g: Group, m: readonly CachedEvent[]): void {
    const variants: Array<readonly WatchEvent[] | undefined> = []
    for (const w of g.watchers) {
      assert(w.mode === 'live', 'watchcache: only live watchers are in groups')
      const v = variantOf(w)
      let chunk = variants[v]
      if (chunk === undefined) {
        const built: WatchEvent[] = []
        for (const e of m) {
          const shaped = shapeFor(w, e)
          if (shaped !== undefined) built.push(shaped)
        }
        chunk = Object.freeze(built)
        variants[v] = chunk
      }
      const first = chunk[0]
      if (first === undefined) continue
      // A watch that starts in the future (or went live ahead of the cache) skips older events.
      if (first.kv.modRevision < w.nextRevision) {
        const from = chunk.findIndex((e) => e.kv.modRevision >= w.nextRevision)
        if (from < 0) continue
        w.enqueue(Object.freeze(chunk.slice(from)), true)
      } else w.enqueue(chunk, true)
    }
  }
}

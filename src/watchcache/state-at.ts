// A key range as it was at an exact revision below the cache's, rebuilt from the current state
// and the ring (the cache keeps no snapshots): every event after that revision, in the range, is
// undone. The first such event of a key tells the key's version at the revision: its prevKv, or
// none when the event created the key. Used to serve the later pages of a list (continue tokens
// carry the first page's revision) and exact-revision reads from memory.
// Example: state {a@5, c@7}; the ring after revision 4 holds a put of a @5 (prevKv a@3) and the
// create of c @7. At 4: a@3 (the put undone), c absent (the create undone): {a@3}.
import type { KeyValue } from '../mvcc/index.js'
import { keyString } from './cached-event.js'
import type { CurrentState } from './current-state.js'
import type { EventRing } from './event-ring.js'
import type { KeyRange } from './key-range.js'
import type { CachedRange } from './types.js'

/**
 * The range from a loaded state at the cache's revision, or at `exact` (at or below it) when the
 * ring holds every event after it; undefined when it does not (read the store).
 */
export function answerAt(state: CurrentState, cache: { revision: number; ring: EventRing; ringStartRevision: number }, range: KeyRange, exact: number | undefined): CachedRange | undefined {
  const kvs = state.range(range)
  if (exact === undefined || exact === cache.revision) return { revision: cache.revision, kvs }
  if (exact + 1 < cache.ringStartRevision) return undefined
  const back = rangeAt(kvs, cache.ring, cache.ring.firstIndexAtOrAfter(exact + 1), range)
  return back === undefined ? undefined : { revision: exact, kvs: back }
}

/**
 * `current`: the range in the current state, in key order. `fromIndex`: the ring index of the first
 * event after the wanted revision (every later event must be in the ring). undefined when an
 * event's previous version is unknown (it was compacted when the event was read).
 */
export function rangeAt(current: readonly KeyValue[], ring: EventRing, fromIndex: number, range: KeyRange): readonly KeyValue[] | undefined {
  // Key -> its version at the wanted revision (undefined: absent then).
  const before = new Map<string, KeyValue | undefined>()
  for (let i = fromIndex; i < ring.endIndex; i++) {
    const e = ring.at(i)
    if (!range.contains(e.key)) continue
    const k = keyString(e.key)
    if (before.has(k)) continue
    if (e.plain.type === 'PUT' && e.plain.kv.version === 1) {
      before.set(k, undefined)
      continue
    }
    const prev = e.withPrev.prevKv
    if (prev === undefined) return undefined
    before.set(k, prev)
  }
  if (before.size === 0) return current
  const kept = current.filter((kv) => !before.has(keyString(kv.key)))
  const back: Array<[string, KeyValue]> = []
  for (const [k, kv] of before) if (kv !== undefined) back.push([k, kv])
  back.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return mergeByKey(kept, back)
}

function mergeByKey(kept: readonly KeyValue[], back: ReadonlyArray<[string, KeyValue]>): KeyValue[] {
  const out: KeyValue[] = []
  let j = 0
  for (const kv of kept) {
    const k = keyString(kv.key)
    while (j < back.length && (back[j] as [string, KeyValue])[0] < k) out.push((back[j++] as [string, KeyValue])[1])
    out.push(kv)
  }
  while (j < back.length) out.push((back[j++] as [string, KeyValue])[1])
  return out
}

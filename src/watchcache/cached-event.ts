// A committed event as the cache keeps it: built once, frozen, and shared by every watcher that
// receives it, in two shapes (with and without prevKv) so that no watcher copies anything.
//
// prevKv (W9) is the key's version at modRevision - 1. The caller passes `known`, the newest
// event per key it has already seen (the ring's index, or a page-local map for history reads);
// a key not in it is read from the store at modRevision - 1, and left out when that revision is
// compacted, as etcd does.
import type { KeyValue, KvEvent } from '../mvcc/index.js'
import { assert, CompactedError } from '../util/index.js'
import type { EventSource, WatchEvent } from './types.js'

export interface CachedEvent {
  readonly revision: number
  readonly key: Uint8Array
  readonly plain: WatchEvent
  /** Same object as plain when there is no previous version (a create, or compacted). */
  readonly withPrev: WatchEvent
  /** Rough memory held: key + value + object overhead. */
  readonly bytes: number
}

/** The newest event seen per key (latin1 of the key bytes); kv undefined after a delete. */
export type KnownVersions = Map<string, { revision: number; kv: KeyValue | undefined }>

export const keyString = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')

const eventOverheadBytes = 128

function cached(e: KvEvent, prevKv: KeyValue | undefined): CachedEvent {
  const kv = Object.freeze(e.kv)
  const plain: WatchEvent = Object.freeze({ type: e.type, kv })
  const withPrev = prevKv === undefined ? plain : Object.freeze({ type: e.type, kv, prevKv })
  return { revision: kv.modRevision, key: kv.key, plain, withPrev, bytes: kv.key.length + kv.value.length + eventOverheadBytes }
}

/**
 * Builds the cached events of `events` (in order), updating `known`. Synchronous when every
 * previous version is known, in `known` or else from `latest` (the cache's current state, which
 * holds every live key as of just before `events`); otherwise returns a promise (store reads).
 */
export function cacheEvents(
  source: EventSource,
  events: readonly KvEvent[],
  known: KnownVersions,
  latest?: (key: string) => KeyValue | undefined,
): CachedEvent[] | Promise<CachedEvent[]> {
  const prevs: Array<KeyValue | undefined> = []
  const missing: number[] = []
  for (const [i, e] of events.entries()) {
    const k = keyString(e.kv.key)
    const current = latest?.(k)
    const last = known.get(k) ?? (current === undefined ? undefined : { revision: current.modRevision, kv: current })
    const isCreate = e.type === 'PUT' && e.kv.version === 1
    if (isCreate) prevs.push(undefined)
    else if (last !== undefined) {
      // A key's events alternate PUT... DELETE: an update or delete follows a live version.
      assert(last.kv !== undefined, 'watchcache: a non-create event must follow a live version')
      prevs.push(last.kv)
    } else {
      prevs.push(undefined)
      missing.push(i)
    }
    known.set(k, { revision: e.kv.modRevision, kv: e.type === 'PUT' ? Object.freeze(e.kv) : undefined })
  }
  if (missing.length === 0) return events.map((e, i) => cached(e, prevs[i]))
  return Promise.all(missing.map((i) => previousVersion(source, events[i] as KvEvent))).then((found) => {
    found.forEach((kv, j) => {
      prevs[missing[j] as number] = kv
    })
    return events.map((e, i) => cached(e, prevs[i]))
  })
}

async function previousVersion(source: EventSource, e: KvEvent): Promise<KeyValue | undefined> {
  try {
    const kv = await source.get(e.kv.key, { revision: e.kv.modRevision - 1 })
    return kv === undefined ? undefined : Object.freeze(kv)
  } catch (err) {
    // W9: etcd silently leaves prevKv out when modRevision - 1 is compacted.
    if (err instanceof CompactedError) return undefined
    throw err
  }
}

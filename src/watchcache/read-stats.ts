// Counters of the cache's read path (for the API server's /metrics, via Store.readPathStats):
// how many reads the cache answered, how many it handed back to the store and why, and how
// often and how long a read waited for the cache to catch up with the store.

/** Why a read the cache was asked for went to the store instead. DO-NOT-RENAME: metric labels. */
export type CacheFallbackReason =
  /** The current state outgrew watchCacheStateBytesMax and is no longer kept. */
  | 'state-off'
  /** The current state is still loading (first use, or after the feed restarted). */
  | 'loading'
  /** The cache did not reach the store's revision within consistentReadWaitMs. */
  | 'not-caught-up'
  /** An exact revision the ring no longer covers (or a previous version it cannot know). */
  | 'revision-not-held'
  /** A compaction overtook the state's load. */
  | 'compacted'

export const cacheFallbackReasons: readonly CacheFallbackReason[] = Object.freeze(['state-off', 'loading', 'not-caught-up', 'revision-not-held', 'compacted'])

export interface CacheReadStats {
  /** Reads answered from the cache's current state. */
  hits: number
  /** Of them, consistent reads (resourceVersion ""), answered once the cache had the store's revision. */
  consistentHits: number
  /** Reads handed to the store, by reason. */
  fallbacks: Record<CacheFallbackReason, number>
  /** Reads that had to wait for the cache to reach a revision, and their total wait on the Clock. */
  waits: number
  waitMsTotal: number
}

export class CacheReadCounters {
  // Each only grows.
  hits = 0
  consistentHits = 0
  waits = 0
  waitMsTotal = 0
  private readonly fallbacks = new Map<CacheFallbackReason, number>()

  fallback(reason: CacheFallbackReason): undefined {
    this.fallbacks.set(reason, (this.fallbacks.get(reason) ?? 0) + 1)
    return undefined
  }

  snapshot(): CacheReadStats {
    const fallbacks = Object.fromEntries(cacheFallbackReasons.map((r) => [r, this.fallbacks.get(r) ?? 0])) as Record<CacheFallbackReason, number>
    return { hits: this.hits, consistentHits: this.consistentHits, fallbacks, waits: this.waits, waitMsTotal: this.waitMsTotal }
  }
}

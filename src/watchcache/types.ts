// The watch API, etcd v3 shaped (rpc.proto WatchCreateRequest / WatchResponse), and the small
// interface the cache needs from the store below it (DESIGN.md: the cache depends on an ordered
// stream of committed events and point reads, not on SQLite).
import type { EventBatch, KeyValue, RangeRequest, RangeResponse } from '../mvcc/index.js'
import type { BytesLike } from '../util/index.js'

export type WatchFilter = 'NOPUT' | 'NODELETE'

export interface WatchRequest {
  /** First key; an empty key means "\x00" (W2). */
  key: BytesLike
  /** Exclusive end; "\0" means every key >= key (RG1). Without it and prefix, the one key. */
  rangeEnd?: BytesLike
  /** rangeEnd = the prefix end of key. Not together with rangeEnd. */
  prefix?: boolean
  /** First revision to deliver, inclusive (W3). 0 or absent: events after the current revision. */
  startRevision?: number
  /** Each non-create event also carries the key's previous version (W9). */
  prevKv?: boolean
  /** Event types to drop (W10). */
  filters?: readonly WatchFilter[]
  /** Periodic empty responses while idle and in sync (W11). */
  progressNotify?: boolean
  /** Aborting ends the watch with a canceled response. */
  signal?: AbortSignal
}

/** One event. Frozen and shared by every watcher that receives it: do not modify. */
export interface WatchEvent {
  readonly type: 'PUT' | 'DELETE'
  readonly kv: KeyValue
  readonly prevKv?: KeyValue
}

export interface WatchResponse {
  /**
   * Unless canceled: every event of this watch at or below it has been delivered, in this
   * response or before (so an empty response is a progress notification, W11). On a canceled
   * response, the revision the cache had reached; it promises nothing.
   */
  revision: number
  /** Whole revisions in order (W7); often a frozen array shared with other watchers. */
  events: readonly WatchEvent[]
  /** Set when the watch ended because its start (or its position) was compacted (W5, W6). */
  compactRevision?: number
  /** The last response of a watch. */
  canceled?: true
  cancelReason?: string
}

/** What the watch cache needs from the store: KvStore fits it. */
export interface EventSource {
  onCommit(listener: (head: { revision: number; compactRevision: number }) => void): () => void
  readEvents(after: number, limit: number): EventBatch
  eventPositionBefore(revision: number): number
  lastEventPosition(): number
  get(key: BytesLike, options?: { revision?: number }): Promise<KeyValue | undefined>
  /** Loads the current state (pages pinned to one revision). */
  range(request: RangeRequest): Promise<RangeResponse>
}

/** A read of the cache's current state (Store.rangeFromCache): keys as a watch names them. */
export interface CachedRangeRequest {
  key: BytesLike
  rangeEnd?: BytesLike
  prefix?: boolean
  /** Wait (up to watchCacheWaitMs) until the cache has reached this revision; 0 or absent: no wait. */
  notOlderThan?: number
  /**
   * A consistent read (KEP-2340): Store.rangeFromCache sets notOlderThan to the store's current
   * revision. The cache never waits for its state to load and waits at most consistentReadWaitMs
   * for the revision; when it cannot answer it returns undefined (read the store), reason counted.
   */
  consistent?: boolean
  /**
   * The range as of exactly this revision (a continue page, an exact read): from the current state
   * and the ring, when the ring holds every event after it; else undefined (read the store).
   * Implies the same no-load-wait rule as consistent.
   */
  revision?: number
}

export interface CachedRange {
  /** The cache's revision: the state of the range as of it. */
  revision: number
  /** Live keys in range, in key order: frozen, shared with the cache and other readers. */
  kvs: readonly KeyValue[]
}

/** Reasons on canceled responses (stable strings: clients may match them). */
export const cancelReasons = Object.freeze({
  compacted: 'mvcc: required revision has been compacted',
  /** etcd's answer to a watch whose range holds no key (key >= rangeEnd). */
  emptyRange: 'mvcc: watcher range is empty',
  /** A prefix: the full reason adds the counts. */
  overflow: 'watch: buffer overflow',
  closed: 'store closed',
  aborted: 'watch: aborted by its signal',
})

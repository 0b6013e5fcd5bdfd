// What the object layer needs from below and what it hands back. The object layer declares the
// key-value interface it uses (STYLE: the consumer declares the interface), so the SQLite KvStore
// fits it today and an etcd client can fit it later.
import type { KubeObject, KubeObjectInput, ObjectCodec } from '../codec/index.js'
import type { KeyValue, LeaseGrantResponse, RangeRequest, RangeResponse, TxnRequest, TxnResponse } from '../mvcc/index.js'
import type { Clock, EventLoopDelayStats } from '../util/index.js'
import type { CacheReadStats, CachedRange, CachedRangeRequest, WatchRequest, WatchResponse } from '../watchcache/index.js'
import type { Status } from './errors.js'

/** The part of KvStore the object layer uses. */
export interface ObjectKv {
  /** The store's current revision. */
  readonly revision: number
  /** Reads below it fail with CompactedError. */
  readonly compactRevision: number
  /** One key, at the latest revision or at `revision` (same errors as range). */
  get(key: string, options?: { revision?: number }): Promise<KeyValue | undefined>
  range(request: RangeRequest): Promise<RangeResponse>
  txn(request: TxnRequest): Promise<TxnResponse>
  leaseGrant(ttlSeconds: number): Promise<LeaseGrantResponse>
  /** The etcd-shaped KV watch (Store.watch); without it, ObjectStore.watch refuses to start. */
  watch?(request: WatchRequest): KvWatcher
  /** A progress response to every KV watcher once it is in sync (Store.requestProgress). */
  requestProgress?(): void
  /** The watch cache's current state (Store.rangeFromCache); without it, every read goes to range. */
  rangeFromCache?(request: CachedRangeRequest): Promise<CachedRange | undefined>
  /** The cache's counters and the event loop's delay (Store.readPathStats). */
  readPathStats?(options?: { reset?: boolean }): { cache: CacheReadStats; eventLoopDelay: EventLoopDelayStats }
}

/** ObjectStore.readPathStats (docs/read-path.md). */
export interface ObjectReadPathStats {
  /** Gets answered by the watch cache and by the store. */
  gets: { cache: number; store: number }
  /** Lists answered (their cache hits and fallbacks are in `cache`). */
  lists: number
  /** The cache's hits, fallbacks by reason and waits (every cached read of the store, lists included). */
  cache: CacheReadStats | undefined
  eventLoopDelay: EventLoopDelayStats | undefined
}

/** What ObjectKv.watch returns: Store's Watcher fits it. */
export interface KvWatcher extends AsyncIterableIterator<WatchResponse> {
  cancel(): void
}

export interface ObjectStoreOptions {
  kv: ObjectKv
  codec: ObjectCodec
  /** Source of creationTimestamp. */
  clock: Clock
  /** New metadata.uid values; crypto.randomUUID by default (tests inject a counter). */
  uid?: () => string
  /** Longest synchronous slice of a list read from the store (default limits.readSliceMs, 10 ms). */
  readSliceMs?: number
  /**
   * Where store-path list pages are read instead of kv.range: a ReadPool's range runs them on
   * worker threads with read-only connections (docs/read-path.md). Same answers as kv.range.
   */
  storeRange?: (request: RangeRequest) => Promise<RangeResponse>
}

/** Kubernetes storage.Preconditions: each given field must equal the stored object's. */
export interface Preconditions {
  uid?: string
  resourceVersion?: string
}

export interface CreateOptions {
  /** Attach a lease with this TTL, as Kubernetes does for Events: the object vanishes when it expires. */
  ttlSeconds?: number
}

export interface GetOptions {
  /** "" or absent: latest (consistent); "0": any (latest for now); "N": as of revision N. */
  resourceVersion?: string
  /** Return undefined instead of throwing NotFound. */
  ignoreNotFound?: boolean
}

export type ResourceVersionMatch = 'NotOlderThan' | 'Exact'

export interface ListOptions {
  resourceVersion?: string
  resourceVersionMatch?: ResourceVersionMatch
  /** Items per page; 0 or absent: everything. */
  limit?: number
  /** The opaque token of the previous page. */
  continue?: string
  /** Kubernetes label selector syntax: `app=web,tier in (a,b),!canary`. */
  labelSelector?: string
  /** metadata.name and metadata.namespace with =, == and !=. */
  fieldSelector?: string
}

export interface ListResult {
  items: KubeObject[]
  /** The store revision the list was read at. */
  resourceVersion: string
  /** Present when more items remain: pass it back as `continue`. */
  continue?: string
  /** Items after this page; only without selectors (the count cannot see them). */
  remainingItemCount?: number
}

/**
 * Returns the new object, or throws to abort the update. The current object is deeply frozen:
 * build a new one (`{ ...current, spec: {...} }`), sharing the parts that stay. It may run several
 * times, once per lost race, so it should not have side effects.
 */
export type TryUpdate = (current: KubeObject) => KubeObjectInput | Promise<KubeObjectInput>
/** As TryUpdate, but `current` is undefined when the key is absent (ignoreNotFound: create). */
export type TryUpsert = (current: KubeObject | undefined) => KubeObjectInput | Promise<KubeObjectInput>

export interface UpdateOptions {
  preconditions?: Preconditions
  /** A missing key is not NotFound: tryUpdate gets undefined and its result is created. */
  ignoreNotFound?: boolean
  /**
   * Kubernetes' cachedExistingObject: the caller's copy of the current object (e.g. from an
   * informer or objects.get at "0"), with the resourceVersion it was read at. The update starts
   * from it instead of reading the store; if it is out of date the CAS fails and the loop goes on
   * with the fresh object, and a precondition failure, a tryUpdate error or a no-op seen on the
   * copy is checked against the store before it is returned.
   */
  cachedExistingObject?: KubeObject
}

export interface DeleteOptions {
  preconditions?: Preconditions
}

export interface ObjectWatchOptions {
  /**
   * "" or absent: changes after now; "0": the current state as ADDED events, then changes; "N":
   * changes after revision N (410 ERROR if N is compacted). See docs/objects.md, Watch.
   */
  resourceVersion?: string
  /**
   * First the current state as ADDED events, then a BOOKMARK annotated k8s.io/initial-events-end,
   * then changes. Default: true for resourceVersion "0" (without the end bookmark), else false.
   */
  sendInitialEvents?: boolean
  /** BOOKMARK events whenever the KV watch reports progress (see ObjectStore.requestBookmarks). */
  allowWatchBookmarks?: boolean
  labelSelector?: string
  fieldSelector?: string
  /** Aborting ends the watch quietly, as cancel() does. */
  signal?: AbortSignal
  /** Watch every key under key + "/" (as list does) rather than the one key. Default: key ends with "/". */
  recursive?: boolean
}

/**
 * One Kubernetes watch event. Objects are deeply frozen and may be shared with other watchers:
 * copy before changing them. A DELETED object is the last state that passed the selectors, with
 * the deletion's resourceVersion; a BOOKMARK object has only metadata.resourceVersion (and the
 * initial-events-end annotation); an ERROR carries a Status and is the last event.
 */
export type ObjectWatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject }
  | { type: 'ERROR'; object: Status }

export type ObjectWatchEventType = ObjectWatchEvent['type']

// The store users get: the MVCC key-value store with the watch cache on top. Every KvStore call
// is inherited unchanged; watch(), requestProgress() and rangeFromCache() go to the cache, which
// is created here and started by the first watch or cached read (a store that uses neither pays
// nothing for it).
import { KvStore, type KvStoreOptions } from './mvcc/index.js'
import type { Clock } from './util/index.js'
import { type CachedRange, type CachedRangeRequest, WatchCache, type WatchCacheStatus, type Watcher, type WatchRequest } from './watchcache/index.js'

export interface StoreOptions extends KvStoreOptions {
  clock: Clock
  /** W11: interval of progress notifications to idle watchers that asked for them. */
  watchProgressNotifyIntervalMs: number
}

export class Store extends KvStore {
  private readonly cache: WatchCache

  constructor(options: StoreOptions) {
    super(options)
    this.cache = new WatchCache(this, {
      limits: options.limits,
      clock: options.clock,
      progressNotifyIntervalMs: options.watchProgressNotifyIntervalMs,
    })
  }

  /**
   * etcd-shaped watch (docs/watch.md): an async iterable of responses, in revision order, each
   * revision whole. Leave the loop, call cancel(), or abort the signal to stop it.
   */
  watch(request: WatchRequest): Watcher {
    this.noticeCommits()
    return this.cache.watch(request)
  }

  /**
   * A range from the watch cache's current state (docs/watch.md, Cached reads), as of the cache's
   * revision: possibly behind the store, never behind `notOlderThan` (it waits up to
   * watchCacheWaitMs for that, then fails with CacheTooOldError, Timeout). The first call loads
   * the state. undefined when the state is off (larger than watchCacheStateBytesMax): use range.
   */
  async rangeFromCache(request: CachedRangeRequest): Promise<CachedRange | undefined> {
    this.noticeCommits()
    return this.cache.readRange(request)
  }

  /** W12: a progress response to every watcher, as soon as it is in sync. */
  requestProgress(): void {
    this.cache.requestProgress()
  }

  /** The watch cache's revision and sizes: ring capacity and use, current state (for monitoring and tests). */
  get watchCacheStatus(): WatchCacheStatus {
    return this.cache.status
  }

  /** Open watchers (for monitoring and tests). */
  get watcherCount(): number {
    return this.cache.watcherCount
  }

  override async close(): Promise<void> {
    this.cache.close()
    await super.close()
  }

  /**
   * Looks for other processes' commits now (running the commit listeners, which feed the cache),
   * so "now" (startRevision 0) is not older than what this process can read.
   */
  private noticeCommits(): void {
    this.refresh()
  }
}

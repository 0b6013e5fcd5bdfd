// The store users get: the MVCC key-value store with the watch cache on top. Every KvStore call
// is inherited unchanged; watch(), requestProgress() and rangeFromCache() go to the cache, which
// is created here and started by the first watch or cached read (a store that uses neither pays
// nothing for it).
import { KvStore, type KvStoreOptions } from './mvcc/index.js'
import { type Clock, describeValue, EventLoopDelay, type EventLoopDelayStats, InvalidArgumentError } from './util/index.js'
import { type CacheReadStats, type CachedRange, type CachedRangeRequest, WatchCache, type WatchCacheStatus, type Watcher, type WatchRequest } from './watchcache/index.js'

export interface StoreOptions extends KvStoreOptions {
  clock: Clock
  /** W11: interval of progress notifications to idle watchers that asked for them. */
  watchProgressNotifyIntervalMs: number
}

export interface ReadPathStats {
  cache: CacheReadStats
  eventLoopDelay: EventLoopDelayStats
}

export class Store extends KvStore {
  private readonly cache: WatchCache
  // Measures event-loop stalls while the store is open; stopped by close().
  private readonly loopDelay = new EventLoopDelay()

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
    if (request === null || typeof request !== 'object') throw new InvalidArgumentError(`rangeFromCache: the request must be an object, got ${describeValue(request)}`)
    this.noticeCommits()
    if (request.consistent !== true) return this.cache.readRange(request)
    // KEP-2340: learn the store's revision now (another process's commits included: noticeCommits
    // looked at the file), then let the cache answer once it has reached it. Every write acknowledged
    // before this call is at or below that revision, so the answer includes it.
    return this.cache.readRange({ ...request, notOlderThan: Math.max(request.notOlderThan ?? 0, this.revision) })
  }

  /**
   * The read path's figures, for monitoring (the API server's /metrics): the watch cache's hits,
   * fallbacks to the store by reason and waits, and the event loop's delay since the store opened
   * (or the last reset). See docs/read-path.md.
   */
  readPathStats(options: { reset?: boolean } = {}): ReadPathStats {
    return { cache: this.cache.readStats, eventLoopDelay: this.loopDelay.stats(options.reset === true) }
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
    this.loopDelay.stop()
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

// The watch cache layer's public face: other layers import from here only.
export { WatchCache, type WatchCacheOptions, type WatchCacheStatus } from './watch-cache.js'
export { CacheTooOldError, TooManyWatchersError } from './errors.js'
export type { Watcher } from './watcher.js'
export { cancelReasons, type CachedRange, type CachedRangeRequest, type EventSource, type WatchEvent, type WatchFilter, type WatchRequest, type WatchResponse } from './types.js'
export { cacheFallbackReasons, type CacheFallbackReason, type CacheReadStats } from './read-stats.js'

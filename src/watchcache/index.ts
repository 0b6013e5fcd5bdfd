// The watch cache layer's public face: other layers import from here only.
export { WatchCache, type WatchCacheOptions } from './watch-cache.js'
export { TooManyWatchersError } from './errors.js'
export type { Watcher } from './watcher.js'
export { cancelReasons, type EventSource, type WatchEvent, type WatchFilter, type WatchRequest, type WatchResponse } from './types.js'

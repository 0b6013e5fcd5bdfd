import { StorageError } from '../util/index.js'

/** More watchers than watchersMax are open: cancel some, or raise the limit. */
export class TooManyWatchersError extends StorageError {
  constructor(readonly watchersMax: number) {
    super('TooManyRequests', `watch: too many watchers (watchersMax ${watchersMax})`)
  }
}

/**
 * A read "not older than" a revision the cache did not reach within watchCacheWaitMs (Kubernetes'
 * 504 "Too large resource version"; the object layer answers its TooLargeResourceVersionError).
 */
export class CacheTooOldError extends StorageError {
  constructor(
    readonly revision: number,
    readonly cacheRevision: number,
    waitMs: number,
  ) {
    super('Timeout', `watch: too large resource version: ${revision}, current: ${cacheRevision} (waited ${waitMs} ms)`)
  }
}

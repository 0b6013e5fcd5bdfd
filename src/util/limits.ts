// Every resource has a named limit, checked where input enters, so no request can make the store
// use unbounded memory, time or disk. Defaults follow etcd where etcd has one (reference §9).
import { InvalidArgumentError } from './errors.js'
import { describeValue } from './describe-value.js'

export interface Limits {
  /** Whole request: keys + values + range ends of every op (etcd --max-request-bytes, 1.5 MiB). */
  requestBytesMax: number
  /** One key. etcd has no separate limit; bbolt's page layout caps keys at 32 KiB. */
  keyBytesMax: number
  /** One value. Bounded by requestBytesMax as well. */
  valueBytesMax: number
  /** max(compares, success ops, failure ops) of one txn (etcd --max-txn-ops, 128). */
  txnOpsMax: number
  /** Writes queued and not yet committed; beyond it writes fail fast with TooManyRequests. */
  pendingWritesMax: number
  /** Log rows one compaction step may delete in one transaction (keeps writers' waits short). */
  compactionBatchRowsMax: number
  /** Expired leases revoked per expiry pass (etcd revokes at most 1000/s). */
  leaseRevokesPerPassMax: number
  /** Lease TTLs below it are raised to it (etcd: ceil(1.5 x election timeout) = 2 s). */
  leaseTtlMinSeconds: number
  /** etcd's MaxLeaseTTL. */
  leaseTtlMaxSeconds: number
  /** Events the watch cache ring may grow to (Kubernetes' upper bound is 102,400). */
  watchCacheEventsMax: number
  /** Events the ring starts with and never shrinks below (Kubernetes: 100); capped at watchCacheEventsMax. */
  watchCacheEventsMin: number
  /** The ring grows while its oldest event is younger than this, and shrinks when events are far older
   *  (Kubernetes eventFreshDuration, 75 s = one bookmark period + 15 s). */
  watchCacheEventFreshMs: number
  /** Bytes (keys + values + 512 per key) of the cache's current state (latest version per live key,
   *  kept once a list or get asks the cache); beyond it the state is dropped and such reads go to the store. */
  watchCacheStateBytesMax: number
  /** How long a read "not older than N" waits for the cache to reach N before 504 too large (Kubernetes: 3 s). */
  watchCacheWaitMs: number
  /** How long a consistent read (resourceVersion "") waits for the cache to reach the store's revision
   *  before it reads the store instead (KEP-2340; the fallback is counted as 'not-caught-up'). */
  consistentReadWaitMs: number
  /** Longest synchronous slice of a large read (a list, the cache's first load): past it the read
   *  yields to the event loop before its next page, so no read stalls timers, watchers or other requests. */
  readSliceMs: number
  /** Bytes (keys + values + ~128 per event) the ring keeps; the oldest events go first. */
  watchCacheBytesMax: number
  /** Watchers open at once on one store. */
  watchersMax: number
  /** Undelivered events one live watcher may hold; beyond it the watcher is cancelled. */
  watchBufferEventsMax: number
  /** Events per watch response and per page read from the log (whole revisions: one revision may exceed it). */
  watchResponseEventsMax: number
}

export const defaultLimits: Readonly<Limits> = Object.freeze({
  requestBytesMax: 1.5 * 1024 * 1024,
  keyBytesMax: 32 * 1024,
  valueBytesMax: 1.5 * 1024 * 1024,
  txnOpsMax: 128,
  pendingWritesMax: 100_000,
  compactionBatchRowsMax: 500,
  leaseRevokesPerPassMax: 1_000,
  leaseTtlMinSeconds: 2,
  leaseTtlMaxSeconds: 9_000_000_000,
  watchCacheEventsMax: 100_000,
  watchCacheEventsMin: 100,
  watchCacheEventFreshMs: 75_000,
  watchCacheStateBytesMax: 256 * 1024 * 1024,
  watchCacheWaitMs: 3_000,
  consistentReadWaitMs: 1_000,
  readSliceMs: 10,
  watchCacheBytesMax: 64 * 1024 * 1024,
  watchersMax: 100_000,
  watchBufferEventsMax: 10_000,
  watchResponseEventsMax: 1_000,
})

export function resolveLimits(overrides: Partial<Limits> | undefined): Readonly<Limits> {
  if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) {
    throw new InvalidArgumentError(`limits: must be an object, got ${describeValue(overrides)}`)
  }
  // A misspelt limit would silently leave the default in force.
  for (const name of Object.keys(overrides ?? {})) {
    if (!Object.hasOwn(defaultLimits, name)) throw new InvalidArgumentError(`limits: ${name} is not a known limit`)
  }
  const limits: Limits = { ...defaultLimits, ...overrides }
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new InvalidArgumentError(`limits: ${name} must be a positive integer, got ${describeValue(value)}`)
    }
  }
  return Object.freeze(limits)
}

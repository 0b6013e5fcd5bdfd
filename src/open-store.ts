// Wiring: the SQLite log below, the MVCC store and the watch cache above. The one place that knows them all.
import { createRequire } from 'node:module'
import { SqliteLog } from './log/index.js'
import type { Log, ValueTransformer } from './mvcc/index.js'
import { Store } from './store.js'
import type { Durability } from './mvcc/index.js'
import { InvalidArgumentError, resolveLimits, systemClock, validate as v, type Clock, type Limits } from './util/index.js'

export interface OpenStoreOptions {
  /** Database file; ':memory:' for a private in-memory store. Default ./data/etchlog.db. */
  path?: string
  /** 'strict' (default): a write resolves after its commit is fsynced. 'relaxed': survives a
   *  process crash, not a power loss (SQLite synchronous=NORMAL). */
  durability?: Durability
  clock?: Clock
  limits?: Partial<Limits>
  /** How long a write waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number
  /** SQLite page cache in KiB. Default 65536 (64 MiB). */
  cacheKiB?: number
  /** Largest database file in bytes, like etcd's --quota-backend-bytes; writes beyond it fail
   *  with LogError 'database space exceeded' until compaction frees space. Default 0: no limit. */
  quotaBytes?: number
  /** Open an existing database for reading only (another process may be writing it): writes
   *  fail with ReadOnlyError; leases do not expire and compaction does not run from here. */
  readOnly?: boolean
  /** Rebuild the current-state index from the log before serving. */
  rebuildIndex?: boolean
  /** How often leases granted by other processes are looked for. Default 1000 ms. */
  leasePollMs?: number
  /** While something listens for commits (a watch), how often other processes' commits are
   *  looked for. Default 25 ms. */
  remotePollMs?: number
  /** Run WAL checkpoints on a worker thread instead of inside commits. Default true. */
  checkpointThread?: boolean
  /** Turns values into what is stored and back (encryption at rest); identity by default. */
  transformer?: ValueTransformer
  /** W11: how often idle watchers that asked for progressNotify get a progress response.
   *  Default 600000 (10 min, etcd's default). */
  watchProgressNotifyIntervalMs?: number
  /** Told about exceptions thrown by commit listeners (onCommit), which never reach the writer.
   *  Default: a process warning. Store.listenerErrorCount counts them either way. */
  onError?: (error: unknown, source: 'commitListener') => void
}

const positiveMs = v.optional(v.integer({ min: 1, max: 2 ** 31 - 1 }))
// Every option, declared once: an unknown (misspelt) key is refused rather than ignored.
const openStoreOptions = v.options({
  path: v.optional(v.string({ nonEmpty: true })),
  durability: v.optional(v.oneOf(['strict', 'relaxed'] as const)),
  clock: v.optional(v.methods<Clock>(['now', 'setTimer'])),
  limits: v.optional((value: unknown, name: string) => (v.isRecord(value) ? value : v.fail(name, 'must be an object', value))),
  busyTimeoutMs: v.optional(v.integer({ min: 0, max: 2 ** 31 - 1 })),
  cacheKiB: v.optional(v.integer({ min: 1, max: 2 ** 40 })),
  quotaBytes: v.optional(v.integer({ min: 0 })),
  readOnly: v.optional(v.boolean),
  rebuildIndex: v.optional(v.boolean),
  leasePollMs: positiveMs,
  remotePollMs: positiveMs,
  checkpointThread: v.optional(v.boolean),
  transformer: v.optional(v.methods<ValueTransformer>(['toStorage', 'fromStorage'])),
  watchProgressNotifyIntervalMs: positiveMs,
  onError: v.optional(v.func),
})

const packageVersion = (createRequire(import.meta.url)('../package.json') as { version: string }).version

export async function openStore(given: OpenStoreOptions = {}): Promise<Store> {
  const options = openStoreOptions(given, 'openStore options') as OpenStoreOptions
  const durability = options.durability ?? 'strict'
  if (durability !== 'strict' && durability !== 'relaxed') {
    throw new InvalidArgumentError(`etchlog: durability must be 'strict' or 'relaxed', got ${String(durability)}`)
  }
  const limits = resolveLimits(options.limits)
  const log: Log = new SqliteLog({
    path: options.path ?? './data/etchlog.db',
    durability,
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    cacheKiB: options.cacheKiB ?? 65536,
    quotaBytes: options.quotaBytes ?? 0,
    checkpointThread: options.checkpointThread ?? true,
    readOnly: options.readOnly === true,
  })
  if (options.rebuildIndex === true) {
    if (options.readOnly === true) throw new InvalidArgumentError('etchlog: rebuildIndex needs a writable store')
    log.write((tx) => log.rebuildLive(tx))
  }
  const progressMs = options.watchProgressNotifyIntervalMs ?? 600_000
  if (!Number.isSafeInteger(progressMs) || progressMs <= 0) {
    throw new InvalidArgumentError(`etchlog: watchProgressNotifyIntervalMs must be a positive integer, got ${String(progressMs)}`)
  }
  return new Store({
    log,
    clock: options.clock ?? systemClock,
    watchProgressNotifyIntervalMs: progressMs,
    limits,
    durability,
    version: packageVersion,
    leasePollMs: options.leasePollMs ?? 1000,
    remotePollMs: options.remotePollMs ?? 25,
    readOnly: options.readOnly === true,
    ...(options.transformer === undefined ? {} : { transformer: options.transformer }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  })
}

// The store: etcd v3's KV, Lease and Maintenance calls over a Log. Reads run at once on a read
// snapshot; writes go through the group-commit writer and resolve once durable.
import { assert, type BytesLike, type Clock, type TimerHandle, CompactedError, FutureRevisionError, type Limits, StoreClosedError, ReadOnlyError, validate as v, describeValue } from '../util/index.js'
import { applyDeleteRange, applyPut, applyRewriteStored, applyTxn, WriteScope } from './apply.js'
import { checkStore } from './check.js'
import { Compactor } from './compactor.js'
import { checkLeaseId, Lessor } from './lessor.js'
import type { Head, Log } from './log.js'
import { executeRange, toKeyValue } from './range.js'
import { integer, RequestReader } from './request.js'
import { checkTxnKeys } from './txn-keys.js'
import type {
  CheckReport,
  CompactOptions,
  CompactResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  Durability,
  KeyValue,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseRevokeResponse,
  LeaseStatus,
  LeaseTimeToLiveResponse,
  PutOptions,
  PutResponse,
  RangeRequest,
  RangeResponse,
  StatusResponse,
  TxnRequest,
  TxnResponse,
} from './types.js'
import { identityTransformer, ValueReader, type ValueTransformer } from './values.js'
import { Writer } from './writer.js'
import { reencrypt, type ReencryptOptions, type ReencryptProgress, type StoredRow } from './reencrypt.js'
import { readEvents, type EventBatch } from './events.js'

// After a failed background compaction step (lock held elsewhere, I/O error), wait this long.
const COMPACTION_RETRY_MS = 1000

export interface KvStoreOptions {
  log: Log
  clock: Clock
  limits: Readonly<Limits>
  durability: Durability
  version: string
  /** How often the lease timer looks for leases granted by other processes. */
  leasePollMs: number
  /** While someone listens for commits, how often commits of other processes are looked for. */
  remotePollMs: number
  /** Encryption at rest (src/encryption); identity when absent. */
  transformer?: ValueTransformer
  /** Reads only: writes fail with ReadOnlyError; no lease expiry or compaction runs here. */
  readOnly?: boolean
  /** Told about an exception thrown by a commit listener (which never reaches the writer). */
  onError?: (error: unknown, source: 'commitListener') => void
}

const getOptions = v.options({ revision: v.optional(v.integer()) })
const compactOptions = v.options({ physical: v.optional(v.boolean) })
const timeToLiveOptions = v.options({ keys: v.optional(v.boolean) })
// A position before the first row may be -1 (positionBefore of an empty log); any integer reads from after it.
const position = v.integer()
const eventLimit = v.integer({ min: 1 })
const destination = v.string({ nonEmpty: true })

export class KvStore {
  private readonly log: Log
  private readonly clock: Clock
  private readonly limits: Readonly<Limits>
  private readonly values: ValueReader
  private readonly writer: Writer
  private readonly lessor: Lessor
  private readonly compactor: Compactor
  // Last head this process knows; refreshed when another connection commits (data_version).
  private cachedHead: Head
  private closed = false
  // Called after every commit that moved the head (local, or noticed from another process).
  private readonly commitListeners = new Set<(head: Head) => void>()
  // Polls for other processes' commits while there are listeners.
  private remotePoll: TimerHandle | undefined
  // Exceptions thrown by commit listeners so far (each also handed to options.onError).
  private listenerErrors = 0

  constructor(private readonly options: KvStoreOptions) {
    this.log = options.log
    this.clock = options.clock
    this.limits = options.limits
    this.values = new ValueReader(this.log, options.transformer ?? identityTransformer)
    this.cachedHead = this.log.read((tx) => this.log.head(tx))
    const readOnly = options.readOnly === true
    this.writer = new Writer(
      this.log,
      this.clock,
      this.limits.pendingWritesMax,
      (h) => this.learn(h),
      readOnly ? () => new ReadOnlyError() : undefined,
    )
    this.lessor = new Lessor(this.values, this.writer, this.clock, this.limits, options.leasePollMs)
    this.compactor = new Compactor(
      this.log,
      this.limits.compactionBatchRowsMax,
      (h) => this.learn(h),
      this.clock,
      COMPACTION_RETRY_MS,
      () => this.writer.pending > 0,
    )
    if (!readOnly) {
      this.lessor.schedule()
      // A compaction interrupted by a crash or close resumes from its recorded cursor.
      if (this.cachedHead.compactedRevision < this.cachedHead.compactRevision) this.compactor.kick()
    }
  }

  private learn(head: Head): void {
    // Another process may have moved further than this commit; never step back.
    if (head.revision >= this.cachedHead.revision) this.cachedHead = head
    // A listener runs inside the writer's commit path: its exception must not stop the writer,
    // the callers waiting on this commit, or the other listeners.
    for (const listener of this.commitListeners) {
      try {
        listener(this.cachedHead)
      } catch (err) {
        this.listenerFailed(err)
      }
    }
  }

  private listenerFailed(err: unknown): void {
    this.listenerErrors++
    const hook = this.options.onError
    if (hook === undefined) {
      process.emitWarning(`etchlog: a commit listener threw: ${err instanceof Error ? err.message : describeValue(err)}`, 'EtchlogListenerWarning')
      return
    }
    try {
      hook(err, 'commitListener')
    } catch (hookErr) {
      // The error hook itself failed: the writer goes on; the process is told once, as a warning.
      process.emitWarning(`etchlog: the onError hook threw: ${hookErr instanceof Error ? hookErr.message : describeValue(hookErr)}`, 'EtchlogListenerWarning')
    }
  }

  /** How many times a commit listener has thrown (each reported to onError, or as a process warning). */
  get listenerErrorCount(): number {
    return this.listenerErrors
  }

  private head(): Head {
    if (this.log.changedElsewhere()) this.learn(this.log.read((tx) => this.log.head(tx)))
    return this.cachedHead
  }

  /**
   * Calls `listener` after every commit that moves the store: local writes (before their callers
   * are answered, as etcd hands events to watchers first, W16), compactions, and commits of other
   * processes (looked for every remotePollMs while anyone listens). Returns the unsubscribe.
   */
  onCommit(listener: (head: { revision: number; compactRevision: number }) => void): () => void {
    this.open()
    v.func(listener, 'listener')
    this.commitListeners.add(listener)
    this.pollRemote()
    return () => {
      this.commitListeners.delete(listener)
    }
  }

  private pollRemote(): void {
    if (this.remotePoll !== undefined || this.commitListeners.size === 0 || this.closed) return
    this.remotePoll = this.clock.setTimer(this.options.remotePollMs, () => {
      this.remotePoll = undefined
      if (this.closed) return
      this.head()
      this.pollRemote()
    })
  }

  /** Committed events after log position `after` (about `limit`, whole revisions), in order. */
  readEvents(after: number, limit: number): EventBatch {
    this.open()
    position(after, 'after')
    eventLimit(limit, 'limit')
    return this.log.read((tx) => readEvents(this.values, tx, this.log.head(tx), after, limit))
  }

  /** The position to read events from so that the first one is at or above `revision`. */
  eventPositionBefore(revision: number): number {
    this.open()
    v.integer()(revision, 'revision')
    return this.log.read((tx) => this.log.positionBefore(tx, revision))
  }

  /** The position of the newest event (0 when the log is empty). */
  lastEventPosition(): number {
    this.open()
    return this.log.lastPosition(this.log.autocommit)
  }

  private open(): void {
    if (this.closed) throw new StoreClosedError()
  }

  /** Looks for other processes' commits now (running the commit listeners); StoreClosedError once closed. */
  protected refresh(): void {
    this.open()
    this.head()
  }

  /** The current revision (REV1: 1 for an empty store). */
  get revision(): number {
    this.open()
    return this.head().revision
  }

  /** Reads below it fail with CompactedError. */
  get compactRevision(): number {
    this.open()
    return this.head().compactRevision
  }

  async range(request: RangeRequest): Promise<RangeResponse> {
    this.open()
    const r = new RequestReader(this.limits).range(request)
    return this.log.read((tx) => executeRange(this.values, tx, this.log.head(tx), r))
  }

  async get(key: BytesLike, options: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.open()
    const k = new RequestReader(this.limits).key(key)
    const revision = integer(getOptions(options, 'get options').revision, 'revision')
    if (revision <= 0) {
      const [row] = this.values.range(this.log.autocommit, { interval: { point: k }, revision: undefined, limit: 1, withValues: true })
      return row === undefined ? undefined : toKeyValue(row)
    }
    const r = await this.range({ key: k, revision })
    return r.kvs[0]
  }

  async put(key: BytesLike, value?: BytesLike, options: PutOptions = {}): Promise<PutResponse> {
    this.open()
    const p = new RequestReader(this.limits).put({ ...v.objectOrUndefined(options, 'put options'), key, value })
    return this.writer.submit((b) => applyPut(new WriteScope(this.values, b), p))
  }

  async deleteRange(request: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    this.open()
    const d = new RequestReader(this.limits).deleteRange(request)
    return this.writer.submit((b) => applyDeleteRange(new WriteScope(this.values, b), d))
  }

  async txn(request: TxnRequest): Promise<TxnResponse> {
    this.open()
    const t = new RequestReader(this.limits).txn(request)
    checkTxnKeys(t.success, t.failure)
    return this.writer.submit((b) => applyTxn(new WriteScope(this.values, b), t))
  }

  /**
   * C1-C3: R <= compaction point is compacted, R > revision is a future revision. Returns once R
   * is durable as the compaction point; with physical, once the rows are gone and space reclaimed.
   */
  async compact(revision: number, options: CompactOptions = {}): Promise<CompactResponse> {
    this.open()
    const rev = integer(revision, 'compaction revision')
    // Every argument is checked before the compaction is queued: a bad one must not commit it.
    const physical = compactOptions(options, 'compact options').physical === true
    const response = await this.writer.submit((b) => {
      if (rev <= b.compactRevision) throw new CompactedError(rev, b.compactRevision)
      if (rev > b.revision) throw new FutureRevisionError(rev, b.revision)
      this.log.setCompaction(b.tx, rev, 0)
      // Later requests of the same batch must see the new compaction point (C2, C4).
      b.compactRevision = rev
      return { revision: b.revision }
    })
    if (physical) await this.compactor.whenDone(rev)
    else this.compactor.kick()
    return response
  }

  /** Resolves once old rows are removed and space reclaimed up to the current compaction point. */
  async compactionDone(): Promise<void> {
    this.open()
    if (this.options.readOnly === true) throw new ReadOnlyError()
    await this.compactor.whenDone(this.head().compactRevision)
  }

  async leaseGrant(ttlSeconds: number, id = 0): Promise<LeaseGrantResponse> {
    this.open()
    const leaseId = checkLeaseId(id, true)
    const granted = await this.writer.submit((b) => this.lessor.grant(b, ttlSeconds, leaseId))
    this.lessor.schedule()
    return granted
  }

  async leaseRevoke(id: number): Promise<LeaseRevokeResponse> {
    this.open()
    const leaseId = checkLeaseId(id, false)
    const revision = await this.writer.submit((b) => this.lessor.revoke(b, leaseId))
    return { revision }
  }

  async leaseKeepAlive(id: number): Promise<LeaseKeepAliveResponse> {
    this.open()
    const leaseId = checkLeaseId(id, false)
    const ttl = await this.writer.submit((b) => this.lessor.keepAlive(b, leaseId))
    return { id: leaseId, ttl }
  }

  /** L4: remaining seconds (truncated, as etcd), -1 for a missing or expired lease. */
  async leaseTimeToLive(id: number, options: { keys?: boolean } = {}): Promise<LeaseTimeToLiveResponse> {
    this.open()
    const leaseId = checkLeaseId(id, false)
    const withKeys = timeToLiveOptions(options, 'leaseTimeToLive options').keys === true
    return this.log.read((tx) => {
      const lease = this.log.lease(tx, leaseId)
      const now = this.clock.now()
      if (lease === undefined || lease.deadlineMs <= now) {
        const gone: LeaseTimeToLiveResponse = { id: leaseId, ttl: -1, grantedTtl: 0 }
        if (withKeys) gone.keys = []
        return gone
      }
      const response: LeaseTimeToLiveResponse = {
        id: leaseId,
        ttl: Math.floor((lease.deadlineMs - now) / 1000),
        grantedTtl: lease.ttl,
      }
      if (withKeys) response.keys = this.log.leaseKeys(tx, leaseId)
      return response
    })
  }

  async leases(): Promise<LeaseStatus[]> {
    this.open()
    return this.log.leases(this.log.autocommit).map((l) => ({ id: l.id }))
  }

  async status(): Promise<StatusResponse> {
    this.open()
    const head = this.head()
    const s = this.log.stats()
    return {
      version: this.options.version,
      revision: head.revision,
      compactRevision: head.compactRevision,
      dbSize: s.pageCount * s.pageSize,
      dbSizeInUse: (s.pageCount - s.freelistCount) * s.pageSize,
      walSize: s.walBytes,
      leases: this.log.leases(this.log.autocommit).length,
      durability: this.options.durability,
      path: this.log.path,
    }
  }

  /** Resolves once every write queued so far (including lease expiries) is committed or refused. */
  async flush(): Promise<void> {
    this.open()
    await this.writer.drain()
  }

  /**
   * A consistent point-in-time copy of the whole store into a new file, while writers go on
   * (see snapshot.ts for checksums, restore and status). The copy holds every write committed
   * before it finished.
   */
  async backup(target: string): Promise<void> {
    this.open()
    await this.log.backup(destination(target, 'destination'))
  }

  /**
   * Rewrites the database file without free pages and hands them back to the file system (etcd's
   * defragment, M2). Blocks this store's reads and writes while it runs, as etcd's does.
   */
  async defragment(): Promise<StatusResponse> {
    this.open()
    if (this.options.readOnly === true) throw new ReadOnlyError()
    await this.writer.drain()
    this.log.vacuum()
    return this.status()
  }

  /**
   * Rewrites every live value (under a prefix) that is stored under a retired encryption key, so
   * the key can be removed from the configuration. See reencrypt.ts: bounded batches, CAS per
   * value (a concurrent update wins), re-runnable after a crash.
   */
  async reencrypt(options: ReencryptOptions = {}): Promise<ReencryptProgress> {
    this.open()
    v.objectOrUndefined(options, 'reencrypt options')
    return reencrypt(
      {
        range: (r) => this.range(r),
        txn: (t) => this.txn(t),
        storedRange: async (r) => this.storedRange(r),
        rewriteStored: (w) => {
          const stored = Buffer.isBuffer(w.stored) ? w.stored : Buffer.from(w.stored.buffer, w.stored.byteOffset, w.stored.byteLength)
          return this.writer.submit((b) => applyRewriteStored(new WriteScope(this.values, b), w.key, stored, w.modRevision))
        },
      },
      options,
    )
  }

  /** Live keys in [key, rangeEnd) (rangeEnd \0: to the end) with their values as stored, not decrypted. */
  private storedRange(r: { key: Buffer; rangeEnd: Buffer; limit: number }): { rows: StoredRow[]; more: boolean } {
    this.open()
    const end = r.rangeEnd.length === 1 && r.rangeEnd[0] === 0 ? null : r.rangeEnd
    const rows = this.log.read((tx) =>
      this.log.range(tx, { interval: { start: r.key, end }, revision: undefined, limit: r.limit + 1, withValues: true }),
    )
    const more = rows.length > r.limit
    return {
      rows: rows.slice(0, r.limit).map((row) => {
        assert(row.value !== null, 'mvcc: a live key has a stored value')
        return { key: row.key, stored: row.value, modRevision: row.modRev }
      }),
      more,
    }
  }

  /** Integrity check: SQLite's own, then the log's invariants and the index against the log. */
  async check(): Promise<CheckReport> {
    this.open()
    await this.writer.drain()
    return checkStore(this.log)
  }

  /** Waits for queued writes, stops background work (compaction resumes on the next open). */
  async close(): Promise<void> {
    if (this.closed) return
    await this.writer.drain()
    this.closed = true
    this.remotePoll?.cancel()
    this.commitListeners.clear()
    this.lessor.stop()
    this.compactor.stop()
    await this.log.close()
  }
}

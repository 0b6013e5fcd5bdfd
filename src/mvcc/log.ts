// What mvcc needs from the log below it. The consumer owns the interface (as etcd's mvcc sees a
// backend, not bolt): log/sqlite-log.ts fits it structurally and never imports mvcc.

/** A log row's position in append order. Append order is (revision, op index) order. */
export type LogId = number & { readonly __brand: 'LogId' }

/** Proof that the caller holds a read snapshot; all reads through it are consistent. */
export interface ReadTxn {
  readonly __read: true
}

/** Proof that the caller holds the write lock; everything written through it commits together. */
export interface WriteTxn extends ReadTxn {
  readonly __write: true
}

export interface Head {
  /** Last committed revision; 1 for an empty store (REV1). */
  revision: number
  /** Reads below it fail; rows below it may be partly removed. */
  compactRevision: number
  /** Physical removal is finished for every compaction up to this revision. */
  compactedRevision: number
  /** Log id up to which physical removal for compactRevision has progressed. */
  compactCursor: number
}

/** One version of a key. A tombstone has version 0, createRev 0, lease 0 and no value. */
export interface LogRow {
  id: LogId
  key: Buffer
  rev: number
  createRev: number
  version: number
  lease: number
  value: Buffer | null
}

/** The current version of a live key (the derived current-state index). */
export interface LiveEntry {
  id: LogId
  modRev: number
  createRev: number
  version: number
  lease: number
}

/** Key interval: a single key, or [start, end) with end null meaning "no upper bound". */
export type Interval = { point: Buffer } | { start: Buffer; end: Buffer | null }

export interface RangeRow {
  key: Buffer
  modRev: number
  createRev: number
  version: number
  lease: number
  /** null when values were not asked for. */
  value: Buffer | null
}

export interface RangeQuery {
  interval: Interval
  /** Undefined: the current state (the live index). A number: the state as of that revision. */
  revision: number | undefined
  /** 0: no limit. */
  limit: number
  withValues: boolean
}

export interface LeaseRow {
  id: number
  ttl: number
  deadlineMs: number
}

export interface LogStats {
  pageSize: number
  pageCount: number
  freelistCount: number
  /** Size of the write-ahead log file (0 in memory). */
  walBytes: number
}

export interface CompactionStep {
  /** Rows looked at in this step. */
  scanned: number
  /** Rows removed in this step. */
  removed: number
  /** True when no row below the compaction revision is left to look at. */
  done: boolean
}

export interface Log {
  readonly path: string
  /** Runs fn inside one read snapshot. */
  read<T>(fn: (tx: ReadTxn) => T): T
  /**
   * Runs fn holding the write lock (BEGIN IMMEDIATE) and commits when it returns; durable when
   * write() returns. If fn throws, nothing it wrote is kept. Lock and I/O failures throw LogError.
   */
  write<T>(fn: (tx: WriteTxn) => T): T
  /** Write statements run so far in the open write transaction (to tell whether a failed
   *  request wrote part of itself). */
  writesInTransaction(tx: WriteTxn): number
  /** True once per commit made by another connection since the last call. */
  changedElsewhere(): boolean
  /** Reads without an explicit snapshot, for single-statement lookups. */
  readonly autocommit: ReadTxn

  head(tx: ReadTxn): Head
  setRevision(tx: WriteTxn, revision: number): void
  setCompaction(tx: WriteTxn, compactRevision: number, cursor: number): void
  setCompacted(tx: WriteTxn, compactedRevision: number): void

  live(tx: ReadTxn, key: Buffer): LiveEntry | undefined
  /** Up to `limit` rows after position `afterId`, in append (= revision, op) order. */
  tail(tx: ReadTxn, afterId: number, limit: number): LogRow[]
  /** The position to tail from so that the first row read is the first one at or above `revision`. */
  positionBefore(tx: ReadTxn, revision: number): number
  /** Position of the newest row; 0 for an empty log. */
  lastPosition(tx: ReadTxn): number
  /** Revision of the newest row, or undefined for an empty log. */
  lastRowRevision(tx: ReadTxn): number | undefined
  row(tx: ReadTxn, id: LogId): LogRow | undefined
  range(tx: ReadTxn, query: RangeQuery): RangeRow[]
  count(tx: ReadTxn, interval: Interval, revision: number | undefined): number

  append(tx: WriteTxn, row: Omit<LogRow, 'id'>): LogId
  setLive(tx: WriteTxn, key: Buffer, entry: LiveEntry): void
  deleteLive(tx: WriteTxn, key: Buffer): void

  lease(tx: ReadTxn, id: number): LeaseRow | undefined
  leases(tx: ReadTxn): LeaseRow[]
  leaseKeys(tx: ReadTxn, id: number): Buffer[]
  leasesExpired(tx: ReadTxn, nowMs: number, limit: number): number[]
  leaseDeadlineMin(tx: ReadTxn): number | undefined
  putLease(tx: WriteTxn, lease: LeaseRow): void
  deleteLease(tx: WriteTxn, id: number): void

  /** Removes, after the cursor, up to rowsMax rows that compaction at `revision` drops (C1). */
  compactStep(tx: WriteTxn, revision: number, cursor: number, rowsMax: number): CompactionStep & { cursor: number }
  /** Returns up to pagesMax free pages to the file system; the count still free. */
  vacuumStep(pagesMax: number): number

  /** Every log row in append order, for index rebuilds and checks. */
  scan(tx: ReadTxn): IterableIterator<LogRow>
  /** Replaces the live index by one derived from the log. */
  rebuildLive(tx: WriteTxn): number
  /** A consistent copy of the whole database into a new file, while writers go on. */
  backup(destination: string): Promise<void>
  /** Rewrites the file without free pages; blocks reads and writes meanwhile. */
  vacuum(): void
  integrityCheck(): string[]
  stats(): LogStats
  /** Closes the connection and waits for background threads of the log to finish. */
  close(): Promise<void>
}

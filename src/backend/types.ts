// The backend contract (issue 15, step one: the shape, agreed before the code moves onto it).
// One interface that both engines implement: the embedded SQLite engine (src/mvcc + src/log) and
// a real etcd cluster over gRPC. Everything above storage (encryption as a layer, the watch
// cache, the object layer, the servers) is composed over a Backend and never sees SQLite rows,
// log positions or synchronous pulls. Nothing implements it yet; docs/backend-contract.md says
// how the current code maps onto it and in what order it moves.
//
// Rules of the contract:
// - Keys and values are bytes (Uint8Array); a backend never interprets them.
// - Revisions are etcd's: a committed transaction is one revision, strictly increasing, shared by
//   every key it touched. Numbers are safe integers; lease IDs too (etcd's int64 IDs above 2^53
//   are refused by the etcd backend rather than rounded).
// - Every call is asynchronous; none blocks the event loop for long (a backend slices or
//   offloads large reads itself).
// - Errors are the StorageError classes of src/util/errors.ts with etcd's meanings:
//   CompactedError, FutureRevisionError, LeaseNotFoundError, InvalidArgumentError, and a
//   backend-specific unavailability (ServiceUnavailable) for an unreachable cluster. A write
//   whose outcome is unknown (the connection dropped after sending) rejects with
//   OutcomeUnknownError so callers never retry it blindly.
import type { StatusReason } from '../util/index.js'

export type Bytes = Uint8Array

export interface KeyValue {
  key: Bytes
  value: Bytes
  createRevision: number
  modRevision: number
  version: number
  lease: number
}

export interface RangeRequest {
  key: Bytes
  /** Half-open [key, rangeEnd); a single zero byte: every key >= key; absent: just key. */
  rangeEnd?: Bytes
  /** 0: latest. Below the compaction point: CompactedError; above the head: FutureRevisionError. */
  revision?: number
  limit?: number
  keysOnly?: boolean
  countOnly?: boolean
  sortOrder?: 'NONE' | 'ASCEND' | 'DESCEND'
  sortTarget?: 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE'
}

export interface RangeResponse {
  revision: number
  kvs: KeyValue[]
  more: boolean
  count: number
}

export interface Compare {
  key: Bytes
  rangeEnd?: Bytes
  target: 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE'
  result: 'EQUAL' | 'NOT_EQUAL' | 'GREATER' | 'LESS'
  value: number | Bytes
}

export type RequestOp =
  | { range: RangeRequest }
  | { put: { key: Bytes; value: Bytes; lease?: number; prevKv?: boolean; ignoreValue?: boolean; ignoreLease?: boolean } }
  | { deleteRange: { key: Bytes; rangeEnd?: Bytes; prevKv?: boolean } }
  | { txn: TxnRequest }

export interface TxnRequest {
  compare: Compare[]
  success: RequestOp[]
  failure?: RequestOp[]
}

export type ResponseOp =
  | { range: RangeResponse }
  | { put: { revision: number; prevKv?: KeyValue } }
  | { deleteRange: { revision: number; deleted: number; prevKvs?: KeyValue[] } }
  | { txn: TxnResponse }

export interface TxnResponse {
  revision: number
  succeeded: boolean
  responses: ResponseOp[]
}

export interface LeaseGrant {
  id: number
  ttlSeconds: number
}

export interface BackendStatus {
  revision: number
  compactRevision: number
  /** Bytes the backend occupies (SQLite file + WAL; etcd's dbSize). */
  dbSize: number
  /** The backend's quota, 0 for none. */
  quotaBytes: number
  /** 'sqlite' | 'etcd' and the engine's version, for reports. */
  engine: string
  version: string
}

/** One committed change: etcd's mvccpb.Event. A revision with several keys gives several events. */
export interface BackendEvent {
  type: 'PUT' | 'DELETE'
  kv: KeyValue
  prevKv?: KeyValue
}

/**
 * What the committed-event stream yields, in revision order: every event once, none missing. A
 * revision's events always arrive in one `events` batch. `progress` says nothing happened up to
 * `revision` (etcd's progress notification, SQLite's idle commit head). `compacted` ends the
 * stream: history from the requested revision is gone (the watch cache re-lists).
 */
export type StreamItem =
  | { kind: 'events'; revision: number; events: BackendEvent[] }
  | { kind: 'progress'; revision: number }
  | { kind: 'compacted'; compactRevision: number }

export interface EventStream extends AsyncIterable<StreamItem> {
  /** Asks for a progress item as soon as the stream has delivered everything up to the head. */
  requestProgress(): void
  close(): void
}

/** The contract. Methods mirror etcd's KV, Lease and Maintenance services. */
export interface Backend {
  range(request: RangeRequest): Promise<RangeResponse>
  txn(request: TxnRequest): Promise<TxnResponse>
  /** Physical compaction up to `revision` (etcd Compact with physical=true). */
  compact(revision: number): Promise<{ revision: number }>
  leaseGrant(ttlSeconds: number, id?: number): Promise<LeaseGrant>
  leaseRevoke(id: number): Promise<void>
  leaseKeepAlive(id: number): Promise<{ ttlSeconds: number }>
  leaseTimeToLive(id: number, o?: { keys?: boolean }): Promise<{ ttlSeconds: number; grantedTtlSeconds: number; keys?: Bytes[] }>
  status(): Promise<BackendStatus>
  /**
   * Committed events after `fromRevision` (exclusive) over [key, rangeEnd), then live ones. The
   * SQLite engine reads its log from there and tails it; the etcd backend opens one watch with
   * progress notifications and resumes it after a disconnect from the last revision delivered,
   * without a gap or a duplicate, ending with `compacted` if the cluster compacted past it.
   */
  events(o: { key: Bytes; rangeEnd?: Bytes; fromRevision: number; prevKv?: boolean }): EventStream
  close(): Promise<void>
}

/** A write whose outcome cannot be known (the cluster may or may not have applied it). */
export interface OutcomeUnknown {
  readonly code: StatusReason
  readonly outcomeUnknown: true
}

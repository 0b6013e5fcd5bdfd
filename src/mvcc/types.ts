// The public request and response shapes: etcd v3's KV and Lease RPCs in camelCase.
import type { BytesLike } from '../util/index.js'

export interface KeyValue {
  key: Uint8Array
  /** Empty for keysOnly reads. */
  value: Uint8Array
  /** Revision of the put that created the key's current life (REV5). */
  createRevision: number
  /** Revision of the key's last put. */
  modRevision: number
  /** Puts since creation: 1 on create. */
  version: number
  /** Attached lease ID, or 0. */
  lease: number
  /** Present, and true, only when the value was stored under an encryption key that is no
   *  longer the first (it should be rewritten: see reencrypt in the object layer). */
  stale?: true
}

export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND'
export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE'

export interface RangeRequest {
  key: BytesLike
  /** Exclusive end; "\0" means every key >= key. Without it, the single key. */
  rangeEnd?: BytesLike
  /** Shorthand for rangeEnd = prefixEnd(key). Not allowed together with rangeEnd. */
  prefix?: boolean
  /** 0 or absent: the current revision. */
  revision?: number
  /** 0 or absent: no limit. */
  limit?: number
  countOnly?: boolean
  keysOnly?: boolean
  /**
   * Not etcd: skip counting the rest of the range when limit cuts it (count is then only what was
   * read, plus one if more). For readers that page through a large range in slices, where counting
   * what remains at every page would make the walk quadratic.
   */
  withoutCount?: boolean
  sortOrder?: SortOrder
  sortTarget?: SortTarget
  minModRevision?: number
  maxModRevision?: number
  minCreateRevision?: number
  maxCreateRevision?: number
}

export interface RangeResponse {
  /** The store's current revision, even for a historical read (REV4). */
  revision: number
  kvs: KeyValue[]
  /** Keys in the range, ignoring limit and the min/max filters (RG3). */
  count: number
  /** More keys matched than limit let through (RG2). */
  more: boolean
}

export interface PutOptions {
  lease?: number
  prevKv?: boolean
  ignoreValue?: boolean
  ignoreLease?: boolean
}

export interface PutRequest extends PutOptions {
  key: BytesLike
  value?: BytesLike
}

export interface PutResponse {
  revision: number
  prevKv?: KeyValue
}

export interface DeleteRangeRequest {
  key: BytesLike
  rangeEnd?: BytesLike
  prefix?: boolean
  prevKv?: boolean
}

export interface DeleteRangeResponse {
  revision: number
  deleted: number
  prevKvs?: KeyValue[]
}

export type CompareTarget = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE'
export type CompareResult = 'EQUAL' | 'NOT_EQUAL' | 'GREATER' | 'LESS'

export interface Compare {
  key: BytesLike
  rangeEnd?: BytesLike
  target: CompareTarget
  result: CompareResult
  /** A number for VERSION/CREATE/MOD/LEASE, bytes for VALUE. */
  value: number | BytesLike
}

export type RequestOp =
  | { range: RangeRequest }
  | { put: PutRequest }
  | { deleteRange: DeleteRangeRequest }
  | { txn: TxnRequest }

export type ResponseOp =
  | { range: RangeResponse }
  | { put: PutResponse }
  | { deleteRange: DeleteRangeResponse }
  | { txn: TxnResponse }

export interface TxnRequest {
  compare?: Compare[]
  success?: RequestOp[]
  failure?: RequestOp[]
}

export interface TxnResponse {
  /** The new revision if the executed branch wrote, else the current one (T5). */
  revision: number
  succeeded: boolean
  responses: ResponseOp[]
}

export interface CompactOptions {
  /** Wait until the old rows are removed and their space reclaimed (etcd C3). */
  physical?: boolean
}

export interface CompactResponse {
  revision: number
}

export interface LeaseGrantResponse {
  id: number
  /** Granted TTL in seconds, after raising it to the minimum. */
  ttl: number
}

export interface LeaseRevokeResponse {
  revision: number
}

export interface LeaseKeepAliveResponse {
  id: number
  /** The granted TTL; 0 when the lease does not exist (L3). */
  ttl: number
}

export interface LeaseTimeToLiveResponse {
  id: number
  /** Remaining seconds; -1 when the lease does not exist or has expired (L4). */
  ttl: number
  grantedTtl: number
  keys?: Uint8Array[]
}

export interface LeaseStatus {
  id: number
}

export interface StatusResponse {
  version: string
  revision: number
  compactRevision: number
  /** Bytes the database file occupies (pages in use and free). */
  dbSize: number
  /** Bytes of pages holding data. */
  dbSizeInUse: number
  /** Bytes of the write-ahead log file beside the database (disk in use = dbSize + walSize). */
  walSize: number
  leases: number
  durability: Durability
  path: string
}

export type Durability = 'strict' | 'relaxed'

export interface CheckReport {
  ok: boolean
  problems: string[]
  rows: number
  keys: number
}

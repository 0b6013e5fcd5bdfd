// What the front needs from the store (the consumer declares the interface, STYLE.md): the
// public face of the root Store (KV, leases, maintenance, the event stream, watch). Store fits it.
import type {
  CompactOptions,
  CompactResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  EventBatch,
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
} from '../mvcc/index.js'
import type { BytesLike } from '../util/index.js'
import type { Watcher, WatchRequest } from '../watchcache/index.js'

export interface FrontStore {
  readonly revision: number
  readonly compactRevision: number
  range(request: RangeRequest): Promise<RangeResponse>
  put(key: BytesLike, value?: BytesLike, options?: PutOptions): Promise<PutResponse>
  deleteRange(request: DeleteRangeRequest): Promise<DeleteRangeResponse>
  txn(request: TxnRequest): Promise<TxnResponse>
  compact(revision: number, options?: CompactOptions): Promise<CompactResponse>
  leaseGrant(ttlSeconds: number, id?: number): Promise<LeaseGrantResponse>
  leaseRevoke(id: number): Promise<LeaseRevokeResponse>
  leaseKeepAlive(id: number): Promise<LeaseKeepAliveResponse>
  leaseTimeToLive(id: number, options?: { keys?: boolean }): Promise<LeaseTimeToLiveResponse>
  leases(): Promise<LeaseStatus[]>
  status(): Promise<StatusResponse>
  backup(destination: string): Promise<void>
  defragment(): Promise<StatusResponse>
  readEvents(after: number, limit: number): EventBatch
  eventPositionBefore(revision: number): number
  watch(request: WatchRequest): Watcher
  requestProgress(): void
}

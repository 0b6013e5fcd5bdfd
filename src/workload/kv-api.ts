// The part of the store the workload drives, declared here by its consumer (STYLE: the consumer
// owns the interface): the ObjectStore runs on it (lease-kv.ts), and the monitor, compaction,
// commit timing and the final checks use it directly. Store fits it structurally, so the workload
// never imports the wiring above it.
import type {
  CheckReport,
  CompactResponse,
  KeyValue,
  LeaseGrantResponse,
  LeaseStatus,
  RangeRequest,
  RangeResponse,
  StatusResponse,
  TxnRequest,
  TxnResponse,
} from '../mvcc/index.js'
import type { BytesLike } from '../util/index.js'
import type { Watcher, WatchRequest } from '../watchcache/index.js'

export interface KvApi {
  /** A server reached only over HTTP (remote-kv.ts): it compacts its own store, so the workload does not. */
  readonly remote?: boolean
  readonly revision: number
  /** Reads below it fail as compacted (the object layer needs it too). */
  readonly compactRevision: number
  get(key: BytesLike, options?: { revision?: number }): Promise<KeyValue | undefined>
  range(request: RangeRequest): Promise<RangeResponse>
  txn(request: TxnRequest): Promise<TxnResponse>
  compact(revision: number): Promise<CompactResponse>
  leaseGrant(ttlSeconds: number): Promise<LeaseGrantResponse>
  leases(): Promise<LeaseStatus[]>
  status(): Promise<StatusResponse>
  check(): Promise<CheckReport>
  flush(): Promise<void>
  watch(request: WatchRequest): Watcher
  requestProgress(): void
  onCommit(listener: (head: { revision: number; compactRevision: number }) => void): () => void
}

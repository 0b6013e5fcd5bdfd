// The KV face of a server the load reaches only over HTTP (`etchlog load --server KUBECONFIG`).
// The workload's monitor, compaction, commit timing and end-of-run steps ask a KvApi; a remote
// server answers what REST can answer and refuses the rest:
// - revision: the highest resourceVersion seen in any answer; flush() asks the server for its
//   current one (a list of one namespace), so the end checks wait for that revision;
// - onCommit: fired when a write is acknowledged, so watch latency runs from the client's ack
//   (not the server's commit) to the informer;
// - get (the monitor's health read): GET /readyz; status: the revision only (no database sizes);
// - compact, range, txn, leases, watch: MethodNotAllowed (the server compacts its own store);
// - check: no problems and no rows (the server's store is not reachable from here).
import type {
  CheckReport,
  CompactResponse,
  KeyValue,
  LeaseGrantResponse,
  LeaseStatus,
  RangeResponse,
  StatusResponse,
  TxnResponse,
} from '../mvcc/index.js'
import { StorageError } from '../util/index.js'
import type { Watcher } from '../watchcache/index.js'
import type { HttpTransport } from './http-transport.js'
import type { KvApi } from './kv-api.js'

type CommitListener = (head: { revision: number; compactRevision: number }) => void

export class RemoteKv implements KvApi {
  // Highest resourceVersion any answer carried.
  revision = 0
  readonly compactRevision = 0
  readonly remote = true
  private readonly listeners = new Set<CommitListener>()

  constructor(
    private readonly transport: HttpTransport,
    private readonly server: string,
  ) {}

  /** Called by the HTTP client with every resourceVersion it sees; `write` for acknowledged writes. */
  observe(revision: number, write: boolean): void {
    if (!Number.isSafeInteger(revision) || revision <= this.revision) return
    this.revision = revision
    if (write) for (const l of this.listeners) l({ revision, compactRevision: 0 })
  }

  async get(): Promise<KeyValue | undefined> {
    await this.transport.request('GET', '/readyz')
    return undefined
  }

  range(): Promise<RangeResponse> {
    return Promise.reject(refused('range'))
  }

  txn(): Promise<TxnResponse> {
    return Promise.reject(refused('txn'))
  }

  compact(): Promise<CompactResponse> {
    return Promise.reject(refused('compact (the server compacts its own store)'))
  }

  leaseGrant(): Promise<LeaseGrantResponse> {
    return Promise.reject(refused('leaseGrant'))
  }

  leases(): Promise<LeaseStatus[]> {
    return Promise.resolve([])
  }

  status(): Promise<StatusResponse> {
    return Promise.resolve({ version: '', revision: this.revision, compactRevision: 0, dbSize: 0, dbSizeInUse: 0, walSize: 0, leases: 0, durability: 'strict', path: this.server })
  }

  check(): Promise<CheckReport> {
    return Promise.resolve({ ok: true, problems: [], rows: 0, keys: 0 })
  }

  async flush(): Promise<void> {
    const list = (await this.transport.call('GET', '/api/v1/namespaces?limit=1')) as { metadata?: { resourceVersion?: string } }
    this.observe(Number(list.metadata?.resourceVersion), false)
  }

  watch(): Watcher {
    throw refused('watch')
  }

  requestProgress(): void {
    // The server sends bookmarks on its own cadence; a remote client cannot ask for them.
  }

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

function refused(what: string): StorageError {
  return new StorageError('MethodNotAllowed', `workload: ${what} is not available over the REST API of a remote server`)
}

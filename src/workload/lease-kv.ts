// The key-value side the ObjectStore runs on: the store itself, with its lease grants counted.
// ObjectStore.create({ ttlSeconds }) grants its leases inside the call (shared per TTL by the
// object layer's lease manager, as kube-apiserver's are), so the grants are seen here: each is
// timed under the 'lease' category and its id kept, to count at the end how many expired.
import type { LeaseGrantResponse, RangeRequest, RangeResponse, TxnRequest, TxnResponse, KeyValue } from '../mvcc/index.js'
import type { KvWatcher, ObjectKv } from '../objects/index.js'
import { StorageError } from '../util/index.js'
import type { WatchRequest } from '../watchcache/index.js'
import type { KvApi } from './kv-api.js'
import type { Scheduler } from './scheduler.js'
import type { Stats } from './stats.js'

export class LeaseCountingKv implements ObjectKv {
  // Every lease granted through this object during the run.
  readonly granted = new Set<number>()

  constructor(
    private readonly kv: KvApi,
    private readonly scheduler: Scheduler,
    private readonly stats: Stats,
  ) {}

  get revision(): number {
    return this.kv.revision
  }

  get compactRevision(): number {
    return this.kv.compactRevision
  }

  get(key: string, options?: { revision?: number }): Promise<KeyValue | undefined> {
    return this.kv.get(key, options)
  }

  range(request: RangeRequest): Promise<RangeResponse> {
    return this.kv.range(request)
  }

  txn(request: TxnRequest): Promise<TxnResponse> {
    return this.kv.txn(request)
  }

  async leaseGrant(ttlSeconds: number): Promise<LeaseGrantResponse> {
    const started = this.scheduler.monotonicMs()
    try {
      const r = await this.kv.leaseGrant(ttlSeconds)
      this.stats.of('lease').done(this.scheduler.monotonicMs() - started)
      this.stats.leasesGranted++
      this.granted.add(r.id)
      return r
    } catch (err) {
      // Counted here; the create that asked for the lease fails with it and is counted as an event error.
      if (err instanceof StorageError) this.stats.of('lease').errors++
      throw err
    }
  }

  watch(request: WatchRequest): KvWatcher {
    return this.kv.watch(request)
  }

  requestProgress(): void {
    this.kv.requestProgress()
  }
}

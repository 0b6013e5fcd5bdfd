// A KvClient whose single-key gets are consistent reads from the store's watch cache (KEP-2340:
// Store.rangeFromCache with consistent: true), falling back to the store when the cache cannot
// answer, as ObjectStore.get does; writes go straight to the store. With the 'stale-cache' fault
// it is a broken cache proxy: some gets are answered from the cache's state a few revisions back
// (rebuilt from its ring) under the current revision, and the linearizability checker must say so.
import type { DeleteRangeRequest, DeleteRangeResponse, PutResponse, RangeRequest, RangeResponse, Store, TxnRequest, TxnResponse } from '../../src/index.js'
import { prng } from './child-process.js'
import type { KvClient } from './history-recorder.js'

export type CacheFault = 'none' | 'stale-cache'

// How far back a stale answer looks.
const STALE_BY = 4

export class CachedReadKv implements KvClient {
  private readonly random: () => number
  /** Gets the cache answered, gets that fell back to the store, and stale answers given. */
  hits = 0
  fallbacks = 0
  injected = 0

  constructor(
    private readonly store: Store,
    private readonly fault: CacheFault = 'none',
    seed = 1,
    private readonly rate = 0.15,
  ) {
    this.random = prng(seed)
  }

  async range(request: RangeRequest): Promise<RangeResponse> {
    const single = request.rangeEnd === undefined && request.prefix !== true && (request.revision ?? 0) === 0
    if (!single) return this.store.range(request)
    if (this.fault === 'stale-cache' && this.random() < this.rate) {
      const current = this.store.revision
      const old = Math.max(this.store.compactRevision, 1, current - STALE_BY)
      const stale = await this.store.rangeFromCache({ key: request.key, revision: old })
      if (stale !== undefined && old < current) {
        this.injected++
        return { revision: current, kvs: [...stale.kvs], count: stale.kvs.length, more: false }
      }
    }
    const cached = await this.store.rangeFromCache({ key: request.key, consistent: true })
    if (cached === undefined) {
      this.fallbacks++
      return this.store.range(request)
    }
    this.hits++
    return { revision: cached.revision, kvs: [...cached.kvs], count: cached.kvs.length, more: false }
  }

  put(key: string, value: string): Promise<PutResponse> {
    return this.store.put(key, value)
  }

  deleteRange(request: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    return this.store.deleteRange(request)
  }

  txn(request: TxnRequest): Promise<TxnResponse> {
    return this.store.txn(request)
  }
}

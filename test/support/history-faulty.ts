// A faulty proxy in front of a real store: the bugs the linearizability checker must catch,
// injected into a copy of the store's behaviour without touching src/.
//  - 'stale-read': some reads are served from a few revisions back, under the current header.
//  - 'lost-update': some puts are acknowledged with the next revision but never written.
//  - 'reordered-revisions': two puts in flight at once get each other's revision.
import type { DeleteRangeRequest, DeleteRangeResponse, PutResponse, RangeRequest, RangeResponse, Store, TxnRequest, TxnResponse } from '../../src/index.js'
import { prng } from './child-process.js'
import type { KvClient } from './history-recorder.js'

export type Fault = 'none' | 'stale-read' | 'lost-update' | 'reordered-revisions'

// How far back a stale read looks.
const STALE_BY = 4

export class FaultyKv implements KvClient {
  private readonly random: () => number
  /** Faults actually injected, so a test can tell a missed bug from one never triggered. */
  injected = 0
  // Puts that have not returned yet; a held put waits for the next one to finish.
  private inFlight = 0
  private held: { revision: number; release: (revision: number) => void } | undefined

  constructor(
    private readonly store: Store,
    private readonly fault: Fault,
    seed: number,
    private readonly rate = 0.1,
  ) {
    this.random = prng(seed)
  }

  private fire(): boolean {
    return this.fault !== 'none' && this.random() < this.rate
  }

  async range(request: RangeRequest): Promise<RangeResponse> {
    if (this.fault === 'stale-read' && this.fire()) {
      const current = this.store.revision
      const old = Math.max(this.store.compactRevision, 1, current - STALE_BY)
      const stale = await this.store.range({ ...request, revision: old })
      this.injected++
      return { ...stale, revision: current }
    }
    return this.store.range(request)
  }

  async put(key: string, value: string): Promise<PutResponse> {
    if (this.fault === 'lost-update' && this.fire()) {
      this.injected++
      return { revision: this.store.revision + 1 }
    }
    this.inFlight++
    let revision: number
    try {
      revision = (await this.store.put(key, value)).revision
    } catch (err) {
      // The partner of a held put may fail: let the held one go unswapped rather than hang.
      this.held?.release(this.held.revision)
      this.held = undefined
      throw err
    } finally {
      this.inFlight--
    }
    if (this.fault !== 'reordered-revisions') return { revision }
    const held = this.held
    if (held !== undefined) {
      // Swap with the held put: each caller gets the other's revision.
      this.held = undefined
      held.release(revision)
      this.injected++
      return { revision: held.revision }
    }
    // Hold only while another put is running: it will finish and release this one.
    if (this.inFlight > 0 && this.fire()) {
      return new Promise((resolve) => {
        this.held = { revision, release: (r) => resolve({ revision: r }) }
      })
    }
    return { revision }
  }

  deleteRange(request: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    return this.store.deleteRange(request)
  }

  txn(request: TxnRequest): Promise<TxnResponse> {
    return this.store.txn(request)
  }
}

// One Kubernetes-shaped object watch over the store's etcd-shaped KV watch: optional initial
// events (the current state, read in pages pinned to one revision), then the KV watch from the
// revision after it, each KV event turned into at most one object event (watch-events.ts), KV
// progress turned into BOOKMARKs, and every abnormal end of the KV watch into one ERROR event.
import type { KeyValue, RangeRequest, RangeResponse } from '../mvcc/index.js'
import { prefixEnd, StorageError } from '../util/index.js'
import type { WatchRequest } from '../watchcache/index.js'
import { TooLargeResourceVersionError, toStatus } from './errors.js'
import { type ChangeEvent, type EventDecoder, previousUnknown, toObjectEvent } from './watch-events.js'
import type { WatchPlan } from './watch-plan.js'
import { bookmarkObject, endingStatus, type ObjectKind, previousUnknownStatus } from './watch-status.js'
import type { KvWatcher, ObjectWatchEvent } from './types.js'

/** Rows per read of the initial state: bounds the memory a slow reader of initial events holds. */
export const initialPageRows = 1_000

/** What a watcher needs from its ObjectStore. */
export interface WatchHost {
  range(request: RangeRequest): Promise<RangeResponse>
  watch(request: WatchRequest): KvWatcher
  readonly decoder: EventDecoder
}

type Done = IteratorReturnResult<undefined>
const done: Done = Object.freeze({ done: true, value: undefined })

export class ObjectWatcher implements AsyncIterableIterator<ObjectWatchEvent> {
  // Produces the events; pulled by next(), one event per call.
  private readonly events: AsyncGenerator<ObjectWatchEvent, void, undefined>
  // cancel(), return() or the signal ended the watch: next() answers done from then on.
  private stopped = false
  // The KV watch, once open (at once unless initial events come first); cancel() ends it.
  private kvWatch: KvWatcher | undefined
  // apiVersion/kind of the last object sent: bookmarks are objects of the watched kind, which
  // a key prefix alone does not name. Empty strings until an object has been seen.
  private kind: ObjectKind = { apiVersion: '', kind: '' }

  constructor(
    private readonly host: WatchHost,
    private readonly plan: WatchPlan,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.events = this.run()
    if (signal?.aborted === true) {
      this.stopped = true
      return
    }
    // "Now" is the moment of watch(), not of the first next(): open the KV watch at once.
    if (!plan.initial) this.kvWatch = host.watch(this.kvRequest(plan.startRevision))
    signal?.addEventListener('abort', this.onAbort)
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ObjectWatchEvent> {
    return this
  }

  async next(): Promise<IteratorResult<ObjectWatchEvent, undefined>> {
    if (this.stopped) return done
    const r = await this.events.next()
    // An event produced while cancel() ran is not handed out: nothing comes after a cancel.
    if (this.stopped || r.done === true) return done
    return r
  }

  /** Leaving a for-await loop cancels the watch. */
  async return(): Promise<Done> {
    this.cancel()
    return done
  }

  /**
   * Ends the watch quietly (no ERROR). A next() waiting for the KV watch answers done at once; the
   * generator is left suspended rather than returned, since it may be running: it holds nothing
   * once its KV watch is cancelled.
   */
  cancel(): void {
    if (this.stopped) return
    this.stopped = true
    this.signal?.removeEventListener('abort', this.onAbort)
    this.kvWatch?.cancel()
  }

  private readonly onAbort = (): void => this.cancel()

  private kvRequest(startRevision: number): WatchRequest {
    return { key: this.plan.key, prefix: this.plan.recursive, startRevision, prevKv: true, progressNotify: this.plan.bookmarks }
  }

  private async *run(): AsyncGenerator<ObjectWatchEvent, void, undefined> {
    try {
      // For the 410 message: the revision the client asked to watch after.
      let after = this.plan.requested
      if (this.kvWatch === undefined) after = yield* this.initialEvents()
      if (this.stopped || this.kvWatch === undefined) return
      yield* this.changes(this.kvWatch, after)
    } catch (err) {
      // Operating errors (compaction during the initial read, an undecodable value, too many
      // watchers) end the watch with their Status, as Kubernetes sends them; bugs still throw.
      if (!(err instanceof StorageError)) throw err
      yield { type: 'ERROR', object: toStatus(err) }
    } finally {
      this.kvWatch?.cancel()
      this.signal?.removeEventListener('abort', this.onAbort)
    }
  }

  /**
   * The current state as ADDED events, in key order, read in pages at one revision (the first
   * page's, i.e. the latest); then the initial-events-end bookmark if asked. Returns that revision.
   * The KV watch from the revision after it opens as soon as the last page is read, before its
   * events are handed out: a bookmark request made by a client that saw the initial events end
   * (or is still reading them) then reaches it.
   */
  private async *initialEvents(): AsyncGenerator<ObjectWatchEvent, number, undefined> {
    const { key, recursive, keep } = this.plan
    const rangeEnd = recursive ? prefixEnd(Buffer.from(key, 'utf8')) : undefined
    let start: Uint8Array = Buffer.from(key, 'utf8')
    let readAt = 0
    for (;;) {
      if (this.stopped) return readAt
      const r = await this.host.range({ key: start, ...(rangeEnd === undefined ? {} : { rangeEnd }), revision: readAt, limit: initialPageRows, withoutCount: true })
      if (readAt === 0) {
        readAt = r.revision
        // Kubernetes waits up to 3 s for its cache to reach N; the store is never behind itself.
        if (this.plan.notOlderThan > readAt) throw new TooLargeResourceVersionError(this.plan.notOlderThan, readAt)
      }
      const last: KeyValue | undefined = r.kvs[r.kvs.length - 1]
      const lastPage = !r.more || last === undefined
      if (lastPage && !this.stopped) this.kvWatch = this.host.watch(this.kvRequest(readAt + 1))
      for (const kv of r.kvs) {
        const object = this.host.decoder.decodeFrozen(kv)
        if (keep === undefined || keep(object)) yield this.sent({ type: 'ADDED', object })
      }
      if (lastPage) break
      start = Buffer.concat([last.key, Buffer.of(0)])
    }
    if (this.plan.endBookmark) yield { type: 'BOOKMARK', object: bookmarkObject(readAt, this.kind, true) }
    return readAt
  }

  /** The KV watch's responses as object events, until it ends. */
  private async *changes(kvWatch: KvWatcher, after: number): AsyncGenerator<ObjectWatchEvent, void, undefined> {
    for await (const r of kvWatch) {
      if (r.canceled === true) {
        const status = endingStatus(r, after)
        if (status !== undefined && !this.stopped) yield { type: 'ERROR', object: status }
        return
      }
      // An empty response promises every event up to its revision was delivered: a bookmark.
      if (r.events.length === 0) {
        if (this.plan.bookmarks) yield { type: 'BOOKMARK', object: bookmarkObject(r.revision, this.kind, false) }
        continue
      }
      for (const e of r.events) {
        const event = toObjectEvent(e, this.host.decoder, this.plan.keep)
        if (event === previousUnknown) {
          yield { type: 'ERROR', object: previousUnknownStatus(e.kv.key, e.kv.modRevision) }
          return
        }
        if (event !== undefined) yield this.sent(event)
      }
    }
  }

  private sent(event: ChangeEvent): ObjectWatchEvent {
    const o = event.object
    if (o.apiVersion !== this.kind.apiVersion || o.kind !== this.kind.kind) this.kind = { apiVersion: o.apiVersion, kind: o.kind }
    return event
  }
}

// One watch: an async iterator of responses over a bounded queue of event chunks.
//
// A watcher is first catching up (pulling pages from the ring or, for older revisions, from the
// log, one page per next() call, so a slow reader costs no memory), then live (attached to the
// cache, which pushes each commit's matching events as one shared chunk), then ended (its final
// response is waiting or sent). Chunks always hold whole revisions, so responses never split one.
import { StorageError } from '../util/index.js'
import { cancelReasons, type WatchEvent, type WatchResponse } from './types.js'
import { onAbort } from './abort-fanout.js'
import type { KeyRange } from './key-range.js'

/** What a watcher needs from the cache that feeds it. */
export interface WatcherHost {
  /** Every event <= it has been pushed to every live watcher. */
  readonly revision: number
  readonly bufferEventsMax: number
  readonly responseEventsMax: number
  /** Serves one catch-up page: enqueues events, moves nextRevision on, goes live, or ends w. */
  catchUp(w: Watcher): void | Promise<void>
  /** Forgets w (it ended). */
  detach(w: Watcher): void
}

export type WatcherMode = 'catch-up' | 'live' | 'ended'

export interface WatcherSpec {
  range: KeyRange
  noPut: boolean
  noDelete: boolean
  prevKv: boolean
  progressNotify: boolean
  /** Resolved: never 0. */
  startRevision: number
}

const noop = (): void => {}

export class Watcher implements AsyncIterableIterator<WatchResponse> {
  readonly range: KeyRange
  readonly noPut: boolean
  readonly noDelete: boolean
  readonly prevKv: boolean
  readonly progressNotify: boolean
  /** First revision this watch delivers (W3: inclusive; 0 was resolved to current + 1). */
  readonly startRevision: number
  // Moves catch-up -> live -> ended, or to ended from anywhere; never back.
  mode: WatcherMode = 'catch-up'
  // Catch-up: the first revision not yet read. Live: events below it were delivered (or precede
  // the start) and are skipped.
  nextRevision: number
  // Catch-up from the log: the log position read up to; undefined = look it up from nextRevision.
  logPosition: number | undefined
  // A progress response is owed (W11 tick or W12 request); sent once the queue is empty.
  progressPending = false
  // Events went out since the last progress tick (so the watcher is not idle; as etcd, a
  // progress response itself does not count).
  sentSinceTick = false
  // Chunks not yet delivered, oldest first; each holds whole revisions in order.
  private queue: Array<readonly WatchEvent[]> = []
  // Sum of the queue's chunk lengths; <= bufferEventsMax + one chunk while live.
  private buffered = 0
  // The last response, sent after the queue drains (or at once when it was discarded).
  private final: WatchResponse | undefined
  // The final response was sent: next() answers done.
  private done = false
  // Revision of the last response that was not canceled; responses never go backwards.
  private lastRevision = 0
  // Resolves the pending next() that waits for something to happen.
  private waiter: (() => void) | undefined
  // Serialises next() calls that were not awaited one by one.
  private chain: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly host: WatcherHost,
    spec: WatcherSpec,
    signal: AbortSignal | undefined,
  ) {
    this.range = spec.range
    this.noPut = spec.noPut
    this.noDelete = spec.noDelete
    this.prevKv = spec.prevKv
    this.progressNotify = spec.progressNotify
    this.startRevision = spec.startRevision
    this.nextRevision = spec.startRevision
    this.unlisten = signal === undefined ? noop : onAbort(signal, this.onAbort)
  }

  // Stops listening to the signal (one shared listener per signal, see abort-fanout.ts).
  private readonly unlisten: () => void

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchResponse> {
    return this
  }

  private readonly onAbort = (): void => this.end({ revision: this.host.revision, events: [], canceled: true, cancelReason: cancelReasons.aborted }, true)

  next(): Promise<IteratorResult<WatchResponse, undefined>> {
    const result = this.chain.then(() => this.pull())
    this.chain = result.then(noop, noop)
    return result
  }

  /** Leaving a for-await loop cancels the watch. */
  async return(): Promise<IteratorResult<WatchResponse, undefined>> {
    this.cancel()
    this.done = true
    return { done: true, value: undefined }
  }

  /** W14: ends the watch; the next response is canceled, and no events come after it. */
  cancel(): void {
    this.end({ revision: this.host.revision, events: [], canceled: true }, true)
  }

  get ended(): boolean {
    return this.mode === 'ended'
  }

  get bufferedEvents(): number {
    return this.buffered
  }

  /** Live, nothing undelivered, and the cache has reached this watch's start (#20221). */
  get inSync(): boolean {
    return this.mode === 'live' && this.queue.length === 0 && this.host.revision >= this.nextRevision - 1
  }

  /** Adds a chunk (non-empty, whole revisions). A live watcher that would exceed its buffer ends. */
  enqueue(chunk: readonly WatchEvent[], live: boolean): void {
    if (this.mode === 'ended') return
    if (live && this.buffered > 0 && this.buffered + chunk.length > this.host.bufferEventsMax) {
      // Its buffered events are still delivered; then the overflow response ends it.
      const cancelReason = `${cancelReasons.overflow} (${this.buffered} undelivered events + ${chunk.length} > watchBufferEventsMax ${this.host.bufferEventsMax}); re-watch from the last revision received + 1`
      this.end({ revision: this.host.revision, events: [], canceled: true, cancelReason }, false)
      return
    }
    this.queue.push(chunk)
    this.buffered += chunk.length
    this.wake()
  }

  /** Ends the watch with `final`; `discard` drops undelivered events (cancel, close). */
  end(final: WatchResponse, discard: boolean): void {
    if (this.mode === 'ended') return
    this.mode = 'ended'
    if (discard) {
      this.queue = []
      this.buffered = 0
    }
    this.final = final
    this.unlisten()
    this.host.detach(this)
    this.wake()
  }

  wake(): void {
    const w = this.waiter
    if (w === undefined) return
    this.waiter = undefined
    w()
  }

  private async pull(): Promise<IteratorResult<WatchResponse, undefined>> {
    for (;;) {
      if (this.done) return { done: true, value: undefined }
      if (this.queue.length > 0) return this.send(this.take())
      if (this.final !== undefined) {
        this.done = true
        return { done: false, value: this.final }
      }
      if (this.mode === 'catch-up') {
        try {
          const paging = this.host.catchUp(this)
          if (paging !== undefined) await paging
        } catch (err) {
          // An I/O error reading history ends this watch with the reason; bugs still throw.
          if (!(err instanceof StorageError)) throw err
          this.end({ revision: this.host.revision, events: [], canceled: true, cancelReason: `watch: reading history failed: ${err.message}` }, true)
        }
        continue
      }
      if (this.progressPending && this.inSync) {
        this.progressPending = false
        return this.send({ revision: Math.max(this.host.revision, this.lastRevision), events: [] })
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve
      })
    }
  }

  private send(response: WatchResponse): IteratorResult<WatchResponse, undefined> {
    this.lastRevision = response.revision
    if (response.events.length > 0) this.sentSinceTick = true
    return { done: false, value: response }
  }

  /** Whole chunks up to responseEventsMax events; a larger first chunk is cut at a revision edge. */
  private take(): WatchResponse {
    const max = this.host.responseEventsMax
    const taken: Array<readonly WatchEvent[]> = []
    let count = 0
    for (;;) {
      const chunk = this.queue[0]
      if (chunk === undefined || (count > 0 && count + chunk.length > max)) break
      if (count === 0 && chunk.length > max) {
        const cut = revisionCut(chunk, max)
        if (cut < chunk.length) {
          taken.push(chunk.slice(0, cut))
          this.queue[0] = chunk.slice(cut)
          count = cut
          break
        }
      }
      this.queue.shift()
      taken.push(chunk)
      count += chunk.length
    }
    const events = taken.length === 1 ? (taken[0] as readonly WatchEvent[]) : Object.freeze(taken.flat())
    this.buffered -= events.length
    const last = events[events.length - 1]
    let revision = Math.max(last === undefined ? 0 : last.kv.modRevision, this.lastRevision)
    if (this.queue.length === 0) {
      // Drained: everything this watcher was handed is out, so it may promise what it covers.
      if (this.mode === 'live') revision = Math.max(revision, this.host.revision)
      if (this.mode === 'catch-up') revision = Math.max(revision, this.nextRevision - 1)
      this.progressPending = false
    }
    return { revision, events }
  }
}

/** The largest revision edge <= max, or the end of the first revision when that alone is larger. */
function revisionCut(chunk: readonly WatchEvent[], max: number): number {
  for (let i = max; i > 0; i--) {
    if ((chunk[i] as WatchEvent).kv.modRevision !== (chunk[i - 1] as WatchEvent).kv.modRevision) return i
  }
  let i = 1
  const first = (chunk[0] as WatchEvent).kv.modRevision
  while (i < chunk.length && (chunk[i] as WatchEvent).kv.modRevision === first) i++
  return i
}

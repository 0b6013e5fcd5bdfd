// The watch cache: the ring of recent committed events, fed in revision order from the store's
// event stream, and the watchers it serves (docs/watch.md).
//
// Feeding: the store calls onCommit after every commit it makes or notices (another process's
// commits are found by its poll); the cache then reads the events after its last log position.
// Every event enters the ring and is pushed to the live watchers it matches, synchronously when
// prevKv needs no store read, so a local write's watchers have their events before its caller
// is answered (etcd W16). The cache starts with the first watch(), empty, at the revision of
// that moment; older starts are served from the log.
import { type Clock, InvalidArgumentError, type Limits, StorageError, StoreClosedError, type TimerHandle } from '../util/index.js'
import { cacheEvents, type CachedEvent, keyString, type KnownVersions } from './cached-event.js'
import { catchUp, type CatchUpContext } from './catch-up.js'
import { TooManyWatchersError } from './errors.js'
import { EventRing } from './event-ring.js'
import { keyRangeOf } from './key-range.js'
import { cancelReasons, type EventSource, type WatchRequest, type WatchResponse } from './types.js'
import { WatcherGroups } from './watcher-groups.js'
import { Watcher, type WatcherHost } from './watcher.js'
import type { EventBatch } from '../mvcc/index.js'

export interface WatchCacheOptions {
  limits: Readonly<Limits>
  clock: Clock
  /** W11: how often idle, in-sync progressNotify watchers get an empty response. */
  progressNotifyIntervalMs: number
}

export class WatchCache implements WatcherHost, CatchUpContext {
  ring: EventRing
  // Every event <= revision is in the ring (or was evicted from it) and was pushed to live watchers.
  revision = 0
  // The newest compaction revision the event stream has shown.
  compactRevision = 0
  // Every event >= it and <= revision is in the ring: one above the newest evicted revision.
  ringStartRevision = 0
  private readonly groups = new WatcherGroups()
  private readonly watchers = new Set<Watcher>()
  // Newest event per key among those in the ring: prevKv without a store read (W9).
  private known: KnownVersions = new Map()
  // Log position of the last event taken into the ring.
  private position = 0
  private unsubscribe: (() => void) | undefined
  // Bumped at every (re)start: a store read that finishes for an older feed is ignored.
  private epoch = 0
  // A feed pass is running (possibly waiting for prevKv reads); another commit sets `again`.
  private pumping = false
  private again = false
  private closed = false
  private progressTimer: TimerHandle | undefined
  private progressWatchers = 0

  constructor(
    readonly source: EventSource,
    private readonly options: WatchCacheOptions,
  ) {
    this.ring = new EventRing(options.limits.watchCacheEventsMax, options.limits.watchCacheBytesMax)
  }

  get bufferEventsMax(): number {
    return this.options.limits.watchBufferEventsMax
  }

  get responseEventsMax(): number {
    return this.options.limits.watchResponseEventsMax
  }

  get watcherCount(): number {
    return this.watchers.size
  }

  watch(request: WatchRequest): Watcher {
    if (this.closed) throw new StoreClosedError()
    const spec = readRequest(request)
    if (this.unsubscribe === undefined) this.start()
    if (this.watchers.size >= this.options.limits.watchersMax) throw new TooManyWatchersError(this.options.limits.watchersMax)
    const w = new Watcher(this, { ...spec, startRevision: spec.startRevision === 0 ? this.revision + 1 : spec.startRevision }, request.signal)
    this.watchers.add(w)
    if (w.progressNotify) {
      this.progressWatchers++
      this.scheduleProgress()
    }
    if (request.signal?.aborted === true) {
      w.end({ revision: this.revision, events: [], canceled: true, cancelReason: cancelReasons.aborted }, true)
    } else if (w.startRevision < this.compactRevision) {
      // W5: below the compaction point; exactly at it is valid.
      this.compacted(w, this.compactRevision)
    } else if (w.startRevision > this.revision) this.goLive(w)
    return w
  }

  /** W12: every watcher gets a progress response once it is in sync (a draining response counts). */
  requestProgress(): void {
    if (this.closed) throw new StoreClosedError()
    for (const w of this.watchers) {
      w.progressPending = true
      w.wake()
    }
  }

  /** Ends every watcher with 'store closed' and stops feeding; no timer is left. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.stop()
    this.progressTimer?.cancel()
    this.progressTimer = undefined
    this.endAll(cancelReasons.closed)
  }

  catchUp(w: Watcher): void | Promise<void> {
    return catchUp(this, w)
  }

  goLive(w: Watcher): void {
    w.mode = 'live'
    w.logPosition = undefined
    this.groups.add(w)
  }

  compacted(w: Watcher, compactRevision: number): void {
    w.end({ revision: this.revision, events: [], compactRevision, canceled: true, cancelReason: cancelReasons.compacted }, false)
  }

  detach(w: Watcher): void {
    if (!this.watchers.delete(w)) return
    this.groups.remove(w)
    if (w.progressNotify) this.progressWatchers--
  }

  private start(): void {
    this.epoch++
    this.ring = new EventRing(this.options.limits.watchCacheEventsMax, this.options.limits.watchCacheBytesMax)
    this.known = new Map()
    this.position = this.source.lastEventPosition()
    // The revision that position stands for is found from the events after it, if any: the
    // first one begins the ring; with none, the head of the same snapshot is the revision.
    const first = this.source.readEvents(this.position, 1)
    const next = first.events[0]
    this.revision = next === undefined ? first.revision : next.kv.modRevision - 1
    this.compactRevision = first.compactRevision
    this.ringStartRevision = this.revision + 1
    this.unsubscribe = this.source.onCommit(() => this.pump())
    this.pump()
  }

  private stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.pumping = false
    this.again = false
  }

  private pump(): void {
    if (this.pumping) {
      this.again = true
      return
    }
    this.pumping = true
    try {
      const max = this.options.limits.watchResponseEventsMax
      for (;;) {
        this.again = false
        const batch = this.source.readEvents(this.position, max)
        if (batch.compactRevision > this.revision + 1) {
          // Another process compacted past what this cache has read: rows it never saw may be
          // gone, so the live stream has a hole it cannot fill (W6). Restart from now.
          this.fellBehind(batch.compactRevision)
          return
        }
        const prepared = cacheEvents(this.source, batch.events, this.known)
        if (prepared instanceof Promise) {
          const epoch = this.epoch
          // Both outcomes are handled; a bug thrown inside resume crashes, as assertions should.
          void prepared.then(
            (events) => this.resume(epoch, batch, events),
            (err: unknown) => this.fail(err),
          )
          return
        }
        this.apply(batch, prepared)
        if (!this.again && batch.events.length < max) break
      }
      this.pumping = false
    } catch (err) {
      this.fail(err)
    }
  }

  private resume(epoch: number, batch: EventBatch, events: CachedEvent[]): void {
    if (epoch !== this.epoch || this.unsubscribe === undefined) return
    this.apply(batch, events)
    this.pumping = false
    this.pump()
  }

  private apply(batch: EventBatch, events: readonly CachedEvent[]): void {
    for (const e of events) {
      for (const gone of this.ring.push(e)) {
        this.ringStartRevision = Math.max(this.ringStartRevision, gone.revision + 1)
        const k = keyString(gone.key)
        if (this.known.get(k)?.revision === gone.revision) this.known.delete(k)
      }
    }
    this.position = batch.position
    const last = events[events.length - 1]
    const complete = batch.events.length < this.options.limits.watchResponseEventsMax
    this.revision = Math.max(this.revision, complete || last === undefined ? batch.revision : last.revision)
    this.compactRevision = Math.max(this.compactRevision, batch.compactRevision)
    if (events.length > 0) this.groups.dispatch(events)
  }

  /**
   * The cache's position fell below the compaction point: watchers fed from it get the compacted
   * ending (W6: re-list, re-watch); watchers still reading the log check compaction themselves.
   * The feed restarts at the current end of the log, with an empty ring.
   */
  private fellBehind(compactRevision: number): void {
    this.compactRevision = Math.max(this.compactRevision, compactRevision)
    for (const w of [...this.watchers]) if (w.mode !== 'catch-up') this.compacted(w, compactRevision)
    this.stop()
    this.start()
  }

  /** The feed failed (an I/O error): every watcher ends with the reason; the next watch restarts. */
  private fail(err: unknown): void {
    if (!(err instanceof StorageError)) throw err
    this.stop()
    this.endAll(err instanceof StoreClosedError ? cancelReasons.closed : `watch: the event feed failed: ${err.message}`)
  }

  private endAll(cancelReason: string): void {
    for (const w of [...this.watchers]) w.end({ revision: this.revision, events: [], canceled: true, cancelReason }, true)
  }

  private scheduleProgress(): void {
    if (this.progressTimer !== undefined || this.progressWatchers === 0 || this.closed) return
    this.progressTimer = this.options.clock.setTimer(this.options.progressNotifyIntervalMs, () => {
      this.progressTimer = undefined
      this.progressTick()
      this.scheduleProgress()
    })
  }

  /** W11: a watcher that got nothing since the last tick and is in sync is owed a progress response. */
  private progressTick(): void {
    for (const w of this.watchers) {
      if (!w.progressNotify) continue
      if (!w.sentSinceTick && w.inSync) {
        w.progressPending = true
        w.wake()
      }
      w.sentSinceTick = false
    }
  }
}

function readRequest(r: WatchRequest): { range: ReturnType<typeof keyRangeOf>; noPut: boolean; noDelete: boolean; prevKv: boolean; progressNotify: boolean; startRevision: number } {
  if (typeof r !== 'object' || r === null) throw new InvalidArgumentError('watch: request must be an object')
  const start = r.startRevision ?? 0
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new InvalidArgumentError(`watch: startRevision must be a non-negative integer, got ${String(start)}`)
  }
  const filters = r.filters ?? []
  if (!Array.isArray(filters)) throw new InvalidArgumentError('watch: filters must be an array')
  for (const f of filters) {
    if (f !== 'NOPUT' && f !== 'NODELETE') throw new InvalidArgumentError(`watch: unknown filter ${String(f)}`)
  }
  for (const name of ['prevKv', 'progressNotify'] as const) {
    if (r[name] !== undefined && typeof r[name] !== 'boolean') throw new InvalidArgumentError(`watch: ${name} must be a boolean`)
  }
  return {
    range: keyRangeOf(r),
    noPut: filters.includes('NOPUT'),
    noDelete: filters.includes('NODELETE'),
    prevKv: r.prevKv === true,
    progressNotify: r.progressNotify === true,
    startRevision: start,
  }
}

export type { WatchResponse }

// The watch cache: the ring of recent committed events, fed in revision order from the store's
// event stream, and the watchers it serves (docs/watch.md).
//
// Feeding: the store calls onCommit after every commit it makes or notices (another process's
// commits are found by its poll); the cache then reads the events after its last log position.
// Every event enters the ring and is pushed to the live watchers it matches, synchronously when
// prevKv needs no store read, so a local write's watchers have their events before its caller
// is answered (etcd W16). The cache starts with the first watch() or cached read, empty, at the
// revision of that moment; older starts are served from the log.
//
// Cached reads (lists and gets that accept any or a not-older-than revision) are answered from the
// current state (current-state.ts), loaded on the first such read and then kept in step with the
// ring by the same feed; one larger than watchCacheStateBytesMax is dropped for good and those
// reads return undefined (the caller reads the store).
import { type Clock, InvalidArgumentError, type Limits, StorageError, StoreClosedError, type TimerHandle, describeValue } from '../util/index.js'
import { cacheEvents, type CachedEvent, keyString, type KnownVersions } from './cached-event.js'
import { catchUp, type CatchUpContext } from './catch-up.js'
import { CurrentState, loadCurrentState, type LoadOutcome } from './current-state.js'
import { CacheTooOldError, TooManyWatchersError } from './errors.js'
import { EventRing, type RingSizing } from './event-ring.js'
import { type KeyRange, keyRangeOf } from './key-range.js'
import { type CacheReadStats, CacheReadCounters } from './read-stats.js'
import { answerAt } from './state-at.js'
import { RevisionWaiters } from './revision-waiters.js'
import { readRequest } from './watch-request.js'
import { cancelReasons, type CachedRange, type CachedRangeRequest, type EventSource, type WatchRequest, type WatchResponse } from './types.js'
import { WatcherGroups } from './watcher-groups.js'
import { Watcher, type WatcherHost } from './watcher.js'
import type { EventBatch } from '../mvcc/index.js'

export interface WatchCacheOptions {
  limits: Readonly<Limits>
  clock: Clock
  /** W11: how often idle, in-sync progressNotify watchers get an empty response. */
  progressNotifyIntervalMs: number
}

export interface WatchCacheStatus {
  /** Every event up to it has been taken in. */
  revision: number
  ringCapacity: number
  ringEvents: number
  ringBytes: number
  /** Live keys in the current state (0 until a cached read loads it). */
  stateKeys: number
  stateBytes: number
  /** The state outgrew watchCacheStateBytesMax and is no longer kept. */
  stateOff: boolean
}

export class WatchCache implements WatcherHost, CatchUpContext {
  ring: EventRing
  // Every event <= revision is in the ring (or was evicted from it) and was pushed to live watchers.
  revision = 0
  // The newest compaction revision the event stream or a commit notice has shown (a notice can
  // come before the feed has read up to it: a watch opened below it is answered at once, W5).
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
  // The current state, once a cached read asked for it; reset at every (re)start of the feed.
  // When ready it holds exactly the live keys as of `revision`.
  private state: CurrentState | undefined
  // The running load of `state`, if any.
  private stateLoad: Promise<LoadOutcome> | undefined
  // The state outgrew watchCacheStateBytesMax: cached reads go to the store from then on.
  private stateOff = false
  // Cached reads waiting for `revision` to reach theirs.
  private readonly waiters: RevisionWaiters
  // Hits, fallbacks and waits of cached reads.
  private readonly counters = new CacheReadCounters()

  constructor(
    readonly source: EventSource,
    private readonly options: WatchCacheOptions,
  ) {
    this.ring = new EventRing(this.ringSizing(), options.limits.watchCacheBytesMax)
    this.waiters = new RevisionWaiters(options.clock, options.limits.watchCacheWaitMs, () => this.revision, this.counters)
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
    } else if (spec.range.empty) {
      // etcd (mvcc ErrEmptyWatcherRange): created and canceled at once; nothing could ever match.
      w.end({ revision: this.revision, events: [], canceled: true, cancelReason: cancelReasons.emptyRange }, true)
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

  /**
   * The current state of a key range, from memory: after waiting (up to watchCacheWaitMs, else
   * CacheTooOldError) for the cache to reach `notOlderThan`, and for the state to load on first
   * use. undefined when the state is off (too large): read the store instead.
   */
  async readRange(request: CachedRangeRequest): Promise<CachedRange | undefined> {
    if (this.closed) throw new StoreClosedError()
    const range = keyRangeOf(request)
    const notOlderThan = request.notOlderThan ?? 0
    if (!Number.isSafeInteger(notOlderThan) || notOlderThan < 0) {
      throw new InvalidArgumentError(`watch: notOlderThan must be a non-negative integer, got ${describeValue(notOlderThan)}`)
    }
    if (this.unsubscribe === undefined) this.start()
    if (request.consistent === true || request.revision !== undefined) return this.readServed(range, notOlderThan, request)
    await this.waiters.until(notOlderThan)
    for (;;) {
      if (this.closed) throw new StoreClosedError()
      if (this.stateOff) return this.counters.fallback('state-off')
      if (this.unsubscribe === undefined) this.start()
      const state = this.state
      // Read in one go, with no await between: the state and the revision move together.
      if (state?.ready === true) {
        this.counters.hits++
        return { revision: this.revision, kvs: state.range(range) }
      }
      // A compaction overtook the load: this read goes to the store; the next one loads again.
      if ((await this.loadingState()) === 'compacted') return this.counters.fallback('compacted')
    }
  }

  /**
   * A consistent or exact-revision read: served only when the state is loaded (a load is started
   * in the background otherwise: this read must not wait for it) and the cache reaches the wanted
   * revision within consistentReadWaitMs. Every other case is undefined, with its reason counted.
   */
  private async readServed(range: KeyRange, notOlderThan: number, request: CachedRangeRequest): Promise<CachedRange | undefined> {
    const exact = request.revision
    if (exact !== undefined && (!Number.isSafeInteger(exact) || exact <= 0)) throw new InvalidArgumentError(`watch: revision must be a positive integer, got ${String(exact)}`)
    if (this.stateOff) return this.counters.fallback('state-off')
    if (this.state?.ready !== true) {
      void this.loadingState()
      return this.counters.fallback('loading')
    }
    try {
      await this.waiters.until(Math.max(notOlderThan, exact ?? 0), this.options.limits.consistentReadWaitMs)
    } catch (err) {
      if (err instanceof CacheTooOldError) return this.counters.fallback('not-caught-up')
      throw err
    }
    if (this.closed) throw new StoreClosedError()
    if (this.stateOff) return this.counters.fallback('state-off')
    const state = this.state
    // The feed restarted while this read waited: the state is loading again.
    if (state?.ready !== true) return this.counters.fallback('loading')
    // From here to the return nothing awaits: the state, the ring and the revision move together.
    const answer = answerAt(state, this, range, exact)
    if (answer === undefined) return this.counters.fallback('revision-not-held')
    this.counters.hits++
    if (request.consistent === true) this.counters.consistentHits++
    return answer
  }

  /** The read path's counters (Store.readPathStats). */
  get readStats(): CacheReadStats {
    return this.counters.snapshot()
  }

  /** Sizes, for monitoring and tests. */
  get status(): WatchCacheStatus {
    return {
      revision: this.revision,
      ringCapacity: this.ring.capacity,
      ringEvents: this.ring.endIndex - this.ring.startIndex,
      ringBytes: this.ring.bytesUsed,
      stateKeys: this.state?.ready === true ? this.state.size : 0,
      stateBytes: this.state?.bytesUsed ?? 0,
      stateOff: this.stateOff,
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
    this.waiters.failAll(new StoreClosedError())
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

  private ringSizing(): RingSizing {
    const { watchCacheEventsMin, watchCacheEventsMax, watchCacheEventFreshMs } = this.options.limits
    return { capacityMin: Math.min(watchCacheEventsMin, watchCacheEventsMax), capacityMax: watchCacheEventsMax, freshMs: watchCacheEventFreshMs }
  }

  /** The running state load, starting one if none runs. */
  private loadingState(): Promise<LoadOutcome> {
    if (this.stateLoad !== undefined) return this.stateLoad
    const load = this.loadState(this.epoch, new CurrentState(this.revision))
    this.stateLoad = load
    const settled = (): void => {
      if (this.stateLoad === load) this.stateLoad = undefined
    }
    // The reader awaiting `load` gets its error; this only clears the slot.
    void load.then(settled, settled)
    return load
  }

  private async loadState(epoch: number, state: CurrentState): Promise<LoadOutcome> {
    this.state = state
    const outcome = await loadCurrentState(this.source, state, () => epoch === this.epoch && this.state === state, this.options.limits.watchCacheStateBytesMax, this.options.limits.readSliceMs)
    if (this.state === state && outcome !== 'loaded') this.state = undefined
    if (outcome === 'too-large') this.stateOff = true
    return outcome
  }

  /** Drops the state (for good) when it holds more than watchCacheStateBytesMax. */
  private stateTooLarge(state: CurrentState): boolean {
    if (state.bytesUsed <= this.options.limits.watchCacheStateBytesMax) return false
    if (this.state === state) this.state = undefined
    this.stateOff = true
    return true
  }

  private start(): void {
    this.epoch++
    this.ring = new EventRing(this.ringSizing(), this.options.limits.watchCacheBytesMax)
    this.known = new Map()
    // Events this feed missed cannot be applied: the state loads again on the next cached read.
    this.state = undefined
    this.stateLoad = undefined
    this.position = this.source.lastEventPosition()
    // The revision that position stands for is found from the events after it, if any: the
    // first one begins the ring; with none, the head of the same snapshot is the revision.
    const first = this.source.readEvents(this.position, 1)
    const next = first.events[0]
    this.revision = next === undefined ? first.revision : next.kv.modRevision - 1
    this.compactRevision = first.compactRevision
    this.ringStartRevision = this.revision + 1
    this.unsubscribe = this.source.onCommit((head) => {
      this.compactRevision = Math.max(this.compactRevision, head.compactRevision)
      this.pump()
    })
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
        const state = this.state?.ready === true ? this.state : undefined
        const prepared = cacheEvents(this.source, batch.events, this.known, state === undefined ? undefined : (k) => state.latest(k))
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
    const now = this.options.clock.now()
    for (const e of events) {
      for (const gone of this.ring.push(e, now)) {
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
    if (this.state !== undefined && events.length > 0) {
      this.state.apply(events.map((e) => e.plain))
      this.stateTooLarge(this.state)
    }
    if (events.length > 0) this.groups.dispatch(events)
    this.waiters.advanced()
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
    this.waiters.failAll(err)
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

export type { WatchResponse }

// A controller's view of one resource, built like client-go's reflector over the object API:
// - 'list-watch': a paged list (every page at the first page's resourceVersion), then a watch
//   from that resourceVersion;
// - 'watch-list': one watch with sendInitialEvents (client-go's WatchListClient): the current
//   state as ADDED events, a bookmark marking their end, then the changes.
// Both ask for bookmarks, so an idle informer still learns how far it is in sync. An ERROR event
// (410 Expired: the start was compacted, the watcher fell behind, the store closed) means the
// cache may have missed changes: list again and resume, as the reflector does.
import type { KubeObject } from '../codec/index.js'
import { initialEventsEndAnnotation } from '../objects/index.js'
import { StorageError } from '../util/index.js'
import type { ActorContext } from './context.js'
import type { CommitTimes } from './commit-times.js'
import type { WatchStream } from './object-api.js'
import { keyOf } from './object-client.js'
import { sleep } from './scheduler.js'

/** Called for every change the cache takes: object undefined means the key is gone. */
export type ChangeHandler = (key: string, object: KubeObject | undefined) => void

export type InformerMode = 'list-watch' | 'watch-list'

/** How one watch ended: an ERROR event (list again), or closed without one (watch again from the revision). */
type WatchEnd = 'error' | 'closed'

const listRetryMs = 100
/** Repeated watch errors back off from 20 ms, doubling, to this (client-go's reflector backs off too). */
const errorBackoffMaxMs = 1000

export class Informer {
  // key -> the object as last listed or watched (frozen, shared with other informers of the store).
  readonly cache = new Map<string, KubeObject>()
  // Every change under the prefix at or below it is in the cache (0 before the first list).
  revision = 0
  // ERROR events seen, by HTTP code (410 is the re-list signal).
  readonly errorCodes = new Map<number, number>()
  // Set by stop(); the loop ends once the current watch is cancelled.
  private stopped = false
  // Aborted by stop(): ends a backoff at once (the run's signal ends earlier, at the start of draining).
  private readonly halt = new AbortController()
  // ERROR endings since the cache last took a list or an event.
  private failures = 0
  // True until a list (or the initial events) filled the cache; again after an ERROR.
  private needList = true
  private watcher: WatchStream | undefined
  private loop: Promise<void> | undefined
  // Resolves when the first list is in, or the run stops before it.
  private firstSync: (() => void) | undefined
  // syncedTo() callers, resolved once revision reaches theirs.
  private waiters: Array<{ revision: number; resolve: () => void }> = []

  constructor(
    private readonly ctx: ActorContext,
    private readonly commitTimes: CommitTimes,
    readonly prefix: string,
    private readonly onChange: ChangeHandler,
    readonly mode: InformerMode = 'list-watch',
  ) {}

  /** Fills the cache, then keeps watching in the background until stop(). */
  async start(): Promise<void> {
    const synced = new Promise<void>((resolve) => {
      this.firstSync = resolve
    })
    this.loop = this.run()
    await synced
  }

  /** Resolves once every change up to `revision` is in the cache (a bookmark proves it). */
  syncedTo(revision: number): Promise<void> {
    if (this.revision >= revision) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ revision, resolve }))
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.halt.abort()
    this.watcher?.cancel()
    await this.loop
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        if (this.needList && this.mode === 'list-watch' && !(await this.list())) {
          // Once the run ends there is no retrying: the verification reports the gap instead.
          if (this.ctx.stopping) return
          await sleep(this.ctx.scheduler, listRetryMs, this.ctx.signal)
          continue
        }
        const end = await this.watchOnce()
        if (this.stopped) return
        if (end === 'error') {
          this.ctx.stats.relists++
          this.needList = true
          // The first 410 re-lists at once, as the reflector does. Repeated errors wait a little,
          // so a store that keeps answering them does not spin the event loop.
          this.failures++
          if (this.failures > 1) await sleep(this.ctx.scheduler, Math.min(errorBackoffMaxMs, 10 * 2 ** (this.failures - 1)), this.halt.signal)
        }
      }
    } finally {
      this.firstSync?.()
    }
  }

  /** One watch, from the revision reached (or with initial events when a watch-list must re-sync). */
  private async watchOnce(): Promise<WatchEnd> {
    const initial = this.needList && this.mode === 'watch-list'
    let watcher: WatchStream
    try {
      watcher = this.ctx.client.watch(this.prefix, {
        allowWatchBookmarks: true,
        ...(initial ? { sendInitialEvents: true } : { resourceVersion: String(this.revision) }),
      })
    } catch (err) {
      // Refused at once (too many watchers, store closed): as an ERROR event would end it.
      if (!(err instanceof StorageError)) throw err
      this.ctx.noteError('list', err)
      return 'error'
    }
    this.watcher = watcher
    if (this.stopped) watcher.cancel()
    const started = this.ctx.scheduler.monotonicMs()
    // The initial state, until the bookmark that ends it.
    let fresh: Map<string, KubeObject> | undefined = initial ? new Map() : undefined
    for await (const e of watcher) {
      if (e.type === 'ERROR') {
        this.errorCodes.set(e.object.code, (this.errorCodes.get(e.object.code) ?? 0) + 1)
        return 'error'
      }
      const revision = Number(e.object.metadata.resourceVersion)
      if (e.type === 'BOOKMARK') {
        if (fresh !== undefined && e.object.metadata.annotations?.[initialEventsEndAnnotation] === 'true') {
          this.replace(fresh, revision)
          fresh = undefined
          this.ctx.stats.of('list').done(this.ctx.scheduler.monotonicMs() - started)
        } else if (fresh === undefined) this.advance(revision)
        continue
      }
      const key = keyOf(this.prefix, e.object)
      if (fresh !== undefined) {
        fresh.set(key, e.object)
        continue
      }
      const latency = this.commitTimes.since(revision, this.ctx.scheduler.monotonicMs())
      if (latency !== undefined) this.ctx.stats.delivered(latency)
      this.apply(key, e.type === 'DELETED' ? undefined : e.object)
      this.failures = 0
      // Other changes of the same revision may still follow: only the one before is complete.
      this.advance(revision - 1)
    }
    return 'closed'
  }

  /** Replaces the cache with a fresh list; false if the list failed (counted by ctx.timed). */
  private async list(): Promise<boolean> {
    const result = await this.ctx.timed('list', () => this.ctx.client.list(this.prefix))
    if (result === undefined) return false
    this.replace(new Map(result.items.map((o) => [keyOf(this.prefix, o), o])), result.revision)
    return true
  }

  private replace(state: ReadonlyMap<string, KubeObject>, revision: number): void {
    for (const [key, object] of state) this.apply(key, object)
    for (const key of [...this.cache.keys()]) if (!state.has(key)) this.apply(key, undefined)
    // A list reads the latest state, so its revision is at least the one reached before.
    this.advance(revision)
    this.needList = false
    this.failures = 0
    this.firstSync?.()
    this.firstSync = undefined
  }

  private apply(key: string, object: KubeObject | undefined): void {
    if (object === undefined) this.cache.delete(key)
    else this.cache.set(key, object)
    this.onChange(key, object)
  }

  private advance(revision: number): void {
    if (revision <= this.revision) return
    this.revision = revision
    const ready = this.waiters.filter((w) => w.revision <= revision)
    if (ready.length === 0) return
    this.waiters = this.waiters.filter((w) => w.revision > revision)
    for (const w of ready) w.resolve()
  }
}

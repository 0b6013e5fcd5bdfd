// A controller's view of one resource, built like client-go's reflector: list (paged, at one
// revision), then watch from the list revision + 1, applying each event to a local cache. A
// cancelled watch (its start compacted away, or its buffer overflowed) means list again.
import type { KeyValue } from '../mvcc/index.js'
import type { Watcher } from '../watchcache/index.js'
import type { ActorContext } from './context.js'
import type { CommitTimes } from './commit-times.js'
import { text } from './object-client.js'
import { sleep } from './scheduler.js'

/** Called for every change the cache takes: kv undefined means the key is gone. */
export type ChangeHandler = (key: string, kv: KeyValue | undefined) => void

export class Informer {
  // key -> the KeyValue as last listed or watched: the controller's picture of the prefix.
  readonly cache = new Map<string, KeyValue>()
  // Every event under the prefix at or below it is applied to the cache (0 before the first list).
  revision = 0
  // Set by stop(); the loop ends after the watcher's final response.
  private stopped = false
  private watcher: Watcher | undefined
  private loop: Promise<void> | undefined
  // syncedTo() callers, resolved once revision reaches theirs.
  private waiters: Array<{ revision: number; resolve: () => void }> = []

  constructor(
    private readonly ctx: ActorContext,
    private readonly commitTimes: CommitTimes,
    readonly prefix: string,
    private readonly onChange: ChangeHandler,
  ) {}

  /** Lists, then keeps watching in the background until stop(). */
  async start(): Promise<void> {
    await this.list()
    this.loop = this.run()
  }

  /** Resolves once every event up to `revision` is in the cache (a progress response proves it). */
  syncedTo(revision: number): Promise<void> {
    if (this.revision >= revision) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ revision, resolve }))
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.watcher?.cancel()
    await this.loop
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const watcher = this.ctx.client.watch(this.prefix, this.revision + 1)
      this.watcher = watcher
      let canceled = false
      for await (const response of watcher) {
        if (response.canceled === true) {
          canceled = true
          break
        }
        const now = this.ctx.scheduler.monotonicMs()
        for (const e of response.events) {
          const latency = this.commitTimes.since(e.kv.modRevision, now)
          if (latency !== undefined) this.ctx.stats.delivered(latency)
          this.apply(text(e.kv.key), e.type === 'PUT' ? e.kv : undefined)
        }
        this.advance(response.revision)
      }
      if (this.stopped || !canceled) break
      // Compacted or overflowed: the cache may have missed events; list again and resume.
      this.ctx.stats.relists++
      while (!this.stopped && !(await this.list())) {
        // Once the run ends there is no retrying: the verification reports the gap instead.
        if (this.ctx.stopping) return
        await sleep(this.ctx.scheduler, 100, this.ctx.signal)
      }
    }
  }

  /** Replaces the cache with a fresh list; false if the list failed (counted by ctx.timed). */
  private async list(): Promise<boolean> {
    const result = await this.ctx.timed('list', () => this.ctx.client.list(this.prefix))
    if (result === undefined) return false
    const listed = new Set<string>()
    for (const kv of result.items) {
      const key = text(kv.key)
      listed.add(key)
      this.apply(key, kv)
    }
    for (const key of [...this.cache.keys()]) if (!listed.has(key)) this.apply(key, undefined)
    this.advance(result.revision)
    return true
  }

  private apply(key: string, kv: KeyValue | undefined): void {
    if (kv === undefined) this.cache.delete(key)
    else this.cache.set(key, kv)
    this.onChange(key, kv)
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

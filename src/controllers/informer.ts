// An informer: LIST, then WATCH from the list's resourceVersion, keeping a local cache and calling
// add/update/delete handlers. A 410 ERROR event or a stream that ends makes it re-list; the
// re-list's differences from the cache reach the handlers as ordinary events.
import type { Clock, TimerHandle } from '../util/index.js'
import type { ApiClient } from './api-client.js'
import { objectKey, resourcePath, type ResourceRef } from './resource-ref.js'
import type { KubeObject, WatchEvent } from './types.js'

export interface InformerHandlers<T extends KubeObject> {
  add?(o: T): void
  update?(old: T, o: T): void
  delete?(o: T): void
}

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>()
  private readonly handlers: InformerHandlers<T>[] = []
  private readonly abort = new AbortController()
  private synced = false
  private readonly syncWaiters: (() => void)[] = []
  private loop: Promise<void> | undefined
  private retry: TimerHandle | undefined
  /** Lists done so far (the first one included): tests read it to see re-lists. */
  lists = 0

  constructor(
    private readonly client: Pick<ApiClient, 'list' | 'watch'>,
    readonly resource: ResourceRef,
    private readonly o: { clock: Clock; log: (line: string) => void; namespace?: string; labelSelector?: string; fieldSelector?: string; watchTimeoutSeconds?: number },
  ) {}

  on(h: InformerHandlers<T>): this {
    this.handlers.push(h)
    return this
  }

  start(): void {
    this.loop ??= this.run()
  }

  /** Resolves once the first list is in the cache. */
  hasSynced(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve))
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(objectKey(namespace, name))
  }

  list(): T[] {
    return [...this.cache.values()]
  }

  async stop(): Promise<void> {
    this.abort.abort()
    this.retry?.cancel()
    await this.loop
  }

  private query(extra: Record<string, string>): string {
    const q = new URLSearchParams(extra)
    if (this.o.labelSelector !== undefined) q.set('labelSelector', this.o.labelSelector)
    if (this.o.fieldSelector !== undefined) q.set('fieldSelector', this.o.fieldSelector)
    return `${resourcePath(this.resource, this.o.namespace ?? '')}?${q.toString()}`
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal
    let failures = 0
    while (!signal.aborted) {
      try {
        const rv = await this.relist()
        failures = 0
        await this.watchFrom(rv, signal)
      } catch (err) {
        if (signal.aborted) break
        failures += 1
        this.o.log(`controllers: informer ${this.resource.resource}: ${err instanceof Error ? err.message : String(err)}`)
        await this.sleep(Math.min(100 * 2 ** failures, 5000))
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.abort.signal.aborted) return resolve()
      this.retry = this.o.clock.setTimer(ms, resolve)
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true })
    })
  }

  /** Lists, replaces the cache and tells the handlers what changed. Returns the list's RV. */
  private async relist(): Promise<string> {
    const list = await this.client.list<T>(this.query({}))
    this.lists += 1
    const seen = new Set<string>()
    for (const item of list.items) {
      const key = objectKey(item.metadata.namespace, item.metadata.name)
      seen.add(key)
      this.apply('upsert', item)
    }
    for (const [key, old] of [...this.cache]) {
      if (!seen.has(key)) this.apply('delete', old)
    }
    if (!this.synced) {
      this.synced = true
      for (const w of this.syncWaiters.splice(0)) w()
    }
    return list.metadata.resourceVersion
  }

  /** Watches until the stream ends or says 410 (either way the caller re-lists). */
  private async watchFrom(rv: string, signal: AbortSignal): Promise<void> {
    const stream = new AbortController()
    const stop = (): void => stream.abort()
    signal.addEventListener('abort', stop, { once: true })
    try {
      const timeout: Record<string, string> = this.o.watchTimeoutSeconds === undefined ? {} : { timeoutSeconds: String(this.o.watchTimeoutSeconds) }
      await this.client.watch(this.query({ watch: '1', resourceVersion: rv, allowWatchBookmarks: 'true', ...timeout }), (e: WatchEvent) => {
        if (e.type === 'ERROR') return stream.abort()
        if (e.type === 'BOOKMARK') return
        this.apply(e.type === 'DELETED' ? 'delete' : 'upsert', e.object as T)
      }, stream.signal)
    } finally {
      signal.removeEventListener('abort', stop)
    }
  }

  private apply(kind: 'upsert' | 'delete', o: T): void {
    const key = objectKey(o.metadata.namespace, o.metadata.name)
    const old = this.cache.get(key)
    if (kind === 'delete') {
      if (old === undefined) return
      this.cache.delete(key)
      for (const h of this.handlers) this.call(() => h.delete?.(old))
      return
    }
    if (old !== undefined && old.metadata.resourceVersion === o.metadata.resourceVersion) return
    this.cache.set(key, o)
    for (const h of this.handlers) this.call(() => (old === undefined ? h.add?.(o) : h.update?.(old, o)))
  }

  private call(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.o.log(`controllers: informer ${this.resource.resource} handler: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
}

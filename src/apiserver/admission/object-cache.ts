// The objects of one resource kept in memory by a list and a watch (an informer in small), for
// the admission plugins that read configuration on every write (webhook configurations,
// quotas). Writes of that kind made through this server are announced by the plugins (`touch`)
// before they are persisted; until the watch has delivered each announced object (or its
// announcement expires, for a write that failed), reads go to the store, so a client that
// creates a configuration and then writes sees it applied. Writes by other processes on the same
// store count once the watch delivers them, as with kube's informers.
import type { KubeObject } from '../../codec/index.js'
import type { ApiContext, WriteHook } from '../handlers/context.js'
import type { ResourceType } from '../resources/types.js'

export const announcementTtlMs = 30_000

export class ObjectCache {
  // "namespace/name" -> the object as last delivered by the watch; complete once `ready`.
  private readonly items = new Map<string, KubeObject>()
  // "namespace/name" of announced writes not yet delivered by the watch -> when to stop waiting.
  private readonly pending = new Map<string, number>()
  private ready = false

  constructor(
    private readonly ctx: ApiContext,
    private readonly resource: ResourceType,
  ) {}

  /** Lists, then watches until signal; a watch that ends otherwise is started again. */
  async start(signal: AbortSignal): Promise<void> {
    const list = await this.ctx.store.list(this.resource, '', {})
    this.items.clear()
    for (const o of list.items) this.items.set(keyOf(o), o)
    this.ready = true
    const watcher = this.ctx.store.watch(this.resource, '', '', { resourceVersion: list.resourceVersion, signal })
    void (async () => {
      for await (const e of watcher) {
        if (e.type === 'ERROR') break
        if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') continue
        const key = keyOf(e.object)
        if (e.type === 'DELETED') this.items.delete(key)
        else this.items.set(key, e.object)
        this.pending.delete(key)
      }
      this.ready = false
      if (!signal.aborted) await this.start(signal)
    })().catch((err: unknown) => {
      this.ready = false
      this.ctx.log(`admission: watch of ${this.resource.resource} failed: ${err instanceof Error ? err.message : String(err)}`)
    })
  }

  holds(group: string, resource: string): boolean {
    return this.resource.group === group && this.resource.resource === resource
  }

  /** A write of this kind is on its way: read from the store until the watch shows it. */
  touch(namespace: string, name: string): void {
    this.pending.set(`${namespace}/${name}`, this.ctx.clock.now() + announcementTtlMs)
  }

  /** The objects in namespace ('' = all). */
  async list(namespace: string): Promise<KubeObject[]> {
    if (!this.ready || this.waiting()) return (await this.ctx.store.list(this.resource, namespace, {})).items
    const out: KubeObject[] = []
    for (const o of this.items.values()) if (namespace === '' || o.metadata.namespace === namespace) out.push(o)
    return out
  }

  private waiting(): boolean {
    const now = this.ctx.clock.now()
    for (const [key, until] of this.pending) {
      if (until > now) return true
      this.pending.delete(key)
    }
    return false
  }
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`
}

/** Every cache the admission plugins read, by the resource it holds. */
export function cacheFor(ctx: ApiContext, group: string, resource: string): ObjectCache | undefined {
  const r = ctx.catalog.lookup(group, 'v1', resource)
  return r === undefined ? undefined : new ObjectCache(ctx, r)
}

/**
 * First in the chain: a write of a cached kind is announced to its cache before anything else
 * runs, so every later read (this request's or the next one's) goes to the store until the watch
 * has delivered it.
 */
export function announceHook(caches: readonly (ObjectCache | undefined)[]): WriteHook {
  return (w) => {
    for (const c of caches) if (c?.holds(w.resource.group, w.resource.resource) === true) c.touch(w.namespace, w.object?.metadata.name ?? w.name)
    return undefined
  }
}

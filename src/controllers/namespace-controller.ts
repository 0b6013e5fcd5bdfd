// The namespace controller: a namespace with a deletionTimestamp has every namespaced resource in
// it deleted (found through discovery), and once nothing is left its "kubernetes" finalizer is
// removed through PUT .../finalize, which lets the server remove the namespace.
import type { Clock } from '../util/index.js'
import { isReason, type ApiClient } from './api-client.js'
import { discoverResources } from './discovery.js'
import type { Informer } from './informer.js'
import { namespacesRef, resourcePath } from './resource-ref.js'
import { WorkQueue } from './work-queue.js'
import type { KubeObject } from './types.js'

/** How long to wait before looking again at a namespace whose contents are still going. */
export const namespaceRecheckMs = 500

export class NamespaceController {
  private readonly queue: WorkQueue

  constructor(private readonly d: { client: ApiClient; clock: Clock; log: (line: string) => void; namespaces: Informer }) {
    this.queue = new WorkQueue('namespace', (key) => this.sync(key), { clock: d.clock, log: d.log, workers: 2 })
    const consider = (ns: KubeObject): void => {
      if (ns.metadata.deletionTimestamp !== undefined) this.queue.add(ns.metadata.name)
    }
    d.namespaces.on({ add: consider, update: (_o, ns) => consider(ns) })
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  private async sync(name: string): Promise<void> {
    const ns = this.d.namespaces.get(undefined, name)
    if (ns === undefined || ns.metadata.deletionTimestamp === undefined) return
    const finalizers = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []
    if (!finalizers.includes('kubernetes')) return
    const resources = (await discoverResources(this.d.client)).filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'))
    let remaining = 0
    for (const r of resources) {
      const path = resourcePath(r, name)
      if (r.verbs.includes('deletecollection')) {
        await this.d.client.delete(path).catch((err: unknown) => ignoreGone(err))
      } else {
        const list = await this.d.client.list(path)
        for (const item of list.items) await this.d.client.delete(resourcePath(r, name, item.metadata.name)).catch((err: unknown) => ignoreGone(err))
      }
      const left = await this.d.client.list(`${path}?limit=1`).catch((err: unknown) => (ignoreGone(err), { items: [] }))
      remaining += left.items.length
    }
    if (remaining > 0) {
      // Finalizers on some objects are still at work (the GC's, say): look again soon.
      this.queue.addAfter(name, namespaceRecheckMs)
      return
    }
    try {
      await this.d.client.update(resourcePath(namespacesRef, '', name, 'finalize'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: finalizers.filter((f) => f !== 'kubernetes') } })
    } catch (err) {
      ignoreGone(err)
    }
  }
}

/** A resource or namespace already gone (or a kind that went away) is what we wanted anyway. */
function ignoreGone(err: unknown): void {
  if (!isReason(err, 'NotFound', 'MethodNotAllowed')) throw err
}

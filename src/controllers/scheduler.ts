// The scheduler: a pod without spec.nodeName is bound (POST pods/NAME/binding) to the Ready,
// schedulable node running the fewest pods. With no such node the pod waits; any node change
// retries the waiting pods.
import type { Clock } from '../util/index.js'
import { isReason, type ApiClient } from './api-client.js'
import type { Informer } from './informer.js'
import { objectKey, podsRef, resourcePath, splitKey } from './resource-ref.js'
import { WorkQueue } from './work-queue.js'
import { conditionOf, type NodeObject, type Pod } from './types.js'

export class PodScheduler {
  private readonly queue: WorkQueue
  /** Bindings sent whose pod update the informer has not shown yet: pod key -> node. */
  private readonly inflight = new Map<string, string>()

  constructor(private readonly d: { client: ApiClient; clock: Clock; log: (line: string) => void; pods: Informer<Pod>; nodes: Informer<NodeObject> }) {
    this.queue = new WorkQueue('scheduler', (key) => this.schedule(key), { clock: d.clock, log: d.log, workers: 1 })
    const consider = (p: Pod): void => {
      const key = objectKey(p.metadata.namespace, p.metadata.name)
      if (p.spec?.nodeName !== undefined && p.spec.nodeName !== '') this.inflight.delete(key)
      else if (p.metadata.deletionTimestamp === undefined) this.queue.add(key)
    }
    d.pods.on({ add: consider, update: (_o, p) => consider(p), delete: (p) => this.inflight.delete(objectKey(p.metadata.namespace, p.metadata.name)) })
    const retryAll = (): void => {
      for (const p of d.pods.list()) if ((p.spec?.nodeName ?? '') === '') consider(p)
    }
    d.nodes.on({ add: retryAll, update: (old, n) => isSchedulable(old) !== isSchedulable(n) && retryAll() })
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  private async schedule(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const pod = this.d.pods.get(namespace, name)
    if (pod === undefined || (pod.spec?.nodeName ?? '') !== '' || pod.metadata.deletionTimestamp !== undefined || this.inflight.has(key)) return
    if (pod.spec?.schedulerName !== undefined && pod.spec.schedulerName !== 'default-scheduler') return
    const node = this.pick()
    if (node === undefined) return
    this.inflight.set(key, node)
    try {
      await this.d.client.create(resourcePath(podsRef, namespace, name, 'binding'), { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } })
    } catch (err) {
      this.inflight.delete(key)
      // Bound by someone else, or gone: nothing left to do.
      if (isReason(err, 'Conflict', 'NotFound')) return
      throw err
    }
  }

  /** The schedulable node with the fewest pods (bound or being bound); ties go by name. */
  private pick(): string | undefined {
    const counts = new Map<string, number>()
    for (const n of this.d.nodes.list()) if (isSchedulable(n)) counts.set(n.metadata.name, 0)
    if (counts.size === 0) return undefined
    const bump = (node: string | undefined): void => {
      if (node !== undefined && counts.has(node)) counts.set(node, (counts.get(node) ?? 0) + 1)
    }
    for (const p of this.d.pods.list()) bump(p.spec?.nodeName)
    for (const node of this.inflight.values()) bump(node)
    return [...counts].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]?.[0]
  }
}

export function isSchedulable(n: NodeObject): boolean {
  return n.metadata.deletionTimestamp === undefined && n.spec?.unschedulable !== true && conditionOf(n, 'Ready')?.status === 'True'
}

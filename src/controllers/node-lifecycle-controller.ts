// The node lifecycle controller: every 5 s it compares each node's Lease renewTime with the clock;
// a node silent for more than 40 s gets Ready=Unknown (and its other conditions Unknown), the
// unreachable taint, and its pods deleted (evicted), so their controllers replace them elsewhere.
import type { Clock, TimerHandle } from '../util/index.js'
import { isReason, type ApiClient } from './api-client.js'
import type { Informer } from './informer.js'
import { nodesRef, podsRef, resourcePath } from './resource-ref.js'
import { conditionOf, timeText, type Lease, type NodeObject, type Pod } from './types.js'

export const nodeMonitorPeriodMs = 5_000
export const nodeGracePeriodMs = 40_000
export const unreachableTaint = 'node.kubernetes.io/unreachable'

export class NodeLifecycleController {
  private timer: TimerHandle | undefined
  private stopped = false
  private running: Promise<void> | undefined

  constructor(private readonly d: { client: ApiClient; clock: Clock; log: (line: string) => void; nodes: Informer<NodeObject>; leases: Informer<Lease>; pods: Informer<Pod> }) {}

  start(): void {
    this.schedule()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.timer?.cancel()
    await this.running
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = this.d.clock.setTimer(nodeMonitorPeriodMs, () => {
      this.running = this.monitor()
        .catch((err: unknown) => this.d.log(`controllers: node-lifecycle: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => this.schedule())
    })
  }

  /** One pass over every node. */
  async monitor(): Promise<void> {
    const now = this.d.clock.now()
    for (const node of this.d.nodes.list()) {
      const lease = this.d.leases.get('kube-node-lease', node.metadata.name)
      const renewed = Date.parse(lease?.spec?.renewTime ?? conditionOf(node, 'Ready')?.lastHeartbeatTime ?? '')
      if (Number.isNaN(renewed)) continue
      if (now - renewed <= nodeGracePeriodMs) {
        await this.untaint(node)
        continue
      }
      if (conditionOf(node, 'Ready')?.status !== 'Unknown') await this.markUnknown(node, now)
      await this.evict(node.metadata.name)
    }
  }

  private async markUnknown(node: NodeObject, now: number): Promise<void> {
    const at = timeText(now)
    const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c, status: 'Unknown' as const, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: at }))
    try {
      await this.d.client.update(resourcePath(nodesRef, '', node.metadata.name, 'status'), { ...node, status: { ...node.status, conditions } })
      const taints = (node.spec?.taints ?? []).filter((t) => t.key !== unreachableTaint)
      await this.d.client.patch(resourcePath(nodesRef, '', node.metadata.name), { spec: { taints: [...taints, { key: unreachableTaint, effect: 'NoExecute', timeAdded: at }] } })
      this.d.log(`controllers: node ${node.metadata.name} is NotReady: no lease renewal for over ${nodeGracePeriodMs / 1000} s`)
    } catch (err) {
      if (!isReason(err, 'NotFound', 'Conflict')) throw err
    }
  }

  /** A node back to Ready loses the unreachable taint. */
  private async untaint(node: NodeObject): Promise<void> {
    const taints = node.spec?.taints ?? []
    if (conditionOf(node, 'Ready')?.status !== 'True' || !taints.some((t) => t.key === unreachableTaint)) return
    await this.d.client.patch(resourcePath(nodesRef, '', node.metadata.name), { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints.filter((t) => t.key !== unreachableTaint) } }).catch((err: unknown) => {
      if (!isReason(err, 'NotFound', 'Conflict')) throw err
    })
  }

  private async evict(nodeName: string): Promise<void> {
    for (const p of this.d.pods.list()) {
      if (p.spec?.nodeName !== nodeName || p.metadata.deletionTimestamp !== undefined) continue
      await this.d.client.delete(resourcePath(podsRef, p.metadata.namespace ?? '', p.metadata.name), { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } }).catch((err: unknown) => {
        if (!isReason(err, 'NotFound', 'Conflict')) throw err
      })
    }
  }
}

// The node lifecycle controller: every node-monitor period it looks at each Node's last heartbeat
// and taints nodes that have been silent longer than the grace period (40 s) as unreachable,
// removing the taint once they post again. Under overload a kubelet's late heartbeat shows up here.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import type { CommitTimes } from './commit-times.js'
import { Controller, type Shard } from './controller.js'
import type { EventRecorder } from './event-recorder.js'
import { field, prefixes, record, unreachableTaint } from './objects.js'
import { cadence } from './options.js'
import { every } from './scheduler.js'

export class NodeLifecycleController extends Controller {
  // key -> [resourceVersion, heartbeat ms, tainted] of the last look, so the periodic scan reads
  // only nodes that changed since.
  private readonly seen = new Map<string, [string, number, boolean]>()
  private monitor: Promise<void> | undefined

  constructor(
    ctx: ActorContext,
    commitTimes: CommitTimes,
    shard: Shard,
    private readonly events: EventRecorder,
  ) {
    super(ctx, commitTimes, `node-lifecycle-${shard.index}`, prefixes.nodes, shard)
  }

  override async start(): Promise<void> {
    await super.start()
    const period = this.ctx.real(cadence.nodeMonitorMs)
    this.monitor = every(this.ctx.scheduler, period, period, this.ctx.signal, async () => {
      for (const key of this.informer.cache.keys()) if (this.owns(key)) this.enqueue(key)
    })
  }

  override async drained(): Promise<void> {
    await this.monitor
    await super.drained()
  }

  protected itemFor(key: string, object: KubeObject | undefined): string | undefined {
    if (object === undefined) this.seen.delete(key)
    return key
  }

  protected async reconcile(key: string): Promise<void> {
    const cached = this.informer.cache.get(key)
    if (cached === undefined) return
    const [heartbeatMs, tainted] = this.health(key, cached)
    const silent = this.ctx.clusterNowMs() - heartbeatMs > cadence.nodeGraceMs
    if (silent === tainted) return
    const out = await this.ctx.timed(
      'reconcile',
      () =>
        this.ctx.client.updateFrom(key, cached, (node) => {
          // Decide again on the fresh object: the kubelet may have posted meanwhile.
          const [hb, isTainted] = heartbeatOf(node)
          const nowSilent = this.ctx.clusterNowMs() - hb > cadence.nodeGraceMs
          if (nowSilent === isTainted) return undefined
          const spec = record(node, 'spec')
          const taints = Array.isArray(spec['taints']) ? (spec['taints'] as unknown[]) : []
          spec['taints'] = nowSilent
            ? [...taints, { key: unreachableTaint, effect: 'NoExecute', timeAdded: this.ctx.clusterNow() }]
            : taints.filter((t) => field(t, 'key') !== unreachableTaint)
          return node
        }),
      (o) => o.attempts,
    )
    if (out?.written !== true) return
    if (silent) this.ctx.stats.taints++
    else this.ctx.stats.untaints++
    if (silent) {
      const subject = { kind: 'Node', namespace: 'default', name: key.slice(prefixes.nodes.length), uid: out.object?.metadata.uid ?? '' }
      await this.events.record(subject, 'NodeNotReady', 'Node is not ready: no heartbeat within the grace period', 'node-controller')
    }
  }

  private health(key: string, node: KubeObject): [number, boolean] {
    const s = this.seen.get(key)
    if (s !== undefined && s[0] === node.metadata.resourceVersion) return [s[1], s[2]]
    const [hb, tainted] = heartbeatOf(node)
    this.seen.set(key, [node.metadata.resourceVersion, hb, tainted])
    return [hb, tainted]
  }
}

/** The Ready condition's lastHeartbeatTime (ms) and whether the unreachable taint is on. */
function heartbeatOf(node: unknown): [number, boolean] {
  const conditions = field(node, 'status', 'conditions')
  const ready = Array.isArray(conditions) ? conditions.find((c) => field(c, 'type') === 'Ready') : undefined
  const hb = Date.parse(String(field(ready, 'lastHeartbeatTime')))
  const taints = field(node, 'spec', 'taints')
  const tainted = Array.isArray(taints) && taints.some((t) => field(t, 'key') === unreachableTaint)
  return [Number.isNaN(hb) ? 0 : hb, tainted]
}

// A kubelet: every node-status period it posts its Node's status (a PATCH: the store's CAS loop;
// heartbeat time, conditions, a heartbeat counter), and now and then reports a change in one of its pods
// (started, failed a probe and restarted, ready again), with an event for it.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import type { EventRecorder } from './event-recorder.js'
import { field, heartbeatAnnotation, nodeKey, record, splitKey, prefixes } from './objects.js'
import { cadence } from './options.js'
import type { PodIndex } from './pod-index.js'
import type { Rng } from './rng.js'
import { every } from './scheduler.js'

export class Kubelet {
  readonly key: string
  // Node status updates this kubelet wrote; the stored counter must have grown by exactly this.
  written = 0

  constructor(
    private readonly ctx: ActorContext,
    readonly node: string,
    private readonly index: number,
    private readonly pods: PodIndex,
    private readonly events: EventRecorder,
    private readonly rng: Rng,
  ) {
    this.key = nodeKey(node)
  }

  run(): Promise<void> {
    const period = this.ctx.real(cadence.nodeStatusMs)
    return every(this.ctx.scheduler, period, this.rng.next() * period, this.ctx.signal, () => this.tick())
  }

  private async tick(): Promise<void> {
    const out = await this.ctx.timed(
      'node-status',
      () => this.ctx.client.update(this.key, (node) => this.postStatus(node)),
      (o) => o.attempts,
    )
    if (out?.written === true) this.written++
    if (this.ctx.stopping || !this.rng.chance(cadence.podPatchChance)) return
    const pod = this.rng.pick(this.pods.on(this.node))
    if (pod !== undefined) await this.syncPod(pod)
  }

  private postStatus(node: KubeObject): KubeObject {
    const now = this.ctx.clusterNow()
    const annotations = (node.metadata.annotations ??= {})
    annotations[heartbeatAnnotation] = String(Number(annotations[heartbeatAnnotation] ?? '0') + 1)
    const conditions = field(node, 'status', 'conditions')
    if (Array.isArray(conditions)) {
      for (const c of conditions as Array<Record<string, unknown>>) {
        c['lastHeartbeatTime'] = now
        if (c['type'] === 'Ready' && c['status'] !== 'True') Object.assign(c, { status: 'True', reason: 'KubeletReady', lastTransitionTime: now })
      }
    }
    return node
  }

  /** One status change of a pod: Pending -> Running and ready; ready -> probe failed, restarted; not ready -> ready. */
  private async syncPod(key: string): Promise<void> {
    let reason = ''
    const out = await this.ctx.timed(
      'pod-status',
      () =>
        // An update of the watched copy, as the kubelet's status manager sends it: when the copy
        // is behind (a rollout just changed the pod) the store answers 409 Conflict and the
        // client re-reads and tries again.
        this.ctx.client.updateFrom(key, this.pods.informer.cache.get(key), (pod) => {
          if (field(pod, 'spec', 'nodeName') !== this.node) return undefined // moved since the index saw it
          reason = this.nextStatus(pod)
          return pod
        }),
      (o) => o.attempts,
    )
    const at = splitKey(prefixes.pods, key)
    if (out?.written !== true || out.object === undefined || at === undefined) return
    const subject = { kind: 'Pod', namespace: at.namespace, name: at.name, uid: out.object.metadata.uid }
    const message = reason === 'Unhealthy' ? 'Liveness probe failed: HTTP probe failed with statuscode: 500' : `Started container ${at.name}`
    await this.events.record(subject, reason, message, `kubelet/${this.node}`)
  }

  private nextStatus(pod: KubeObject): string {
    const now = this.ctx.clusterNow()
    const status = record(pod, 'status')
    const image = String(field(pod, 'spec', 'containers', '0', 'image') ?? '')
    const previous = field(status, 'containerStatuses', '0', 'restartCount')
    const restarts = typeof previous === 'number' ? previous : 0
    const wasReady = Array.isArray(status['conditions']) && (status['conditions'] as unknown[]).some((c) => field(c, 'type') === 'Ready' && field(c, 'status') === 'True')
    const failing = status['phase'] === 'Running' && wasReady
    const ready = !failing
    Object.assign(status, {
      phase: 'Running',
      hostIP: `192.168.${(this.index >> 8) & 255}.${this.index & 255}`,
      podIP: status['podIP'] ?? `10.${(this.index >> 8) & 255}.${this.index & 255}.${2 + this.rng.int(250)}`,
      startTime: status['startTime'] ?? now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastTransitionTime: now },
        { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
      ],
      containerStatuses: [
        { name: pod.metadata.name, image, imageID: `${image}@sha256:${'0'.repeat(64)}`, ready, restartCount: failing ? restarts + 1 : restarts, started: true, state: { running: { startedAt: now } } },
      ],
    })
    return failing ? 'Unhealthy' : 'Started'
  }
}

// The deployment controller: keeps each Deployment's pods at its replica count and template
// (rolling every pod whose pod-template-hash is out of date), then records observedGeneration.
// A ReplicaSet layer is left out: pods belong to the Deployment directly, named <deployment>-<i>.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import type { CommitTimes } from './commit-times.js'
import { Controller, type Shard } from './controller.js'
import type { EventRecorder } from './event-recorder.js'
import { field, nodeName, podKey, podName, podObject, prefixes, record, splitKey } from './objects.js'
import { hash32, type Rng } from './rng.js'

export class DeploymentController extends Controller {
  constructor(
    ctx: ActorContext,
    commitTimes: CommitTimes,
    shard: Shard,
    private readonly events: EventRecorder,
    private readonly rng: Rng,
  ) {
    super(ctx, commitTimes, `deployment-${shard.index}`, prefixes.deployments, shard)
  }

  protected itemFor(key: string): string | undefined {
    return key
  }

  protected async reconcile(key: string): Promise<void> {
    const deployment = this.informer.cache.get(key)
    const at = splitKey(prefixes.deployments, key)
    if (deployment === undefined || at === undefined) return
    const replicas = Number(field(deployment, 'spec', 'replicas') ?? 1)
    const template = field(deployment, 'spec', 'template', 'spec')
    const hash = (hash32(JSON.stringify(template)) % 0xfffff).toString(16).padStart(5, '0')
    // The Deployment's pods, as the controller asks the API server for them: a label-selected
    // list of the namespace (the store reads the namespace's pods and filters them).
    const pods = await this.ctx.timed('list', () => this.ctx.client.list(`${prefixes.pods}${at.namespace}/`, { labelSelector: `app=${at.name}` }))
    if (pods === undefined) return
    const existing = new Map(pods.items.map((p) => [podKey(at.namespace, p.metadata.name), p]))
    let changed = 0
    for (let i = 0; i < replicas && !this.ctx.stopping; i++) {
      const pk = podKey(at.namespace, podName(at.name, i))
      const pod = existing.get(pk)
      existing.delete(pk)
      if (pod === undefined) changed += await this.createPod(pk, deployment, template, hash)
      else if (pod.metadata.labels?.['pod-template-hash'] !== hash) changed += await this.rollPod(pk, pod, template, hash)
    }
    // Pods beyond the replica count: scale down.
    for (const [pk, pod] of existing) {
      if (this.ctx.stopping) break
      const deleted = await this.ctx.timed('reconcile', () => this.ctx.client.delete(pk, pod.metadata.resourceVersion))
      if (deleted === true) changed++
    }
    if (changed > 0) {
      this.ctx.stats.rollouts++
      const subject = { kind: 'Deployment', namespace: at.namespace, name: at.name, uid: deployment.metadata.uid }
      await this.events.record(subject, 'ScalingReplicaSet', `Scaled replica set ${at.name}-${hash} to ${replicas}`, 'deployment-controller')
    }
    if (this.ctx.stopping) return
    await this.ctx.timed(
      'reconcile',
      () =>
        this.ctx.client.updateFrom(key, deployment, (d) => {
          const status = record(d, 'status')
          const generation = d.metadata.generation
          if (status['observedGeneration'] === generation && status['replicas'] === replicas && status['updatedReplicas'] === replicas) return undefined
          Object.assign(status, { observedGeneration: generation, replicas, updatedReplicas: replicas })
          return d
        }),
      (o) => o.attempts,
    )
  }

  private async createPod(pk: string, deployment: KubeObject, template: unknown, hash: string): Promise<number> {
    const at = splitKey(prefixes.pods, pk)
    if (at === undefined) return 0
    const app = deployment.metadata.name
    const node = nodeName(hash32(pk) % this.ctx.options.nodes)
    const pod = podObject({ ns: at.namespace, name: at.name, app, node, templateHash: hash, template, owner: deployment.metadata }, this.rng, this.ctx.clusterNow())
    const r = await this.ctx.timed('reconcile', () => this.ctx.client.create(pk, pod))
    return r === undefined ? 0 : 1
  }

  /** Brings a pod to the new template: it restarts, so it is Pending and not ready until its kubelet says so. */
  private async rollPod(pk: string, pod: KubeObject, template: unknown, hash: string): Promise<number> {
    const r = await this.ctx.timed(
      'reconcile',
      () =>
        this.ctx.client.updateFrom(pk, pod, (p) => {
          if (p.metadata.labels?.['pod-template-hash'] === hash) return undefined
          p.metadata.labels = { ...p.metadata.labels, 'pod-template-hash': hash }
          const spec = record(p, 'spec')
          spec['containers'] = field(template, 'containers')
          p['status'] = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: this.ctx.clusterNow() }] }
          return p
        }),
      (o) => o.attempts,
    )
    return r?.written === true ? 1 : 0
  }
}

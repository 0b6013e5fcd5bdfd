// The endpoints controller: for each app, the ready pods' IPs, kept in an Endpoints object.
// Every pod readiness flip the kubelets make turns into an Endpoints write here, which is what
// makes pod churn expensive in a real cluster.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import type { CommitTimes } from './commit-times.js'
import { Controller, type Shard } from './controller.js'
import { endpointSubsets, endpointsKey, endpointsObject, field, prefixes, splitKey } from './objects.js'
import type { Rng } from './rng.js'

export class EndpointsController extends Controller {
  // item ("<namespace>/<app>") -> keys of its pods in the informer cache.
  private readonly podsOf = new Map<string, Set<string>>()

  constructor(
    ctx: ActorContext,
    commitTimes: CommitTimes,
    shard: Shard,
    private readonly rng: Rng,
  ) {
    super(ctx, commitTimes, `endpoints-${shard.index}`, prefixes.pods, shard)
  }

  protected itemFor(key: string, object: KubeObject | undefined): string | undefined {
    const at = splitKey(prefixes.pods, key)
    if (at === undefined) return undefined
    // Pods are named <app>-<replica>; the app is everything before the last dash.
    const item = `${at.namespace}/${at.name.slice(0, Math.max(0, at.name.lastIndexOf('-')))}`
    let keys = this.podsOf.get(item)
    if (keys === undefined) this.podsOf.set(item, (keys = new Set()))
    if (object === undefined) keys.delete(key)
    else keys.add(key)
    return item
  }

  protected async reconcile(item: string): Promise<void> {
    const slash = item.indexOf('/')
    const ns = item.slice(0, slash)
    const app = item.slice(slash + 1)
    const addresses: Array<{ ip: string; nodeName: string; pod: string }> = []
    for (const key of this.podsOf.get(item) ?? []) {
      const pod = this.informer.cache.get(key)
      if (pod === undefined) continue
      const conditions = field(pod, 'status', 'conditions')
      const ready = Array.isArray(conditions) && conditions.some((c) => field(c, 'type') === 'Ready' && field(c, 'status') === 'True')
      const ip = field(pod, 'status', 'podIP')
      if (ready && typeof ip === 'string') addresses.push({ ip, nodeName: String(field(pod, 'spec', 'nodeName')), pod: pod.metadata.name })
    }
    addresses.sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0))
    const key = endpointsKey(ns, app)
    const subsets = endpointSubsets(ns, addresses)
    await this.ctx.timed(
      'reconcile',
      () =>
        this.ctx.client.upsert(
          key,
          () => endpointsObject(ns, app, addresses, this.rng, this.ctx.clusterNow()),
          (e) => {
            // Unchanged subsets encode to the same bytes: the store skips the write.
            e['subsets'] = subsets
            return e
          },
        ),
      (o) => o.attempts,
    )
  }
}

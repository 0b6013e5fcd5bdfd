// The cluster before traffic starts: namespaces, Nodes, and Deployments with their ConfigMaps and
// Secrets, created where missing
// (a second run on the same database adopts what the first left). Returns the counters the
// lost-update check starts from. Pods, Endpoints and events are the controllers' and kubelets' job.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import { keyOf } from './object-client.js'
import {
  configMapKey,
  configMapObject,
  deploymentKey,
  deploymentName,
  deploymentObject,
  heartbeatAnnotation,
  namespaceName,
  namespaceObject,
  nodeKey,
  nodeName,
  nodeObject,
  prefixes,
  secretKey,
  secretObject,
} from './objects.js'
import type { Rng } from './rng.js'

export interface Baseline {
  /** Node key -> heartbeat counter before this run. */
  heartbeats: Map<string, number>
  /** Deployment key -> metadata.generation before this run. */
  generations: Map<string, number>
  /** Objects this bootstrap created (0 on a database that already had the cluster). */
  created: number
}

const batchSize = 200

export async function bootstrap(ctx: ActorContext, rng: Rng): Promise<Baseline> {
  const now = ctx.clusterNow()
  const wanted: Array<[string, KubeObject]> = []
  for (let n = 0; n < ctx.shape.namespaces; n++) {
    const ns = namespaceName(n)
    wanted.push([`${prefixes.namespaces}${ns}`, namespaceObject(ns, rng, now)])
    for (let d = 0; d < ctx.shape.deploymentsPerNamespace; d++) {
      const name = deploymentName(d)
      wanted.push([deploymentKey(ns, name), deploymentObject(ns, name, 2 + rng.int(7), rng, now)])
      wanted.push([configMapKey(ns, name), configMapObject(ns, name, 1)], [secretKey(ns, name), secretObject(ns, name, rng)])
    }
  }
  for (let i = 0; i < ctx.options.nodes; i++) wanted.push([nodeKey(nodeName(i)), nodeObject(nodeName(i), i, rng, now)])
  let created = 0
  // Namespaces first: an API server refuses objects in a namespace that does not exist yet.
  const namespaces = wanted.filter(([key]) => key.startsWith(prefixes.namespaces))
  const rest = wanted.filter(([key]) => !key.startsWith(prefixes.namespaces))
  for (const batch of [namespaces, rest]) created += await createAll(ctx, batch)
  const heartbeats = new Map<string, number>()
  for (const node of (await ctx.client.list(prefixes.nodes)).items) {
    heartbeats.set(keyOf(prefixes.nodes, node), Number(node.metadata.annotations?.[heartbeatAnnotation] ?? '0'))
  }
  const generations = new Map<string, number>()
  for (const d of (await ctx.client.list(prefixes.deployments)).items) generations.set(keyOf(prefixes.deployments, d), d.metadata.generation)
  return { heartbeats, generations, created }
}

async function createAll(ctx: ActorContext, wanted: ReadonlyArray<[string, KubeObject]>): Promise<number> {
  let created = 0
  for (let i = 0; i < wanted.length; i += batchSize) {
    // Concurrent creates share commits (group commit), as a cluster's first minutes do.
    const results = await Promise.all(wanted.slice(i, i + batchSize).map(([key, object]) => ctx.client.create(key, object)))
    created += results.filter((r) => r !== undefined).length
  }
  return created
}

/** Keys of this run's Deployments (a database may hold more from a larger earlier run). */
export function deploymentKeys(ctx: ActorContext): string[] {
  const keys: string[] = []
  for (let n = 0; n < ctx.shape.namespaces; n++) {
    for (let d = 0; d < ctx.shape.deploymentsPerNamespace; d++) keys.push(deploymentKey(namespaceName(n), deploymentName(d)))
  }
  return keys
}

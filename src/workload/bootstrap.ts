// The cluster before traffic starts: namespaces, Nodes and Deployments, created where missing
// (a second run on the same database adopts what the first left). Returns the counters the
// lost-update check starts from. Pods, Endpoints and events are the controllers' and kubelets' job.
import type { KubeObject } from '../codec/index.js'
import type { ActorContext } from './context.js'
import { deploymentKey, deploymentName, deploymentObject, heartbeatAnnotation, namespaceName, namespaceObject, nodeKey, nodeName, nodeObject, prefixes } from './objects.js'
import { text } from './object-client.js'
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
    }
  }
  for (let i = 0; i < ctx.options.nodes; i++) wanted.push([nodeKey(nodeName(i)), nodeObject(nodeName(i), i, rng, now)])
  let created = 0
  for (let i = 0; i < wanted.length; i += batchSize) {
    // Concurrent creates share commits (group commit), as a cluster's first minutes do.
    const results = await Promise.all(wanted.slice(i, i + batchSize).map(([key, object]) => ctx.client.create(key, object)))
    created += results.filter((r) => r.created).length
  }
  const heartbeats = new Map<string, number>()
  for (const kv of (await ctx.client.list(prefixes.nodes)).items) {
    heartbeats.set(text(kv.key), Number(ctx.client.decode(kv).metadata.annotations?.[heartbeatAnnotation] ?? '0'))
  }
  const generations = new Map<string, number>()
  for (const kv of (await ctx.client.list(prefixes.deployments)).items) {
    generations.set(text(kv.key), ctx.client.decode(kv).metadata.generation)
  }
  return { heartbeats, generations, created }
}

/** Keys of this run's Deployments (a database may hold more from a larger earlier run). */
export function deploymentKeys(ctx: ActorContext): string[] {
  const keys: string[] = []
  for (let n = 0; n < ctx.shape.namespaces; n++) {
    for (let d = 0; d < ctx.shape.deploymentsPerNamespace; d++) keys.push(deploymentKey(namespaceName(n), deploymentName(d)))
  }
  return keys
}

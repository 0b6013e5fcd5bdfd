// startCluster: the control loops of a small cluster, each an ordinary client of the REST API
// over HTTPS: namespace lifecycle, garbage collector, Deployment and ReplicaSet controllers,
// scheduler, node lifecycle, and N simulated kubelets.
import { systemClock, type Clock } from '../util/index.js'
import { ApiClient } from './api-client.js'
import { DeploymentController } from './deployment-controller.js'
import { discoverResources } from './discovery.js'
import { GarbageCollector } from './garbage-collector.js'
import { InformerFactory } from './informer-factory.js'
import { Kubelet } from './kubelet.js'
import { LogBook, type LogReader } from './log-book.js'
import { NamespaceController } from './namespace-controller.js'
import { NodeLifecycleController } from './node-lifecycle-controller.js'
import { deploymentsRef, leasesRef, namespacesRef, nodesRef, podsRef, replicaSetsRef } from './resource-ref.js'
import { ReplicaSetController } from './replicaset-controller.js'
import { PodScheduler } from './scheduler.js'
import type { Deployment, Lease, NodeObject, Pod, ReplicaSet } from './types.js'

export interface ClusterOptions {
  /** https://host:port of the API server. */
  server: string
  ca: string
  cert: string
  key: string
  /** Simulated nodes (kubelets), named node-1 ... node-N. */
  nodes: number
  clock?: Clock
  log?: (line: string) => void
  /** Which loops run (default all): a test runs kubelets on a fake clock beside the server's own loops. */
  loops?: readonly LoopName[]
}

export type LoopName = 'namespace' | 'replicaset' | 'deployment' | 'scheduler' | 'garbage-collector' | 'node-lifecycle' | 'kubelets'
export const loopNames: readonly LoopName[] = ['namespace', 'replicaset', 'deployment', 'scheduler', 'garbage-collector', 'node-lifecycle', 'kubelets']

export interface Cluster {
  logs: LogReader
  kubelets: Kubelet[]
  client: ApiClient
  stop(): Promise<void>
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const clock = o.clock ?? systemClock
  const log = o.log ?? ((): void => undefined)
  const client = new ApiClient({ server: o.server, ca: o.ca, cert: o.cert, key: o.key })
  const informers = new InformerFactory({ client, clock, log })
  const logs = new LogBook(clock)
  const pods = informers.for<Pod>(podsRef)
  const nodes = informers.for<NodeObject>(nodesRef)
  const replicaSets = informers.for<ReplicaSet>(replicaSetsRef)
  const deployments = informers.for<Deployment>(deploymentsRef)
  const leases = informers.for<Lease>(leasesRef)
  const namespaces = informers.for(namespacesRef)
  const on = new Set(o.loops ?? loopNames)
  const gc = on.has('garbage-collector') ? new GarbageCollector({ client, clock, log, informers, resources: await discoverResources(client) }) : undefined
  const loops: { stop(): Promise<void> }[] = []
  if (on.has('namespace')) loops.push(new NamespaceController({ client, clock, log, namespaces }))
  if (on.has('replicaset')) loops.push(new ReplicaSetController({ client, clock, log, pods, replicaSets }))
  if (on.has('deployment')) loops.push(new DeploymentController({ client, clock, log, deployments, replicaSets }))
  if (on.has('scheduler')) loops.push(new PodScheduler({ client, clock, log, pods, nodes }))
  if (gc !== undefined) loops.push(gc)
  const lifecycle = on.has('node-lifecycle') ? new NodeLifecycleController({ client, clock, log, nodes, leases, pods }) : undefined
  if (lifecycle !== undefined) loops.push(lifecycle)
  const count = on.has('kubelets') ? o.nodes : 0
  const kubelets = Array.from({ length: count }, (_, i) => new Kubelet(`node-${i + 1}`, i + 1, { client, clock, log, logs, pods, nodes }))
  await informers.start()
  await Promise.all(kubelets.map((k) => k.start()))
  gc?.start()
  lifecycle?.start()
  let stopping: Promise<void> | undefined
  return {
    logs,
    kubelets,
    client,
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([...kubelets.map((k) => k.stop()), ...loops.map((l) => l.stop())])
        await informers.stop()
        client.close()
      })()),
  }
}

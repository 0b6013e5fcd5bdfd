// A simulated kubelet: registers its Node, renews its Lease in kube-node-lease every 10 s, moves
// the pods bound to it to Running (containers ready, an IP, start time) and has each container
// write log lines to the LogBook. It runs no containers. An annotation on the Node
// (etchlog.io/kubelet-stopped: "true") or stop() makes it fall silent, as a dead node does.
import { randomUUID } from 'node:crypto'
import type { Clock, TimerHandle } from '../util/index.js'
import { isReason, type ApiClient } from './api-client.js'
import type { Informer } from './informer.js'
import type { LogBook } from './log-book.js'
import { leasesRef, nodesRef, objectKey, podsRef, resourcePath } from './resource-ref.js'
import { WorkQueue } from './work-queue.js'
import { conditionOf, timeText, type Condition, type Lease, type NodeObject, type Pod } from './types.js'

export const kubeletVersion = 'v1.32.4'
export const leaseRenewMs = 10_000
export const stoppedAnnotation = 'etchlog.io/kubelet-stopped'

export interface KubeletDeps {
  client: ApiClient
  clock: Clock
  log: (line: string) => void
  logs: LogBook
  pods: Informer<Pod>
  nodes: Informer<NodeObject>
}

export class Kubelet {
  private readonly queue: WorkQueue
  private timer: TimerHandle | undefined
  private stopped = false
  private podSeq = 0
  private ticks = 0

  constructor(
    readonly nodeName: string,
    private readonly index: number,
    private readonly d: KubeletDeps,
  ) {
    this.queue = new WorkQueue(`kubelet ${nodeName}`, (key) => this.syncPod(key), { clock: d.clock, log: d.log, workers: 2 })
    const mine = (p: Pod): void => {
      if (p.spec?.nodeName === nodeName) this.queue.add(objectKey(p.metadata.namespace, p.metadata.name))
    }
    d.pods.on({ add: mine, update: (_old, p) => mine(p), delete: (p) => p.spec?.nodeName === nodeName && d.logs.forget(p.metadata.namespace ?? '', p.metadata.name) })
  }

  /** Registers the node and its lease, then heartbeats every 10 s. */
  async start(): Promise<void> {
    await this.register()
    await this.renewLease()
    this.schedule()
    for (const p of this.d.pods.list()) if (p.spec?.nodeName === this.nodeName) this.queue.add(objectKey(p.metadata.namespace, p.metadata.name))
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.timer?.cancel()
    await this.queue.stop()
  }

  /** False once stop() ran or the Node carries the stopped annotation. */
  get alive(): boolean {
    const node = this.d.nodes.get(undefined, this.nodeName)
    return !this.stopped && node?.metadata.annotations?.[stoppedAnnotation] !== 'true'
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = this.d.clock.setTimer(leaseRenewMs, () => {
      void this.heartbeat().finally(() => this.schedule())
    })
  }

  private async heartbeat(): Promise<void> {
    if (!this.alive) return
    try {
      await this.renewLease()
      const node = this.d.nodes.get(undefined, this.nodeName)
      if (node === undefined) await this.register()
      else if (conditionOf(node, 'Ready')?.status !== 'True') await this.postStatus(node)
      this.writeTicks()
    } catch (err) {
      this.d.log(`controllers: kubelet ${this.nodeName}: heartbeat: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  private writeTicks(): void {
    this.ticks += 1
    for (const p of this.d.pods.list()) {
      if (p.spec?.nodeName !== this.nodeName || p.status?.phase !== 'Running') continue
      for (const c of p.spec.containers ?? []) this.d.logs.append(p.metadata.namespace ?? '', p.metadata.name, c.name, `${c.name}: alive (tick ${this.ticks})`)
    }
  }

  private async register(): Promise<void> {
    const path = resourcePath(nodesRef, '', this.nodeName)
    let node: NodeObject
    try {
      node = await this.d.client.get<NodeObject>(path)
    } catch (err) {
      if (!isReason(err, 'NotFound')) throw err
      const labels = { 'kubernetes.io/hostname': this.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'etchlog-simulated' }
      node = await this.d.client.create<NodeObject>(resourcePath(nodesRef, ''), { apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, labels }, spec: {} })
    }
    await this.postStatus(node)
  }

  private async postStatus(node: NodeObject): Promise<void> {
    const now = timeText(this.d.clock.now())
    const cond = (type: string, status: Condition['status'], reason: string, message: string): Condition => ({ type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now })
    const capacity = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' }
    const status = {
      capacity,
      allocatable: capacity,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status (simulated by etchlog)'),
      ],
      addresses: [{ type: 'InternalIP', address: `10.0.0.${this.index + 10}` }, { type: 'Hostname', address: this.nodeName }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: randomUUID().replace(/-/g, ''), systemUUID: randomUUID(), bootID: randomUUID(),
        kernelVersion: '6.1.0-etchlog', osImage: 'etchlog simulated node', containerRuntimeVersion: 'etchlog://0.1.0',
        kubeletVersion, kubeProxyVersion: kubeletVersion, operatingSystem: 'linux', architecture: 'amd64',
      },
    }
    await this.d.client.update(resourcePath(nodesRef, '', this.nodeName, 'status'), { ...node, status })
  }

  private async renewLease(): Promise<void> {
    const path = resourcePath(leasesRef, 'kube-node-lease', this.nodeName)
    const renewTime = timeText(this.d.clock.now(), true)
    try {
      await this.d.client.patch<Lease>(path, { spec: { renewTime, holderIdentity: this.nodeName } })
    } catch (err) {
      if (!isReason(err, 'NotFound')) throw err
      const node = await this.d.client.get<NodeObject>(resourcePath(nodesRef, '', this.nodeName))
      const owner = { apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: node.metadata.uid }
      await this.d.client.create(resourcePath(leasesRef, 'kube-node-lease'), {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.nodeName, namespace: 'kube-node-lease', ownerReferences: [owner] },
        spec: { holderIdentity: this.nodeName, leaseDurationSeconds: 40, renewTime },
      })
    }
  }

  /**
   * A pod being deleted that finalizers hold: its containers stop (terminated, exit code 0, not
   * ready), then the kubelet confirms the deletion with gracePeriodSeconds=0.
   */
  private async terminate(pod: Pod): Promise<void> {
    const namespace = pod.metadata.namespace ?? ''
    this.d.logs.forget(namespace, pod.metadata.name)
    const statuses = (pod.status?.containerStatuses as { name: string; state?: Record<string, unknown> }[] | undefined) ?? []
    if (statuses.some((c) => c.state?.terminated === undefined)) {
      const now = timeText(this.d.clock.now())
      const containerStatuses = statuses.map((c) => ({ ...c, ready: false, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: (c.state?.running as { startedAt?: string } | undefined)?.startedAt ?? now, finishedAt: now } } }))
      const conditions = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False' as const, reason: 'PodCompleted', lastTransitionTime: now } : c))
      await this.d.client.update(resourcePath(podsRef, namespace, pod.metadata.name, 'status'), { ...pod, status: { ...pod.status, phase: 'Succeeded', conditions, containerStatuses } })
    }
    await this.d.client.delete(resourcePath(podsRef, namespace, pod.metadata.name), { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch((err: unknown) => {
      if (!isReason(err, 'NotFound', 'Conflict')) throw err
    })
  }

  /** A pod bound here: Pending -> Running with ready containers. */
  private async syncPod(key: string): Promise<void> {
    if (!this.alive) return
    const [namespace = '', name = ''] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : ['', key]
    const pod = this.d.pods.get(namespace, name)
    if (pod === undefined || pod.spec?.nodeName !== this.nodeName) return
    if (pod.metadata.deletionTimestamp !== undefined) return this.terminate(pod)
    if (pod.status?.phase === 'Running' || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return
    const now = timeText(this.d.clock.now())
    const ready = (type: string): Condition => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now })
    const containers = pod.spec.containers ?? []
    this.podSeq += 1
    const status = {
      phase: 'Running',
      conditions: [ready('PodReadyToStartContainers'), ready('Initialized'), ready('Ready'), ready('ContainersReady'), ready('PodScheduled')],
      hostIP: `10.0.0.${this.index + 10}`,
      hostIPs: [{ ip: `10.0.0.${this.index + 10}` }],
      podIP: `10.244.${this.index}.${(this.podSeq % 250) + 2}`,
      podIPs: [{ ip: `10.244.${this.index}.${(this.podSeq % 250) + 2}` }],
      startTime: now,
      qosClass: 'BestEffort',
      containerStatuses: containers.map((c) => ({
        name: c.name, image: c.image ?? '', imageID: `${c.image ?? ''}@sha256:${'0'.repeat(64)}`,
        containerID: `etchlog://${randomUUID().replace(/-/g, '')}`, ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } },
      })),
    }
    await this.d.client.update(resourcePath(podsRef, namespace, name, 'status'), { ...pod, status })
    for (const c of containers) {
      this.d.logs.append(namespace, name, c.name, `${c.name}: started from image ${c.image ?? '(none)'} on node ${this.nodeName} (simulated: etchlog runs no containers)`)
    }
  }
}

// The ReplicaSet controller: keeps spec.replicas pods from the template (generateName, a
// controller ownerReference), deletes the surplus (unscheduled, then not ready, then newest first)
// and reports status. Creations and deletions not yet seen by the informer are remembered so that
// a lagging cache does not make it act twice.
import type { Clock } from '../util/index.js'
import { isReason, type ApiClient } from './api-client.js'
import type { Informer } from './informer.js'
import { objectKey, podsRef, replicaSetsRef, resourcePath, splitKey } from './resource-ref.js'
import { WorkQueue } from './work-queue.js'
import { conditionOf, controllerOf, type Pod, type ReplicaSet } from './types.js'

/** Pods created or deleted per pass, as kube-controller-manager's burst. */
export const replicaBurstMax = 50

export class ReplicaSetController {
  private readonly queue: WorkQueue
  private readonly pendingCreates = new Map<string, Set<string>>()
  private readonly pendingDeletes = new Map<string, Set<string>>()

  constructor(private readonly d: { client: ApiClient; clock: Clock; log: (line: string) => void; pods: Informer<Pod>; replicaSets: Informer<ReplicaSet> }) {
    this.queue = new WorkQueue('replicaset', (key) => this.sync(key), { clock: d.clock, log: d.log })
    const enqueueRs = (rs: ReplicaSet): void => this.queue.add(objectKey(rs.metadata.namespace, rs.metadata.name))
    d.replicaSets.on({ add: enqueueRs, update: (_o, rs) => enqueueRs(rs), delete: (rs) => this.forget(rs.metadata.uid) })
    const owner = (p: Pod, seen: 'add' | 'delete' | 'update'): void => {
      const ref = controllerOf(p)
      if (ref?.kind !== 'ReplicaSet') return
      if (seen === 'add') this.pendingCreates.get(ref.uid)?.delete(p.metadata.name)
      if (seen === 'delete') this.pendingDeletes.get(ref.uid)?.delete(p.metadata.name)
      this.queue.add(objectKey(p.metadata.namespace, ref.name))
    }
    d.pods.on({ add: (p) => owner(p, 'add'), update: (_o, p) => owner(p, 'update'), delete: (p) => owner(p, 'delete') })
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  private forget(uid: string): void {
    this.pendingCreates.delete(uid)
    this.pendingDeletes.delete(uid)
  }

  /** The pods this ReplicaSet controls (by controller reference), terminating ones left out. */
  ownedPods(rs: ReplicaSet): Pod[] {
    return this.d.pods.list().filter((p) => p.metadata.namespace === rs.metadata.namespace && controllerOf(p)?.uid === rs.metadata.uid && p.metadata.deletionTimestamp === undefined)
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const rs = this.d.replicaSets.get(namespace, name)
    if (rs === undefined || rs.metadata.deletionTimestamp !== undefined) return
    const uid = rs.metadata.uid
    const creates = this.pendingCreates.get(uid) ?? new Set<string>()
    const deletes = this.pendingDeletes.get(uid) ?? new Set<string>()
    this.pendingCreates.set(uid, creates)
    this.pendingDeletes.set(uid, deletes)
    const pods = this.ownedPods(rs).filter((p) => !deletes.has(p.metadata.name))
    const have = pods.length + [...creates].filter((n) => !pods.some((p) => p.metadata.name === n)).length
    const want = rs.spec?.replicas ?? 1
    if (have < want) await this.createPods(rs, Math.min(want - have, replicaBurstMax), creates)
    else if (have > want) await this.deletePods(rs, pods, Math.min(have - want, replicaBurstMax), deletes)
    await this.writeStatus(rs)
  }

  private async createPods(rs: ReplicaSet, n: number, creates: Set<string>): Promise<void> {
    const namespace = rs.metadata.namespace ?? ''
    const template = rs.spec?.template ?? {}
    const ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]
    const body = { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, generateName: `${rs.metadata.name}-`, namespace, ownerReferences }, spec: template.spec ?? {} }
    await Promise.all(
      Array.from({ length: n }, async () => {
        const pod = await this.d.client.create<Pod>(resourcePath(podsRef, namespace), body).catch((err: unknown) => {
          // A namespace being terminated takes no new pods; the namespace controller is removing this set.
          if (isReason(err, 'Forbidden')) return undefined
          throw err
        })
        if (pod === undefined) return
        if (this.d.pods.get(namespace, pod.metadata.name) === undefined) creates.add(pod.metadata.name)
      }),
    )
  }

  private async deletePods(rs: ReplicaSet, pods: Pod[], n: number, deletes: Set<string>): Promise<void> {
    const rank = (p: Pod): number => ((p.spec?.nodeName ?? '') === '' ? 0 : p.status?.phase !== 'Running' ? 1 : conditionOf(p, 'Ready')?.status !== 'True' ? 2 : 3)
    const victims = [...pods].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || b.metadata.name.localeCompare(a.metadata.name)).slice(0, n)
    await Promise.all(
      victims.map(async (p) => {
        deletes.add(p.metadata.name)
        try {
          await this.d.client.delete(resourcePath(podsRef, rs.metadata.namespace ?? '', p.metadata.name), { preconditions: { uid: p.metadata.uid } })
        } catch (err) {
          if (!isReason(err, 'NotFound', 'Conflict')) {
            deletes.delete(p.metadata.name)
            throw err
          }
        }
        if (this.d.pods.get(rs.metadata.namespace, p.metadata.name) === undefined) deletes.delete(p.metadata.name)
      }),
    )
  }

  private async writeStatus(rs: ReplicaSet): Promise<void> {
    const pods = this.ownedPods(rs)
    const ready = pods.filter((p) => conditionOf(p, 'Ready')?.status === 'True').length
    const selector = rs.spec?.selector?.matchLabels ?? {}
    const labelled = pods.filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v)).length
    const status = { replicas: pods.length, fullyLabeledReplicas: labelled, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation ?? 1 }
    const old = rs.status ?? {}
    if (Object.entries(status).every(([k, v]) => (old as Record<string, unknown>)[k] === v)) return
    await this.d.client.update(resourcePath(replicaSetsRef, rs.metadata.namespace ?? '', rs.metadata.name, 'status'), { ...rs, status: { ...old, ...status } })
  }
}

// The Deployment controller: one ReplicaSet per pod-template hash (label pod-template-hash,
// controller ownerReference), rolling updates within maxSurge/maxUnavailable (25% by default) or
// Recreate, and the status `kubectl rollout status` waits on.
import { createHash } from 'node:crypto'
import type { Clock } from '../util/index.js'
import { isReason, type ApiClient } from './api-client.js'
import type { Informer } from './informer.js'
import { deploymentsRef, objectKey, replicaSetsRef, resourcePath, splitKey } from './resource-ref.js'
import { WorkQueue } from './work-queue.js'
import { controllerOf, timeText, type Condition, type Deployment, type ReplicaSet } from './types.js'

const revisionAnnotation = 'deployment.kubernetes.io/revision'

export class DeploymentController {
  private readonly queue: WorkQueue

  constructor(private readonly d: { client: ApiClient; clock: Clock; log: (line: string) => void; deployments: Informer<Deployment>; replicaSets: Informer<ReplicaSet> }) {
    this.queue = new WorkQueue('deployment', (key) => this.sync(key), { clock: d.clock, log: d.log })
    const enqueue = (o: Deployment): void => this.queue.add(objectKey(o.metadata.namespace, o.metadata.name))
    d.deployments.on({ add: enqueue, update: (_o, n) => enqueue(n) })
    const owner = (rs: ReplicaSet): void => {
      const ref = controllerOf(rs)
      if (ref?.kind === 'Deployment') this.queue.add(objectKey(rs.metadata.namespace, ref.name))
    }
    d.replicaSets.on({ add: owner, update: (_o, rs) => owner(rs), delete: owner })
  }

  stop(): Promise<void> {
    return this.queue.stop()
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key)
    const dep = this.d.deployments.get(namespace, name)
    if (dep === undefined || dep.metadata.deletionTimestamp !== undefined) return
    const owned = this.d.replicaSets.list().filter((rs) => rs.metadata.namespace === namespace && controllerOf(rs)?.uid === dep.metadata.uid)
    const hash = templateHash(dep.spec?.template ?? {})
    let current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash)
    const old = owned.filter((rs) => rs !== current)
    const desired = dep.spec?.replicas ?? 1
    const { surge, unavailable } = rollingLimits(dep, desired)
    if (current === undefined) {
      const total = old.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0)
      const start = dep.spec?.strategy?.type === 'Recreate' ? 0 : Math.max(0, Math.min(desired, desired + surge - total))
      current = await this.createReplicaSet(dep, hash, start, old)
      if (current === undefined) return
    }
    // A template seen before (a rollback): its ReplicaSet becomes the newest revision again.
    const newest = old.reduce((n, rs) => Math.max(n, revisionOf(rs)), 0)
    if (newest > revisionOf(current)) {
      await this.d.client.patch(resourcePath(replicaSetsRef, namespace, current.metadata.name), { metadata: { resourceVersion: current.metadata.resourceVersion, annotations: { [revisionAnnotation]: String(newest + 1) } } })
      return
    }
    if (dep.spec?.paused !== true) await this.rollout(dep, current, old, desired, surge, unavailable)
    await this.pruneHistory(dep, old)
    // A marked Deployment comes back through the informer: its status is written on that pass.
    if (await this.markRevision(dep, current)) return
    await this.writeStatus(dep, current, old, desired, unavailable)
  }

  private async rollout(dep: Deployment, cur: ReplicaSet, old: ReplicaSet[], desired: number, surge: number, unavailable: number): Promise<void> {
    const replicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 0
    const available = (rs: ReplicaSet): number => Math.min(rs.status?.availableReplicas ?? 0, replicas(rs))
    const oldActive = old.filter((rs) => replicas(rs) > 0)
    if (dep.spec?.strategy?.type === 'Recreate') {
      for (const rs of oldActive) await this.scale(rs, 0)
      const stillRunning = old.some((rs) => (rs.status?.replicas ?? 0) > 0)
      if (!stillRunning && replicas(cur) !== desired) await this.scale(cur, desired)
      return
    }
    if (oldActive.length === 0) {
      if (replicas(cur) !== desired) await this.scale(cur, desired)
      return
    }
    // Up: the new ReplicaSet grows while the total stays within desired + maxSurge.
    const total = replicas(cur) + oldActive.reduce((n, rs) => n + replicas(rs), 0)
    const up = Math.min(desired - replicas(cur), desired + surge - total)
    if (up > 0) await this.scale(cur, replicas(cur) + up)
    else if (replicas(cur) > desired) await this.scale(cur, desired)
    // Down: old pods that are not available go first; available ones only while enough stay available.
    let budget = available(cur) + oldActive.reduce((n, rs) => n + available(rs), 0) - (desired - unavailable)
    const oldestFirst = [...oldActive].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''))
    for (const rs of oldestFirst) {
      const unhealthy = replicas(rs) - available(rs)
      const healthyCut = Math.max(0, Math.min(available(rs), budget))
      budget -= healthyCut
      const cut = unhealthy + healthyCut
      if (cut > 0) await this.scale(rs, replicas(rs) - cut)
    }
  }

  /** Old ReplicaSets scaled to nothing beyond spec.revisionHistoryLimit (10) are deleted, oldest first. */
  private async pruneHistory(dep: Deployment, old: ReplicaSet[]): Promise<void> {
    const limit = typeof dep.spec?.revisionHistoryLimit === 'number' ? dep.spec.revisionHistoryLimit : 10
    const idle = old.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0 && rs.metadata.deletionTimestamp === undefined)
    idle.sort((a, b) => revisionOf(a) - revisionOf(b))
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      await this.d.client.delete(resourcePath(replicaSetsRef, rs.metadata.namespace ?? '', rs.metadata.name), { preconditions: { uid: rs.metadata.uid } }).catch((err: unknown) => {
        if (!isReason(err, 'NotFound', 'Conflict')) throw err
      })
    }
  }

  /** The Deployment carries its current ReplicaSet's revision, as `kubectl rollout history` expects. */
  private async markRevision(dep: Deployment, cur: ReplicaSet): Promise<boolean> {
    const revision = cur.metadata.annotations?.[revisionAnnotation]
    if (revision === undefined || dep.metadata.annotations?.[revisionAnnotation] === revision) return false
    await this.d.client.patch(resourcePath(deploymentsRef, dep.metadata.namespace ?? '', dep.metadata.name), { metadata: { resourceVersion: dep.metadata.resourceVersion, annotations: { [revisionAnnotation]: revision } } })
    return true
  }

  private async scale(rs: ReplicaSet, replicas: number): Promise<void> {
    await this.d.client.patch(resourcePath(replicaSetsRef, rs.metadata.namespace ?? '', rs.metadata.name), { metadata: { resourceVersion: rs.metadata.resourceVersion }, spec: { replicas } })
  }

  private async createReplicaSet(dep: Deployment, hash: string, replicas: number, old: ReplicaSet[]): Promise<ReplicaSet | undefined> {
    const namespace = dep.metadata.namespace ?? ''
    const template = dep.spec?.template ?? {}
    const labels = { ...template.metadata?.labels, 'pod-template-hash': hash }
    const revision = 1 + old.reduce((n, rs) => Math.max(n, revisionOf(rs)), 0)
    const body = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${dep.metadata.name}-${hash}`, namespace, labels,
        annotations: { [revisionAnnotation]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(dep.spec?.replicas ?? 1) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name, uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas, selector: { matchLabels: { ...dep.spec?.selector?.matchLabels, 'pod-template-hash': hash } }, template: { ...template, metadata: { ...template.metadata, labels } } },
    }
    try {
      return await this.d.client.create<ReplicaSet>(resourcePath(replicaSetsRef, namespace), body)
    } catch (err) {
      // Made by an earlier pass the cache has not shown yet: the informer's event brings us back.
      if (isReason(err, 'AlreadyExists')) return undefined
      throw err
    }
  }

  private async writeStatus(dep: Deployment, cur: ReplicaSet, old: ReplicaSet[], desired: number, unavailable: number): Promise<void> {
    const all = [cur, ...old]
    const sum = (f: (rs: ReplicaSet) => number | undefined): number => all.reduce((n, rs) => n + (f(rs) ?? 0), 0)
    const replicas = sum((rs) => rs.status?.replicas)
    const available = sum((rs) => rs.status?.availableReplicas)
    const updated = cur.status?.replicas ?? 0
    const complete = updated === desired && replicas === desired && available >= desired && (cur.spec?.replicas ?? 0) === desired
    const prev = (dep.status?.conditions as Condition[] | undefined) ?? []
    const now = timeText(this.d.clock.now())
    const cond = (type: string, status: Condition['status'], reason: string, message: string): Condition => {
      const was = prev.find((c) => c.type === type)
      const same = was?.status === status && was.reason === reason
      return { type, status, lastUpdateTime: same ? (was.lastUpdateTime ?? now) : now, lastTransitionTime: was?.status === status ? (was.lastTransitionTime ?? now) : now, reason, message }
    }
    const availableOk = available >= desired - unavailable
    const conditions = [
      cond('Available', availableOk ? 'True' : 'False', availableOk ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', availableOk ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
      cond('Progressing', 'True', complete ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', complete ? `ReplicaSet "${cur.metadata.name}" has successfully progressed.` : `ReplicaSet "${cur.metadata.name}" is progressing.`),
    ]
    const status: Record<string, unknown> = {
      observedGeneration: dep.metadata.generation ?? 1,
      replicas,
      updatedReplicas: updated,
      readyReplicas: sum((rs) => rs.status?.readyReplicas),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
      conditions,
    }
    const before = JSON.stringify({ ...dep.status, conditions: prev.map((c) => ({ ...c, lastUpdateTime: '', lastTransitionTime: '' })) })
    const after = JSON.stringify({ ...dep.status, ...status, conditions: conditions.map((c) => ({ ...c, lastUpdateTime: '', lastTransitionTime: '' })) })
    if (before === after) return
    await this.d.client.update(resourcePath(deploymentsRef, dep.metadata.namespace ?? '', dep.metadata.name, 'status'), { ...dep, status: { ...dep.status, ...status } })
  }
}

function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[revisionAnnotation] ?? 0)
}

/** maxSurge rounds up, maxUnavailable down (Kubernetes' rule); both zero would stall, so 1 unavailable. */
export function rollingLimits(dep: Deployment, desired: number): { surge: number; unavailable: number } {
  const ru = dep.spec?.strategy?.rollingUpdate
  const value = (v: number | string | undefined, up: boolean): number => {
    const raw = v ?? '25%'
    if (typeof raw === 'number') return raw
    const pct = /^(\d+)%$/.exec(raw)
    if (pct === null) return Number(raw) || 0
    const x = (Number(pct[1]) * desired) / 100
    return up ? Math.ceil(x) : Math.floor(x)
  }
  const surge = value(ru?.maxSurge, true)
  const unavailable = value(ru?.maxUnavailable, false)
  return surge === 0 && unavailable === 0 ? { surge: 0, unavailable: 1 } : { surge, unavailable }
}

/** A short stable hash of the pod template (keys sorted), in the alphabet Kubernetes uses. */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(stableJson(template)).digest()
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
  let out = ''
  for (let i = 0; i < 10; i++) out += alphabet[(digest[i] ?? 0) % alphabet.length]
  return out
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}

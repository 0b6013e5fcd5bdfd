// The garbage collector (ownerReferences). A dependent whose owners are all gone is deleted
// (Background); one that lost only some has those references removed. An owner being deleted with
// the foregroundDeletion finalizer has its dependents deleted first (Foreground, so it recurses),
// then loses the finalizer; with the orphan finalizer its dependents lose their reference to it,
// then it loses the finalizer.
import type { Clock, TimerHandle } from '../util/index.js'
import { isReason, type ApiClient } from './api-client.js'
import type { DiscoveredResource } from './discovery.js'
import type { InformerFactory } from './informer-factory.js'
import { objectKey, resourcePath } from './resource-ref.js'
import { WorkQueue } from './work-queue.js'
import type { KubeObject, OwnerReference } from './types.js'

/** The kinds the collector watches; owners of other kinds are looked up when needed. */
export const collectedResources = ['pods', 'replicasets', 'deployments', 'statefulsets', 'daemonsets', 'controllerrevisions', 'jobs', 'cronjobs', 'services', 'endpoints', 'endpointslices', 'configmaps', 'secrets', 'serviceaccounts', 'persistentvolumeclaims', 'leases', 'nodes']
export const gcResyncMs = 30_000

interface Ref {
  r: DiscoveredResource
  namespace: string
  name: string
}

export class GarbageCollector {
  private readonly queue: WorkQueue
  private readonly byUid = new Map<string, Ref>()
  private readonly dependents = new Map<string, Set<string>>()
  private readonly refs = new Map<string, Ref>()
  private resync: TimerHandle | undefined

  constructor(private readonly d: { client: ApiClient; clock: Clock; log: (line: string) => void; informers: InformerFactory; resources: DiscoveredResource[] }) {
    this.queue = new WorkQueue('garbage-collector', (key) => this.sync(key), { clock: d.clock, log: d.log })
    for (const r of d.resources) {
      if (!collectedResources.includes(r.resource) || !r.verbs.includes('watch')) continue
      const inf = d.informers.for(r)
      const seen = (o: KubeObject): void => this.observe(r, o)
      inf.on({ add: seen, update: (_old, o) => seen(o), delete: (o) => this.gone(r, o) })
    }
  }

  start(): void {
    const tick = (): void => {
      for (const key of this.refs.keys()) this.queue.add(key)
      this.resync = this.d.clock.setTimer(gcResyncMs, tick)
    }
    this.resync = this.d.clock.setTimer(gcResyncMs, tick)
  }

  stop(): Promise<void> {
    this.resync?.cancel()
    return this.queue.stop()
  }

  private keyOf(r: DiscoveredResource, o: KubeObject): string {
    return `${r.group}/${r.resource}|${objectKey(o.metadata.namespace, o.metadata.name)}`
  }

  private observe(r: DiscoveredResource, o: KubeObject): void {
    const key = this.keyOf(r, o)
    const ref = { r, namespace: o.metadata.namespace ?? '', name: o.metadata.name }
    this.refs.set(key, ref)
    this.byUid.set(o.metadata.uid, ref)
    for (const owner of o.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(owner.uid)
      if (set === undefined) this.dependents.set(owner.uid, (set = new Set()))
      set.add(key)
    }
    const owning = o.metadata.deletionTimestamp !== undefined && (o.metadata.finalizers ?? []).some((f) => f === 'foregroundDeletion' || f === 'orphan')
    if (owning || (o.metadata.ownerReferences ?? []).length > 0) this.queue.add(key)
  }

  private gone(r: DiscoveredResource, o: KubeObject): void {
    const key = this.keyOf(r, o)
    this.refs.delete(key)
    this.byUid.delete(o.metadata.uid)
    for (const dep of this.dependents.get(o.metadata.uid) ?? []) this.queue.add(dep)
    this.dependents.delete(o.metadata.uid)
    for (const owner of o.metadata.ownerReferences ?? []) {
      this.dependents.get(owner.uid)?.delete(key)
      const ownerRef = this.byUid.get(owner.uid)
      if (ownerRef !== undefined) this.queue.add(`${ownerRef.r.group}/${ownerRef.r.resource}|${objectKey(ownerRef.namespace, ownerRef.name)}`)
    }
  }

  private current(ref: Ref): KubeObject | undefined {
    return this.d.informers.for(ref.r).get(ref.namespace, ref.name)
  }

  private async sync(key: string): Promise<void> {
    const ref = this.refs.get(key)
    if (ref === undefined) return
    const o = this.current(ref)
    if (o === undefined) return
    const finalizers = o.metadata.finalizers ?? []
    if (o.metadata.deletionTimestamp !== undefined && finalizers.includes('orphan')) return this.orphan(ref, o)
    if (o.metadata.deletionTimestamp !== undefined && finalizers.includes('foregroundDeletion')) return this.foreground(ref, o)
    await this.checkOwners(ref, o)
  }

  /** Deletes a dependent whose owners are all gone; drops references to the ones that are. */
  private async checkOwners(ref: Ref, o: KubeObject): Promise<void> {
    const owners = o.metadata.ownerReferences ?? []
    if (owners.length === 0) return
    const present: OwnerReference[] = []
    for (const owner of owners) if (await this.ownerExists(owner, ref.namespace)) present.push(owner)
    if (present.length === owners.length) return
    const path = resourcePath(ref.r, ref.namespace, ref.name)
    try {
      if (present.length === 0) await this.d.client.delete(path, { propagationPolicy: 'Background', preconditions: { uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion } })
      else await this.d.client.patch(path, { metadata: { ownerReferences: present, resourceVersion: o.metadata.resourceVersion } })
    } catch (err) {
      if (!isReason(err, 'NotFound')) throw err
    }
  }

  private async ownerExists(owner: OwnerReference, namespace: string): Promise<boolean> {
    if (this.byUid.has(owner.uid)) return true
    const [group, version] = owner.apiVersion.includes('/') ? owner.apiVersion.split('/') : ['', owner.apiVersion]
    const r = this.d.resources.find((x) => x.group === group && x.kind === owner.kind) ?? this.d.resources.find((x) => x.group === group && x.version === version && x.kind === owner.kind)
    // An owner of a kind this server does not serve cannot be checked; leave the dependent alone.
    if (r === undefined) return true
    try {
      const live = await this.d.client.get(resourcePath(r, r.namespaced ? namespace : '', owner.name))
      return live.metadata.uid === owner.uid
    } catch (err) {
      if (isReason(err, 'NotFound')) return false
      throw err
    }
  }

  private dependentsOf(uid: string): { key: string; ref: Ref; o: KubeObject }[] {
    const out: { key: string; ref: Ref; o: KubeObject }[] = []
    for (const key of this.dependents.get(uid) ?? []) {
      const ref = this.refs.get(key)
      const o = ref === undefined ? undefined : this.current(ref)
      if (ref !== undefined && o !== undefined && (o.metadata.ownerReferences ?? []).some((x) => x.uid === uid)) out.push({ key, ref, o })
    }
    return out
  }

  private async foreground(ref: Ref, o: KubeObject): Promise<void> {
    const deps = this.dependentsOf(o.metadata.uid)
    for (const dep of deps) {
      if (dep.o.metadata.deletionTimestamp !== undefined) continue
      await this.d.client.delete(resourcePath(dep.ref.r, dep.ref.namespace, dep.ref.name), { propagationPolicy: 'Foreground', preconditions: { uid: dep.o.metadata.uid } }).catch(ignoreNotFound)
    }
    // The dependents' deletions bring this owner back to the queue; once none is left it can go.
    if (deps.length > 0) return
    await this.dropFinalizer(ref, o, 'foregroundDeletion')
  }

  private async orphan(ref: Ref, o: KubeObject): Promise<void> {
    for (const dep of this.dependentsOf(o.metadata.uid)) {
      const rest = (dep.o.metadata.ownerReferences ?? []).filter((x) => x.uid !== o.metadata.uid)
      await this.d.client.patch(resourcePath(dep.ref.r, dep.ref.namespace, dep.ref.name), { metadata: { ownerReferences: rest.length === 0 ? null : rest, resourceVersion: dep.o.metadata.resourceVersion } }).catch(ignoreNotFound)
    }
    await this.dropFinalizer(ref, o, 'orphan')
  }

  private async dropFinalizer(ref: Ref, o: KubeObject, finalizer: string): Promise<void> {
    const rest = (o.metadata.finalizers ?? []).filter((f) => f !== finalizer)
    await this.d.client.patch(resourcePath(ref.r, ref.namespace, ref.name), { metadata: { finalizers: rest.length === 0 ? null : rest, resourceVersion: o.metadata.resourceVersion } }).catch(ignoreNotFound)
  }
}

function ignoreNotFound(err: unknown): void {
  if (!isReason(err, 'NotFound')) throw err
}

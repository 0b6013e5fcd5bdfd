// One generic registry store for every resource (kube-apiserver's genericregistry.Store): keys,
// create/get/list/update/delete/watch through the object layer, with the per-kind decisions in
// strategy.ts and the object layer's errors turned into the API's wording.
import type { KubeObject } from '../../codec/index.js'
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  type ListResult,
  type ObjectStore,
  type ObjectWatcher,
  type ObjectWatchOptions,
  type Preconditions,
} from '../../objects/index.js'
import type { Clock } from '../../util/index.js'
import { alreadyExists, ApiError, conflict, notFound } from '../api-error.js'
import type { ResourceType } from '../resources/types.js'
import { checkFinalizers, prepareForCreate, prepareForUpdate } from './strategy.js'

export interface WriteOptions {
  dryRun?: boolean
}

export interface ListQuery {
  resourceVersion?: string
  resourceVersionMatch?: 'NotOlderThan' | 'Exact'
  limit?: number
  continue?: string
  labelSelector?: string
  fieldSelector?: string
}

/** An update function in the style of GuaranteedUpdate: gets the current object, returns the next. */
export type Mutation = (current: KubeObject) => KubeObject | Promise<KubeObject>

export interface DeleteOutcome {
  /** The object as deleted (gone), or as stored with deletionTimestamp (still finalizing). */
  object: KubeObject
  gone: boolean
}

export class GenericStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly clock: Clock,
  ) {}

  /** RFC 3339 at whole seconds, as metav1.Time is written. */
  now(): string {
    return new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z')
  }

  key(r: ResourceType, namespace: string, name: string): string {
    return r.namespaced ? `${r.storagePrefix}/${namespace}/${name}` : `${r.storagePrefix}/${name}`
  }

  /** Prefix of a list: every namespace ('' namespace) or one. */
  prefix(r: ResourceType, namespace: string): string {
    return r.namespaced && namespace !== '' ? `${r.storagePrefix}/${namespace}/` : `${r.storagePrefix}/`
  }

  currentResourceVersion(): string {
    return this.objects.currentResourceVersion()
  }

  async get(r: ResourceType, namespace: string, name: string, resourceVersion?: string): Promise<KubeObject> {
    try {
      return await this.objects.get(this.key(r, namespace, name), resourceVersion === undefined ? {} : { resourceVersion })
    } catch (err) {
      throw this.translate(err, r, name)
    }
  }

  async tryGet(r: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.objects.get(this.key(r, namespace, name), { ignoreNotFound: true })
  }

  async list(r: ResourceType, namespace: string, q: ListQuery): Promise<ListResult> {
    const options = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== ''))
    return this.objects.list(this.prefix(r, namespace), options)
  }

  watch(r: ResourceType, namespace: string, name: string, options: ObjectWatchOptions): ObjectWatcher {
    if (name !== '') {
      const fieldSelector = [options.fieldSelector, `metadata.name=${name}`].filter((s) => s !== undefined && s !== '').join(',')
      return this.objects.watch(this.prefix(r, namespace), { ...options, fieldSelector, recursive: true })
    }
    return this.objects.watch(this.prefix(r, namespace), { ...options, recursive: true })
  }

  async create(r: ResourceType, object: KubeObject, o: WriteOptions = {}): Promise<KubeObject> {
    const prepared = prepareForCreate(r, object)
    const name = prepared.metadata.name
    const key = this.key(r, prepared.metadata.namespace ?? '', name)
    if (o.dryRun === true) {
      const existing = await this.objects.get(key, { ignoreNotFound: true })
      if (existing !== undefined) throw alreadyExists(r, name)
      return { ...prepared, metadata: { ...prepared.metadata, uid: '00000000-0000-0000-0000-000000000000', creationTimestamp: this.now(), generation: 1 } }
    }
    try {
      return await this.objects.create(key, prepared)
    } catch (err) {
      throw this.translate(err, r, name)
    }
  }

  /**
   * Reads, mutates and writes with a compare-and-swap, retrying on a lost race (GuaranteedUpdate).
   * `subresource` decides which half of the object the mutation may change.
   */
  async update(r: ResourceType, namespace: string, name: string, mutate: Mutation, o: WriteOptions & { subresource?: string; preconditions?: Preconditions } = {}): Promise<KubeObject> {
    const key = this.key(r, namespace, name)
    const apply = async (current: KubeObject): Promise<KubeObject> => {
      const wanted = await mutate(current)
      const rv = wanted.metadata.resourceVersion
      if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) throw conflict(r, name)
      const next = prepareForUpdate(r, current, wanted, o.subresource ?? '')
      checkFinalizers(r, current, next)
      return next
    }
    try {
      if (o.dryRun === true) return await apply(await this.objects.get(key))
      const updated = await this.objects.guaranteedUpdate(key, apply, o.preconditions === undefined ? {} : { preconditions: o.preconditions })
      // An object being deleted goes once its last finalizer is removed (Kubernetes' deleteForEmptyFinalizers).
      if (updated.metadata.deletionTimestamp !== undefined && pendingFinalizers(r, updated) === 0) {
        return await this.objects.delete(key, { preconditions: { resourceVersion: updated.metadata.resourceVersion } }).catch((err: unknown) => {
          if (err instanceof ConflictError || err instanceof NotFoundError) return updated
          throw err
        })
      }
      return updated
    } catch (err) {
      throw this.translate(err, r, name)
    }
  }

  /**
   * Deletes, or with finalizers marks the object for deletion (deletionTimestamp) and returns it.
   * Foreground and Orphan propagation add their finalizer, as Kubernetes does; the garbage
   * collector finishes the work.
   */
  async delete(r: ResourceType, namespace: string, name: string, o: WriteOptions & { preconditions?: Preconditions; propagationPolicy?: string; gracePeriodSeconds?: number } = {}): Promise<DeleteOutcome> {
    const key = this.key(r, namespace, name)
    try {
      const current = await this.objects.get(key)
      checkPreconditions(r, name, current, o.preconditions)
      const extra = o.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : o.propagationPolicy === 'Orphan' ? 'orphan' : undefined
      const finalizers = current.metadata.finalizers ?? []
      const wantsFinalizing = finalizers.length > 0 || extra !== undefined || r.resource === 'namespaces'
      if (!wantsFinalizing) {
        if (o.dryRun === true) return { object: current, gone: true }
        const deleted = await this.objects.delete(key, { preconditions: { ...o.preconditions, resourceVersion: o.preconditions?.resourceVersion ?? current.metadata.resourceVersion } })
        return { object: deleted, gone: true }
      }
      if (current.metadata.deletionTimestamp !== undefined && extra === undefined) return { object: current, gone: false }
      const mark = (c: KubeObject): KubeObject => {
        const names = new Set(c.metadata.finalizers ?? [])
        if (extra !== undefined) names.add(extra)
        const meta = { ...c.metadata, finalizers: [...names], deletionTimestamp: c.metadata.deletionTimestamp ?? this.now(), deletionGracePeriodSeconds: o.gracePeriodSeconds ?? 0 }
        const next: KubeObject = { ...c, metadata: meta }
        if (r.resource === 'namespaces') {
          next.spec = { finalizers: ['kubernetes'], ...(c.spec as object | undefined) }
          next.status = { ...(c.status as object | undefined), phase: 'Terminating' }
        }
        return next
      }
      if (o.dryRun === true) return { object: mark(current), gone: false }
      const marked = await this.objects.guaranteedUpdate(key, mark, o.preconditions === undefined ? {} : { preconditions: o.preconditions })
      return { object: marked, gone: false }
    } catch (err) {
      throw this.translate(err, r, name)
    }
  }

  /** The object layer's errors, worded as the API words them. */
  translate(err: unknown, r: ResourceType, name: string): unknown {
    if (err instanceof ApiError) return err
    if (err instanceof NotFoundError) return notFound(r, name)
    if (err instanceof AlreadyExistsError) return alreadyExists(r, name)
    if (err instanceof ConflictError) {
      const precondition = /precondition/i.test(err.message) ? err.message.replace(/^objects: /, '') : undefined
      return conflict(r, name, precondition)
    }
    return err
  }
}

function checkPreconditions(r: ResourceType, name: string, current: KubeObject, p: Preconditions | undefined): void {
  if (p?.uid !== undefined && p.uid !== current.metadata.uid) {
    throw conflict(r, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${current.metadata.uid}`)
  }
  if (p?.resourceVersion !== undefined && p.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`)
  }
}

/** Finalizers still to run: metadata.finalizers, and for namespaces spec.finalizers too. */
export function pendingFinalizers(r: ResourceType, o: KubeObject): number {
  const spec = r.resource === 'namespaces' ? (o.spec as { finalizers?: unknown } | undefined)?.finalizers : undefined
  return (o.metadata.finalizers ?? []).length + (Array.isArray(spec) ? spec.length : 0)
}

// The one adapter between the workload's actors and the object API (src/objects), shaped like the
// calls a client makes to kube-apiserver: every write, read and watch goes through ObjectStore
// (codec, encryption, CAS on resourceVersion), never around it. Two kinds of update, as clients do:
// - update (PATCH): the server's GuaranteedUpdate loop re-applies the change after a lost race;
// - updateFrom (PUT of a cached copy): the write carries the copy's resourceVersion as a
//   precondition, a stale copy answers 409 Conflict, and the client re-reads and tries again
//   (client-go retry.RetryOnConflict).
import type { KubeObject } from '../codec/index.js'
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  type ListOptions,
  type ObjectStore,
  type ObjectWatcher,
  type ObjectWatchOptions,
} from '../objects/index.js'
import { assert } from '../util/index.js'
import type { ListPage, ObjectApi, TryUpdate, UpdateOutcome } from './object-api.js'

export type { ListPage, TryUpdate, UpdateOutcome } from './object-api.js'

/** client-go's retry.DefaultRetry makes 5 tries (its 10 ms backoff is left out: the store answers fast). */
const conflictTriesMax = 5
/** Items per list request, as client-go's pager asks for. */
export const listPageSize = 500

export class ObjectClient implements ObjectApi {
  constructor(readonly objects: ObjectStore) {}

  get(key: string): Promise<KubeObject | undefined> {
    return this.objects.get(key, { ignoreNotFound: true })
  }

  /** A paged list (continue tokens; every page at the first page's revision), with optional selectors. */
  async list(prefix: string, options: Pick<ListOptions, 'labelSelector' | 'fieldSelector'> = {}): Promise<ListPage> {
    const first = await this.objects.list(prefix, { ...options, limit: listPageSize })
    const items = first.items
    let token = first.continue
    while (token !== undefined) {
      const page = await this.objects.list(prefix, { ...options, limit: listPageSize, continue: token })
      items.push(...page.items)
      token = page.continue
    }
    return { revision: Number(first.resourceVersion), items }
  }

  /** Creates the object; undefined when the key exists. With ttlSeconds the object gets a lease. */
  async create(key: string, object: KubeObject, ttlSeconds?: number): Promise<KubeObject | undefined> {
    try {
      return await this.objects.create(key, object, ttlSeconds === undefined ? {} : { ttlSeconds })
    } catch (err) {
      if (err instanceof AlreadyExistsError) return undefined
      throw err
    }
  }

  /** PATCH: the store's GuaranteedUpdate loop, retrying with the fresh object after a lost race. */
  async update(key: string, tryUpdate: TryUpdate): Promise<UpdateOutcome> {
    const out = await this.guaranteed(key, tryUpdate, undefined)
    assert(!('conflict' in out), 'workload: an update without preconditions never answers a precondition conflict')
    return out
  }

  /**
   * PUT of a cached copy: conditional on the copy's resourceVersion. A 409 Conflict (the copy
   * was stale, or another write won the race) re-reads and tries again, up to five tries, as
   * client-go's RetryOnConflict; the fifth conflict is thrown. No copy: a plain update.
   */
  async updateFrom(key: string, cached: KubeObject | undefined, tryUpdate: TryUpdate): Promise<UpdateOutcome> {
    let copy = cached
    let attempts = 0
    for (let conflicts = 1; ; conflicts++) {
      const out = await this.guaranteed(key, tryUpdate, copy)
      if (!('conflict' in out)) return { ...out, attempts: attempts + out.attempts }
      // The failed call's tries each lost a compare: a CAS txn, or the precondition check.
      attempts += Math.max(1, out.tries)
      if (conflicts >= conflictTriesMax) throw out.conflict
      const fresh = await this.get(key)
      if (fresh === undefined) return { written: false, missing: true, attempts: attempts + 1, object: undefined }
      copy = fresh
    }
  }

  /** Update, or create when absent (tryUpdate gets an empty object of the right kind from `fresh`). */
  async upsert(key: string, fresh: () => KubeObject, tryUpdate: TryUpdate): Promise<UpdateOutcome> {
    let tries = 0
    let seen: string | undefined
    const object = await this.objects.guaranteedUpdate(
      key,
      (current) => {
        tries++
        seen = current?.metadata.resourceVersion
        if (current === undefined) return fresh()
        return tryUpdate(structuredClone(current)) ?? current
      },
      { ignoreNotFound: true },
    )
    return { written: object.metadata.resourceVersion !== seen, missing: false, attempts: Math.max(1, tries), object }
  }

  /** Deletes the object if it is still at `resourceVersion`; false when it moved on or is gone. */
  async delete(key: string, resourceVersion: string): Promise<boolean> {
    try {
      await this.objects.delete(key, { preconditions: { resourceVersion } })
      return true
    } catch (err) {
      if (err instanceof ConflictError || err instanceof NotFoundError) return false
      throw err
    }
  }

  watch(prefix: string, options: ObjectWatchOptions): ObjectWatcher {
    return this.objects.watch(prefix, options)
  }

  requestBookmarks(): void {
    this.objects.requestBookmarks()
  }

  /**
   * One guaranteedUpdate. tryUpdate gets a deep copy (the store hands out frozen objects, as a
   * client-go controller DeepCopies what its informer holds before changing it); returning the
   * current object unchanged makes the store write nothing. Written = the result's
   * resourceVersion moved past the one the last try started from. A failed precondition comes
   * back as `conflict` (with the tries made before it) for updateFrom to retry.
   */
  /**
   * One GuaranteedUpdate. With a copy (a PUT), its resourceVersion is the precondition and the
   * copy is the cachedExistingObject, as kube-apiserver passes its watch cache's object: no read
   * when the copy is current.
   */
  private async guaranteed(key: string, tryUpdate: TryUpdate, copy: KubeObject | undefined): Promise<UpdateOutcome | { conflict: ConflictError; tries: number }> {
    const resourceVersion = copy?.metadata.resourceVersion
    let tries = 0
    let seen: string | undefined
    try {
      const object = await this.objects.guaranteedUpdate(
        key,
        (current) => {
          // A try per version seen: re-checking a no-op seen on the cached copy against the
          // store at the same version is not a lost compare.
          if (current.metadata.resourceVersion !== seen) tries++
          seen = current.metadata.resourceVersion
          return tryUpdate(structuredClone(current)) ?? current
        },
        copy === undefined || resourceVersion === undefined ? {} : { preconditions: { resourceVersion }, cachedExistingObject: copy },
      )
      assert(seen !== undefined, 'workload: an update ran its change at least once')
      return { written: object.metadata.resourceVersion !== seen, missing: false, attempts: tries, object }
    } catch (err) {
      if (err instanceof NotFoundError) return { written: false, missing: true, attempts: Math.max(1, tries), object: undefined }
      if (err instanceof ConflictError && resourceVersion !== undefined) return { conflict: err, tries }
      throw err
    }
  }
}

/** The storage key of an object under `prefix` (which ends in '/'): namespaced or cluster-scoped. */
export function keyOf(prefix: string, object: KubeObject): string {
  const ns = object.metadata.namespace
  return typeof ns === 'string' && ns !== '' ? `${prefix}${ns}/${object.metadata.name}` : `${prefix}${object.metadata.name}`
}

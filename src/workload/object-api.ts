// What the workload's actors need of the object API, declared by its consumer (STYLE): two
// implementations fit it, ObjectClient (the embedded ObjectStore, object-client.ts) and
// HttpObjectClient (the Kubernetes REST API over HTTPS/HTTP2, http-object-client.ts).
import type { KubeObject } from '../codec/index.js'
import type { ObjectWatchEvent } from '../objects/index.js'

/** Changes a private copy of the object in place and returns it, or undefined when nothing needs to change. */
export type TryUpdate = (copy: KubeObject) => KubeObject | undefined

export interface UpdateOutcome {
  /** False when the key is missing or the change left the object as it was (no write). */
  written: boolean
  missing: boolean
  /** Tries it took: 1 plus one per lost compare (a lost CAS txn or a 409 on a stale copy). */
  attempts: number
  /** The object as stored afterwards (undefined when missing). */
  object: KubeObject | undefined
}

export interface ListPage {
  /** The store revision the list was read at. */
  revision: number
  items: KubeObject[]
}

/** A watch as the informer reads it: events in order, ERROR last; cancel() ends it quietly. */
export interface WatchStream extends AsyncIterable<ObjectWatchEvent> {
  cancel(): void
}

export interface WatchStreamOptions {
  resourceVersion?: string
  sendInitialEvents?: boolean
  allowWatchBookmarks?: boolean
}

export interface ObjectApi {
  get(key: string): Promise<KubeObject | undefined>
  list(prefix: string, options?: { labelSelector?: string; fieldSelector?: string }): Promise<ListPage>
  /** Creates the object; undefined when the key exists. With ttlSeconds the object should expire. */
  create(key: string, object: KubeObject, ttlSeconds?: number): Promise<KubeObject | undefined>
  /** PATCH: the change is applied to the latest object, whatever it is. */
  update(key: string, tryUpdate: TryUpdate): Promise<UpdateOutcome>
  /** PUT of a cached copy, conditional on its resourceVersion; 409 re-reads and retries (5 tries). */
  updateFrom(key: string, cached: KubeObject | undefined, tryUpdate: TryUpdate): Promise<UpdateOutcome>
  /** Update, or create from `fresh` when absent. */
  upsert(key: string, fresh: () => KubeObject, tryUpdate: TryUpdate): Promise<UpdateOutcome>
  /** Deletes the object if it is still at `resourceVersion`; false when it moved on or is gone. */
  delete(key: string, resourceVersion: string): Promise<boolean>
  watch(prefix: string, options: WatchStreamOptions): WatchStream
  /** Asks every open watch for a bookmark soon (the embedded store only; HTTP watches get them on the server's cadence). */
  requestBookmarks(): void
}

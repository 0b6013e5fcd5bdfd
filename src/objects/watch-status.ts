// The objects an object watch makes up rather than decodes: BOOKMARK objects, and the Status of
// the ERROR event that ends a watch (Kubernetes' way to say "re-list" is a 410 in the stream).
import type { KubeObject } from '../codec/index.js'
import type { WatchResponse } from '../watchcache/index.js'
import { cancelReasons } from '../watchcache/index.js'
import { httpStatusByReason, type Status } from './errors.js'
import { deepFreeze } from './object-data.js'

/** apimachinery metav1.InitialEventsAnnotationKey. */
export const initialEventsEndAnnotation = 'k8s.io/initial-events-end'

export interface ObjectKind {
  apiVersion: string
  kind: string
}

/**
 * An object of the watched kind with only metadata.resourceVersion set (plus the initial-events-end
 * annotation), as Kubernetes' bookmarks are. It has no name or uid, unlike any stored object, so
 * it is built as unknown and cast: nothing else may be built this way.
 */
export function bookmarkObject(revision: number, kind: ObjectKind, initialEventsEnd: boolean): KubeObject {
  const metadata: Record<string, unknown> = { resourceVersion: String(revision) }
  if (initialEventsEnd) metadata['annotations'] = { [initialEventsEndAnnotation]: 'true' }
  return deepFreeze({ apiVersion: kind.apiVersion, kind: kind.kind, metadata } as unknown as KubeObject)
}

function failure(reason: 'Expired' | 'InternalError', message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code: httpStatusByReason[reason], metadata: {} }
}

/** Kubernetes' 410 for a watch start below the compaction point, word for word. */
export function tooOldStatus(after: number, compactRevision: number): Status {
  return failure('Expired', `too old resource version: ${after} (${compactRevision})`)
}

/** The KV watch cannot tell whether the object left the selection or what was deleted. */
export function previousUnknownStatus(key: Uint8Array, revision: number): Status {
  const k = JSON.stringify(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('utf8'))
  return failure('Expired', `objects: watch: the state of ${k} before revision ${revision} was compacted, so this change cannot be sent; re-list`)
}

/**
 * The ERROR Status for a KV watch's last response, or undefined when the watch ended quietly
 * (cancel(), or its signal). `after`: the watch was asked for events after this revision.
 */
export function endingStatus(response: WatchResponse, after: number): Status | undefined {
  const reason = response.cancelReason
  if (response.compactRevision !== undefined) return tooOldStatus(after, response.compactRevision)
  if (reason === undefined || reason === cancelReasons.aborted) return undefined
  if (reason.startsWith(cancelReasons.overflow)) {
    return failure('Expired', `objects: watch: the watcher fell behind and was closed (${reason}); re-watch from the last resourceVersion received, or re-list`)
  }
  if (reason === cancelReasons.closed) return failure('Expired', 'objects: watch: the store was closed; re-list and re-watch on an open store')
  return failure('InternalError', `objects: watch: ${reason}`)
}

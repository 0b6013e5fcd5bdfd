// Where an object watch starts, from its options (Kubernetes' watch resourceVersion table,
// ../shared/reference/kubernetes-storage.md 2.4), and which keys it covers. Everything here is
// checked before the watch starts, so bad options throw Invalid from watch() itself.
import type { KubeObject } from '../codec/index.js'
import { InvalidArgumentError } from '../util/index.js'
import { FieldSelector } from './field-selector.js'
import { prepareKey } from './keys.js'
import { LabelSelector } from './label-selector.js'
import { parseResourceVersion } from './resource-version.js'
import type { ObjectWatchOptions } from './types.js'

export interface WatchPlan {
  /** The watched key, or the prefix (ending in '/') when recursive. */
  key: string
  recursive: boolean
  /** Send the current state as ADDED events first, then watch from the revision it was read at + 1. */
  initial: boolean
  /** With initial: the state must be at least this revision (else 504, as a list "not older than"). */
  notOlderThan: number
  /** With initial: end the initial events with the k8s.io/initial-events-end bookmark. */
  endBookmark: boolean
  /** Without initial: the KV watch's startRevision (inclusive); 0 = after the current revision. */
  startRevision: number
  /** The resourceVersion asked for, as a number (0 for "" and "0"): for 410 messages. */
  requested: number
  bookmarks: boolean
  /** undefined: every object passes (no selector), so no object needs decoding to be filtered. */
  keep: ((object: KubeObject) => boolean) | undefined
}

/**
 * | resourceVersion | sendInitialEvents   | sends                                                    |
 * |-----------------|---------------------|----------------------------------------------------------|
 * | "" / absent     | unset or false      | changes after the current revision                       |
 * | "" / absent     | true                | state now, end bookmark, changes after it                |
 * | "0"             | unset               | state now, changes after it (no end bookmark: legacy)    |
 * | "0"             | false               | changes after the current revision                       |
 * | "0"             | true                | state now, end bookmark, changes after it                |
 * | "N"             | unset or false      | changes after N (KV startRevision N + 1)                 |
 * | "N"             | true                | state now (504 if now < N), end bookmark, changes after  |
 */
export function planWatch(key: string, options: ObjectWatchOptions): WatchPlan {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('objects: watch options must be an object')
  for (const name of ['sendInitialEvents', 'allowWatchBookmarks', 'recursive'] as const) {
    const v = options[name]
    if (v !== undefined && typeof v !== 'boolean') throw new InvalidArgumentError(`objects: watch option ${name} must be a boolean`)
  }
  const recursive = options.recursive ?? (typeof key === 'string' && key.endsWith('/'))
  const rvText = options.resourceVersion ?? ''
  const requested = parseResourceVersion(rvText)
  const labels = LabelSelector.parse(options.labelSelector ?? '')
  const fields = FieldSelector.parse(options.fieldSelector ?? '')
  const send = options.sendInitialEvents
  const initial = send ?? rvText === '0'
  return {
    key: prepareKey(key, recursive),
    recursive,
    initial,
    notOlderThan: initial ? requested : 0,
    endBookmark: send === true,
    startRevision: initial || requested === 0 ? 0 : requested + 1,
    requested,
    bookmarks: options.allowWatchBookmarks === true,
    keep: labels.empty && fields.empty ? undefined : (o) => labels.matches(o.metadata.labels) && fields.matches(o),
  }
}

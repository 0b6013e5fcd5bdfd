// The record of a watcher, next to the history of KV operations: what it asked for, every
// response it received (with the time it arrived, on the history's clock) and how it ended.
// Plain JSON like the history, so watchers of another process or of etcd can be recorded too.
import { InvalidArgumentError } from '../util/index.js'
import type { KvView } from './history.js'

export type WatchFilterName = 'NOPUT' | 'NODELETE'

/** What a watch check can find wrong (W7, W9, W10): see docs/linearizability.md. */
export type WatchViolationKind =
  | 'watch-order' // a revision lower than one already delivered, or an event above its response's revision
  | 'watch-split' // one revision's events across two responses
  | 'watch-duplicate' // the same event twice
  | 'watch-missing' // a write in the watched range and window never delivered
  | 'watch-phantom' // an event no write made (wrong value, wrong revision, or nobody wrote)
  | 'watch-mismatch' // createRevision or version unlike the linearised writes
  | 'watch-prev-kv' // prevKv missing, present on a create, or not the key's previous version
  | 'watch-range' // outside the watched range or window, or of a filtered type
  | 'watch-early' // delivered before its write was invoked
  | 'watch-after-end' // a response after the one that ended the watch

/** What the watcher asked for (etcd's WatchCreateRequest, W2-W10), with its start resolved. */
export interface WatchSpec {
  key: string
  /**
   * Exclusive end of the range. Absent or '': the one key. '\0': every key >= key (RG1).
   * A prefix watch records the prefix end (see prefixRangeEnd).
   */
  rangeEnd?: string
  /** The first revision delivered, inclusive and resolved (a 0 in the request is current + 1, W3). */
  startRevision: number
  prevKv?: boolean
  filters?: WatchFilterName[]
}

/**
 * One event as received. A DELETE's kv carries the key and the delete's revision as modRevision
 * (etcd sends an empty value and version/createRevision 0 there; they are not checked).
 */
export interface WatchEventRecord {
  type: 'PUT' | 'DELETE'
  key: string
  kv: KvView
  prevKv?: KvView
}

export interface WatchResponseRecord {
  /** When it arrived, on the clock of the history's call/return times. */
  time: number
  /** The response's revision: unless canceled, every event of the watch at or below it was delivered. */
  revision: number
  events: WatchEventRecord[]
  canceled?: boolean
  compactRevision?: number
  cancelReason?: string
}

export interface WatchRecord {
  /** A lane in the timeline; one watcher per record. */
  client: string
  /** When the watch was created, on the history's clock. */
  call: number
  request: WatchSpec
  responses: WatchResponseRecord[]
  /** Why the watch ended (the canceled response's reason, 'cancel' by the client, ...); absent if it was still open. */
  end?: string
}

/** The range end of a prefix watch on string keys: the last character plus one, as etcd does on bytes. */
export function prefixRangeEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i)
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1)
  }
  return '\0'
}

/** Is key inside the watcher's range (W2, RG1)? Strings compare by code unit, as bytes do for ASCII. */
export function watchCovers(spec: WatchSpec, key: string): boolean {
  const from = spec.key === '' ? '\0' : spec.key
  const end = spec.rangeEnd ?? ''
  if (end === '') return key === from
  if (end === '\0') return key >= from
  return key >= from && key < end
}

/** Does the watcher's range and filter (W10) let an event of this type on this key through? */
export function watchWants(spec: WatchSpec, type: 'PUT' | 'DELETE', key: string): boolean {
  if (!watchCovers(spec, key)) return false
  const filters = spec.filters ?? []
  return !(type === 'PUT' ? filters.includes('NOPUT') : filters.includes('NODELETE'))
}

/** Rejects a malformed record (bad input, not a violation). */
export function validateWatches(watches: readonly WatchRecord[]): void {
  watches.forEach((w, i) => {
    const bad = (why: string): never => {
      throw new InvalidArgumentError(`verify: watcher ${i} (${w.client}): ${why}`)
    }
    if (!Number.isInteger(w.request.startRevision) || w.request.startRevision < 1) bad(`startRevision ${w.request.startRevision} is not resolved`)
    let time = w.call
    for (const r of w.responses) {
      if (r.time < time) bad('responses are not in the order they arrived')
      time = r.time
      for (const e of r.events) if (!Number.isInteger(e.kv.modRevision)) bad('an event without a modRevision')
    }
  })
}

// The ordered stream of committed events, read back from the log (the source of truth) by
// position. Local and remote (other process) commits look the same here, so a watch cache fed
// from this stream sees every write exactly once, in revision order.
import { assert } from '../util/index.js'
import type { Head, ReadTxn } from './log.js'
import { toKeyValue } from './range.js'
import type { KeyValue } from './types.js'
import type { ValueReader } from './values.js'

export interface KvEvent {
  type: 'PUT' | 'DELETE'
  /** PUT: the new version (version 1 = a creation). DELETE: only key and modRevision (the
   *  deletion revision) are set; value empty, other fields 0 (etcd REV8). */
  kv: KeyValue
  /** Log position of the event; read on from here to continue. */
  position: number
}

export interface EventBatch {
  events: KvEvent[]
  /** Position of the last event read, or the `after` given when there was none. */
  position: number
  /** The store's head in the same snapshot as the events. */
  revision: number
  compactRevision: number
}

/**
 * Reads events after `after`, about `limit` of them, never splitting a revision: when the limit
 * falls inside one, the rest of that revision comes too (etcd W7, atomic).
 */
export function readEvents(values: ValueReader, tx: ReadTxn, head: Head, after: number, limit: number): EventBatch {
  assert(limit > 0, 'mvcc: readEvents needs a positive limit')
  const rows = values.log.tail(tx, after, limit)
  const last = rows[rows.length - 1]
  if (last !== undefined && rows.length === limit) {
    // Finish the last revision: its rows are contiguous in the log.
    for (;;) {
      const more = values.log.tail(tx, (rows[rows.length - 1] as { id: number }).id, limit).filter((r) => r.rev === last.rev)
      rows.push(...more)
      if (more.length < limit) break
    }
  }
  const events = rows.map((r): KvEvent => {
    if (r.version === 0) {
      const kv: KeyValue = { key: r.key, value: Buffer.alloc(0), createRevision: 0, modRevision: r.rev, version: 0, lease: 0 }
      return { type: 'DELETE', kv, position: r.id }
    }
    return { type: 'PUT', kv: toKeyValue({ ...r, modRev: r.rev, ...values.open(r.key, r.value) }), position: r.id }
  })
  const end = events[events.length - 1]
  return { events, position: end === undefined ? after : end.position, revision: head.revision, compactRevision: head.compactRevision }
}

// Range reads with etcd's exact semantics (RG1-RG10, txn/range.go): count ignores limit and
// filters; with a sort order or any min/max filter the whole range is read, filtered, sorted and
// only then cut to limit; otherwise limit+1 rows are read to learn `more`.
import { CompactedError, FutureRevisionError } from '../util/index.js'
import type { ReadTxn } from './log.js'
import type { NRange } from './request.js'
import type { KeyValue, RangeResponse, SortOrder } from './types.js'
import type { PlainRow, ValueReader } from './values.js'

/** The revision a reader sees and the compaction point it must respect. */
export interface ReadView {
  revision: number
  compactRevision: number
}

const EMPTY = Buffer.alloc(0)

export function toKeyValue(r: PlainRow): KeyValue {
  const kv: KeyValue = {
    key: r.key,
    value: r.value ?? EMPTY,
    createRevision: r.createRev,
    modRevision: r.modRev,
    version: r.version,
    lease: r.lease,
  }
  if (r.stale) kv.stale = true
  return kv
}

/**
 * RG4: a revision above the view is a future revision; one below the compaction point is
 * compacted; the compaction revision itself is readable. Returns the revision to read at, or
 * undefined for the current state.
 */
export function resolveRevision(view: ReadView, requested: number): number | undefined {
  if (requested > view.revision) throw new FutureRevisionError(requested, view.revision)
  const rev = requested <= 0 ? view.revision : requested
  if (rev < view.compactRevision) throw new CompactedError(rev, view.compactRevision)
  return rev === view.revision ? undefined : rev
}

function filtered(r: NRange): boolean {
  return r.minModRevision !== 0 || r.maxModRevision !== 0 || r.minCreateRevision !== 0 || r.maxCreateRevision !== 0
}

function keep(r: NRange, row: PlainRow): boolean {
  if (r.maxModRevision !== 0 && row.modRev > r.maxModRevision) return false
  if (r.minModRevision !== 0 && row.modRev < r.minModRevision) return false
  if (r.maxCreateRevision !== 0 && row.createRev > r.maxCreateRevision) return false
  if (r.minCreateRevision !== 0 && row.createRev < r.minCreateRevision) return false
  return true
}

/** etcd re-sorts unless the order is the natural one (ascending key); NONE with another target means ASCEND. */
function effectiveOrder(r: NRange): SortOrder {
  if (r.sortTarget !== 'KEY' && r.sortOrder === 'NONE') return 'ASCEND'
  if (r.sortTarget === 'KEY' && r.sortOrder === 'ASCEND') return 'NONE'
  return r.sortOrder
}

function sortRows(rows: PlainRow[], r: NRange, order: SortOrder): void {
  const cmp = (a: PlainRow, b: PlainRow): number => {
    switch (r.sortTarget) {
      case 'KEY':
        return Buffer.compare(a.key, b.key)
      case 'VERSION':
        return a.version - b.version
      case 'CREATE':
        return a.createRev - b.createRev
      case 'MOD':
        return a.modRev - b.modRev
      case 'VALUE':
        return Buffer.compare(a.value ?? EMPTY, b.value ?? EMPTY)
    }
  }
  // Stable sort over key order: ties keep ascending key order in both directions.
  rows.sort(order === 'DESCEND' ? (a, b) => cmp(b, a) : cmp)
}

export function executeRange(values: ValueReader, tx: ReadTxn, view: ReadView, r: NRange): RangeResponse {
  const revision = resolveRevision(view, r.revision)
  if (r.countOnly) {
    return { revision: view.revision, kvs: [], count: values.count(tx, r.interval, revision), more: false }
  }
  const order = effectiveOrder(r)
  const readAll = r.sortOrder !== 'NONE' || filtered(r)
  const fetch = readAll || r.limit <= 0 ? 0 : r.limit + 1
  const needValues = !r.keysOnly || (order !== 'NONE' && r.sortTarget === 'VALUE')
  let rows = values.range(tx, { interval: r.interval, revision, limit: fetch, withValues: needValues })
  const count = fetch === 0 || rows.length < fetch ? rows.length : r.withoutCount ? rows.length : values.count(tx, r.interval, revision)
  if (filtered(r)) rows = rows.filter((row) => keep(r, row))
  if (order !== 'NONE') sortRows(rows, r, order)
  let more = false
  if (r.limit > 0 && rows.length > r.limit) {
    rows = rows.slice(0, r.limit)
    more = true
  }
  const kvs = rows.map(toKeyValue)
  if (r.keysOnly) {
    for (const kv of kvs) {
      kv.value = EMPTY
      delete kv.stale
    }
  }
  return { revision: view.revision, kvs, count, more }
}

// The log's own view of the types mvcc declares in mvcc/log.ts (they match structurally; the
// log never imports mvcc), and the conversions from SQL rows.
import { assert, describeKey } from '../util/index.js'
import { CorruptRowError, describeStoredKey, verifyRow } from './row-sum.js'

export type LogId = number & { readonly __brand: 'LogId' }
export type Tx = { readonly __read: true }
export type WriteTx = { readonly __read: true; readonly __write: true }
export type Interval = { point: Buffer } | { start: Buffer; end: Buffer | null }

export interface LiveEntry {
  id: LogId
  modRev: number
  createRev: number
  version: number
  lease: number
}

export interface LogRow {
  id: LogId
  key: Buffer
  rev: number
  createRev: number
  version: number
  lease: number
  value: Buffer | null
}

export interface RangeRow {
  key: Buffer
  modRev: number
  createRev: number
  version: number
  lease: number
  value: Buffer | null
}

export interface LeaseRow {
  id: number
  ttl: number
  deadlineMs: number
}

type Sums = { sum: number | null; vsum: number | null }
export type SqlRangeRow = { id: number | null; key: Buffer; mod_rev: number; create_rev: number; version: number; lease: number; value: Buffer | null; agree: number } & Sums
export type SqlLogRow = { id: number; rev: number; key: Buffer; create_rev: number; version: number; lease: number; value: Buffer | null } & Sums

/** A range row, verified: the index entry agrees with its log row, and the row with its checksums. */
export function rangeRow(r: SqlRangeRow, withValues: boolean, sumsFrom: number): RangeRow {
  const row = { key: r.key, modRev: r.mod_rev, createRev: r.create_rev, version: r.version, lease: r.lease, value: r.value }
  if (r.agree !== 1) throw new CorruptRowError(describeStoredKey(r.key), r.mod_rev, 'the live index entry does not match its log row')
  verifyRow({ ...row, rev: r.mod_rev }, withValues ? r.value : undefined, r.sum, r.vsum, (r.id ?? 0) < sumsFrom)
  return row
}

export function logRow(r: SqlLogRow, sumsFrom: number): LogRow {
  verifyRow({ key: r.key, rev: r.rev, createRev: r.create_rev, version: r.version, lease: r.lease }, r.value, r.sum, r.vsum, r.id < sumsFrom)
  if ((r.version === 0) !== (r.value === null)) throw new CorruptRowError(describeKey(r.key), r.rev, 'a tombstone with a value, or a value missing')
  // The pair of the check in append(): what was written as a tombstone reads back as one.
  assert((r.version === 0) === (r.value === null), `log: row ${r.id} is a tombstone iff it has no value`)
  return {
    id: r.id as LogId,
    key: r.key,
    rev: r.rev,
    createRev: r.create_rev,
    version: r.version,
    lease: r.lease,
    value: r.value,
  }
}

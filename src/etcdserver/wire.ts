// Wire shapes (proto-loader with keepCase, longs as strings, enums as numbers) and their
// translation to and from the store's request and response shapes. int64 values travel as
// decimal strings; the store's numbers are safe integers, so the translation is exact.
import type {
  Compare,
  CompareResult,
  CompareTarget,
  DeleteRangeRequest,
  KeyValue,
  PutRequest,
  RangeRequest,
  RequestOp,
  ResponseOp,
  SortOrder,
  SortTarget,
  TxnRequest,
  TxnResponse,
} from '../mvcc/index.js'
import { etcdMessages, invalid } from './errors.js'

export type Int64 = string | number

export interface WireKv { key: Buffer; create_revision: string; mod_revision: string; version: string; value: Buffer; lease: string }
export interface WireHeader { cluster_id: string; member_id: string; revision: string; raft_term: string }
export interface WireRangeRequest {
  key: Buffer; range_end: Buffer; limit: Int64; revision: Int64; sort_order: number; sort_target: number; serializable: boolean
  keys_only: boolean; count_only: boolean; min_mod_revision: Int64; max_mod_revision: Int64; min_create_revision: Int64; max_create_revision: Int64
}
export interface WirePutRequest { key: Buffer; value: Buffer; lease: Int64; prev_kv: boolean; ignore_value: boolean; ignore_lease: boolean }
export interface WireDeleteRequest { key: Buffer; range_end: Buffer; prev_kv: boolean }
export interface WireCompare {
  result: number; target: number; key: Buffer; range_end: Buffer
  version?: Int64; create_revision?: Int64; mod_revision?: Int64; value?: Buffer; lease?: Int64
}
export interface WireRequestOp {
  request?: string
  request_range?: WireRangeRequest | null
  request_put?: WirePutRequest | null
  request_delete_range?: WireDeleteRequest | null
  request_txn?: WireTxnRequest | null
}
export interface WireTxnRequest { compare: WireCompare[]; success: WireRequestOp[]; failure: WireRequestOp[] }

const SORT_ORDERS: readonly SortOrder[] = ['NONE', 'ASCEND', 'DESCEND']
const SORT_TARGETS: readonly SortTarget[] = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']
const COMPARE_RESULTS: readonly CompareResult[] = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL']
const COMPARE_TARGETS: readonly CompareTarget[] = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE']

/**
 * An int64 from the wire as a number. Beyond 2^53 it is clamped to the largest safe integer: no
 * revision, limit or TTL of this store gets near it, so the answer (future revision, no limit,
 * too large TTL) is the same as for the exact value.
 */
export function int64(v: Int64 | undefined | null): number {
  if (v === undefined || v === null || v === '') return 0
  if (typeof v === 'number') return v
  const n = Number(v)
  if (Number.isSafeInteger(n)) return n
  return BigInt(v) > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER
}

/** A lease ID from the wire: undefined when it cannot be one of this store's (> 2^53 or < 0). */
export function leaseIdOf(v: Int64 | undefined | null): number | undefined {
  const n = Number(v ?? 0)
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

const buf = (b: Buffer | Uint8Array | null | undefined): Buffer => (b === null || b === undefined ? Buffer.alloc(0) : Buffer.isBuffer(b) ? b : Buffer.from(b))

/** An empty key, where etcd checks it first (checkRangeRequest and friends). */
function key(b: Buffer | null | undefined): Buffer {
  const k = buf(b)
  if (k.length === 0) throw invalid(etcdMessages.emptyKey)
  return k
}

export function kvToWire(kv: KeyValue): WireKv {
  return {
    key: kv.key as Buffer,
    create_revision: String(kv.createRevision),
    mod_revision: String(kv.modRevision),
    version: String(kv.version),
    value: kv.value as Buffer,
    lease: String(kv.lease),
  }
}

export function rangeFromWire(r: WireRangeRequest): RangeRequest {
  const end = buf(r.range_end)
  const order = SORT_ORDERS[r.sort_order ?? 0]
  const target = SORT_TARGETS[r.sort_target ?? 0]
  const request: RangeRequest = {
    key: key(r.key),
    revision: Math.max(0, int64(r.revision)),
    limit: Math.max(0, int64(r.limit)),
    keysOnly: r.keys_only === true,
    countOnly: r.count_only === true,
    // Unknown enum numbers reach the store's check ("invalid sort option").
    sortOrder: order ?? (String(r.sort_order) as SortOrder),
    sortTarget: target ?? (String(r.sort_target) as SortTarget),
    minModRevision: Math.max(0, int64(r.min_mod_revision)),
    maxModRevision: Math.max(0, int64(r.max_mod_revision)),
    minCreateRevision: Math.max(0, int64(r.min_create_revision)),
    maxCreateRevision: Math.max(0, int64(r.max_create_revision)),
  }
  if (end.length > 0) request.rangeEnd = end
  return request
}

export function putFromWire(p: WirePutRequest): PutRequest {
  const lease = leaseIdOf(p.lease)
  const k = key(p.key)
  // etcd's checkPutRequest order, in the same depth-first walk as the empty-key checks, so a txn
  // with several bad operations is refused for the first one etcd would find (wire-diff seed 577470077).
  if (p.ignore_value === true && buf(p.value).length > 0) throw invalid(etcdMessages.valueProvided)
  if (p.ignore_lease === true && int64(p.lease) !== 0) throw invalid(etcdMessages.leaseProvided)
  return {
    key: k,
    value: buf(p.value),
    // A lease ID this store cannot have: the store reports it missing (-1 is never granted).
    lease: lease ?? Number.MAX_SAFE_INTEGER,
    prevKv: p.prev_kv === true,
    ignoreValue: p.ignore_value === true,
    ignoreLease: p.ignore_lease === true,
  }
}

export function deleteFromWire(d: WireDeleteRequest): DeleteRangeRequest {
  const end = buf(d.range_end)
  const request: DeleteRangeRequest = { key: key(d.key), prevKv: d.prev_kv === true }
  if (end.length > 0) request.rangeEnd = end
  return request
}

function compareFromWire(c: WireCompare): Compare {
  const target = COMPARE_TARGETS[c.target ?? 0] ?? (String(c.target) as CompareTarget)
  const result = COMPARE_RESULTS[c.result ?? 0] ?? (String(c.result) as CompareResult)
  const end = buf(c.range_end)
  let value: number | Buffer
  switch (target) {
    case 'VERSION': value = int64(c.version); break
    case 'CREATE': value = int64(c.create_revision); break
    case 'MOD': value = int64(c.mod_revision); break
    case 'LEASE': value = int64(c.lease); break
    default: value = buf(c.value)
  }
  const compare: Compare = { key: key(c.key), target, result, value }
  if (end.length > 0) compare.rangeEnd = end
  return compare
}

function opFromWire(op: WireRequestOp): RequestOp {
  if (op.request_range !== undefined && op.request_range !== null) return { range: rangeFromWire(op.request_range) }
  if (op.request_put !== undefined && op.request_put !== null) return { put: putFromWire(op.request_put) }
  if (op.request_delete_range !== undefined && op.request_delete_range !== null) return { deleteRange: deleteFromWire(op.request_delete_range) }
  if (op.request_txn !== undefined && op.request_txn !== null) return { txn: txnFromWire(op.request_txn) }
  // etcd's applier ignores an empty RequestOp; the store needs one of the four: a no-op read.
  throw invalid('etchlog: a txn request op must be one of range, put, delete_range, txn')
}

export function txnFromWire(t: WireTxnRequest): TxnRequest {
  return {
    compare: (t.compare ?? []).map(compareFromWire),
    success: (t.success ?? []).map(opFromWire),
    failure: (t.failure ?? []).map(opFromWire),
  }
}

/** etcd's checkTxnRequest (T7): each list within the budget, nested txns within what is left. */
export function checkTxnOps(t: WireTxnRequest, opsMax: number): void {
  const ops = Math.max(t.compare?.length ?? 0, t.success?.length ?? 0, t.failure?.length ?? 0)
  if (ops > opsMax) throw invalid(etcdMessages.tooManyOps)
  for (const op of [...(t.success ?? []), ...(t.failure ?? [])]) {
    if (op.request_txn !== undefined && op.request_txn !== null) checkTxnOps(op.request_txn, opsMax - ops)
  }
}

/** True when some branch of the txn (at any depth) writes: such a txn is refused under NOSPACE. */
export function txnWrites(t: WireTxnRequest): boolean {
  return [...(t.success ?? []), ...(t.failure ?? [])].some(
    (op) => (op.request_put ?? op.request_delete_range ?? undefined) !== undefined || (op.request_txn != null && txnWrites(op.request_txn)),
  )
}

export type HeaderOf = (revision: number) => WireHeader | { revision: string }

export function responseOpToWire(op: ResponseOp, header: HeaderOf): object {
  if ('range' in op) {
    const r = op.range
    return { response_range: { header: header(r.revision), kvs: r.kvs.map(kvToWire), more: r.more, count: String(r.count) } }
  }
  if ('put' in op) {
    const p = op.put
    return { response_put: { header: header(p.revision), prev_kv: p.prevKv === undefined ? null : kvToWire(p.prevKv) } }
  }
  if ('deleteRange' in op) {
    const d = op.deleteRange
    return { response_delete_range: { header: header(d.revision), deleted: String(d.deleted), prev_kvs: (d.prevKvs ?? []).map(kvToWire) } }
  }
  // A nested txn response carries no header in etcd 3.4.
  const nested = txnToWire(op.txn, header)
  nested.header = null
  return { response_txn: nested }
}

export interface WireTxnResponse { header: unknown; succeeded: boolean; responses: object[] }

export function txnToWire(t: TxnResponse, header: HeaderOf): WireTxnResponse {
  return { header: header(t.revision), succeeded: t.succeeded, responses: t.responses.map((op) => responseOpToWire(op, header)) }
}

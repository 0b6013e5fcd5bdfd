// Turns public requests into checked internal ones. Everything here runs before a request is
// queued: bad input is rejected with a typed error and never reaches the writer.
import { assert, type BytesLike, InvalidArgumentError, type Limits, RequestTooLargeError, TooManyOpsError, describeKey, isZeroByte, prefixEnd, toBytes, describeValue } from '../util/index.js'
import type { Interval } from './log.js'
import type {
  Compare,
  CompareResult,
  CompareTarget,
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RequestOp,
  SortOrder,
  SortTarget,
  TxnRequest,
} from './types.js'

export interface NRange {
  interval: Interval
  revision: number
  limit: number
  countOnly: boolean
  keysOnly: boolean
  withoutCount: boolean
  sortOrder: SortOrder
  sortTarget: SortTarget
  minModRevision: number
  maxModRevision: number
  minCreateRevision: number
  maxCreateRevision: number
}

export interface NPut {
  key: Buffer
  value: Buffer
  lease: number
  prevKv: boolean
  ignoreValue: boolean
  ignoreLease: boolean
}

export interface NDelete {
  interval: Interval
  prevKv: boolean
}

export interface NCompare {
  interval: Interval
  target: CompareTarget
  result: CompareResult
  /** For VERSION / CREATE / MOD / LEASE. */
  number: number
  /** For VALUE. */
  bytes: Buffer
}

export interface NTxn {
  compare: NCompare[]
  success: NOp[]
  failure: NOp[]
}

export type NOp =
  | { kind: 'range'; range: NRange }
  | { kind: 'put'; put: NPut }
  | { kind: 'deleteRange'; deleteRange: NDelete }
  | { kind: 'txn'; txn: NTxn }

const SORT_ORDERS: readonly SortOrder[] = ['NONE', 'ASCEND', 'DESCEND']
const SORT_TARGETS: readonly SortTarget[] = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']
const COMPARE_TARGETS: readonly CompareTarget[] = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE']
const COMPARE_RESULTS: readonly CompareResult[] = ['EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS']

/** Counts request bytes as they are read, and enforces the per-request limits. */
export class RequestReader {
  private bytes = 0
  // Txn objects already read in this request: one referenced from many places is read (and its
  // bytes counted) once, so reading is linear in the request's size.
  private readonly txnsRead = new Map<object, NTxn>()
  // Per checked txn: the op budget it needs (T7), and its work: the ops applying it runs, as if
  // every shared sub-object were copied where it is referenced (compares + the larger branch).
  // Work is bounded like bytes (each op costs at least one), so a small request built from shared
  // nested txns cannot expand into an exponential amount of work when applied.
  private readonly costs = new Map<NTxn, { need: number; work: number }>()
  // Txn objects being read (on the current path): a txn inside itself is refused, not recursed.
  private readonly txnsOpen = new Set<object>()

  constructor(private readonly limits: Readonly<Limits>) {}

  key(value: BytesLike | undefined, what = 'key'): Buffer {
    if (value === undefined || value === null) throw new InvalidArgumentError(`etcdserver: ${what} is not provided`)
    const b = toBytes(value, what)
    if (b.length === 0) throw new InvalidArgumentError(`etcdserver: ${what} is not provided`)
    if (b.length > this.limits.keyBytesMax) throw new RequestTooLargeError(what, b.length, this.limits.keyBytesMax)
    return this.count(b)
  }

  value(value: BytesLike | undefined, key: Buffer): Buffer {
    const b = value === undefined ? Buffer.alloc(0) : toBytes(value, 'value')
    if (b.length > this.limits.valueBytesMax) {
      throw new RequestTooLargeError(`value of ${describeKey(key)}`, b.length, this.limits.valueBytesMax)
    }
    return this.count(b)
  }

  private count(b: Buffer): Buffer {
    this.bytes += b.length
    if (this.bytes > this.limits.requestBytesMax) {
      throw new RequestTooLargeError('request', this.bytes, this.limits.requestBytesMax)
    }
    return b
  }

  interval(key: BytesLike | undefined, rangeEnd: BytesLike | undefined, prefix: boolean | undefined): Interval {
    const start = this.key(key)
    if (prefix === true) {
      if (rangeEnd !== undefined) throw new InvalidArgumentError('etcdserver: prefix and rangeEnd are mutually exclusive')
      const end = prefixEnd(start)
      return { start, end: isZeroByte(end) ? null : end }
    }
    if (prefix !== undefined && prefix !== false) throw new InvalidArgumentError('etcdserver: prefix must be a boolean')
    if (rangeEnd === undefined) return { point: start }
    const end = this.count(toBytes(rangeEnd, 'rangeEnd'))
    if (end.length === 0) return { point: start }
    return { start, end: isZeroByte(end) ? null : end }
  }

  range(r: RangeRequest): NRange {
    object(r, 'range request')
    const sortOrder = r.sortOrder ?? 'NONE'
    const sortTarget = r.sortTarget ?? 'KEY'
    if (!SORT_ORDERS.includes(sortOrder) || !SORT_TARGETS.includes(sortTarget)) {
      throw new InvalidArgumentError(`etcdserver: invalid sort option (${describeValue(sortOrder)}, ${describeValue(sortTarget)})`)
    }
    return {
      interval: this.interval(r.key, r.rangeEnd, r.prefix),
      revision: integer(r.revision, 'revision'),
      limit: integer(r.limit, 'limit'),
      countOnly: flag(r.countOnly, 'countOnly'),
      keysOnly: flag(r.keysOnly, 'keysOnly'),
      withoutCount: flag(r.withoutCount, 'withoutCount'),
      sortOrder,
      sortTarget,
      minModRevision: integer(r.minModRevision, 'minModRevision'),
      maxModRevision: integer(r.maxModRevision, 'maxModRevision'),
      minCreateRevision: integer(r.minCreateRevision, 'minCreateRevision'),
      maxCreateRevision: integer(r.maxCreateRevision, 'maxCreateRevision'),
    }
  }

  put(r: PutRequest): NPut {
    object(r, 'put request')
    const key = this.key(r.key)
    const ignoreValue = flag(r.ignoreValue, 'ignoreValue')
    const ignoreLease = flag(r.ignoreLease, 'ignoreLease')
    const value = this.value(r.value, key)
    const lease = integer(r.lease, 'lease')
    // P3, P4: with ignore_*, the request must not also carry the thing it asks to keep.
    if (ignoreValue && value.length > 0) throw new InvalidArgumentError('etcdserver: value is provided')
    if (ignoreLease && lease !== 0) throw new InvalidArgumentError('etcdserver: lease is provided')
    return { key, value, lease, prevKv: flag(r.prevKv, 'prevKv'), ignoreValue, ignoreLease }
  }

  deleteRange(r: DeleteRangeRequest): NDelete {
    object(r, 'delete request')
    return { interval: this.interval(r.key, r.rangeEnd, r.prefix), prevKv: flag(r.prevKv, 'prevKv') }
  }

  compare(c: Compare): NCompare {
    object(c, 'compare')
    if (!COMPARE_TARGETS.includes(c.target)) throw new InvalidArgumentError(`etcdserver: invalid compare target ${describeValue(c.target)}`)
    if (!COMPARE_RESULTS.includes(c.result)) throw new InvalidArgumentError(`etcdserver: invalid compare result ${describeValue(c.result)}`)
    const interval = this.interval(c.key, c.rangeEnd, undefined)
    if (c.target === 'VALUE') {
      if (typeof c.value === 'number') throw new InvalidArgumentError('etcdserver: a VALUE compare takes bytes, not a number')
      return { interval, target: c.target, result: c.result, number: 0, bytes: this.count(toBytes(c.value, 'compare value')) }
    }
    if (typeof c.value !== 'number') throw new InvalidArgumentError(`etcdserver: a ${c.target} compare takes a number`)
    return { interval, target: c.target, result: c.result, number: integer(c.value, 'compare value'), bytes: Buffer.alloc(0) }
  }

  /** T7: max(compares, success, failure) <= opsMax; nested txns get what is left of the budget. */
  txn(t: TxnRequest, opsMax = this.limits.txnOpsMax): NTxn {
    object(t, 'txn request')
    const seen = this.txnsRead.get(t)
    if (seen !== undefined) {
      const need = this.costOf(seen).need
      if (need > opsMax) throw new TooManyOpsError(need, opsMax)
      return seen
    }
    if (this.txnsOpen.has(t)) throw new InvalidArgumentError('etcdserver: a txn request contains itself')
    this.txnsOpen.add(t)
    const compare = list(t.compare, 'compare')
    const success = list(t.success, 'success')
    const failure = list(t.failure, 'failure')
    const ops = Math.max(compare.length, success.length, failure.length)
    if (ops > opsMax) throw new TooManyOpsError(ops, opsMax)
    const txn: NTxn = {
      compare: compare.map((c) => this.compare(c)),
      success: success.map((op) => this.op(op, opsMax - ops)),
      failure: failure.map((op) => this.op(op, opsMax - ops)),
    }
    this.txnsOpen.delete(t)
    this.txnsRead.set(t, txn)
    this.costs.set(txn, this.cost(txn, ops))
    return txn
  }

  private costOf(txn: NTxn): { need: number; work: number } {
    const c = this.costs.get(txn)
    assert(c !== undefined, 'mvcc: every checked txn has a cost')
    return c
  }

  /** need = ops + the largest need of a nested txn; work = compares + the larger branch's work. */
  private cost(txn: NTxn, ops: number): { need: number; work: number } {
    let need = ops
    const branchWork = (branch: NOp[]): number =>
      branch.reduce((sum, op) => {
        if (op.kind !== 'txn') return sum + 1
        const c = this.costOf(op.txn)
        need = Math.max(need, ops + c.need)
        return sum + c.work
      }, 0)
    const work = txn.compare.length + Math.max(branchWork(txn.success), branchWork(txn.failure))
    if (work > this.limits.requestBytesMax) {
      throw new RequestTooLargeError('txn work, shared sub-txns counted where referenced', work, this.limits.requestBytesMax)
    }
    return { need, work }
  }

  private op(op: RequestOp, opsMax: number): NOp {
    object(op, 'request op')
    if ('range' in op) return { kind: 'range', range: this.range(op.range) }
    if ('put' in op) return { kind: 'put', put: this.put(op.put) }
    if ('deleteRange' in op) return { kind: 'deleteRange', deleteRange: this.deleteRange(op.deleteRange) }
    if ('txn' in op) return { kind: 'txn', txn: this.txn(op.txn, opsMax) }
    throw new InvalidArgumentError('etcdserver: a request op must have one of range, put, deleteRange, txn')
  }
}

function object(v: unknown, what: string): void {
  if (typeof v !== 'object' || v === null) throw new InvalidArgumentError(`etcdserver: ${what} must be an object`)
}

function list<T>(v: T[] | undefined, what: string): T[] {
  if (v === undefined) return []
  if (!Array.isArray(v)) throw new InvalidArgumentError(`etcdserver: txn ${what} must be an array`)
  return v
}

export function integer(v: number | undefined, what: string): number {
  if (v === undefined) return 0
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new InvalidArgumentError(`etcdserver: ${what} must be a safe integer, got ${describeValue(v)}`)
  }
  return v
}

function flag(v: boolean | undefined, what: string): boolean {
  if (v === undefined) return false
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`etcdserver: ${what} must be a boolean`)
  return v
}

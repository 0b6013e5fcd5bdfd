// A small in-memory model of etcd v3 KV and lease semantics, written from
// /work/shared/reference/etcd-semantics.md (row IDs cited), not from src/. test/mvcc/model.test.ts
// drives it and the real store with the same commands and compares every answer.
//
// Keys are kept as lowercase hex strings: comparing two hex strings with `<` is byte-wise order
// (shorter first on a tie), the order etcd uses for keys (RG1).
import { CompactedError, DuplicateKeyError, FutureRevisionError, InvalidArgumentError, KeyNotFoundError } from '../../src/index.js'
import { LeaseExistsError, LeaseNotFoundError, TooManyOpsError } from '../../src/index.js'
import type { BytesLike, Compare, DeleteRangeRequest, DeleteRangeResponse, KeyValue, LeaseTimeToLiveResponse } from '../../src/index.js'
import type { PutRequest, PutResponse, RangeRequest, RangeResponse, RequestOp, ResponseOp, TxnRequest, TxnResponse } from '../../src/index.js'

type Hex = string
/** A point (end undefined), [start, end), or every key >= start (end null). */
interface Interval { start: Hex; end?: Hex | null }
/** One entry of a key's history; kv undefined is a tombstone (REV6). */
interface Version { rev: number; kv?: KeyValue }
interface Lease { id: number; ttl: number; deadlineMs: number }
/** An open write: writes land at rev + 1, which becomes the revision if anything changed (REV2). */
interface Scope { rev: number; changed: boolean }
type Op =
  | { kind: 'range'; r: RangeRequest; iv: Interval }
  | { kind: 'put'; p: PutRequest; key: Hex }
  | { kind: 'del'; d: DeleteRangeRequest; iv: Interval }
  | { kind: 'txn'; t: Txn }
interface Txn { compare: Array<{ c: Compare; iv: Interval }>; success: Op[]; failure: Op[] }
/** The branch a txn takes, and those of the nested txns on it (by op index). */
interface Path { ok: boolean; nested: Map<number, Path> }

export const txnOpsMax = 128
const leaseTtlMin = 2 // L1
const leaseTtlMax = 9_000_000_000
const sortOrders = ['NONE', 'ASCEND', 'DESCEND']
const sortTargets = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']

const hex = (b: BytesLike): Hex => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b)).toString('hex')
const bytes = (h: Hex): Buffer => Buffer.from(h, 'hex')

function keyOf(b: BytesLike | undefined): Hex {
  if (b === undefined || hex(b) === '') throw new InvalidArgumentError('model: key is not provided')
  return hex(b)
}

/** RG1: no end = one key, "\0" = no upper bound, prefix = key with its last byte (below 0xff) + 1. */
function intervalOf(key: BytesLike | undefined, rangeEnd: BytesLike | undefined, prefix?: boolean): Interval {
  const start = keyOf(key)
  if (prefix === true) {
    if (rangeEnd !== undefined) throw new InvalidArgumentError('model: prefix and rangeEnd together')
    const b = bytes(start)
    let i = b.length - 1
    while (i >= 0 && b[i] === 0xff) i--
    if (i < 0) return { start, end: null }
    const end = Buffer.from(b.subarray(0, i + 1))
    end[i] = (end[i] ?? 0) + 1
    return { start, end: end.toString('hex') }
  }
  const end = rangeEnd === undefined ? '' : hex(rangeEnd)
  if (end === '') return { start }
  return { start, end: end === '00' ? null : end }
}

function inInterval(iv: Interval, k: Hex): boolean {
  if (iv.end === undefined) return k === iv.start
  return k >= iv.start && (iv.end === null || k < iv.end)
}

function copyKv(kv: KeyValue): KeyValue {
  return { ...kv, key: Buffer.from(kv.key), value: Buffer.from(kv.value) }
}

function safeInt(v: number | undefined): number {
  if (v === undefined) return 0
  if (!Number.isSafeInteger(v)) throw new InvalidArgumentError('model: not a safe integer')
  return v
}

export class ModelStore {
  /** REV1: an empty store is at 1. */
  revision = 1
  /** Reads below it fail (RG4); 0 until the first compaction. */
  compactRevision = 0
  // Per key, its versions in revision order; at most one per revision.
  private readonly history = new Map<Hex, Version[]>()
  // Granted and not yet revoked or expired.
  private readonly leases = new Map<number, Lease>()

  constructor(private readonly clock: { now(): number }) {}

  // ---- reads ---------------------------------------------------------------------------------

  /** The key's KeyValue at rev (Infinity: including an open txn's writes), or undefined. */
  private at(k: Hex, rev: number): KeyValue | undefined {
    const versions = this.history.get(k) ?? []
    let found: Version | undefined
    for (const v of versions) if (v.rev <= rev) found = v
    return found?.kv
  }

  private live(iv: Interval, rev: number): KeyValue[] {
    const keys = [...this.history.keys()].filter((k) => inInterval(iv, k)).sort()
    return keys.flatMap((k) => {
      const kv = this.at(k, rev)
      return kv === undefined ? [] : [kv]
    })
  }

  /** RG4 against the revision the request started at. */
  private readRevision(requested: number, current: number): number {
    if (requested <= 0) return Infinity
    if (requested > current) throw new FutureRevisionError(requested, current)
    if (requested < this.compactRevision) throw new CompactedError(requested, this.compactRevision)
    return requested
  }

  private checkRange(r: RangeRequest): void {
    if (!sortOrders.includes(r.sortOrder ?? 'NONE') || !sortTargets.includes(r.sortTarget ?? 'KEY')) {
      throw new InvalidArgumentError('model: invalid sort option')
    }
    for (const n of [r.revision, r.limit, r.minModRevision, r.maxModRevision, r.minCreateRevision, r.maxCreateRevision]) safeInt(n)
  }

  /** RG2, RG3, RG6-RG9, with etcd's order of limit, filter and sort. */
  private doRange(r: RangeRequest, iv: Interval, s: Scope): RangeResponse {
    const rev = this.readRevision(safeInt(r.revision), s.rev)
    const all = this.live(iv, rev)
    const revision = s.rev + (s.changed ? 1 : 0)
    if (r.countOnly === true) return { revision, kvs: [], count: all.length, more: false }
    const limit = safeInt(r.limit)
    const target = r.sortTarget ?? 'KEY'
    const [minMod = 0, maxMod = 0, minCreate = 0, maxCreate = 0] = [r.minModRevision, r.maxModRevision, r.minCreateRevision, r.maxCreateRevision]
    const filtered = minMod !== 0 || maxMod !== 0 || minCreate !== 0 || maxCreate !== 0
    // RG8: only an unsorted, unfiltered read stops early, after limit + 1 keys in key order.
    let kvs = (r.sortOrder ?? 'NONE') === 'NONE' && !filtered && limit > 0 ? all.slice(0, limit + 1) : all
    // RG9: inclusive bounds, 0 = unset.
    kvs = kvs.filter(
      (kv) =>
        (minMod === 0 || kv.modRevision >= minMod) &&
        (maxMod === 0 || kv.modRevision <= maxMod) &&
        (minCreate === 0 || kv.createRevision >= minCreate) &&
        (maxCreate === 0 || kv.createRevision <= maxCreate),
    )
    // RG7: a non-KEY target with order NONE sorts ascending. Stable sort: ties keep key order.
    const order = r.sortOrder === undefined || r.sortOrder === 'NONE' ? (target === 'KEY' ? 'NONE' : 'ASCEND') : r.sortOrder
    if (order !== 'NONE') {
      const field = (kv: KeyValue): number | Hex =>
        target === 'KEY' ? hex(kv.key) : target === 'VALUE' ? hex(kv.value) : target === 'VERSION' ? kv.version : target === 'CREATE' ? kv.createRevision : kv.modRevision
      const sign = order === 'DESCEND' ? -1 : 1
      kvs = [...kvs].sort((a, b) => {
        const fa = field(a)
        const fb = field(b)
        return fa < fb ? -sign : fa > fb ? sign : 0
      })
    }
    const more = limit > 0 && kvs.length > limit
    if (more) kvs = kvs.slice(0, limit)
    const out = kvs.map((kv) => (r.keysOnly === true ? { ...copyKv(kv), value: new Uint8Array(0) } : copyKv(kv)))
    return { revision, kvs: out, count: all.length, more }
  }

  async range(r: RangeRequest): Promise<RangeResponse> {
    const iv = intervalOf(r.key, r.rangeEnd, r.prefix)
    this.checkRange(r)
    return this.doRange(r, iv, { rev: this.revision, changed: false })
  }

  async get(key: BytesLike, options: { revision?: number } = {}): Promise<KeyValue | undefined> {
    return (await this.range({ key, revision: options.revision ?? 0 })).kvs[0]
  }

  // ---- writes --------------------------------------------------------------------------------

  private write(s: Scope, k: Hex, kv: KeyValue | undefined): void {
    const versions = this.history.get(k) ?? []
    const last = versions[versions.length - 1]
    if (last !== undefined && last.rev > s.rev) throw new Error(`model: key ${k} written twice in one revision`)
    versions.push({ rev: s.rev + 1, kv })
    this.history.set(k, versions)
    s.changed = true
  }

  /** Runs one request as one write: everything it writes shares the next revision (REV2, REV7). */
  private inScope<T>(fn: (s: Scope) => T): T {
    const s: Scope = { rev: this.revision, changed: false }
    const result = fn(s)
    if (s.changed) this.revision = s.rev + 1
    return result
  }

  private checkPutShape(p: PutRequest): Hex {
    const key = keyOf(p.key)
    const value = p.value === undefined ? '' : hex(p.value)
    // P3, P4: ignore_* must not come with the thing it keeps.
    if (p.ignoreValue === true && value !== '') throw new InvalidArgumentError('model: value is provided')
    if (p.ignoreLease === true && safeInt(p.lease) !== 0) throw new InvalidArgumentError('model: lease is provided')
    safeInt(p.lease)
    return key
  }

  /** P5 then P3/P4 (etcd main checks the lease first), against the state the request started from. */
  /** etcd: a put alone checks its lease first; inside a txn its key first (checkRequestPut). */
  private checkPutState(p: PutRequest, key: Hex, keyFirst = false): void {
    const lease = safeInt(p.lease)
    const leaseMissing = lease !== 0 && !this.leases.has(lease)
    const keyMissing = (p.ignoreValue === true || p.ignoreLease === true) && this.at(key, Infinity) === undefined
    if (keyFirst && keyMissing) throw new KeyNotFoundError(key)
    if (leaseMissing) throw new LeaseNotFoundError(lease)
    if (keyMissing) throw new KeyNotFoundError(key)
  }

  /** P1, P2, P5, REV5. */
  private doPut(p: PutRequest, key: Hex, s: Scope): PutResponse {
    const prev = this.at(key, Infinity)
    const kv: KeyValue = {
      key: bytes(key),
      value: p.ignoreValue === true && prev !== undefined ? Buffer.from(prev.value) : Buffer.from(p.value === undefined ? '' : bytes(hex(p.value))),
      createRevision: prev?.createRevision ?? s.rev + 1,
      modRevision: s.rev + 1,
      version: (prev?.version ?? 0) + 1,
      lease: p.ignoreLease === true && prev !== undefined ? prev.lease : safeInt(p.lease),
    }
    this.write(s, key, kv)
    const response: PutResponse = { revision: s.rev + 1 }
    if (p.prevKv === true && prev !== undefined) response.prevKv = copyKv(prev)
    return response
  }

  async put(key: BytesLike, value?: BytesLike, options: Omit<PutRequest, 'key' | 'value'> = {}): Promise<PutResponse> {
    const p: PutRequest = { ...options, key, value }
    const k = this.checkPutShape(p)
    this.checkPutState(p, k)
    return this.inScope((s) => this.doPut(p, k, s))
  }

  /** D1, D2, REV6: tombstones in key order at one revision. */
  private doDelete(d: DeleteRangeRequest, iv: Interval, s: Scope): DeleteRangeResponse {
    const gone = this.live(iv, Infinity)
    for (const kv of gone) this.write(s, hex(kv.key), undefined)
    const response: DeleteRangeResponse = { revision: s.rev + (s.changed ? 1 : 0), deleted: gone.length }
    if (d.prevKv === true) response.prevKvs = gone.map(copyKv)
    return response
  }

  async deleteRange(d: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    const iv = intervalOf(d.key, d.rangeEnd, d.prefix)
    return this.inScope((s) => this.doDelete(d, iv, s))
  }

  // ---- txn -----------------------------------------------------------------------------------

  /** Shape checks, T7 op budget (nested txns get what the parent left). */
  private parseTxn(t: TxnRequest, budget: number): Txn {
    const compare = t.compare ?? []
    const success = t.success ?? []
    const failure = t.failure ?? []
    const ops = Math.max(compare.length, success.length, failure.length)
    if (ops > budget) throw new TooManyOpsError(ops, budget)
    return {
      compare: compare.map((c) => {
        const iv = intervalOf(c.key, c.rangeEnd)
        if (!['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'].includes(c.target)) throw new InvalidArgumentError('model: compare target')
        if (!['EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS'].includes(c.result)) throw new InvalidArgumentError('model: compare result')
        if ((c.target === 'VALUE') === (typeof c.value === 'number')) throw new InvalidArgumentError('model: compare value type')
        if (typeof c.value === 'number') safeInt(c.value)
        return { c, iv }
      }),
      success: success.map((op) => this.parseOp(op, budget - ops)),
      failure: failure.map((op) => this.parseOp(op, budget - ops)),
    }
  }

  private parseOp(op: RequestOp, budget: number): Op {
    if ('range' in op) {
      const iv = intervalOf(op.range.key, op.range.rangeEnd, op.range.prefix)
      this.checkRange(op.range)
      return { kind: 'range', r: op.range, iv }
    }
    if ('put' in op) return { kind: 'put', p: op.put, key: this.checkPutShape(op.put) }
    if ('deleteRange' in op) return { kind: 'del', d: op.deleteRange, iv: intervalOf(op.deleteRange.key, op.deleteRange.rangeEnd, op.deleteRange.prefix) }
    return { kind: 'txn', t: this.parseTxn(op.txn, budget) }
  }

  /**
   * T6: no two writes that can run together may touch one key (two puts, or a put inside a delete).
   * The two branches of a txn exclude each other, so each execution path is checked on its own.
   */
  private checkDuplicates(ops: Op[]): void {
    for (const path of writePaths(ops)) {
      const puts = path.filter((w): w is Hex => typeof w === 'string')
      const dels = path.filter((w): w is Interval => typeof w !== 'string')
      if (new Set(puts).size !== puts.length) throw new DuplicateKeyError('model')
      if (puts.some((k) => dels.some((iv) => inInterval(iv, k)))) throw new DuplicateKeyError('model')
    }
  }

  /** T2, T3: every key in the range must pass; no key compares as zero, except VALUE: false. */
  private holds(c: Compare, iv: Interval): boolean {
    const kvs = this.live(iv, Infinity)
    const test = (kv: KeyValue | undefined): boolean => {
      let d: number
      if (c.target === 'VALUE') {
        if (kv === undefined) return false
        d = Buffer.compare(Buffer.from(kv.value), Buffer.from(bytes(hex(c.value as BytesLike))))
      } else {
        const n = kv === undefined ? 0 : c.target === 'VERSION' ? kv.version : c.target === 'CREATE' ? kv.createRevision : c.target === 'MOD' ? kv.modRevision : kv.lease
        d = Math.sign(n - (c.value as number))
      }
      return c.result === 'EQUAL' ? d === 0 : c.result === 'NOT_EQUAL' ? d !== 0 : c.result === 'GREATER' ? d > 0 : d < 0
    }
    return kvs.length === 0 ? test(undefined) : kvs.every(test)
  }

  /** Every compare on the taken path is decided against the state the txn started from. */
  private decide(t: Txn): Path {
    const ok = t.compare.every(({ c, iv }) => this.holds(c, iv))
    const nested = new Map<number, Path>()
    ;(ok ? t.success : t.failure).forEach((op, i) => {
      if (op.kind === 'txn') nested.set(i, this.decide(op.t))
    })
    return { ok, nested }
  }

  /** Ops on the taken path, depth first. */
  private pathOps(t: Txn, p: Path): Op[] {
    return (p.ok ? t.success : t.failure).flatMap((op, i) => {
      const n = p.nested.get(i)
      return op.kind === 'txn' && n !== undefined ? this.pathOps(op.t, n) : [op]
    })
  }

  private runTxn(t: Txn, p: Path, s: Scope, top: boolean): TxnResponse {
    const responses: ResponseOp[] = (p.ok ? t.success : t.failure).map((op, i): ResponseOp => {
      if (op.kind === 'range') return { range: this.doRange(op.r, op.iv, s) }
      if (op.kind === 'put') return { put: this.doPut(op.p, op.key, s) }
      if (op.kind === 'del') return { deleteRange: this.doDelete(op.d, op.iv, s) }
      const n = p.nested.get(i)
      if (n === undefined) throw new Error('model: nested txn without a path')
      return { txn: this.runTxn(op.t, n, s, false) }
    })
    // A nested txn's response carries no header in etcd: revision 0.
    return { revision: top ? s.rev + (s.changed ? 1 : 0) : 0, succeeded: p.ok, responses }
  }

  /** The checks a txn passes before it looks at any state: shape, T7 op budget, T6 duplicates. */
  private checkTxn(request: TxnRequest): Txn {
    const t = this.parseTxn(request, txnOpsMax)
    this.checkDuplicates(t.success)
    this.checkDuplicates(t.failure)
    return t
  }

  /** T1-T7: checks, then one revision for all writes; reads see the txn's earlier writes. */
  async txn(request: TxnRequest): Promise<TxnResponse> {
    const t = this.checkTxn(request)
    const path = this.decide(t)
    const ops = this.pathOps(t, path)
    // All against the start state, as etcd's checkRequests: every put first, then every range.
    for (const op of ops) if (op.kind === 'put') this.checkPutState(op.p, op.key, true)
    for (const op of ops) if (op.kind === 'range') this.readRevision(safeInt(op.r.revision), this.revision)
    return this.inScope((s) => this.runTxn(t, path, s, true))
  }

  // ---- compaction ----------------------------------------------------------------------------

  /** C1, C2: per key keep the newest version <= R (unless a tombstone below R) and all above. */
  async compact(rev: number): Promise<{ revision: number }> {
    if (rev <= this.compactRevision) throw new CompactedError(rev, this.compactRevision)
    if (rev > this.revision) throw new FutureRevisionError(rev, this.revision)
    this.compactRevision = rev
    for (const [k, versions] of this.history) {
      let keep = versions.findLastIndex((v) => v.rev <= rev)
      const newest = versions[keep]
      if (newest !== undefined && newest.kv === undefined && newest.rev < rev) keep++
      const kept = versions.slice(Math.max(keep, 0))
      if (kept.length === 0) this.history.delete(k)
      else this.history.set(k, kept)
    }
    return { revision: this.revision }
  }

  // ---- leases --------------------------------------------------------------------------------

  private leaseId(id: number, allowZero: boolean): number {
    if (!Number.isSafeInteger(id) || id < 0 || (id === 0 && !allowZero)) throw new InvalidArgumentError('model: lease ID')
    return id
  }

  /** L1. With id 0 the store picks the ID; the test passes the one it picked as `assigned`. */
  async leaseGrant(ttlSeconds: number, id: number, assigned: number): Promise<{ id: number; ttl: number }> {
    this.leaseId(id, true)
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds > leaseTtlMax) throw new InvalidArgumentError('model: lease TTL')
    const leaseId = id === 0 ? assigned : id
    if (this.leases.has(leaseId)) throw new LeaseExistsError(leaseId)
    if (!Number.isSafeInteger(leaseId) || leaseId <= 0) throw new Error(`model: the store picked lease ID ${leaseId}`)
    const ttl = Math.max(ttlSeconds, leaseTtlMin)
    this.leases.set(leaseId, { id: leaseId, ttl, deadlineMs: this.clock.now() + ttl * 1000 })
    return { id: leaseId, ttl }
  }

  /** L2: the attached keys go in one revision, in key order. */
  async leaseRevoke(id: number): Promise<{ revision: number }> {
    this.leaseId(id, false)
    if (!this.leases.has(id)) throw new LeaseNotFoundError(id)
    return { revision: this.revoke(id) }
  }

  private revoke(id: number): number {
    this.leases.delete(id)
    return this.inScope((s) => {
      for (const kv of this.attached(id)) this.write(s, hex(kv.key), undefined)
      return s.rev + (s.changed ? 1 : 0)
    })
  }

  /** Live keys on lease `id`, in key order. */
  private attached(id: number): KeyValue[] {
    return this.live({ start: '', end: null }, Infinity).filter((kv) => kv.lease === id)
  }

  private alive(id: number): Lease | undefined {
    const lease = this.leases.get(id)
    return lease !== undefined && lease.deadlineMs > this.clock.now() ? lease : undefined
  }

  /** L3: a full TTL again; unknown or expired answers TTL 0. */
  async leaseKeepAlive(id: number): Promise<{ id: number; ttl: number }> {
    this.leaseId(id, false)
    const lease = this.alive(id)
    if (lease === undefined) return { id, ttl: 0 }
    lease.deadlineMs = this.clock.now() + lease.ttl * 1000
    return { id, ttl: lease.ttl }
  }

  /** L4: whole seconds left (rounded down); unknown or expired answers -1. */
  async leaseTimeToLive(id: number, options: { keys?: boolean } = {}): Promise<LeaseTimeToLiveResponse> {
    this.leaseId(id, false)
    const lease = this.alive(id)
    const response: LeaseTimeToLiveResponse =
      lease === undefined
        ? { id, ttl: -1, grantedTtl: 0 }
        : { id, ttl: Math.floor((lease.deadlineMs - this.clock.now()) / 1000), grantedTtl: lease.ttl }
    if (options.keys === true) {
      response.keys = lease === undefined ? [] : this.attached(id).map((kv) => Buffer.from(kv.key))
    }
    return response
  }

  /** L5: every lease whose deadline has passed is revoked, earliest deadline (then ID) first. */
  expire(): void {
    const now = this.clock.now()
    const due = [...this.leases.values()].filter((l) => l.deadlineMs <= now)
    due.sort((a, b) => a.deadlineMs - b.deadlineMs || a.id - b.id)
    for (const l of due) this.revoke(l.id)
  }

  /** IDs of leases granted and not yet revoked. */
  get leaseIds(): number[] {
    return [...this.leases.keys()]
  }
}

/** Each way through the branches of `ops`: the puts (keys) and deletes (intervals) it runs. */
function writePaths(ops: Op[]): Array<Array<Hex | Interval>> {
  let paths: Array<Array<Hex | Interval>> = [[]]
  for (const op of ops) {
    if (op.kind === 'put') paths = paths.map((p) => [...p, op.key])
    else if (op.kind === 'del') paths = paths.map((p) => [...p, op.iv])
    else if (op.kind === 'txn') {
      const choices = [...writePaths(op.t.success), ...writePaths(op.t.failure)]
      paths = paths.flatMap((p) => choices.map((c) => [...p, ...c]))
    }
  }
  return paths
}

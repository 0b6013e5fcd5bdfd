// Applies one write request inside the writer's open transaction. As in etcd, a request first
// runs its checks (which may throw a StorageError) and only then writes; the writer also wraps
// each request in a savepoint, so a request that fails leaves no trace in the batch.
import { KeyNotFoundError, LeaseNotFoundError, assert, compareBytes, describeKey, unreachable, verify } from '../util/index.js'
import type { Log, WriteTxn } from './log.js'
import type { ValueReader } from './values.js'
import { executeRange, resolveRevision, toKeyValue, type ReadView } from './range.js'
import type { NCompare, NDelete, NOp, NPut, NTxn } from './request.js'
import type { DeleteRangeResponse, KeyValue, PutResponse, ResponseOp, TxnResponse } from './types.js'

/** What the writer shares with every request of one batch. */
export interface BatchState {
  readonly tx: WriteTxn
  /** The store revision after the requests applied so far in this batch. */
  revision: number
  /** The compaction point after the requests applied so far (a compact() in the batch moves it). */
  compactRevision: number
  readonly nowMs: number
}

/** One request's view of the batch: all its writes share revision beginRev + 1 (REV7). */
export class WriteScope {
  readonly beginRev: number
  readonly log: Log
  // Rows this request has written; > 0 means it will take a new revision.
  private changes = 0

  constructor(
    readonly values: ValueReader,
    readonly batch: BatchState,
  ) {
    this.log = values.log
    this.beginRev = batch.revision
  }

  get newRevision(): number {
    return this.beginRev + 1
  }

  /** T4: reads after a write in the same txn see it, at revision beginRev + 1. */
  view(): ReadView {
    return { revision: this.changes > 0 ? this.newRevision : this.beginRev, compactRevision: this.batch.compactRevision }
  }

  wrote(): void {
    this.changes++
  }

  /** The revision the request ends at; a request that wrote nothing keeps the revision (REV3). */
  finish(): number {
    if (this.changes > 0) this.batch.revision = this.newRevision
    return this.view().revision
  }
}

// ---- checks (no writes) ----

// etcd checks a put's lease before its key when the put stands alone (apply Put), but its key
// before its lease inside a txn (checkRequestPut); the first failing check names the error.
function checkLease(s: WriteScope, p: NPut): void {
  if (p.lease !== 0 && s.log.lease(s.batch.tx, p.lease) === undefined) throw new LeaseNotFoundError(p.lease)
}

function checkKeyExists(s: WriteScope, p: NPut): void {
  if ((p.ignoreValue || p.ignoreLease) && s.log.live(s.batch.tx, p.key) === undefined) {
    throw new KeyNotFoundError(describeKey(p.key))
  }
}

function checkPut(s: WriteScope, p: NPut): void {
  checkLease(s, p)
  checkKeyExists(s, p)
}

/** etcd's compareToPath: every compare on the executed path is decided against the txn's start state. */
function decide(s: WriteScope, t: NTxn): TxnPath {
  const succeeded = t.compare.every((c) => evaluateCompare(s, c))
  const nested = (succeeded ? t.success : t.failure).map((op) => (op.kind === 'txn' ? decide(s, op.txn) : undefined))
  return { succeeded, nested }
}

interface TxnPath {
  succeeded: boolean
  nested: Array<TxnPath | undefined>
}

/** Every op that will run, in order, nested txns included (etcd's checkRequests walk). */
function executedOps(t: NTxn, path: TxnPath): NOp[] {
  const ops = path.succeeded ? t.success : t.failure
  return ops.flatMap((op, i) => (op.kind === 'txn' ? executedOps(op.txn, path.nested[i] as TxnPath) : [op])) // decide() fills every txn slot
}

/** As etcd: first every put on the executed path (key, then lease), then every range's revision. */
function checkPath(s: WriteScope, t: NTxn, path: TxnPath): void {
  const ops = executedOps(t, path)
  for (const op of ops) {
    if (op.kind === 'put') {
      checkKeyExists(s, op.put)
      checkLease(s, op.put)
    }
  }
  for (const op of ops) if (op.kind === 'range') resolveRevision(s.view(), op.range.revision)
}

function compareNumber(c: NCompare, kv: KeyValue | undefined): number {
  switch (c.target) {
    case 'VERSION':
      return (kv?.version ?? 0) - c.number
    case 'CREATE':
      return (kv?.createRevision ?? 0) - c.number
    case 'MOD':
      return (kv?.modRevision ?? 0) - c.number
    case 'LEASE':
      return (kv?.lease ?? 0) - c.number
    case 'VALUE':
      assert(kv !== undefined, 'mvcc: a VALUE compare needs a key')
      return compareBytes(kv.value, c.bytes)
  }
}

function holds(c: NCompare, kv: KeyValue | undefined): boolean {
  const d = compareNumber(c, kv)
  switch (c.result) {
    case 'EQUAL':
      return d === 0
    case 'NOT_EQUAL':
      return d !== 0
    case 'GREATER':
      return d > 0
    case 'LESS':
      return d < 0
  }
}

/** T2, T3: a missing key compares as zeros, except VALUE, which is then always false. */
export function evaluateCompare(s: WriteScope, c: NCompare): boolean {
  const rows = s.values.range(s.batch.tx, {
    interval: c.interval,
    revision: undefined,
    limit: 0,
    withValues: c.target === 'VALUE',
  })
  if (rows.length === 0) return c.target === 'VALUE' ? false : holds(c, undefined)
  return rows.every((r) => holds(c, toKeyValue(r)))
}

// ---- mutations ----

function put(s: WriteScope, p: NPut): PutResponse {
  const { tx } = s.batch
  const cur = s.log.live(tx, p.key)
  // The previous version's row is read only when its value is needed (prevKv, ignoreValue).
  const prev = cur !== undefined && (p.prevKv || p.ignoreValue) ? s.values.row(tx, cur.id) : undefined
  assert(prev === undefined || prev.stored.rev === cur?.modRev, 'mvcc: a live key points at its newest log row')
  let lease = p.lease
  let value: Buffer
  if (p.ignoreValue) {
    // The stored bytes are kept as they are: same key, so they stay valid under their AAD.
    assert(prev?.stored.value != null, 'mvcc: ignoreValue was checked against an existing key')
    value = prev.stored.value
  } else {
    value = s.values.seal(p.key, p.value)
  }
  if (p.ignoreLease) {
    assert(cur !== undefined, 'mvcc: ignoreLease was checked against an existing key')
    lease = cur.lease
  }
  const rev = s.newRevision
  const createRev = cur === undefined ? rev : cur.createRev
  const version = cur === undefined ? 1 : cur.version + 1
  s.wrote()
  const id = s.log.append(tx, { key: p.key, rev, createRev, version, lease, value })
  s.log.setLive(tx, p.key, { id, modRev: rev, createRev, version, lease })
  verify(() => s.log.live(tx, p.key)?.id === id, 'mvcc: the live index points at the row just written')
  const response: PutResponse = { revision: rev }
  if (p.prevKv && prev !== undefined) response.prevKv = toKeyValue(prev.plain)
  return response
}

function deleteRange(s: WriteScope, d: NDelete): DeleteRangeResponse {
  const { tx } = s.batch
  const rows = s.values.range(tx, { interval: d.interval, revision: undefined, limit: 0, withValues: d.prevKv })
  for (const r of rows) {
    s.wrote()
    s.log.append(tx, { key: r.key, rev: s.newRevision, createRev: 0, version: 0, lease: 0, value: null })
    s.log.deleteLive(tx, r.key)
  }
  const response: DeleteRangeResponse = { revision: s.view().revision, deleted: rows.length }
  if (d.prevKv) response.prevKvs = rows.map(toKeyValue)
  return response
}

/** Deletes keys (a lease's) in one revision, in the given (sorted) order. */
export function deleteKeys(s: WriteScope, keys: readonly Buffer[]): void {
  for (const key of keys) {
    s.wrote()
    s.log.append(s.batch.tx, { key, rev: s.newRevision, createRev: 0, version: 0, lease: 0, value: null })
    s.log.deleteLive(s.batch.tx, key)
  }
}

function runOps(s: WriteScope, t: NTxn, path: TxnPath): TxnResponse {
  const ops = path.succeeded ? t.success : t.failure
  const responses = ops.map((op, i): ResponseOp => runOp(s, op, path.nested[i]))
  // A nested txn's response has no header in etcd (revision 0); applyTxn sets the outer one.
  return { revision: 0, succeeded: path.succeeded, responses }
}

function runOp(s: WriteScope, op: NOp, path: TxnPath | undefined): ResponseOp {
  switch (op.kind) {
    case 'range':
      return { range: executeRange(s.values, s.batch.tx, s.view(), op.range) }
    case 'put':
      return { put: put(s, op.put) }
    case 'deleteRange':
      return { deleteRange: deleteRange(s, op.deleteRange) }
    case 'txn':
      assert(path !== undefined, 'mvcc: a nested txn has a decided path')
      return { txn: runOps(s, op.txn, path) }
    default:
      return unreachable(op, 'mvcc: unknown op')
  }
}

// ---- entry points used by the store ----

export function applyPut(s: WriteScope, p: NPut): PutResponse {
  checkPut(s, p)
  const response = put(s, p)
  s.finish()
  return response
}

export function applyDeleteRange(s: WriteScope, d: NDelete): DeleteRangeResponse {
  const response = deleteRange(s, d)
  s.finish()
  return response
}

export function applyTxn(s: WriteScope, t: NTxn): TxnResponse {
  const path = decide(s, t)
  checkPath(s, t, path)
  const response = runOps(s, t, path)
  response.revision = s.finish()
  return response
}

/**
 * Reencrypt's write with a resealer: if key's live modRevision is still `modRevision`, appends
 * `stored` (already sealed for this key) unchanged as its next version, lease kept. False if it
 * changed meanwhile (the newer write wins).
 */
export function applyRewriteStored(s: WriteScope, key: Buffer, stored: Buffer, modRevision: number): boolean {
  const { tx } = s.batch
  const cur = s.log.live(tx, key)
  if (cur === undefined || cur.modRev !== modRevision) return false
  const rev = s.newRevision
  const version = cur.version + 1
  s.wrote()
  const id = s.log.append(tx, { key, rev, createRev: cur.createRev, version, lease: cur.lease, value: stored })
  s.log.setLive(tx, key, { id, modRev: rev, createRev: cur.createRev, version, lease: cur.lease })
  s.finish()
  return true
}

// Turns answers of etcd (via test/support/etcd-client.ts) and etchlog into plain values that can
// be compared with deepEqual: bytes as hex, etchlog's error classes as etcd's gRPC status and
// message, sort ties as sets, and nested txn headers checked against each side's own rule.
import assert from 'node:assert/strict'
import {
  type KeyValue,
  type RangeRequest,
  type RangeResponse,
  type RequestOp,
  type ResponseOp,
  StorageError,
  type TxnRequest,
  type TxnResponse,
} from '../../src/index.js'
import { EtcdRpcError } from '../support/etcd-client.js'

export type Outcome = { ok: unknown } | { error: string; message: string }

/** etchlog's error classes and etcd's gRPC answer for the same failure (README: errors). */
const ETCD_ERRORS: Record<string, { code: string; message: string }> = {
  CompactedError: { code: 'OUT_OF_RANGE', message: 'etcdserver: mvcc: required revision has been compacted' },
  FutureRevisionError: { code: 'OUT_OF_RANGE', message: 'etcdserver: mvcc: required revision is a future revision' },
  DuplicateKeyError: { code: 'INVALID_ARGUMENT', message: 'etcdserver: duplicate key given in txn request' },
  TooManyOpsError: { code: 'INVALID_ARGUMENT', message: 'etcdserver: too many operations in txn request' },
  KeyNotFoundError: { code: 'INVALID_ARGUMENT', message: 'etcdserver: key not found' },
  LeaseNotFoundError: { code: 'NOT_FOUND', message: 'etcdserver: requested lease not found' },
  LeaseExistsError: { code: 'FAILED_PRECONDITION', message: 'etcdserver: lease already exists' },
}
/** InvalidArgumentError carries etcd's message itself; the gRPC code depends on which one. */
const INVALID_CODES: Record<string, string> = { 'etcdserver: too large lease TTL': 'OUT_OF_RANGE' }

/** The etcd answer etchlog's error stands for; its message must keep etcd's wording. */
export function asEtcdError(err: StorageError): { error: string; message: string } {
  const known = ETCD_ERRORS[err.constructor.name]
  if (known !== undefined) {
    // etchlog's messages start with the layer ("mvcc: ..."), etcd's gRPC text adds "etcdserver: ".
    const wording = known.message.replace(/^etcdserver: (?=mvcc: )/, '')
    assert.ok(err.message.startsWith(wording), `${err.constructor.name} message "${err.message}" should start with "${wording}"`)
    return { error: known.code, message: known.message }
  }
  if (err.constructor.name === 'InvalidArgumentError') {
    const message = err.message.replace(/ \(.*\)$/, '')
    return { error: INVALID_CODES[message] ?? 'INVALID_ARGUMENT', message }
  }
  return { error: `etchlog ${err.constructor.name}`, message: err.message }
}

export async function outcomeOf<T>(side: 'etcd' | 'etchlog', call: () => Promise<T>, norm: (v: T) => unknown): Promise<Outcome> {
  try {
    return { ok: norm(await call()) }
  } catch (err) {
    if (side === 'etcd' && err instanceof EtcdRpcError) return { error: err.code, message: err.details }
    if (side === 'etchlog' && err instanceof StorageError) return asEtcdError(err)
    throw err // anything else is a harness or engine failure, never an answer
  }
}

// ---- plain values ----

export function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex')
  if (Array.isArray(v)) return v.map(plain)
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, plain(x)]))
  }
  return v
}

export const show = (v: unknown): string => JSON.stringify(plain(v))

function sortValue(kv: KeyValue, target: RangeRequest['sortTarget']): string | number {
  switch (target) {
    case 'VERSION':
      return kv.version
    case 'CREATE':
      return kv.createRevision
    case 'MOD':
      return kv.modRevision
    case 'VALUE':
      return Buffer.from(kv.value).toString('hex')
    default:
      return Buffer.from(kv.key).toString('hex')
  }
}

/**
 * Sorting on anything but the key leaves ties in an unspecified order in etcd (Go's unstable
 * sort); etchlog keeps key order (README). Ties are compared as sets; when limit cut the answer
 * after a full sort (an explicit order), the last tie group is only compared by value and size,
 * since etcd may have kept any members of it.
 */
export function normRange(req: RangeRequest, r: RangeResponse): unknown {
  const target = req.sortTarget ?? 'KEY'
  if (target === 'KEY') return plain(r)
  const groups: Array<{ value: string | number; kvs: KeyValue[] }> = []
  for (const kv of r.kvs) {
    const value = sortValue(kv, target)
    const last = groups[groups.length - 1]
    if (last !== undefined && last.value === value) last.kvs.push(kv)
    else groups.push({ value, kvs: [kv] })
  }
  const cut = r.more && (req.sortOrder === 'ASCEND' || req.sortOrder === 'DESCEND')
  const kvs = groups.map((g, i) =>
    cut && i === groups.length - 1
      ? { tieValue: g.value, tieSize: g.kvs.length }
      : (plain(g.kvs) as Array<{ key: string }>).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  )
  return { ...(plain({ ...r, kvs: [] }) as object), kvs }
}

/** Whether an executed op wrote (a put, or a delete that deleted something). */
function wrote(resp: ResponseOp): boolean {
  if ('put' in resp) return true
  if ('deleteRange' in resp) return resp.deleteRange.deleted > 0
  return false
}

/**
 * A nested txn's own header: etcd 3.4 leaves it empty (revision 0); etchlog reports the revision
 * its inner reads see at that point (src/mvcc/apply.ts). Each side is checked against its own
 * rule and the field replaced by a marker, so the rest compares exactly.
 */
export function normTxn(side: 'etcd' | 'etchlog', req: TxnRequest, r: TxnResponse): unknown {
  const state = { wrote: false }
  const topWrote = anyWrite(r)
  const begin = r.revision - (topWrote ? 1 : 0)
  return walk(side, req, r, begin, state, true)
}

function anyWrite(r: TxnResponse): boolean {
  return r.responses.some((resp) => wrote(resp) || ('txn' in resp && anyWrite(resp.txn)))
}

function walk(side: 'etcd' | 'etchlog', req: TxnRequest, r: TxnResponse, begin: number, state: { wrote: boolean }, top: boolean): unknown {
  const ops: RequestOp[] = (r.succeeded ? req.success : req.failure) ?? []
  const responses = r.responses.map((resp, i) => {
    const op = ops[i]
    if ('txn' in resp) {
      const inner = walk(side, op !== undefined && 'txn' in op ? op.txn : {}, resp.txn, begin, state, false)
      return { txn: inner }
    }
    if (wrote(resp)) state.wrote = true
    if ('range' in resp) return { range: normRange(op !== undefined && 'range' in op ? op.range : { key: '' }, resp.range) }
    return plain(resp)
  })
  let revision: unknown = r.revision
  if (!top) {
    // A nested txn response has no header in etcd 3.4: revision 0 on both sides.
    revision = r.revision === 0 ? 'nested' : `nested txn revision ${r.revision}, expected 0 (${side})`
  }
  return { revision, succeeded: r.succeeded, responses }
}

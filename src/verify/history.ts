// The history format the checker reads: what each client asked, when, and what it was told.
// It is plain JSON (strings, numbers), so a workload in another process or language can emit it.
import { assert, InvalidArgumentError } from '../util/index.js'

export type CompareTarget = 'MOD' | 'VERSION' | 'CREATE' | 'VALUE'
export type CompareResult = 'EQUAL' | 'NOT_EQUAL' | 'GREATER' | 'LESS'

/** etcd's Compare on one key (T1, T2): a missing key has version/create/mod 0 and no value. */
export interface Compare {
  key: string
  target: CompareTarget
  result: CompareResult
  /** A number for MOD/VERSION/CREATE, a string for VALUE. */
  value: number | string
}

/** Single-key operations, on their own or inside a txn. */
export type SimpleRequest =
  | { type: 'put'; key: string; value: string }
  | { type: 'get'; key: string }
  | { type: 'delete'; key: string }

export type Request = SimpleRequest | { type: 'txn'; compare: Compare[]; success: SimpleRequest[]; failure: SimpleRequest[] }

/** A key as a read saw it. */
export interface KvView {
  value: string
  version: number
  createRevision: number
  modRevision: number
}

/** What one op inside a txn answered, in the order of the executed branch. */
export type SimpleResult = { type: 'put' } | { type: 'get'; kv: KvView | null } | { type: 'delete'; deleted: number }

/** `revision` is the response header's: the new revision of a write, else the current one (REV4). */
export type Response =
  | { type: 'put'; revision: number }
  | { type: 'get'; revision: number; kv: KvView | null }
  | { type: 'delete'; revision: number; deleted: number }
  | { type: 'txn'; revision: number; succeeded: boolean; results: SimpleResult[] }

/** `unknown`: the call failed or timed out, so it may or may not have taken effect. */
export type Outcome = { status: 'ok'; response: Response } | { status: 'unknown'; error: string }

export interface Operation {
  /** One client issues one operation at a time; a lane in the timeline. */
  client: string
  /** Invoke and return times on one clock shared by every client (see docs/linearizability.md). */
  call: number
  return: number
  request: Request
  outcome: Outcome
}

export interface History {
  /** The store's revision before the first operation: 1 for a new store (REV1). Keys start absent. */
  initialRevision: number
  operations: Operation[]
}

/** Every key an operation reads, compares or writes. */
export function keysOf(request: Request): string[] {
  if (request.type !== 'txn') return [request.key]
  const keys = new Set<string>()
  for (const c of request.compare) keys.add(c.key)
  for (const op of [...request.success, ...request.failure]) keys.add(op.key)
  return [...keys]
}

/** True when the request could change the store (for an unknown outcome: might have). */
export function mayWrite(request: Request): boolean {
  if (request.type === 'txn') return [...request.success, ...request.failure].some((op) => op.type !== 'get')
  return request.type !== 'get'
}

/** True when an ok operation did change the store, judged from its response (REV2, REV3). */
export function wrote(response: Response): boolean {
  switch (response.type) {
    case 'put':
      return true
    case 'get':
      return false
    case 'delete':
      return response.deleted > 0
    case 'txn':
      return response.results.some((r) => r.type === 'put' || (r.type === 'delete' && r.deleted > 0))
  }
}

/** One line, for messages and the timeline. */
export function describeOperation(op: Operation): string {
  const req = describeRequest(op.request)
  if (op.outcome.status === 'unknown') return `${req} → unknown (${op.outcome.error})`
  return `${req} → ${describeResponse(op.outcome.response)}`
}

function describeSimple(r: SimpleRequest): string {
  return r.type === 'put' ? `put ${r.key}=${r.value}` : `${r.type} ${r.key}`
}

export function describeRequest(r: Request): string {
  if (r.type !== 'txn') return describeSimple(r)
  const cmp = r.compare.map((c) => `${c.target}(${c.key}) ${c.result} ${String(c.value)}`).join(' && ')
  return `txn if ${cmp || 'true'} then [${r.success.map(describeSimple).join(', ')}] else [${r.failure.map(describeSimple).join(', ')}]`
}

export function describeKv(kv: KvView | null): string {
  return kv === null ? 'absent' : `${kv.value} (mod ${kv.modRevision}, create ${kv.createRevision}, ver ${kv.version})`
}

function describeResponse(r: Response): string {
  switch (r.type) {
    case 'put':
      return `rev ${r.revision}`
    case 'get':
      return `${describeKv(r.kv)} @${r.revision}`
    case 'delete':
      return `deleted ${r.deleted} @${r.revision}`
    case 'txn': {
      const results = r.results.map((x) => (x.type === 'get' ? describeKv(x.kv) : x.type === 'delete' ? `deleted ${x.deleted}` : 'ok'))
      return `${r.succeeded ? 'succeeded' : 'failed'} [${results.join(', ')}] @${r.revision}`
    }
  }
}

/** Rejects a malformed history (bad input, not a violation): shapes, times, branch lengths. */
export function validateHistory(history: History): void {
  const bad = (i: number, why: string): never => {
    throw new InvalidArgumentError(`verify: operation ${i}: ${why}`)
  }
  if (!Number.isInteger(history.initialRevision) || history.initialRevision < 1) {
    throw new InvalidArgumentError(`verify: initialRevision ${history.initialRevision} is not a revision`)
  }
  history.operations.forEach((op, i) => {
    if (typeof op.client !== 'string') bad(i, 'client is not a string')
    if (!Number.isFinite(op.call) || Number.isNaN(op.return)) bad(i, 'call and return must be numbers')
    if (op.return < op.call) bad(i, `returns (${op.return}) before it is invoked (${op.call})`)
    if (op.outcome.status !== 'ok') return
    const res = op.outcome.response
    if (res.type !== op.request.type) bad(i, `a ${op.request.type} answered by a ${res.type}`)
    if (!Number.isInteger(res.revision)) bad(i, 'response revision is not an integer')
    if (res.type === 'txn' && op.request.type === 'txn') {
      const branch = res.succeeded ? op.request.success : op.request.failure
      if (branch.length !== res.results.length) bad(i, `${res.results.length} results for ${branch.length} ops`)
      branch.forEach((o, j) => {
        if (res.results[j]?.type !== o.type) bad(i, `result ${j} is not a ${o.type}`)
      })
    }
  })
}

/** The operation at index i, which the caller got from this history. */
export function operationAt(history: History, i: number): Operation {
  const op = history.operations[i]
  assert(op !== undefined, `verify: no operation ${i} in the history`)
  return op
}

// Records the operations a client makes against a store, in the checker's history format.
// Times come from process.hrtime: CLOCK_MONOTONIC, one clock for every process on the machine,
// so histories recorded by several processes can be merged (docs/linearizability.md).
import { StorageError } from '../../src/index.js'
import type {
  Compare as StoreCompare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from '../../src/index.js'
import type { KvView, Operation, Outcome, Request, Response, SimpleRequest, SimpleResult } from '../../src/verify/index.js'

/** What a workload calls: a Store, or a proxy around one. */
export interface KvClient {
  put(key: string, value: string): Promise<PutResponse>
  range(request: RangeRequest): Promise<RangeResponse>
  deleteRange(request: DeleteRangeRequest): Promise<DeleteRangeResponse>
  txn(request: TxnRequest): Promise<TxnResponse>
}

/** Microseconds on the machine's monotonic clock, shared by all its processes. */
export const now = (): number => Number(process.hrtime.bigint() / 1000n)

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8')

function view(kv: KeyValue | undefined): KvView | null {
  if (kv === undefined) return null
  return { value: text(kv.value), version: kv.version, createRevision: kv.createRevision, modRevision: kv.modRevision }
}

function toRequestOp(op: SimpleRequest): RequestOp {
  if (op.type === 'put') return { put: { key: op.key, value: op.value } }
  if (op.type === 'get') return { range: { key: op.key } }
  return { deleteRange: { key: op.key } }
}

function toResult(r: ResponseOp): SimpleResult {
  if ('put' in r) return { type: 'put' }
  if ('range' in r) return { type: 'get', kv: view(r.range.kvs[0]) }
  if ('deleteRange' in r) return { type: 'delete', deleted: r.deleteRange.deleted }
  throw new Error('history-recorder: workloads issue no nested txns')
}

/** Runs one request against the store and turns its answer into the history's shape. */
export async function execute(kv: KvClient, request: Request): Promise<Response> {
  switch (request.type) {
    case 'put':
      return { type: 'put', revision: (await kv.put(request.key, request.value)).revision }
    case 'get': {
      const r = await kv.range({ key: request.key })
      return { type: 'get', revision: r.revision, kv: view(r.kvs[0]) }
    }
    case 'delete': {
      const r = await kv.deleteRange({ key: request.key })
      return { type: 'delete', revision: r.revision, deleted: r.deleted }
    }
    case 'txn': {
      const compare: StoreCompare[] = request.compare.map((c) => ({ key: c.key, target: c.target, result: c.result, value: c.value }))
      const r = await kv.txn({ compare, success: request.success.map(toRequestOp), failure: request.failure.map(toRequestOp) })
      return { type: 'txn', revision: r.revision, succeeded: r.succeeded, results: r.responses.map(toResult) }
    }
  }
}

export class HistoryRecorder {
  /** In the order they returned. */
  readonly operations: Operation[] = []

  /**
   * Runs and records one request. A StorageError is an outcome the checker must allow either way
   * (the write may or may not have happened); any other error is a bug and propagates.
   */
  async perform(client: string, kv: KvClient, request: Request): Promise<Outcome> {
    const call = now()
    let outcome: Outcome
    try {
      outcome = { status: 'ok', response: await execute(kv, request) }
    } catch (err) {
      if (!(err instanceof StorageError)) throw err
      outcome = { status: 'unknown', error: `${err.code}: ${err.message}` }
    }
    this.operations.push({ client, call, return: now(), request, outcome })
    return outcome
  }
}

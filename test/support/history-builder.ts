// Terse hand-written histories for the checker's tests: one call per operation, times given.
import type { Compare, History, KvView, Operation, SimpleRequest, SimpleResult } from '../../src/verify/index.js'

/** [value, modRevision, createRevision, version], or null for an absent key. */
export type Kv = [string, number, number, number] | null

const view = (kv: Kv): KvView | null => (kv === null ? null : { value: kv[0], modRevision: kv[1], createRevision: kv[2], version: kv[3] })

export class HistoryBuilder {
  readonly operations: Operation[] = []

  constructor(readonly initialRevision = 1) {}

  put(client: string, call: number, ret: number, key: string, value: string, revision: number): this {
    return this.add({ client, call, return: ret, request: { type: 'put', key, value }, outcome: { status: 'ok', response: { type: 'put', revision } } })
  }

  get(client: string, call: number, ret: number, key: string, kv: Kv, revision: number): this {
    return this.add({ client, call, return: ret, request: { type: 'get', key }, outcome: { status: 'ok', response: { type: 'get', revision, kv: view(kv) } } })
  }

  del(client: string, call: number, ret: number, key: string, deleted: number, revision: number): this {
    return this.add({ client, call, return: ret, request: { type: 'delete', key }, outcome: { status: 'ok', response: { type: 'delete', revision, deleted } } })
  }

  /** A k8s-style CAS: if mod(key) == mod then put key=value else get key. */
  cas(client: string, call: number, ret: number, key: string, mod: number, value: string, result: { succeeded: true; revision: number } | { succeeded: false; revision: number; kv: Kv }): this {
    const compare: Compare[] = [{ key, target: 'MOD', result: 'EQUAL', value: mod }]
    const results: SimpleResult[] = result.succeeded ? [{ type: 'put' }] : [{ type: 'get', kv: view(result.kv) }]
    return this.add({
      client,
      call,
      return: ret,
      request: { type: 'txn', compare, success: [{ type: 'put', key, value }], failure: [{ type: 'get', key }] },
      outcome: { status: 'ok', response: { type: 'txn', revision: result.revision, succeeded: result.succeeded, results } },
    })
  }

  txn(client: string, call: number, ret: number, compare: Compare[], success: SimpleRequest[], failure: SimpleRequest[], succeeded: boolean, results: SimpleResult[], revision: number): this {
    return this.add({ client, call, return: ret, request: { type: 'txn', compare, success, failure }, outcome: { status: 'ok', response: { type: 'txn', revision, succeeded, results } } })
  }

  /** A put that failed or timed out: it may or may not have taken effect. */
  unknownPut(client: string, call: number, ret: number, key: string, value: string): this {
    return this.add({ client, call, return: ret, request: { type: 'put', key, value }, outcome: { status: 'unknown', error: 'timeout' } })
  }

  add(op: Operation): this {
    this.operations.push(op)
    return this
  }

  build(): History {
    return { initialRevision: this.initialRevision, operations: this.operations }
  }
}

export const kvResult = (kv: Kv): SimpleResult => ({ type: 'get', kv: view(kv) })

// Linearizable histories by construction, without a store: clients' operations get random
// overlapping intervals and a random linearization point inside each; the points are replayed in
// order on a tiny reference KV store written apart from src/verify/kv-model.ts, so the checker is
// judged against an independent model. Some outcomes are made unknown, applied or not.
import type { Compare, History, KvView, Operation, Request, Response, SimpleRequest, SimpleResult } from '../../src/verify/index.js'
import { prng } from './child-process.js'

interface Slot {
  client: string
  call: number
  at: number
  ret: number
}

class Reference {
  revision: number
  readonly keys = new Map<string, KvView>()
  constructor(initial: number) {
    this.revision = initial
  }

  holds(c: Compare): boolean {
    const kv = this.keys.get(c.key)
    if (c.target === 'VALUE') {
      if (kv === undefined) return false
      const v = String(c.value)
      return c.result === 'EQUAL' ? kv.value === v : c.result === 'NOT_EQUAL' ? kv.value !== v : c.result === 'GREATER' ? kv.value > v : kv.value < v
    }
    const actual = kv === undefined ? 0 : c.target === 'MOD' ? kv.modRevision : c.target === 'CREATE' ? kv.createRevision : kv.version
    const v = Number(c.value)
    return c.result === 'EQUAL' ? actual === v : c.result === 'NOT_EQUAL' ? actual !== v : c.result === 'GREATER' ? actual > v : actual < v
  }

  /** Applies ops at the next revision; bumps it only if something changed. */
  run(ops: readonly SimpleRequest[]): { results: SimpleResult[]; revision: number } {
    const next = this.revision + 1
    let changed = false
    const results = ops.map((op): SimpleResult => {
      const kv = this.keys.get(op.key)
      if (op.type === 'get') return { type: 'get', kv: kv === undefined ? null : { ...kv } }
      if (op.type === 'delete') {
        changed ||= kv !== undefined
        this.keys.delete(op.key)
        return { type: 'delete', deleted: kv === undefined ? 0 : 1 }
      }
      changed = true
      this.keys.set(op.key, { value: op.value, modRevision: next, createRevision: kv?.createRevision ?? next, version: (kv?.version ?? 0) + 1 })
      return { type: 'put' }
    })
    if (changed) this.revision = next
    return { results, revision: this.revision }
  }

  apply(request: Request): Response {
    if (request.type === 'txn') {
      const succeeded = request.compare.every((c) => this.holds(c))
      const { results, revision } = this.run(succeeded ? request.success : request.failure)
      return { type: 'txn', revision, succeeded, results }
    }
    const { results, revision } = this.run([request])
    const [r] = results
    if (r?.type === 'get') return { type: 'get', revision, kv: r.kv }
    if (r?.type === 'delete') return { type: 'delete', revision, deleted: r.deleted }
    return { type: 'put', revision }
  }
}

export interface SimulationOptions {
  seed: number
  clients: number
  opsPerClient: number
  keys: readonly string[]
  /** Share of operations whose outcome becomes unknown (half of them still take effect). */
  unknownRate: number
}

export function simulate(o: SimulationOptions): History {
  const random = prng(o.seed)
  const int = (n: number): number => Math.floor(random() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T // int() is within the length
  const slots: Slot[] = []
  for (let c = 0; c < o.clients; c++) {
    let t = int(5)
    for (let i = 0; i < o.opsPerClient; i++) {
      const length = 1 + int(20)
      slots.push({ client: `c${c}`, call: t, at: t + random() * length, ret: t + length })
      t += length + int(3)
    }
  }
  slots.sort((a, b) => a.at - b.at)
  const store = new Reference(1)
  let written = 0
  const operations: Operation[] = []
  for (const s of slots) {
    const key = pick(o.keys)
    const mod = store.keys.get(key)?.modRevision ?? 0
    const r = random()
    const request: Request =
      r < 0.35 ? { type: 'get', key }
      : r < 0.6 ? { type: 'put', key, value: `v${written++}` }
      : r < 0.7 ? { type: 'delete', key }
      : {
          type: 'txn',
          // Mostly the current mod revision (a CAS that wins), sometimes a stale one.
          compare: [{ key, target: 'MOD', result: 'EQUAL', value: random() < 0.6 ? mod : Math.max(0, mod - 1 - int(3)) }],
          success: [{ type: 'put', key, value: `v${written++}` }],
          failure: [{ type: 'get', key }],
        }
    const unknown = random() < o.unknownRate
    if (unknown && random() < 0.5) {
      operations.push({ client: s.client, call: s.call, return: s.ret, request, outcome: { status: 'unknown', error: 'simulated timeout, not applied' } })
      continue
    }
    const response = store.apply(request)
    const outcome = unknown ? { status: 'unknown' as const, error: 'simulated timeout, applied' } : { status: 'ok' as const, response }
    operations.push({ client: s.client, call: s.call, return: s.ret, request, outcome })
  }
  return { initialRevision: 1, operations }
}

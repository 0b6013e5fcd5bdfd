// A client's random workload for the concurrent-history tests: gets, puts, deletes,
// Kubernetes-style compare-and-swaps (read, then txn on the mod revision) and txns that compare
// one key and write its partner. Keys come in pairs (k0,k1), (k2,k3), ...: txns join only the
// two keys of a pair, so the checker gets one partition per pair.
import type { Request } from '../../src/verify/index.js'
import { prng } from './child-process.js'
import type { HistoryRecorder, KvClient } from './history-recorder.js'

export interface WorkloadOptions {
  client: string
  seed: number
  /** Operations to record (a CAS records two: its read and its txn). */
  ops: number
  keys: readonly string[]
}

export const defaultKeys = (pairs = 3): string[] => Array.from({ length: pairs * 2 }, (_, i) => `k${i}`)

/** One client: one operation at a time, as the model of a client requires. */
export async function runWorkload(kv: KvClient, recorder: HistoryRecorder, o: WorkloadOptions): Promise<void> {
  const random = prng(o.seed)
  const pick = <T>(xs: readonly T[]): T => {
    const x = xs[Math.floor(random() * xs.length)]
    if (x === undefined) throw new Error('history-workload: pick from an empty list')
    return x
  }
  let written = 0
  const value = (): string => `${o.client}:${written++}`
  let mine = 0
  const perform = async (request: Request): ReturnType<HistoryRecorder['perform']> => {
    mine++
    return recorder.perform(o.client, kv, request)
  }
  while (mine < o.ops) {
    const key = pick(o.keys)
    const index = o.keys.indexOf(key)
    const partner = o.keys[index ^ 1] ?? key
    const r = random()
    if (r < 0.3) await perform({ type: 'get', key })
    else if (r < 0.5) await perform({ type: 'put', key, value: value() })
    else if (r < 0.6) await perform({ type: 'delete', key })
    else if (r < 0.85) {
      const seen = await perform({ type: 'get', key })
      const mod = seen.status === 'ok' && seen.response.type === 'get' ? (seen.response.kv?.modRevision ?? 0) : 0
      await perform({
        type: 'txn',
        compare: [{ key, target: 'MOD', result: 'EQUAL', value: mod }],
        success: [{ type: 'put', key, value: value() }],
        failure: [{ type: 'get', key }],
      })
    } else {
      const byVersion = random() < 0.5
      await perform({
        type: 'txn',
        compare: [byVersion ? { key, target: 'VERSION', result: pick(['EQUAL', 'GREATER', 'LESS'] as const), value: Math.floor(random() * 3) } : { key, target: 'VALUE', result: 'NOT_EQUAL', value: '' }],
        success: [{ type: 'put', key: partner, value: value() }, { type: 'get', key }],
        failure: [random() < 0.5 ? { type: 'delete', key: partner } : { type: 'get', key: partner }],
      })
    }
  }
}
